"""Comment threads brought by an import (``pages import`` of a Confluence
space: the core's ``import_page_comments`` hook).

Each record becomes a comment of the page with its author, dates and place
in the thread, found again by its key (``Comment.source_key``) when the
space is imported again: changed, it is updated; as it was, it is left
alone; never added twice. The writing itself is the service's
(``write_imported``, ``commit_imported``), which gives each comment its
language as it does a posted one (``language_of``).

Rules kept on a second import, so that it never undoes the wiki's own work:
a comment deleted on the wiki stays deleted, a hidden one stays hidden
(its text follows the source), and one edited on the wiki after its last
change in the source keeps the wiki's text (and says so).
"""

from datetime import UTC

from sqlalchemy import or_
from sqlalchemy.orm import load_only

from wiki.api import Page, db, utcnow

from . import service
from .imported_markdown import for_comments
from .models import Comment
from .rendering import normalize
from .service import clean_name

KEY_MAX = 200  # Comment.source_key
_CHUNK = 500  # keys per query (databases cap the parameters of one statement)


def store_thread(page, records, note):
    """Store ``records`` (``wiki.api.CommentRecord``, parents before their
    replies) as comments of ``page``; ``(created, updated, unchanged)``."""
    db.session.flush()  # accounts the import just made have their ids
    thread = _Thread(page, [r.key for r in records])
    elsewhere = thread.elsewhere
    posted, edited, unchanged = [], [], 0
    for record in records:
        if not record.key or len(record.key) > KEY_MAX:
            note(f"a comment with the key {record.key!r} was not imported: a key is 1 to "
                 f"{KEY_MAX} characters")
            continue
        if record.key in elsewhere:
            note(f"comment {record.key} was not imported: the wiki has it on another page "
                 f"({elsewhere[record.key]})")
            continue
        comment = thread.by_key.get(record.key)
        wanted = _wanted(page, record, thread, comment, note)
        if comment is None:
            if wanted["parent"] is not None and wanted["parent"].id is None:
                # A thread numbers siblings by id, so ids must follow posting order. One flush
                # inserts its new rows in the order they were added as long as none answers
                # another (it would put each reply after all the rows it could answer): the
                # rows before a reply to a new comment are flushed before it is added.
                db.session.flush()
            comment = service.write_imported(None, page, record.key, **wanted)
            posted.append(comment)
        elif _kept(comment, record, wanted, note):
            if comment.lang is None and comment.status != "deleted":
                # Imported before comments had a language: given one quietly, not "updated".
                comment.lang = service.language_of(comment.body, page)
            unchanged += 1
            continue
        else:
            service.write_imported(comment, page, record.key, **wanted)
            edited.append(comment)
        thread.placed(record.key, comment, wanted["parent"])
    service.commit_imported(posted, edited)
    return len(posted), len(edited), unchanged


def _wanted(page, record, thread, comment, note):
    """The fields ``record`` gives its comment (``comment``, None when new)."""
    created = _naive(record.created)
    if created is None:  # never None by the contract; a date that was lost stays the first one given
        created = comment.created_at if comment is not None else utcnow()
    edited = _naive(record.edited)
    return {
        "author": record.author,
        "anon_name": record.author_name or "",
        "body": normalize(for_comments(record.markdown, page)),
        "created": created,
        "edited": edited if edited is not None and edited != created else None,
        "parent": thread.parent_for(record, comment, note),
    }


def _kept(comment, record, wanted, note):
    """Whether ``comment`` stays as it is: the same as ``wanted`` (or a
    comment the wiki changed since: deleted, or edited after the source)."""
    if comment.status == "deleted":
        return True
    same = (
        comment.body == wanted["body"]
        and comment.created_at == wanted["created"] and comment.edited_at == wanted["edited"]
        and comment.author_id == getattr(wanted["author"], "id", None)
        and (comment.author_id is not None or comment.anon_name == clean_name(wanted["anon_name"]))
        and _same_parent(comment, wanted["parent"])
    )
    if same:
        return True
    source_last = wanted["edited"] or wanted["created"]
    if comment.edited_at is not None and comment.edited_at > source_last and comment.body != wanted["body"]:
        note(f"comment {record.key} was edited on the wiki after its last change in the export: "
             "the wiki's text is kept")
        return True
    return False


def _same_parent(comment, parent):
    if parent is None:
        return comment.parent_id is None
    return parent.id is not None and comment.parent_id == parent.id  # no id yet: new in this thread


class _Thread:
    """The page's comments as the import places them: by key, and each one's
    parent (as it is being rearranged), to refuse a reply that would loop;
    and ``elsewhere``, the import's keys that comments of other pages have."""

    def __init__(self, page, keys):
        keys = sorted({k for k in keys if k and len(k) <= KEY_MAX})
        # One query for both, the page's comments and the first keys (most threads have fewer).
        comments = db.session.scalars(
            db.select(Comment).where(or_(Comment.page_id == page.id, Comment.source_key.in_(keys[:_CHUNK])))
            .options(load_only(Comment.id, Comment.page_id, Comment.parent_id, Comment.source_key,
                               Comment.body, Comment.status, Comment.author_id, Comment.anon_name,
                               Comment.created_at, Comment.edited_at, Comment.lang))).all()
        others = {c.source_key: c.page_id for c in comments if c.page_id != page.id}
        comments = [c for c in comments if c.page_id == page.id]
        by_id = {c.id: c for c in comments}
        self.by_key = {c.source_key: c for c in comments if c.source_key}
        self._up = {c: by_id.get(c.parent_id) for c in comments}
        self.elsewhere = _with_slugs({**others, **_keys_on_other_pages(page, keys[_CHUNK:])})

    def parent_for(self, record, comment, note):
        """The comment ``record`` answers, or None at the top of the thread
        (with a note when that comment is not there, or would be its reply)."""
        if record.parent_key is None:
            return None
        parent = self.by_key.get(record.parent_key)
        if parent is None:
            note(f"comment {record.key} answers comment {record.parent_key}, which is not in the "
                 "import: it is placed at the top of the thread")
            return None
        ancestor, seen = parent, set()
        while ancestor is not None and ancestor not in seen:  # a loop would hide its comments
            if ancestor is comment:
                note(f"comment {record.key} would answer its own reply {record.parent_key}: "
                     "it is placed at the top of the thread")
                return None
            seen.add(ancestor)
            ancestor = self._up.get(ancestor)
        return parent

    def placed(self, key, comment, parent):
        self.by_key[key] = comment
        self._up[comment] = parent


def _keys_on_other_pages(page, keys):
    """``{key: page id}`` of the keys among ``keys`` that comments of other pages have."""
    found = {}
    for start in range(0, len(keys), _CHUNK):
        rows = db.session.execute(
            db.select(Comment.source_key, Comment.page_id)
            .where(Comment.source_key.in_(keys[start:start + _CHUNK]), Comment.page_id != page.id))
        found.update(rows.tuples())
    return found


def _with_slugs(found):
    """``{key: page id}`` as ``{key: page slug}``."""
    if not found:
        return found
    pages = db.select(Page.id, Page.slug).where(Page.id.in_(set(found.values())))
    slugs = dict(db.session.execute(pages).all())
    return {key: slugs[page_id] for key, page_id in found.items()}


def _naive(value):
    """A date as the comments table keeps it: UTC, without a time zone."""
    if value is not None and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value
