"""The comments plugin's tables (all prefixed ``comments_``; core tables are
never altered)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.api import Page, User, db, utcnow

STATUSES = ("visible", "held", "hidden", "deleted")


class Comment(db.Model):
    """One comment under a page, or a reply to another comment of the same page.

    Rows are never removed: a deleted comment keeps its place (its text is
    erased), so replies stay attached and numbers never shift.
    """

    __tablename__ = "comments_comment"
    __table_args__ = (Index("ix_comments_comment_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments_comment.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # The name an anonymous visitor typed ('' for "Anonymous"); unused for members.
    anon_name: Mapped[str] = mapped_column(String(60), default="")
    body: Mapped[str] = mapped_column(Text)  # Markdown, as typed
    html: Mapped[str] = mapped_column(Text)  # rendered and sanitized when saved
    status: Mapped[str] = mapped_column(String(16), default="visible")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # HMAC of the poster's IP address, never the address itself.
    ip_hash: Mapped[str] = mapped_column(String(64), default="")
    # SHA-256 of the secret an anonymous author's browser keeps to edit it.
    edit_token_hash: Mapped[str | None] = mapped_column(String(64))
    # Set on a comment an import brought (imported.py): its key in the source,
    # so that importing again updates it instead of adding it twice.
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The language it is written in, a BCP 47 tag (service.py sets it); None
    # on comments older than that: they are in their page's language.
    lang: Mapped[str | None] = mapped_column(String(35))

    page: Mapped[Page] = relationship()
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])
    author: Mapped[User | None] = relationship()

    def __repr__(self):
        return f"<Comment {self.id} on page {self.page_id} ({self.status})>"


class CommentSettings(db.Model):
    """Per-page comment settings: a row only for pages that differ from the default."""

    __tablename__ = "comments_page_settings"

    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True)
    closed: Mapped[bool] = mapped_column(default=False)
