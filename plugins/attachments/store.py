"""Where the bytes of attachments are kept: a small interface, two stores.

Blobs are named by the SHA-256 of their bytes, so the same file attached
twice is stored once. ``ATTACHMENTS_STORE`` picks the store: ``files``
(``instance/files/ab/cd/<sha256>``, the default) or ``database`` (chunks in
``attachments_blob_chunk``, for several app servers on one database).
Writing goes through a temporary file: a blob is complete, or absent.
"""

import contextlib
import errno
import hashlib
import io
import os
import shutil
import tempfile
import uuid
from abc import ABC, abstractmethod

from flask import current_app

from wiki.api import db

from .models import BlobChunk

CHUNK = 1024 * 1024


class BlobStore(ABC):
    @abstractmethod
    def put(self, path, sha256):
        """Keep the bytes of the temporary file at ``path`` as blob ``sha256``
        (nothing to do when it is kept already). The store may take the file
        itself (move it): the caller removes it only if it is still there."""

    def scratch(self):
        """A folder for temporary files the store can take without copying
        them (the same disk), or None for the system's."""
        return None

    @abstractmethod
    def open(self, sha256):
        """A binary file object of the blob (``KeyError`` when missing)."""

    @abstractmethod
    def names(self):
        """The SHA-256 of every blob kept."""

    @abstractmethod
    def delete(self, sha256):
        """Forget a blob (an orphan)."""

    @contextlib.contextmanager
    def local_path(self, sha256):
        """A path on this machine holding the blob's bytes, for as long as the
        ``with`` block lasts (a temporary copy unless the store has one)."""
        fd, path = tempfile.mkstemp(prefix="wiki-blob-")
        try:
            with os.fdopen(fd, "wb") as out, self.open(sha256) as blob:
                shutil.copyfileobj(blob, out, CHUNK)
            yield path
        finally:
            os.remove(path)


class FileStore(BlobStore):
    def __init__(self, root):
        self.root = root

    def _path(self, sha256):
        return os.path.join(self.root, sha256[:2], sha256[2:4], sha256)

    def scratch(self):
        folder = os.path.join(self.root, "tmp")
        os.makedirs(folder, exist_ok=True)
        return folder

    def put(self, path, sha256):
        target = self._path(sha256)
        if os.path.exists(target):
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.replace(path, target)  # atomic: readers see all of it or nothing; no copy
        except OSError as e:
            if e.errno != errno.EXDEV:
                raise
            tmp = f"{target}.{uuid.uuid4().hex}.tmp"  # another disk: copy, then rename
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)

    def open(self, sha256):
        try:
            return open(self._path(sha256), "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:
            raise KeyError(sha256) from None

    def names(self):
        for _folder, _dirs, files in os.walk(self.root):
            yield from (f for f in files if len(f) == 64 and not f.endswith(".tmp"))

    def delete(self, sha256):
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._path(sha256))

    @contextlib.contextmanager
    def local_path(self, sha256):
        path = self._path(sha256)
        if not os.path.exists(path):
            raise KeyError(sha256)
        yield path  # blobs are never rewritten in place: reading it is safe


class DatabaseStore(BlobStore):
    """Blobs as 1 MB chunks in the database, written in the caller's transaction."""

    def put(self, path, sha256):
        if db.session.get(BlobChunk, (sha256, 0)) is not None:
            return
        with open(path, "rb") as f:
            number = 0
            while True:
                data = f.read(CHUNK)
                if not data and number:
                    break
                chunk = BlobChunk(sha256=sha256, number=number, data=data)
                db.session.add(chunk)
                db.session.flush()
                db.session.expunge(chunk)  # one chunk in memory at a time
                number += 1
                if not data:
                    break

    def open(self, sha256):
        return _ChunkReader(db.engine, sha256)

    def names(self):
        return db.session.scalars(db.select(BlobChunk.sha256).where(BlobChunk.number == 0)).all()

    def delete(self, sha256):
        db.session.execute(db.delete(BlobChunk).where(BlobChunk.sha256 == sha256))


class _ChunkReader(io.RawIOBase):
    """A readable, seekable file over a blob's chunks, one chunk in memory.

    It reads through its own short connections, not the request's session:
    a response body is sent after the request's app context has ended."""

    def __init__(self, engine, sha256):
        super().__init__()
        self._engine, self.sha256 = engine, sha256
        with engine.connect() as conn:
            self.size = conn.scalar(db.select(db.func.sum(db.func.length(BlobChunk.data)))
                                    .where(BlobChunk.sha256 == sha256))
        if self.size is None:
            raise KeyError(sha256)
        self._pos, self._chunk, self._chunk_no = 0, b"", -1

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self):
        return self._pos

    def readinto(self, buffer):
        number, offset = divmod(self._pos, CHUNK)
        if self._pos >= self.size:
            return 0
        if number != self._chunk_no:
            with self._engine.connect() as conn:
                self._chunk = conn.scalar(db.select(BlobChunk.data).where(
                    BlobChunk.sha256 == self.sha256, BlobChunk.number == number)) or b""
            self._chunk_no = number
        piece = self._chunk[offset:offset + len(buffer)]
        buffer[:len(piece)] = piece
        self._pos += len(piece)
        return len(piece)

    def close(self):
        self._chunk = b""
        super().close()


def store():
    """The store ``ATTACHMENTS_STORE`` names."""
    name = current_app.config["ATTACHMENTS_STORE"]
    if name == "database":
        return DatabaseStore()
    return FileStore(os.path.join(current_app.instance_path, "files"))


@contextlib.contextmanager
def spooled(stream, limit):
    """``(path, sha256, size)`` of a temporary copy of ``stream``, made a chunk
    at a time where the store can take it without copying it again (see
    ``spool``); the copy is gone after the ``with`` block."""
    path, sha256, size = spool(stream, limit, store().scratch())
    try:
        yield path, sha256, size
    finally:
        with contextlib.suppress(FileNotFoundError):  # the store took it
            os.remove(path)


def spool(stream, limit, folder=None):
    """Copy ``stream`` to a temporary file in ``folder``, a chunk at a time:
    (path, sha256, size); ``TooLarge`` past ``limit`` bytes (nothing is kept
    then)."""
    digest, size = hashlib.sha256(), 0
    fd, path = tempfile.mkstemp(prefix="wiki-upload-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                data = stream.read(CHUNK)
                if not data:
                    break
                size += len(data)
                if size > limit:
                    raise TooLarge(limit)
                digest.update(data)
                out.write(data)
    except BaseException:
        os.remove(path)
        raise
    return path, digest.hexdigest(), size


class TooLarge(Exception):
    pass
