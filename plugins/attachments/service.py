"""Attaching files to pages: checks, versions, soft delete and restore.

Every change commits with a line in the page's history and a search change
(the file's text is read later, off the request path: extraction.py).
"""

import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from wiki.api import PageError, db, record_event, utcnow

from . import extractors, images
from .models import Attachment, AttachmentVersion
from .sniff import IMAGES, sniff
from .store import TooLarge, spooled, store

MAX_NAME = 200
# Windows' reserved device names, refused on any system: files go to people's disks.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}


class AttachmentError(PageError):
    """A refused file, with a message for the person who sent it."""


def check_name(name):
    """``name`` tidied (Unicode NFC, spaces), or ``AttachmentError``."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise AttachmentError(_("A file needs a name."))
    if len(name) > MAX_NAME:
        raise AttachmentError(_("File names are at most %(max)s characters.", max=MAX_NAME))
    if "/" in name or "\\" in name or name in (".", ".."):
        raise AttachmentError(_("“%(name)s” has parts of a path in it: give the file a plain name.",
                                name=name))
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise AttachmentError(_("File names cannot hold control characters."))
    if name.startswith(".") or name.split(".")[0].lower() in _RESERVED:
        raise AttachmentError(_("“%(name)s” is a name some systems keep for themselves: choose another.",
                                name=name))
    return re.sub(r"\s+", " ", name)


def check_file(path, name, size):
    """The sniffed type of the file at ``path`` (``size`` bytes) to attach as
    ``name``, or ``AttachmentError``: empty, too large, a type not allowed."""
    if size == 0:
        raise AttachmentError(_("“%(name)s” is empty: there is nothing to attach.", name=name))
    if size > current_app.config["MAX_ATTACHMENT_BYTES"]:
        raise _too_large(name)
    mime = sniff(path, name)
    allowed = current_app.config["ATTACHMENTS_ALLOWED_TYPES"]
    if allowed and mime not in allowed:
        raise AttachmentError(_("“%(name)s” is a kind of file this wiki does not take (%(type)s).",
                                name=name, type=mime), 415)
    return mime


def _too_large(name):
    return AttachmentError(_("“%(name)s” is larger than the %(size)s a file may be.",
                            name=name, size=size_limit()), 413)


def size_limit():
    """The largest file, as people read it: "100 MB", "2.5 MB" ("2,5 Mo")."""
    megabytes = round(current_app.config["MAX_ATTACHMENT_BYTES"] / 2**20, 1)
    return _("%(size)s MB", size=format_decimal(megabytes, format="#,##0.#"))


def find(page, name, include_deleted=False):
    """The attachment ``name`` of ``page``, or None."""
    found = db.session.scalar(db.select(Attachment).where(
        Attachment.page_id == page.id, Attachment.name == unicodedata.normalize("NFC", name or "")))
    if found is not None and (include_deleted or not found.is_deleted):
        return found
    return None


def listed(page):
    """The page's live attachments, by name."""
    return db.session.scalars(db.select(Attachment).where(
        Attachment.page_id == page.id, Attachment.deleted_at.is_(None)).order_by(Attachment.name)).all()


@dataclass
class Added:
    attachment: Attachment
    version: AttachmentVersion
    new: bool  # a new name on the page (else a new version)


def add(page, name, stream, user, at=None, number=None, message=""):
    """Attach the bytes of ``stream`` to ``page`` as ``name``: a new file, or a
    new version of the file of that name (a deleted one comes back). The
    bytes are spooled to disk a chunk at a time, never whole in memory.

    An import gives the version its own date (``at``, UTC), place in the
    file's history (``number``, free: an older one may fill a gap) and
    version comment (``message``), so the page's history says when it was
    attached and why; by default it is now and the next number."""
    name = check_name(name)
    try:
        with spooled(stream, current_app.config["MAX_ATTACHMENT_BYTES"]) as (path, sha256, size):
            mime = check_file(path, name, size)
            shape = images.measure(path) if mime in IMAGES else None
            rendition = images.rendition(path, shape, store()) if shape else None
            store().put(path, sha256)  # last: the store may take the file
    except TooLarge:
        raise _too_large(name) from None
    attachment = find(page, name, include_deleted=True)
    new = attachment is None or attachment.is_deleted
    if attachment is None:
        attachment = Attachment(page=page, name=name, created_at=at or utcnow())
        db.session.add(attachment)
    attachment.deleted_at = None
    current = attachment.current
    if number is None:
        number = (current.number + 1) if current else 1
    elif version(attachment, number) is not None:
        raise AttachmentError(_("“%(name)s” has a version %(number)s already.", name=name, number=number),
                              409)
    latest = current is None or number > current.number  # else an older version, filling a gap
    row = AttachmentVersion(
        attachment=attachment, number=number, sha256=sha256, size=size, mime=mime,
        width=shape and shape[0], height=shape and shape[1], uploader_id=getattr(user, "id", None),
        extract_status="pending" if latest and extractors.can_extract(mime) else "none",
        **(rendition or {}), **({"created_at": at} if at is not None else {}))
    db.session.add(row)
    for older in attachment.versions if latest else ():
        if older is not row and older.extract_status == "pending":
            older.extract_status = "none"  # only the current version is searched: skip its text
    page.updated_at = utcnow() if at is None else max(page.updated_at, at)
    detail = f"{name} (version {number})" if number > 1 else name
    record_event(page, "attached", user,
                 f"{detail}: {' '.join(message.split())}" if message.strip() else detail, at=at)
    db.session.commit()
    return Added(attachment, row, new)


def delete(attachment, user):
    """Soft: the file leaves the page, an admin can restore it."""
    if attachment.is_deleted:
        return
    attachment.deleted_at = utcnow()
    record_event(attachment.page, "file deleted", user, attachment.name)
    db.session.commit()


def restore(attachment, user):
    if not attachment.is_deleted:
        return
    if find(attachment.page, attachment.name) is not None:
        raise AttachmentError(_("The page has another “%(name)s” now.", name=attachment.name), 409)
    attachment.deleted_at = None
    record_event(attachment.page, "file restored", user, attachment.name)
    db.session.commit()


def trash():
    """Deleted attachments, newest first (for admins)."""
    return db.session.scalars(db.select(Attachment).where(Attachment.deleted_at.is_not(None))
                              .order_by(Attachment.deleted_at.desc())).all()


def version(attachment, number):
    return next((v for v in attachment.versions if v.number == number), None)
