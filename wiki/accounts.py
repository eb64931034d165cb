"""Account operations: create, authenticate, change password, role and
whether an account may sign in; the display name and e-mail address, its
confirmation, and reset links (docs/accounts.md). An account an import made
has no password: it cannot sign in until an admin gives it one
(``set_password``) or it asks for a reset link at a confirmed address."""

import re
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from . import mail
from .extensions import db
from .mail import tokens
from .mail.addresses import one_line
from .mail.outbox import external_url
from .models import ROLES, User, utcnow

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 8


class AccountError(ValueError):
    """A refused account operation; its message is for the person who asked."""


def _too_short():
    return _("Passwords need at least %(num)d characters.", num=MIN_PASSWORD)


def _role_error():
    return _("Role must be one of: %(roles)s.", roles=", ".join(ROLES))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_display_name(value, fallback=None):
    """A display name as kept: one line (it goes in mail headers and pages),
    at most 100 characters; empty gives ``fallback``."""
    value = (value or "").strip() or (fallback or "")
    if not value:
        raise AccountError(_("Type a display name."))
    if _CONTROL.search(value) or len(value) > 100:
        raise AccountError(_("A display name is one line of at most 100 characters."))
    return value


def clean_email(value, user=None):
    """An address as kept (lower case), or None for none; refused when it is
    not an address or another account has it (``user``: the one asking)."""
    if not (value or "").strip():
        return None
    address = mail.clean_address(value)
    if address is None:
        raise AccountError(_("“%(address)s” is not an e-mail address.", address=one_line(value, 60)))
    owner = db.session.scalar(db.select(User).where(User.email == address))
    if owner is not None and (user is None or owner.id != user.id):
        raise AccountError(_("Another account has that e-mail address."))
    return address


def create_user(username, password, role="member", display_name=None, email=None, email_confirmed=False):
    """A new account; ``email_confirmed``: the address is known good (an
    admin gave it), else it waits for its confirmation link."""
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise AccountError(_("Usernames are 2-64 letters, digits, dots, dashes or underscores."))
    if role not in ROLES:
        raise AccountError(_role_error())
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(_too_short())
    if find_user(username) is not None:
        raise AccountError(_("That username is taken."))
    name = clean_display_name(display_name, fallback=username)
    address = clean_email(email)
    user = User(username=username, display_name=name, role=role, email=address,
                email_confirmed_at=utcnow() if address and email_confirmed else None)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def register(username, password, display_name=None, email=None):
    """Self-registration: the first account of an empty wiki becomes admin
    (``FIRST_USER_ADMIN``), later ones get ``DEFAULT_ROLE``. An address
    given gets its confirmation link."""
    first = db.session.scalar(db.select(db.func.count(User.id))) == 0
    role = "admin" if first and current_app.config["FIRST_USER_ADMIN"] else \
        current_app.config["DEFAULT_ROLE"]
    user = create_user(username, password, role, display_name, email)
    if user.email:
        send_confirmation(user)
    return user


def find_user(username):
    return db.session.scalar(
        db.select(User).where(db.func.lower(User.username) == (username or "").strip().lower())
    )


def find_by_login(value):
    """The account a person means by a username or an e-mail address, or None."""
    value = (value or "").strip()
    if "@" in value:
        address = mail.clean_address(value)
        return db.session.scalar(db.select(User).where(User.email == address)) if address else None
    return find_user(value)


def all_users():
    return db.session.scalars(db.select(User).order_by(User.username)).all()


def update_profile(user, display_name, email):
    """A member's own display name and address. A new address waits for its
    confirmation (the caller sends it: ``send_confirmation``, within its rate
    limit); True when the address changed."""
    name = clean_display_name(display_name)
    address = clean_email(email, user)
    changed = address != user.email
    user.display_name = name
    if changed:
        user.email, user.email_confirmed_at = address, None
    db.session.commit()
    return changed


def _language(user):
    return user.language or current_app.config["DEFAULT_LANGUAGE"]


def send_confirmation(user):
    """Queue the link that confirms ``user.email`` (and commit). False when
    mail is off or there is nothing to confirm."""
    if not user.email or user.email_confirmed_at is not None:
        return False
    url = external_url("auth.confirm_email", token=tokens.confirm_token(user))
    message = mail.queue_template(user.email, "confirm_email", _language(user), requested=True,
                                  user=user, url=url, hours=tokens.CONFIRM_MAX_AGE // 3600)
    db.session.commit()
    if message is not None:
        mail.wake()
    return message is not None


def confirm_email(token):
    """Follow a confirmation link: the account whose address it confirmed
    (None when it was confirmed already); raises ``tokens.TokenError``."""
    user, _address = tokens.read_confirm_token(token)
    if user.email_confirmed_at is not None:
        return None
    user.email_confirmed_at = utcnow()
    db.session.commit()
    return user


def reachable(user):
    """Whether a reset link may go to ``user``: active, with a confirmed address."""
    return user.active and bool(user.email) and user.email_confirmed_at is not None


def queue_reset_link(user):
    """Queue a reset link for ``user`` in the current transaction (the caller
    commits, then ``mail.wake()``): False when it cannot go (no confirmed
    address, the account disabled, mail off)."""
    if not reachable(user):
        return False
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    url = external_url("auth.reset_password", token=tokens.reset_token(user))
    return mail.queue_template(user.email, "reset_password", _language(user), requested=True,
                               user=user, url=url, minutes=minutes) is not None


def reset_password(token, new):
    """Set a new password with a reset link: the link is then dead (the
    fingerprint changed) and every session of the account ends. Raises
    ``tokens.TokenError`` or ``AccountError``."""
    user = tokens.read_reset_token(token)
    set_password(user, new)
    return user


def authenticate(username, password):
    user = find_user(username)
    if user is None or not user.has_password:
        # Hash anyway, so a failed login takes as long either way and does
        # not reveal which usernames exist (or which have no password yet).
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.active or not user.check_password(password or ""):
        return None
    return user


@cache
def _dummy_hash():
    return generate_password_hash("not a real password", current_app.config["PASSWORD_HASH_METHOD"])


def change_password(user, current, new):
    if not user.check_password(current):
        raise AccountError(_("The current password is wrong."))
    if len(new) < MIN_PASSWORD:
        raise AccountError(_too_short())
    user.set_password(new)
    user.session_version += 1  # signs out every other session
    db.session.commit()


def set_password(user, new):
    """An admin gives ``user`` a password (an imported account its first
    one, or any account a new one): its other sessions end."""
    if len(new or "") < MIN_PASSWORD:
        raise AccountError(_too_short())
    user.set_password(new)
    user.session_version += 1
    db.session.commit()


def set_active(user, active, by=None):
    """Disable or re-enable ``user`` (``by``: the admin, None on the command
    line). A disabled account cannot sign in and its sessions end at once."""
    if by is not None and user.id == by.id and not active:
        raise AccountError(_("You cannot remove your own admin role or deactivate yourself."))
    if user.active and not active:
        user.session_version += 1
    user.active = active
    db.session.commit()


def set_role(user, role, active, by):
    """Give ``user`` a role and say whether it may sign in, as admin ``by``
    decided. Deactivating an account signs it out everywhere; an admin cannot
    take their own admin role or deactivate themselves."""
    if role not in ROLES:
        raise AccountError(_role_error())
    if user.id == by.id and (role != "admin" or not active):
        raise AccountError(_("You cannot remove your own admin role or deactivate yourself."))
    if user.active and not active:
        user.session_version += 1  # its sessions end
    user.role, user.active = role, active
    db.session.commit()
