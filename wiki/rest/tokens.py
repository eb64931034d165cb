"""Personal API tokens: created and revoked by their owner (account page,
``flask --app wiki users token``), stored as a SHA-256 digest, with a scope,
an optional expiry and the time they were last used (docs/api.md).

The secret is 256 random bits: a fast digest is enough to store it (nobody
can guess their way back from it), unlike a password, which needs a slow KDF.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import User, utcnow

SCOPES = ("read", "write")  # write can do what read can
PREFIX = "wiki_"  # recognisable in a script, a log or a secret scanner
MAX_DAYS = 3650
LAST_USED_EVERY = timedelta(minutes=1)  # a busy script writes once a minute, not per call


class TokenError(ValueError):
    """A token that cannot be made as asked; the message says why."""


class ApiToken(db.Model):
    """A personal API token: its owner, scope, expiry and last use; the token
    itself only as its digest."""

    __table_args__ = {"info": {"volatile": True}}  # changes no page: see wiki.pagecache

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # what it is for: "agenda script"
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the token, hex
    hint: Mapped[str] = mapped_column(String(16))  # its first characters, to tell tokens apart
    scope: Mapped[str] = mapped_column(String(8), default="read")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def expired(self):
        return self.expires_at is not None and self.expires_at <= utcnow()

    @property
    def usable(self):
        return self.revoked_at is None and not self.expired and self.user.is_active

    def allows(self, scope):
        return SCOPES.index(self.scope) >= SCOPES.index(scope)


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user, name, scope="read", days=None):
    """A new token of ``user``: ``(ApiToken, the token)``. The token itself is
    shown once and kept nowhere. ``days``: it stops working after that many."""
    name = " ".join((name or "").split())[:100] or _("API token")
    if scope not in SCOPES:
        raise TokenError(_("Scope must be one of: %(choices)s.", choices=", ".join(SCOPES)))
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise TokenError(_("A token lasts from 1 to %(max)s days.", max=MAX_DAYS))
    token = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(user=user, name=name, digest=digest(token), hint=token[:len(PREFIX) + 4],
                   scope=scope, created_at=now, expires_at=now + timedelta(days=days) if days else None)
    db.session.add(row)
    db.session.commit()
    return row, token


def find_token(token):
    """The token row for ``token`` (usable or not), or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    return db.session.scalar(db.select(ApiToken).where(ApiToken.digest == digest(token)))


def note_use(row):
    """Record that ``row`` was used now (at most once a minute)."""
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        row.last_used_at = now
        db.session.commit()


def tokens_of(user, include_revoked=False):
    query = db.select(ApiToken).where(ApiToken.user_id == user.id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return db.session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def revoke_token(user, token_id):
    """Revoke ``user``'s token ``token_id``; False when they have no such live token."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.commit()
    return True
