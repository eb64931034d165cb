"""The outbox, and the addresses that asked for no more mail."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow


class OutboxMessage(db.Model):
    """A message waiting to go, sent, or given up. Written in the transaction
    of what causes it; a sender claims it (``claimed_by`` until
    ``claimed_until``) so that two senders never send it twice."""

    __table_args__ = (db.Index("ix_outbox_message_due", "sent_at", "failed_at", "next_attempt_at"),
                      {"info": {"volatile": True}})  # changes no page: see wiki.pagecache

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # given up: MAIL_GIVE_UP_AFTER passed
    last_error: Mapped[str | None] = mapped_column(String(500))


class MailOptOut(db.Model):
    """An address that unsubscribed from everything the wiki sends on its own
    (notifications); messages a person asks for (a reset link) still go."""

    __table_args__ = ({"info": {"volatile": True}},)

    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
