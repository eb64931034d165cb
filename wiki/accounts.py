"""Account operations: create, authenticate, change password, role and
whether an account may sign in. An account an import made has no password:
it cannot sign in until an admin gives it one (``set_password``)."""

import re
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import ROLES, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 8


class AccountError(ValueError):
    """A refused account operation; its message is for the person who asked."""


def _too_short():
    return _("Passwords need at least %(num)d characters.", num=MIN_PASSWORD)


def _role_error():
    return _("Role must be one of: %(roles)s.", roles=", ".join(ROLES))


def create_user(username, password, role="member", display_name=None):
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise AccountError(_("Usernames are 2-64 letters, digits, dots, dashes or underscores."))
    if role not in ROLES:
        raise AccountError(_role_error())
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(_too_short())
    if find_user(username) is not None:
        raise AccountError(_("That username is taken."))
    user = User(username=username, display_name=(display_name or username).strip()[:100],
                role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def register(username, password, display_name=None):
    """Self-registration: the first account of an empty wiki becomes admin
    (``FIRST_USER_ADMIN``), later ones get ``DEFAULT_ROLE``."""
    first = db.session.scalar(db.select(db.func.count(User.id))) == 0
    role = "admin" if first and current_app.config["FIRST_USER_ADMIN"] else \
        current_app.config["DEFAULT_ROLE"]
    return create_user(username, password, role, display_name)


def find_user(username):
    return db.session.scalar(
        db.select(User).where(db.func.lower(User.username) == (username or "").strip().lower())
    )


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
