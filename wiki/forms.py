"""Flask-WTF forms: each carries a CSRF token."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional, Regexp

from .models import ROLES, VISIBILITIES

_VISIBILITY_LABELS = {"public": "Everyone", "members": "Signed-in members only"}
VISIBILITY_CHOICES = [SelectChoice(v, _VISIBILITY_LABELS[v]) for v in VISIBILITIES]


ADDRESS = "Address"
ADDRESS_LENGTH = Length(max=200, message="Addresses are at most 200 characters.")


class PageForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    # New pages only: empty takes the address from the title.
    slug = StringField(ADDRESS, validators=[Optional(), ADDRESS_LENGTH])
    body = TextAreaField("Text (Markdown)")
    summary = StringField("Edit summary", validators=[Optional(), Length(max=300)])
    base_revision = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    parent = StringField("Parent page", validators=[Optional(), Length(max=200)])
    visibility = SelectField("Who can read it", choices=VISIBILITY_CHOICES, default="public")


class PageSettingsForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    slug = StringField(ADDRESS, validators=[Optional(), ADDRESS_LENGTH])  # empty: keep it
    parent = StringField("Parent page", validators=[Optional(), Length(max=200)])
    visibility = SelectField("Who can read it", choices=VISIBILITY_CHOICES)


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class PreviewForm(FlaskForm):
    body = TextAreaField()
    slug = StringField()  # the page being edited, for blocks that depend on it


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[InputRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in (30 days)")
    next = HiddenField()


NEW_PASSWORD = Length(min=8, max=200, message="Passwords need at least 8 characters (and at most 200).")
USERNAME = Regexp(r"^[A-Za-z0-9_.-]+$", message="Use letters, digits, dots, dashes or underscores.")


class RegisterForm(FlaskForm):
    username = StringField("Username", validators=[InputRequired(), Length(min=2, max=64), USERNAME])
    display_name = StringField("Display name", validators=[Optional(), Length(max=100)])
    password = PasswordField("Password", validators=[InputRequired(), NEW_PASSWORD])
    confirm = PasswordField("Repeat password", validators=[EqualTo("password", "The passwords differ.")])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[InputRequired()])
    password = PasswordField("New password", validators=[InputRequired(), NEW_PASSWORD])
    confirm = PasswordField("Repeat new password",
                            validators=[EqualTo("password", "The passwords differ.")])


class SetPasswordForm(FlaskForm):
    """An admin gives an account a password (an imported account its first)."""

    password = PasswordField("New password",
                             validators=[InputRequired("Type the new password."), NEW_PASSWORD])
    confirm = PasswordField("Repeat it", validators=[EqualTo("password", "The passwords differ.")])


class LanguageForm(FlaskForm):
    """The footer's language switcher (its choices: the LANGUAGES offered)."""
    language = StringField(validators=[InputRequired(), Length(max=35)])
    next = HiddenField()


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r, r) for r in ROLES])
    active = BooleanField("Active")
