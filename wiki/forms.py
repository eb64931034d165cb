"""Flask-WTF forms: each carries a CSRF token."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
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
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from .i18n import is_language_tag, offered_language
from .models import ROLES, VISIBILITIES

_VISIBILITY_LABELS = {"public": _l("Everyone"), "members": _l("Signed-in members only")}
VISIBILITY_CHOICES = [SelectChoice(v, _VISIBILITY_LABELS[v]) for v in VISIBILITIES]


ADDRESS = _l("Address")
ADDRESS_LENGTH = Length(max=200, message=_l("Addresses are at most 200 characters."))
LANGUAGE = _l("Language of the page")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def language_tag(form, field):
    """A page's language must be a BCP 47 tag (``fr``, ``pt-BR``); empty is
    left to the view (a new page: its parent's or the default; an edit: unchanged)."""
    if field.data and not is_language_tag(field.data):
        raise ValidationError(gettext("“%(tag)s” is not a language tag: use a code such as en, fr or "
                                      "pt-BR.", tag=field.data[:40]))


class PageForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    # New pages only: empty takes the address from the title.
    slug = StringField(ADDRESS, validators=[Optional(), ADDRESS_LENGTH])
    body = TextAreaField(_l("Text (Markdown)"))
    summary = StringField(_l("Edit summary"), validators=[Optional(), Length(max=300)])
    base_revision = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    parent = StringField(_l("Parent page"), validators=[Optional(), Length(max=200)])
    visibility = SelectField(_l("Who can read it"), choices=VISIBILITY_CHOICES, default="public")
    language = StringField(LANGUAGE, filters=[_strip], validators=[Optional(), language_tag])
    # New pages only: the template chosen (its page id, so a renamed one still
    # works), and whether its child pages are created too (wiki.page_templates).
    template = HiddenField(validators=[Optional(), Length(max=200)])
    template_children = BooleanField(_l("Also create its pages"), default=True)


class PageSettingsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    slug = StringField(ADDRESS, validators=[Optional(), ADDRESS_LENGTH])  # empty: keep it
    parent = StringField(_l("Parent page"), validators=[Optional(), Length(max=200)])
    visibility = SelectField(_l("Who can read it"), choices=VISIBILITY_CHOICES)
    language = StringField(LANGUAGE, filters=[_strip], validators=[Optional(), language_tag])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class PreviewForm(FlaskForm):
    body = TextAreaField()
    slug = StringField()  # the page being edited, for blocks that depend on it
    # A new page from a template: its variables are filled in the preview too.
    template = StringField()
    title = StringField()
    parent = StringField()


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[InputRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in (30 days)"))
    next = HiddenField()


NEW_PASSWORD = Length(min=8, max=200, message=_l("Passwords need at least 8 characters (and at most 200)."))
USERNAME = Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dots, dashes or underscores."))
PASSWORDS_DIFFER = _l("The passwords differ.")


EMAIL_LENGTH = Length(max=254, message=_l("An e-mail address is at most 254 characters."))


class RegisterForm(FlaskForm):
    username = StringField(_l("Username"), validators=[InputRequired(), Length(min=2, max=64), USERNAME])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=100)])
    # Checked by wiki.accounts (an address, not taken), as on the account page.
    email = StringField(_l("E-mail address (optional)"), filters=[_strip], validators=[EMAIL_LENGTH])
    password = PasswordField(_l("Password"), validators=[InputRequired(), NEW_PASSWORD])
    confirm = PasswordField(_l("Repeat password"), validators=[EqualTo("password", PASSWORDS_DIFFER)])


class ProfileForm(FlaskForm):
    """The account page's display name and e-mail address (wiki.accounts checks both)."""

    display_name = StringField(_l("Display name"), filters=[_strip],
                               validators=[InputRequired(_l("Type a display name.")), Length(max=100)])
    email = StringField(_l("E-mail address"), filters=[_strip], validators=[EMAIL_LENGTH])


class ForgotPasswordForm(FlaskForm):
    login = StringField(_l("Username or e-mail address"), filters=[_strip],
                        validators=[InputRequired(_l("Type your username or e-mail address.")), EMAIL_LENGTH])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[InputRequired(), NEW_PASSWORD])
    confirm = PasswordField(_l("Repeat new password"), validators=[EqualTo("password", PASSWORDS_DIFFER)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired()])
    password = PasswordField(_l("New password"), validators=[InputRequired(), NEW_PASSWORD])
    confirm = PasswordField(_l("Repeat new password"), validators=[EqualTo("password", PASSWORDS_DIFFER)])


class SetPasswordForm(FlaskForm):
    """An admin gives an account a password (an imported account its first)."""

    password = PasswordField(_l("New password"),
                             validators=[InputRequired(_l("Type the new password.")), NEW_PASSWORD])
    confirm = PasswordField(_l("Repeat it"), validators=[EqualTo("password", PASSWORDS_DIFFER)])


class LanguageForm(FlaskForm):
    """The footer's language switcher (its choices: the LANGUAGES offered)."""
    language = StringField(validators=[InputRequired(), Length(max=35)])
    next = HiddenField()


class AccountLanguageForm(FlaskForm):
    """The account page's language of the interface: a code the wiki offers,
    or empty ("as my browser asks"). The template lists the choices (each
    option with its own ``lang``); any other code is refused here."""

    language = StringField(_l("Language of the interface"), filters=[_strip])

    def validate_language(self, field):
        if field.data and offered_language(field.data) is None:
            raise ValidationError(gettext("This wiki does not offer the language “%(code)s”: choose one "
                                          "of the list.", code=field.data[:35]))


class ApiTokenForm(FlaskForm):
    """A new personal API token (wiki.rest.tokens)."""

    name = StringField(_l("What it is for"), filters=[_strip],
                       # DataRequired: the text after stripping (spaces alone are no name)
                       validators=[DataRequired(_l("Say what the token is for, e.g. “agenda script”.")),
                                   Length(max=100)])
    scope = SelectField(_l("It may"), choices=[
        SelectChoice("read", _l("read only")),
        SelectChoice("write", _l("read and change, as your role allows"))])
    days = SelectField(_l("It expires"), default="90", choices=[
        SelectChoice("30", _l("in 30 days")), SelectChoice("90", _l("in 90 days")),
        SelectChoice("365", _l("in a year")), SelectChoice("", _l("never"))])


ROLE_LABELS = {"member": _l("member"), "editor": _l("editor"), "admin": _l("admin")}


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS.get(r, r)) for r in ROLES])
    active = BooleanField(_l("Active"))
