"""The comment forms (Flask-WTF: each carries a CSRF token). Buttons that
only change a state (hide, delete...) post the bare token (``csrf()`` in
templates/comments/_macros.html); CSRFProtect checks every POST."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from .service import ANON_NAME_MAX


class _Prefixed(FlaskForm):
    """Field names and ids start with ``comment-``: a page carries other
    plugins' forms too."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "comment")
        super().__init__(*args, **kwargs)


class CommentForm(_Prefixed):
    # Emptiness and length are checked by the service, with their own statuses.
    body = TextAreaField(_l("Your comment"))
    name = StringField(_l("Your name (optional)"), validators=[
        # WTForms fills in %(max)d.
        Optional(), Length(max=ANON_NAME_MAX, message=_l("Names are at most %(max)d characters."))])
    parent_id = HiddenField()
    stamp = HiddenField()  # spam.make_stamp
    # The honeypot (spam.check_honeypot): an ordinary-looking text field,
    # hidden by CSS, that only bots fill in.
    website = StringField(_l("Leave this field empty"))


class EditForm(_Prefixed):
    body = TextAreaField(_l("Your comment"))
