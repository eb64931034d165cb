"""The preferences form (Flask-WTF: it carries a CSRF token). The Watch and
Unwatch buttons post the bare token (``csrf_token()`` in their template)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice


class PreferenceForm(FlaskForm):
    mode = RadioField(_l("Tell me of changes on pages I watch"), choices=[
        SelectChoice("instant", _l("By e-mail, as each change happens")),
        SelectChoice("digest", _l("In a daily digest")),
        SelectChoice("off", _l("Not at all")),
    ], default="instant")
    replies = BooleanField(_l("Replies to my comments, on any page"), default=True)
