"""The notify plugin's tables (all prefixed ``notify_``; core tables are never
altered). Comments belong to another plugin that may be disabled, so comment
ids are kept as plain integers, without a foreign key to its table."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.api import Page, User, db, utcnow

MODES = ("instant", "digest", "off")
KINDS = ("page", "comment", "reply")
# Rows that never change what a page shows: writing them keeps the page cache.
VOLATILE = {"info": {"volatile": True}}


class Watch(db.Model):
    """A member watches a page, and with ``subtree`` every page under it.
    Not volatile: the page's Watch button shows it."""

    __tablename__ = "notify_watch"
    __table_args__ = (UniqueConstraint("user_id", "page_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"), index=True)
    subtree: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    page: Mapped[Page] = relationship()


class Preference(db.Model):
    """How a member wants to be told; no row: each event at once, replies on."""

    __tablename__ = "notify_preference"
    __table_args__ = (VOLATILE,)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default="instant")
    replies: Mapped[bool] = mapped_column(default=True)  # replies to one's comments


class PendingItem(db.Model):
    """An event waiting for a member's daily digest. What it refers to is read
    again when the digest is written: a page since hidden or deleted, a
    comment since hidden, is left out."""

    __tablename__ = "notify_pending"
    __table_args__ = (VOLATILE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # KINDS
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(100), default="")  # who did it, as shown then
    guest: Mapped[bool] = mapped_column(default=False)  # the actor had no account
    excerpt: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class DigestClaim(db.Model):
    """The digest of ``user_id`` for ``day`` is being (or was) sent: the first
    server to insert the row sends it, any other finds it there."""

    __tablename__ = "notify_digest_claim"
    __table_args__ = (VOLATILE,)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)


class ToldComment(db.Model):
    """A comment people were told of: a comment hidden then shown again is
    not announced twice."""

    __tablename__ = "notify_told_comment"
    __table_args__ = (VOLATILE,)

    comment_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class AnonSubscription(db.Model):
    """An address a visitor without an account left under their comment, to
    be told of replies. Used once ``confirmed_at`` is set (the link sent to
    it); shown to nobody."""

    __tablename__ = "notify_anon_subscription"
    __table_args__ = (VOLATILE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(35))  # the interface's when they subscribed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]

    page: Mapped[Page] = relationship()
