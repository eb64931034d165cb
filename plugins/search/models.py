"""The durable change log that feeds every app server's index."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from wiki.api import db, utcnow


class SearchChange(db.Model):
    """A row per change, written in the same transaction as the change itself,
    so a commit never leaves the index behind for good: whatever crashes
    between the commit and the index write is applied on the next catch-up.
    Each index remembers the last row it applied (its cursor)."""

    __tablename__ = "search_change"
    __table_args__ = {"info": {"backup": False}}  # derived: rebuilt after a restore

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # page, subtree, comment, ...
    key: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SearchLogState(db.Model):
    """One row: the last log row pruned. An index whose cursor is older
    missed changes that are gone from the log, and is rebuilt."""

    __tablename__ = "search_log_state"
    __table_args__ = {"info": {"backup": False, "volatile": True}}

    id: Mapped[int] = mapped_column(primary_key=True)
    pruned_through: Mapped[int] = mapped_column(default=0)
