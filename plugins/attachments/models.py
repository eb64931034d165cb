"""The attachments plugin's tables (all prefixed ``attachments_``).

A page's file is an ``Attachment`` (its name on the page); each upload of
that name adds an ``AttachmentVersion``. The bytes are a ``Blob``, named by
their SHA-256, so the same bytes are stored once however often they are
attached (``store.py`` keeps them on disk or in ``attachments_blob_data``).
"""

import json
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.api import Page, User, db, utcnow


class Attachment(db.Model):
    __tablename__ = "attachments_attachment"
    __table_args__ = (UniqueConstraint("page_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # NFC, as shown and as Markdown names it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)  # soft: admins restore

    page: Mapped[Page] = relationship()
    versions: Mapped[list["AttachmentVersion"]] = relationship(
        back_populates="attachment", order_by="AttachmentVersion.number")

    @property
    def current(self):
        return self.versions[-1] if self.versions else None

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class AttachmentVersion(db.Model):
    __tablename__ = "attachments_version"
    __table_args__ = (UniqueConstraint("attachment_id", "number"),
                      Index("ix_attachments_version_extract_status", "extract_status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments_attachment.id"), index=True)
    number: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(100))  # sniffed from the bytes (sniff.py)
    width: Mapped[int | None]  # images
    height: Mapped[int | None]
    # A smaller copy of a large image, shown on the page (the original stays downloadable).
    rendition_sha256: Mapped[str | None] = mapped_column(String(64))
    rendition_width: Mapped[int | None]
    rendition_height: Mapped[int | None]
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Text for search, extracted off the request path (extraction.py): pending,
    # running (since extract_started), done, failed (extract_error says why),
    # or none (a kind that has no text, or a version replaced before its turn).
    extract_status: Mapped[str] = mapped_column(String(16), default="pending")
    extract_started: Mapped[datetime | None]
    extract_error: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[str | None] = mapped_column(Text)  # PDF: JSON list of each page's start offset in text

    attachment: Mapped[Attachment] = relationship(back_populates="versions")
    uploader: Mapped[User | None] = relationship()

    @property
    def pages_list(self):
        """A PDF's page offsets in ``text`` (page n starts at index n-1), or []."""
        return json.loads(self.pages) if self.pages else []


class BlobChunk(db.Model):
    """A piece of a blob's bytes, for the database store (several app servers
    on one PostgreSQL need no shared disk): a file is read and written a
    chunk at a time, never whole in memory. The file store leaves it empty."""

    __tablename__ = "attachments_blob_chunk"
    __table_args__ = {"info": {"backup": False}}  # a backup keeps blobs as files (transfer.py)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
