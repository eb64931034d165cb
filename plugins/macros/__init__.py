"""Macros: ``{{children}}``, ``{{toc}}``, ``{{recent}}``, ``{{labels}}`` and
info / note / tip / warning panels (``!!! note "Title"``) in pages.

``{{toc}}`` is rendered with the page; the others list other pages, so they
are dynamic blocks filled when the page is viewed, for that reader (see
``syntax.py``). Syntax: docs/writing-pages.md.
"""

from flask import Blueprint, url_for
from markupsafe import Markup

from wiki.api import BlockError, hookimpl

from . import children, labels, recent
from .syntax import NOTICE_BLOCK, MacroExtension

# Macros filled at view time: name -> render(args, page, user).
DYNAMIC = {"children": children.render, "recent": recent.render, "labels": labels.render}

bp = Blueprint("macros", __name__, template_folder="templates", static_folder="static",
               static_url_path="/plugins/macros/static")


@hookimpl
def register_blueprints(app):
    app.register_blueprint(bp)


@hookimpl
def markdown_extensions():
    # superfences: fenced code inside an (indented) panel.
    return ["admonition", "pymdownx.superfences", MacroExtension(dynamic=DYNAMIC)]


@hookimpl
def sanitizer_allowlist():
    return {"attributes": {"p": ["class"]}}  # <p class="admonition-title">


@hookimpl
def template_slot(name):
    if name == "head":
        return Markup('<link rel="stylesheet" href="{}">').format(
            url_for("macros.static", filename="macros.css"))
    return None


@hookimpl
def render_block(name, args, page, user):
    if name == NOTICE_BLOCK:
        raise BlockError(args)  # editors see what to fix, readers nothing
    if name in DYNAMIC:
        return DYNAMIC[name](args, page, user)
    return None
