"""Flask-WTF forms: each carries a CSRF token."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

from .models import ROLES, VISIBILITIES

VISIBILITY_CHOICES = [("public", "Everyone"), ("members", "Signed-in members only")]
assert [v for v, _ in VISIBILITY_CHOICES] == list(VISIBILITIES)


class PageForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    body = TextAreaField("Text (Markdown)")
    summary = StringField("Edit summary", validators=[Optional(), Length(max=300)])
    base_revision = IntegerField(validators=[Optional()])
    parent = StringField("Parent page", validators=[Optional(), Length(max=200)])
    visibility = SelectField("Who can read it", choices=VISIBILITY_CHOICES, default="public")


class PageSettingsForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    parent = StringField("Parent page", validators=[Optional(), Length(max=200)])
    visibility = SelectField("Who can read it", choices=VISIBILITY_CHOICES)


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class PreviewForm(FlaskForm):
    body = TextAreaField()


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[InputRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in (30 days)")
    next = HiddenField()


USERNAME = Regexp(r"^[A-Za-z0-9_.-]+$", message="Use letters, digits, dots, dashes or underscores.")


class RegisterForm(FlaskForm):
    username = StringField("Username", validators=[InputRequired(), Length(min=2, max=64), USERNAME])
    display_name = StringField("Display name", validators=[Optional(), Length(max=100)])
    password = PasswordField("Password", validators=[InputRequired(), Length(min=8, max=200)])
    confirm = PasswordField("Repeat password", validators=[EqualTo("password", "The passwords differ.")])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[InputRequired()])
    password = PasswordField("New password", validators=[InputRequired(), Length(min=8, max=200)])
    confirm = PasswordField("Repeat new password",
                            validators=[EqualTo("password", "The passwords differ.")])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[(r, r) for r in ROLES])
    active = BooleanField("Active")
