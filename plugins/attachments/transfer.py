"""Attachments in backups, restores, exports and imports (the core's hooks;
docs/deploy.md#backup-and-restore, docs/import-export.md).

- backup: every blob the version rows refer to (originals and renditions),
  stored as ``files/attachments/<sha256>`` whatever the store: read from the
  one ``ATTACHMENTS_STORE`` names, else from the other (after the setting
  changed);
- restore: each blob into this instance's store, checked against its name;
- export: a page's current files into its folder, references made links there;
- import: a file is checked as an upload is, then attached through the
  service, unless the page has those bytes under that name already.
"""

import hashlib
import io
import math
import os
import re
import shutil
import unicodedata
from urllib.parse import unquote

import sqlalchemy as sa
from flask import current_app

from wiki.api import Page, db, hookimpl, linked_page, outside_code

from . import service
from .models import Attachment, AttachmentVersion, BlobChunk
from .sniff import short
from .store import CHUNK, FileStore, spooled, store
from .syntax import LOCAL, OTHER

PREFIX = "attachments/"  # the archive's files/attachments/<sha256>
_SHA256 = re.compile(r"[0-9a-f]{64}")
# What a name promises: a file called so must be that kind (a "photo.png"
# holding HTML is refused by an import).
_PROMISED = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
             "webp": "image/webp", "pdf": "application/pdf"}
_PLAIN_TARGET = re.compile(r"[^\s()<>/\\:#?]+")


# -- backup and restore ---------------------------------------------------------------------


@hookimpl
def backup_files(connection):
    versions = AttachmentVersion.__table__
    blobs = sa.union(sa.select(versions.c.sha256),
                     sa.select(versions.c.rendition_sha256).where(versions.c.rendition_sha256.is_not(None)))
    for sha256 in sorted(connection.scalars(blobs)):
        yield f"{PREFIX}{sha256}", _Opener(connection, sha256)


class _Opener:
    """Opens a blob for the backup: from the configured store, else the other."""

    def __init__(self, connection, sha256):
        self.connection, self.sha256 = connection, sha256

    def __call__(self):
        in_database = current_app.config["ATTACHMENTS_STORE"] == "database"
        for source in ((self._chunks, self._file) if in_database else (self._file, self._chunks)):
            blob = source()
            if blob is not None:
                return blob
        raise LookupError(f"{_described(self.connection, self.sha256)}: its bytes (blob "
                          f"{self.sha256}) are in neither store")

    def _file(self):
        try:
            return FileStore(os.path.join(current_app.instance_path, "files")).open(self.sha256)
        except KeyError:
            return None

    def _chunks(self):
        # Through the backup's connection: the chunks as of its snapshot.
        first = self.connection.scalar(sa.select(BlobChunk.number).where(
            BlobChunk.sha256 == self.sha256, BlobChunk.number == 0))
        return None if first is None else _ChunkStream(self.connection, self.sha256)


class _ChunkStream(io.RawIOBase):
    """A blob's chunks read in order through one connection, one in memory."""

    def __init__(self, connection, sha256):
        super().__init__()
        self.connection, self.sha256 = connection, sha256
        self._chunk, self._offset, self._next = b"", 0, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        while self._offset >= len(self._chunk):
            data = self.connection.scalar(sa.select(BlobChunk.data).where(
                BlobChunk.sha256 == self.sha256, BlobChunk.number == self._next))
            if data is None:
                return 0
            self._chunk, self._offset, self._next = bytes(data), 0, self._next + 1
        piece = self._chunk[self._offset:self._offset + len(buffer)]
        buffer[:len(piece)] = piece
        self._offset += len(piece)
        return len(piece)


def _described(connection, sha256):
    """Which files a blob is the bytes of: “report.pdf” (version 2) of page workshop, ..."""
    versions = AttachmentVersion.__table__
    rows = connection.execute(
        sa.select(Page.slug, Attachment.name, versions.c.number, versions.c.sha256).select_from(versions)
        .join(Attachment, Attachment.id == versions.c.attachment_id)
        .join(Page, Page.id == Attachment.page_id)
        .where(sa.or_(versions.c.sha256 == sha256, versions.c.rendition_sha256 == sha256))
        .order_by(Page.slug, Attachment.name, versions.c.number)).all()
    return ", ".join(f"“{row.name}” (version {row.number}{'' if row.sha256 == sha256 else ', smaller copy'}) "
                     f"of page {row.slug}" for row in rows) or "a file"


@hookimpl
def restore_file(name, stream):
    if not name.startswith(PREFIX):
        return None
    sha256 = name[len(PREFIX):]
    if not _SHA256.fullmatch(sha256):
        return "not the name of an attachment's bytes (a SHA-256)"
    with spooled(stream, math.inf) as (path, digest, _size):
        if digest != sha256:
            return f"its bytes do not match their name (their SHA-256 is {digest})"
        store().put(path, sha256)
        db.session.commit()  # the database store's chunks: one blob at a time
    return True


# -- export ---------------------------------------------------------------------------------


@hookimpl
def export_page_files(page, text, folder, link, note):
    written = set()
    for attachment in service.listed(page):
        target = folder / attachment.name
        if target.parent != folder:  # names are checked when attached; never write elsewhere
            continue
        try:
            with store().open(attachment.current.sha256) as blob:
                folder.mkdir(exist_ok=True)
                with open(target, "xb") as out:
                    shutil.copyfileobj(blob, out, CHUNK)
        except KeyError:
            note(f"{page.slug}: “{attachment.name}” is missing from the store: not exported "
                 "(flask --app wiki files check)")
            continue
        except FileExistsError:  # a file system that ignores case: "A.png" and "a.png"
            note(f"{page.slug}: “{attachment.name}” has the name of another file in {folder}: not exported")
            continue
        written.add(attachment.name)

    def local(m):
        name = unicodedata.normalize("NFC", unquote(m.group(3) or m.group(4)))
        if name not in written:
            return m[0]  # a missing file stays a reference, shown as missing again once imported
        return f"{m.group(1)}[{m.group(2)}]({link(page, name)})"

    def other(m):
        owner = linked_page(m.group(2).strip())
        name = m.group(3).strip()
        found = service.find(owner, name) if owner is not None else None
        target = link(owner, found.name) if found is not None else None
        if target is None:  # not exported (members-only, say): the reference stays
            return m[0]
        return f"{m.group(1)}[{(m.group(4) or name).strip()}]({target})"

    return outside_code(text, lambda part: OTHER.sub(other, LOCAL.sub(local, part)))


# -- import ---------------------------------------------------------------------------------


@hookimpl
def import_file(path, name, text, image, page_title):
    name = service.check_name(name)
    try:
        mime = service.check_file(path, name, path.stat().st_size)
    except OSError as e:
        raise service.AttachmentError(f"“{name}” cannot be read ({e.strerror}).") from None
    promised = _PROMISED.get(name.rpartition(".")[2].lower())
    if promised and mime != promised:
        raise service.AttachmentError(f"“{name}” is not what its name says: its bytes are "
                                      f"{short(mime).upper()}, not {short(promised).upper()}.")
    if text is None:  # a file of the page's folder that no link names: nothing to write
        return ""
    return reference(name, text, image, page_title)


def reference(name, text, image, page_title=None):
    """The Markdown that shows the file ``name`` (syntax.py): of this page, or
    of the page titled ``page_title``."""
    bang, text = "!" if image else "", " ".join((text or "").split())
    if page_title is None:
        escaped = name.replace("%", "%25")  # the name is unquoted when read
        if not _PLAIN_TARGET.fullmatch(escaped):
            escaped = f"<{escaped.replace('<', '%3C').replace('>', '%3E')}>"
        markdown = f"{bang}[{text.replace(']', '')}]({escaped})"
        found = LOCAL.fullmatch(markdown)
        if found and unquote(found.group(3) or found.group(4)) == name:
            return markdown
    else:
        label = "" if text in ("", name) else f"|{text}"
        markdown = f"{bang}[[{page_title}^{name}{label}]]"
        found = OTHER.fullmatch(markdown)
        if found and (found.group(2).strip(), found.group(3).strip()) == (page_title, name):
            return markdown
    raise service.AttachmentError(f"“{name}” cannot be named in a page's text: a file is named by a name "
                                  "with an extension, such as “slides.pdf”.")


@hookimpl
def import_page_files(page, files, user, note):
    attached = 0
    for name, path in files.items():
        found = service.find(page, name)
        try:
            with open(path, "rb") as f:
                if found is not None and hashlib.file_digest(f, "sha256").hexdigest() == found.current.sha256:
                    continue  # imported before: the same bytes add no version
                f.seek(0)
                service.add(page, name, f, user)
        except service.AttachmentError as e:
            db.session.rollback()
            note(f"{name}: not attached: {e.message}")
            continue
        except OSError as e:
            note(f"{name}: not attached: cannot be read ({e.strerror})")
            continue
        attached += 1
    return attached
