"""Attachments: files on pages (slides, PDFs, photos), with versions, served
safely, shown in Markdown by name, searched by their text (docs/attachments.md).

Only hook implementations live here; the work is in the modules they call.
"""

from pathlib import Path

from wiki.api import hookimpl

from . import blocks, cli, slots, syntax, views

# The plugin's settings and their defaults (docs/attachments.md).
SETTINGS = {
    "MAX_ATTACHMENT_BYTES": 100 * 1024 * 1024,
    "ATTACHMENTS_STORE": "files",  # or "database"
    "ATTACHMENTS_MEMBERS_UPLOAD": False,  # editors upload; members too when True
    "ATTACHMENTS_ALLOWED_TYPES": [],  # sniffed types accepted; empty: every kind
}


@hookimpl
def register_models():
    return Path(__file__).parent / "migrations"  # models.py is imported with views.py


@hookimpl
def register_blueprints(app):
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    if app.config["ATTACHMENTS_STORE"] not in ("files", "database"):
        raise ValueError(f"ATTACHMENTS_STORE is {app.config['ATTACHMENTS_STORE']!r}: "
                         "it is \"files\" or \"database\".")
    app.register_blueprint(views.bp)


@hookimpl
def register_cli(group):
    group.add_command(cli.files)


@hookimpl
def markdown_extensions():
    return [syntax.AttachmentExtension()]


@hookimpl
def sanitizer_allowlist():
    # What a filled placeholder shows (blocks are filled after sanitizing,
    # from escaped values): nothing more is needed in the page text itself.
    return None


@hookimpl
def render_block(name, args, page, user):
    if name == syntax.BLOCK:
        return blocks.render(args, page, user)
    return None


@hookimpl(tryfirst=True)  # above the comments
def template_slot(name, context):
    return slots.render(name, context)
