"""The inline label form (add and remove share it); Flask-WTF checks its CSRF token."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError

from .service import LabelError, parse


class LabelForm(FlaskForm):
    label = StringField(_l("Add labels"))

    def validate_label(self, field):
        try:
            self.names = parse(field.data)
        except LabelError as e:
            raise ValidationError(e.message) from None
        if not self.names:
            raise ValidationError(_("Type a label first."))
