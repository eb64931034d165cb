"""Who the reader is, and what they may do: login loading and permission checks."""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .extensions import db, login_manager
from .models import AnonymousUser, User


def init_app(app):
    login_manager.anonymous_user = AnonymousUser
    # Flashed on the way to the sign-in page; ``str`` translates it then, in
    # the reader's language (a lazy string cannot go in the session as it is).
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.localize_callback = str

    @login_manager.user_loader
    def load_user(session_id):
        # "id:version": a password change bumps the version, which ends every
        # other session and remember-me cookie of that user.
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version) or not user.active:
            return None
        return user


def require_role(role):
    """View decorator: sign in first (401 -> login page), then 403 without ``role``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
