"""What the attachments plugin puts into template slots: its assets, the
"Attachments" section under a page, the drop zone under the editor, the
editor toolbar's "Insert an attachment" button."""

from flask import render_template, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup

from wiki.api import human_size

from . import service
from .sniff import IMAGES, short
from .views import _described, may_upload


def _template(name, **context):
    return Markup(render_template(name, **context))  # noqa: S704 - our templates, autoescaped


def render(name, context):
    page, user = context.get("page"), context.get("user")
    if name == "head":
        return Markup('<link rel="stylesheet" href="{}"><script src="{}" defer></script>').format(
            url_for("attachments.static", filename="attachments.css"),
            url_for("attachments.static", filename="attachments.js"))
    if name == "page_footer" and page is not None:
        return _template("attachments/section.html", page=page, files=service.listed(page),
                         can_upload=may_upload(user), can_delete=user.can_edit, form=FlaskForm(),
                         images=IMAGES, short=short, size=human_size, max_size=service.size_limit())
    if name == "admin_trash" and user.has_role("admin"):
        return _template("attachments/_deleted.html", deleted=service.trash(), form=FlaskForm())
    if name == "editor" and page is not None and may_upload(user):
        return _template("attachments/editor.html", page=page, max_size=service.size_limit())
    if name == "editor_toolbar":
        return _template("attachments/toolbar.html", page=page, files=service.listed(page) if page else [],
                         can_upload=may_upload(user), markdown=lambda file: _described(file)["markdown"])
    return None
