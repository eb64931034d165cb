"""The signed, timed links of accounts: confirming an e-mail address and
resetting a password (itsdangerous, keyed on ``SECRET_KEY``).

- A confirmation link names the account and the address it was sent to:
  once the account has another address, the old link confirms nothing.
- A reset link names the account and a fingerprint of its password hash and
  session version: setting any password (with the link or otherwise), or
  ending the account's sessions, changes the fingerprint, so a link works
  once and no longer after any of these.

Both say why a link is refused (``TokenError.reason``): ``"expired"`` or
``"invalid"`` (garbled, forged, used, or no longer for that account)."""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from ..extensions import db
from ..models import User

CONFIRM_SALT = "wiki-mail-confirm"
RESET_SALT = "wiki-password-reset"
CONFIRM_MAX_AGE = 2 * 24 * 3600  # seconds: time to open one's mail, even after a weekend


class TokenError(ValueError):
    """A link that does not (or no longer) work: ``reason`` is ``"expired"`` or ``"invalid"``."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def serializer(salt, signer=TimestampSigner):
    """The serializer of one kind of link; ``signer`` lets a test sign with another clock."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt, signer=signer)


def fingerprint(user):
    """What a reset link must still match: changes with the password and the sessions."""
    secret = current_app.config["SECRET_KEY"].encode()
    state = f"{user.password_hash or ''}\x1f{user.session_version}".encode()
    return hmac.new(secret, state, hashlib.sha256).hexdigest()[:32]


def confirm_payload(user):
    return {"u": user.id, "a": user.email}


def reset_payload(user):
    return {"u": user.id, "f": fingerprint(user)}


def confirm_token(user):
    """The token of the link that confirms ``user.email``."""
    return serializer(CONFIRM_SALT).dumps(confirm_payload(user))


def reset_token(user):
    """The token of the link that sets a new password for ``user``."""
    return serializer(RESET_SALT).dumps(reset_payload(user))


def _load(salt, token, max_age):
    try:
        data = serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError("expired") from None
    except BadSignature:
        raise TokenError("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise TokenError("invalid")
    user = db.session.get(User, data["u"])
    if user is None:
        raise TokenError("invalid")
    return user, data


def read_confirm_token(token):
    """``(user, address)`` of a confirmation link still for that account's address."""
    user, data = _load(CONFIRM_SALT, token, CONFIRM_MAX_AGE)
    if not data.get("a") or data.get("a") != user.email:
        raise TokenError("invalid")  # the account has another address now
    return user, data["a"]


def read_reset_token(token):
    """The active account a reset link is for, while the link may still be used."""
    user, data = _load(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if not user.active or not isinstance(data.get("f"), str) or \
            not hmac.compare_digest(data["f"], fingerprint(user)):
        raise TokenError("invalid")  # used, the password changed since, or the account disabled
    return user
