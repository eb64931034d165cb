"""Expand: expandable sections ("Click here to expand...") in pages.

Markdown ``??? "Title"`` (closed), ``???+ "Title"`` (open) and raw
``<details><summary>`` become native ``<details>`` elements, usable without
JavaScript. ``static/expand.js`` adds "Expand all / Collapse all", opens the
sections around a linked heading (``/wiki/page#heading``) and prints every
section expanded. Syntax: docs/writing-pages.md.
"""

from flask import Blueprint, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from wiki.api import BlockError, hookimpl

from .sections import NOTICE_BLOCK, SectionExtension

bp = Blueprint("expand", __name__, static_folder="static",
               static_url_path="/plugins/expand/static")


def toggles():
    """The "Expand all" / "Collapse all" buttons, in the reader's language.
    They start hidden: they do nothing without expand.js, which shows them."""
    return Markup(
        '<button type="button" class="button expand-toggle" data-expand="open" hidden>{}</button>'
        '<button type="button" class="button expand-toggle" data-expand="close" hidden>{}</button>'
    ).format(_("Expand all"), _("Collapse all"))


@hookimpl
def register_blueprints(app):
    app.register_blueprint(bp)


@hookimpl
def markdown_extensions():
    # superfences: fenced code inside an (indented) section; md_in_html:
    # Markdown inside raw <details>.
    return ["pymdownx.superfences", "md_in_html", SectionExtension()]


@hookimpl
def sanitizer_allowlist():
    return {"tags": {"details", "summary"},
            "attributes": {"details": ["open", "id", "class"]}}


@hookimpl
def template_slot(name, context):
    if name == "head":
        return Markup('<link rel="stylesheet" href="{}">\n<script src="{}" defer></script>').format(
            url_for("expand.static", filename="expand.css"),
            url_for("expand.static", filename="expand.js"),
        )
    if name == "page_actions" and _has_sections(context.get("page")):
        return toggles()
    return None


@hookimpl
def render_block(name, args):
    if name == NOTICE_BLOCK:
        raise BlockError(args)  # editors see what to fix, readers nothing
    return None


def _has_sections(page):
    revision = page.current_revision if page is not None else None
    return revision is not None and "<details" in revision.html
