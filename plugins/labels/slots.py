"""What the plugin adds to the core's templates: its assets in <head>, the
labels under a page's title, the Labels field in the page editor."""

from flask import render_template
from markupsafe import Markup

from . import editor
from .views import box_context


def render(name, context):
    page, user = context.get("page"), context.get("user")
    if name == "head":
        html = render_template("labels/head.html", user=user)
    elif name == "page_header" and page is not None:
        html = render_template("labels/_box.html", **box_context(page, user))
    elif name == "editor":
        html = editor.field(page, user)
    else:
        return None
    return Markup(html)  # noqa: S704 - our templates, autoescaped: user text inside is escaped
