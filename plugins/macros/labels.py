"""``{{labels}}``: the labels of the page being viewed, asked of whichever
plugin keeps labels (``page_labels`` hook). Without such a plugin the macro
shows nothing; with it, a page without labels shows "No labels"."""

from flask import render_template
from markupsafe import Markup

from wiki.api import hook

from .arguments import parse


def render(args, page, user):
    parse(args, {})
    labels = hook().page_labels(page=page) if page is not None else None
    if labels is None:
        return Markup("")
    return Markup(render_template("macros/labels.html", labels=labels))  # noqa: S704 - autoescaped template
