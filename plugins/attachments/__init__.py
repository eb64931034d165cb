"""Attachments: files on pages (slides, PDFs, photos), with versions, served
safely, shown in Markdown by name, searched by their text (docs/attachments.md).

Only hook implementations live here; the work is in the modules they call.
"""

from pathlib import Path

from wiki.api import hookimpl

from . import blocks, cli, extraction, settings, slots, syntax, views

# Hook implementations kept in the module of their feature (pluggy finds them
# here, in the package's namespace): one line per module.
from .imported import import_file_versions  # noqa: F401
from .search import search_changes, search_count, search_documents, search_kinds  # noqa: F401
from .transfer import backup_files, export_page_files, import_file, import_page_files, restore_file  # noqa: F401

# -- end of hook imports


@hookimpl
def register_models():
    return Path(__file__).parent / "migrations"  # models.py is imported with views.py


@hookimpl
def register_blueprints(app):
    settings.init_app(app)  # a value that cannot work stops the app here
    app.extensions["wiki.attachments.extraction"] = extraction.Runner(app)
    app.register_blueprint(views.bp)


@hookimpl
def register_api(api):
    from . import rest  # here, once the plugin's modules are loaded

    rest.register(api)  # a page's files under /api/v1/pages/<slug>/attachments


@hookimpl
def register_cli(group):
    group.add_command(cli.files)


@hookimpl
def markdown_extensions():
    return [syntax.AttachmentExtension()]


@hookimpl
def render_block(name, args, page, user):
    if name == syntax.BLOCK:
        return blocks.render(args, page, user)
    return None


@hookimpl(tryfirst=True)  # above the comments
def template_slot(name, context):
    return slots.render(name, context)
