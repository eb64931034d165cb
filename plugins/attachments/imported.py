"""A file's history brought by an import (``pages import`` of a Confluence
space: the core's ``import_file_versions`` hook).

Each version is checked and stored as an upload is (``service.add``: the
name, the size limit, the sniffed type and the allowed types, the
content-addressed store, a large image's smaller copy, its text queued for
search), as its uploader and at its date, under its number in the source, so
the page's history and the file's versions read as they did there.

Importing again changes nothing: a version whose number the file has with
the same bytes is left alone. When the wiki's version of that number has
other bytes (someone attached a new version on the wiki meanwhile), the
imported one is added after it, once: it is found there the next time.
A version whose bytes cannot be read is reported and the others go on.
"""

import hashlib
from datetime import UTC

from wiki.api import db, hookimpl

from . import service
from .store import CHUNK


@hookimpl
def import_file_versions(page, name, versions, note):
    return attach_versions(page, name, versions, note)


def attach_versions(page, name, versions, note):
    """Attach ``versions`` (``wiki.api.FileVersionRecord``, oldest first) as
    the file ``name`` of ``page``; ``(created, unchanged)``."""
    try:
        name = service.check_name(name)
    except service.AttachmentError as e:
        note(f"“{name}”: not attached: {e.message}")
        return 0, 0
    db.session.flush()  # accounts the import just made have their ids
    created = unchanged = 0
    for record in versions:
        outcome = _attach(page, name, record, note)
        created += outcome == "created"
        unchanged += outcome == "unchanged"
    return created, unchanged


def _attach(page, name, record, note):
    """"created", "unchanged", or None (refused or unreadable: noted)."""
    where = f"“{name}” version {record.number}"
    if isinstance(record.number, bool) or not isinstance(record.number, int) or record.number < 1:
        note(f"“{name}”: a version numbered {record.number!r} was not attached: versions are numbered from 1")
        return None
    attachment = service.find(page, name, include_deleted=True)
    have = {v.number: v.sha256 for v in attachment.versions} if attachment is not None else {}
    number = record.number
    if number in have:
        try:
            sha256 = _digest(record)
        except Unreadable as e:
            note(f"{where}: not compared with the wiki's: {e}")
            return None
        if sha256 == have[number]:
            return "unchanged"
        if sha256 in {s for n, s in have.items() if n > number}:
            return "unchanged"  # added after the wiki's own version by an earlier import
        number = None  # the wiki's version of that number is another: this one goes after the last
    try:
        with _opened(record) as stream:
            added = service.add(page, name, stream, record.uploader, at=_naive(record.created),
                                number=number, message=record.message or "")
    except service.AttachmentError as e:
        db.session.rollback()
        note(f"{where}: not attached: {e.message}")
        return None
    except Unreadable as e:
        db.session.rollback()
        note(f"{where}: not attached: {e}")
        return None
    if number is None:
        note(f"{where}: the wiki has another version {record.number} of this file (attached there "
             f"since?): the imported one is version {added.version.number}")
    return "created"


class Unreadable(Exception):
    """The bytes of a version cannot be had: ``str(e)`` says why."""


class _Guarded:
    """A version's stream whose failures (a damaged archive, a file gone)
    become ``Unreadable``, told apart from the wiki's own errors."""

    def __init__(self, stream):
        self._stream = stream

    def read(self, size=-1):
        try:
            return self._stream.read(size)
        except Exception as e:  # whatever the export's reader raises
            raise Unreadable(f"its bytes cannot be read ({e or type(e).__name__})") from e

    def close(self):
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()


def _opened(record):
    try:
        stream = record.open()
    except Exception as e:  # the contract: open() may raise (the export lacks the bytes)
        raise Unreadable(f"its bytes are missing ({e or type(e).__name__})") from e
    return _Guarded(stream)


def _digest(record):
    digest = hashlib.sha256()
    with _opened(record) as stream:
        while data := stream.read(CHUNK):
            digest.update(data)
    return digest.hexdigest()


def _naive(value):
    """A date as the tables keep it: UTC, without a time zone."""
    if value is not None and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value
