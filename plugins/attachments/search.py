"""Files as search documents: the search plugin's ``search_*`` hooks.

Each live attachment of a live page is one document of type ``file``, made
from its current version: its title is the file name (so a file is found by
name even while its text is pending, when extraction failed, or for a kind
that has no text), its body the text extracted from it once that is done
(``extraction.py``), its visibility its page's. A PDF's pages become the
document's sections, so a hit links to the page of its best snippet
(``…/files/report.pdf#page=7``). The hooks are optional: attachments work
with the search plugin disabled.
"""

import json
import logging
import re
import zlib

from sqlalchemy import inspect
from sqlalchemy.orm import selectinload

from wiki.api import Page, User, db, hookimpl

from .models import Attachment, AttachmentVersion
from .sniff import short

log = logging.getLogger(__name__)

KIND = "file"
DEPENDENTS = "page-dependents"  # the search plugin asks for the documents of these pages
CHUNK = 100  # attachments per query: a full reindex holds one chunk's texts at a time
MAX_TEXT = 5_000_000  # characters of a file's text indexed (a 1,500-page PDF has about that)
# Version columns its document shows. The extraction queue's claim of a
# version (``running``) changes none of them, so it reindexes nothing.
_SHOWN_COLUMNS = ("number", "attachment_id", "uploader_id", "created_at", "mime", "text", "pages")
# Control characters would end up in the results' HTML: spaces instead (the
# same length, so a PDF's page offsets still hold). Tabs and line ends stay.
_CONTROLS = {c: " " for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))}
# The parts of a compound word of a name: "field_trip", "FieldTrip2021".
_WORD = re.compile(r"\w+")
_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[^\W\d_A-Z]+|\d+")


@hookimpl(optionalhook=True)
def search_changes(obj, deleted):
    if isinstance(obj, Attachment):
        return [(KIND, obj.id)]  # new, deleted or restored
    if isinstance(obj, AttachmentVersion):
        return [(KIND, obj.attachment_id)] if deleted or _shown_change(obj) else []
    return None


@hookimpl(optionalhook=True)
def search_documents(kind, keys):
    if kind == KIND:
        return documents(_live_ids() if keys is None else keys)
    if kind == DEPENDENTS:  # pages renamed, moved, hidden, deleted, restored: their files follow
        return documents(db.session.scalars(
            db.select(Attachment.id).where(Attachment.page_id.in_(keys)).order_by(Attachment.id)).all())
    return None


@hookimpl(optionalhook=True)
def search_kinds():
    return [KIND]


@hookimpl(optionalhook=True)
def search_count(kind):
    """The files a full reindex indexes: live ones on live pages."""
    if kind != KIND:
        return None
    return db.session.scalar(db.select(db.func.count()).select_from(_live_query().subquery()))


def _shown_change(version):
    state = inspect(version)
    if any(state.attrs[name].history.has_changes() for name in _SHOWN_COLUMNS):
        return True
    status = state.attrs.extract_status.history
    return "done" in (*status.added, *status.deleted)  # its text comes or goes


def _live_query():
    return (db.select(Attachment.id).join(Page, Attachment.page_id == Page.id)
            .where(Attachment.deleted_at.is_(None), Page.deleted_at.is_(None),
                   Attachment.id.in_(db.select(AttachmentVersion.attachment_id))))


def _live_ids():
    return db.session.scalars(_live_query().order_by(Attachment.id)).all()


def documents(ids):
    """(doc id, document or None) for each attachment id: a few queries per
    ``CHUNK`` attachments, and only their current versions' texts."""
    ids = list(dict.fromkeys(ids))
    pages = _Pages()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        attachments = {a.id: a for a in db.session.scalars(
            db.select(Attachment).where(Attachment.id.in_(chunk)).options(selectinload(Attachment.page)))}
        current = _current_versions(chunk)
        uploaders = _uploaders(chunk)
        for attachment_id in chunk:
            yield f"{KIND}:{attachment_id}", _safe_document(
                attachments.get(attachment_id), current.get(attachment_id),
                uploaders.get(attachment_id, {}), pages)


def _current_versions(attachment_ids):
    """{attachment id: its latest version}."""
    latest = (db.select(AttachmentVersion.attachment_id, db.func.max(AttachmentVersion.number).label("n"))
              .where(AttachmentVersion.attachment_id.in_(attachment_ids))
              .group_by(AttachmentVersion.attachment_id).subquery())
    versions = db.session.scalars(db.select(AttachmentVersion).join(
        latest, (AttachmentVersion.attachment_id == latest.c.attachment_id)
        & (AttachmentVersion.number == latest.c.n)))
    return {v.attachment_id: v for v in versions}


def _uploaders(attachment_ids):
    """{attachment id: {user id: (username, display name)}} of its versions' uploaders."""
    rows = db.session.execute(
        db.select(AttachmentVersion.attachment_id, User.id, User.username, User.display_name)
        .join(User, AttachmentVersion.uploader_id == User.id)
        .where(AttachmentVersion.attachment_id.in_(attachment_ids)).distinct())
    found = {}
    for attachment_id, user_id, username, display_name in rows:
        found.setdefault(attachment_id, {})[user_id] = (username, display_name)
    return found


class _Pages:
    """What a file's document says of its page, worked out once per page."""

    def __init__(self):
        self._known = {}

    def __call__(self, page):
        if page.id not in self._known:
            ancestors = page.ancestors()
            self._known[page.id] = (
                [[a.slug, a.title] for a in ancestors], [a.id for a in ancestors] + [page.id],
                f"{page.slug}:{int(page.members_only)}:{page.title}:{page.parent_id}")
        return self._known[page.id]


def _safe_document(attachment, version, uploaders, pages):
    """The document, or, if its text cannot be made into one, the document
    without it (found by name): a broken text never stops the index."""
    try:
        return document(attachment, version, uploaders, pages)
    except Exception:
        log.exception("search: the text of file %s cannot be indexed; indexing its name only",
                      getattr(attachment, "id", "?"))
    try:
        return document(attachment, version, uploaders, pages, with_text=False)
    except Exception:
        log.exception("search: file %s cannot be indexed", getattr(attachment, "id", "?"))
        return None


def document(attachment, version, uploaders, pages, with_text=True):
    """The search document of a live file on a live page, or None."""
    if attachment is None or version is None or attachment.is_deleted or attachment.page.is_deleted:
        return None
    page = attachment.page
    breadcrumb, path, page_version = pages(page)
    text, sections = _text(version) if with_text else ("", [])
    uploader = uploaders.get(version.uploader_id)
    return {
        "id": f"{KIND}:{attachment.id}", "type": KIND, "page_id": page.id, "slug": page.slug,
        "title": attachment.name, "page_title": page.title, "breadcrumb": breadcrumb, "path": path,
        "body": text, "sections": sections, "labels": [],
        "authors": sorted({n.lower() for names in uploaders.values() for n in names if n}),
        "author_name": (uploader[1] or uploader[0]) if uploader else None,
        "updated": version.created_at, "members_only": page.members_only,
        "file_name": attachment.name, "filetype": short(version.mime), "keywords": keywords(attachment.name),
        "version": f"v{version.number}:{version.extract_status if with_text else 'name'}:"
                   f"{zlib.crc32(text.encode('utf-8'))}:{len(sections)}:{page_version}",
    }


def _text(version):
    """(plain text, PDF pages as sections) of a version whose extraction is done."""
    text = version.text if version.extract_status == "done" else None
    if not isinstance(text, str) or not text:
        return "", []
    text = text[:MAX_TEXT].translate(_CONTROLS)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: each becomes "?", offsets still hold
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text, _sections(version.pages, len(text))


def _sections(pages, length):
    """A PDF's pages as sections ``[anchor, title, start, end]`` of its text
    (``pages``: JSON list of each page's start offset), or [] when absent or
    not a rising list of offsets."""
    try:
        offsets = json.loads(pages) if pages else None
    except (TypeError, ValueError):
        return []
    if not isinstance(offsets, list) or not all(type(o) is int for o in offsets) \
            or any(a > b for a, b in zip(offsets, offsets[1:], strict=False)):
        return []
    sections = []
    for number, start in enumerate(offsets, 1):
        end = min(offsets[number] if number < len(offsets) else length, length)
        start = max(start, 0)
        if start < end:  # an empty page (a scan without text) has no words to find
            sections.append([f"page={number}", f"page {number}", start, end])
    return sections


def keywords(name):
    """The parts of a name's compound words ("field_trip_2021.pdf": field,
    trip, 2021), so a part finds the file as a word of its name does."""
    found = []
    for word in _WORD.findall(name):
        parts = _PART.findall(word)
        if len(parts) > 1:
            found.extend(parts)
    return found
