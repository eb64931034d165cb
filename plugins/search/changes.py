"""Changes -> index: capture in the transaction, apply after the commit.

``after_flush`` turns every flushed page, revision (and plugin object, via
the ``search_changes`` hook) into ``search_change`` rows on the same
connection, so they commit or roll back with the change. ``catch_up``
applies the rows this index has not seen yet; the views call it before a
response goes out, so a change shows in search right after its request.
Engine-neutral: the engine only stores what ``resolve`` gives it.
"""

import logging
import os
import threading
import time
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from wiki.api import Page, PageEvent, Revision, db, hook, utcnow

from .documents import live_page_ids, page_documents
from .engine import Cursor, Document, IndexBusy
from .hookspecs import PAGE_DEPENDENTS
from .models import SearchChange, SearchLogState

log = logging.getLogger(__name__)

# Changes of these page columns change other documents too: children's paths
# and visibility, the page title and visibility of its comments and files.
SUBTREE_COLUMNS = {"parent_id", "visibility", "members_only", "title", "slug", "deleted_at"}
WRITE_TIMEOUT = 20  # seconds a writer waits for another process's lock
# A request waits at most this long for another writer (a thread indexing
# the text of a large file, say): then its changes stay queued, and the
# writer applies them when it is done, so a response is never held for long.
REQUEST_WRITE_WAIT = 1.0
ROUNDS = 10  # batches a writer applies in a row while more changes arrive
RECENT_WINDOW = timedelta(minutes=2)  # commits can land out of id order (PostgreSQL)
POLL_SECONDS = 5.0  # how often a server looks for other servers' changes
PRUNE_EVERY = 3600.0  # seconds between prunings of the log, per process


def _keys_for(obj, deleted, new=False):
    if isinstance(obj, Page):
        if new:
            return [("page", obj.id)]  # a new page has no children or comments yet
        state = inspect(obj)
        changed = {a.key for a in state.attrs if a.history.has_changes()}
        return [("subtree" if deleted or changed & SUBTREE_COLUMNS else "page", obj.id)]
    if isinstance(obj, Revision | PageEvent):
        # A history line means the page changed in some way (labels, say),
        # even when the change itself is a bulk statement with no ORM object.
        return [("page", obj.page_id)]
    found = []
    for keys in hook().search_changes(obj=obj, deleted=deleted):
        found.extend(keys or ())
    return found


def _after_flush(session, _context):
    if not has_app_context() or "wiki.search" not in current_app.extensions:
        return
    keys = set()
    for obj in session.new:
        keys.update(_keys_for(obj, False, new=True))
    for obj in session.dirty:
        keys.update(_keys_for(obj, False))
    for obj in session.deleted:
        keys.update(_keys_for(obj, True))
    keys = {(kind, key) for kind, key in keys if key is not None}
    if keys:
        now = utcnow()
        session.connection().execute(
            SearchChange.__table__.insert(),
            [{"kind": kind, "key": key, "created_at": now} for kind, key in sorted(keys)],
        )
        session.info["search_dirty"] = True


_listening = False


def listen():
    global _listening
    if not _listening:  # one listener per process, for every app's sessions
        event.listen(Session, "after_flush", _after_flush)
        _listening = True


# -- applying -------------------------------------------------------------------


class Indexer:
    """Keeps one app's index in step with the database's change log."""

    def __init__(self, engine, app):
        self.engine = engine
        self._app = app
        self._lock = threading.Lock()
        self._builder = None  # the thread building a missing index
        self._builder_lock = threading.Lock()
        self._changed_while_building = False
        self._last_poll = 0.0
        self._last_prune = 0.0
        self._behind = False  # a request left changes queued: the next one tries again

    def needs_catch_up(self):
        return (db.session.info.get("search_dirty") or self._behind
                or time.monotonic() - self._last_poll > POLL_SECONDS)

    def catch_up(self, wait=None):
        """Apply pending changes. Never raises into a request: a failure is
        logged and the changes stay queued for the next try. Without a usable
        index, build one first (see ``ensure``). A request (``wait`` given)
        waits ``REQUEST_WRITE_WAIT`` at most for another writer; the command
        line waits for it."""
        db.session.info.pop("search_dirty", None)
        self._last_poll = time.monotonic()
        in_request = wait is not None
        try:
            if self.ensure(wait):
                self._apply_pending(REQUEST_WRITE_WAIT if in_request else WRITE_TIMEOUT)
            self._behind = False
        except IndexBusy as e:
            self._behind = True
            # In a request this is expected while another writer has a large
            # batch: the changes are durable in the log and applied right after.
            (log.info if in_request else log.warning)("search: %s; changes stay queued", e)
        except Exception:
            log.exception("could not update the search index; changes stay queued")

    def ensure(self, wait=None):
        """Whether a usable index exists. If not, build one: here when
        ``wait`` is None (the command line), else in a background thread,
        waited for until ``wait`` seconds after it started (a request: a big
        wiki takes minutes, and searches say meanwhile that the index is
        being built, at once once those seconds have passed). A build under
        way counts as no index until it has caught up too."""
        building = self._builder is not None and self._builder.is_alive()
        if not building and self.engine.exists():
            return True
        reason = ("building the search index (first start)" if not os.path.exists(self.engine.folder.root)
                  else "the search index is missing or damaged")
        if wait is None:
            self.rebuild(reason=reason)
            return self.engine.exists()
        with self._builder_lock:
            if self._builder is None or not self._builder.is_alive():
                self._builder = threading.Thread(target=self._build_in_background, args=(reason,),
                                                 name="search-index-build", daemon=True)
                self._builder.started_at = time.monotonic()
                self._builder.start()
            builder = self._builder
            self._changed_while_building = True  # the caller may have logged changes
        builder.join(max(0.0, builder.started_at + wait - time.monotonic()))
        return not builder.is_alive() and self.engine.exists()

    def join_build(self, timeout=None):
        """Wait for an index being built in the background, if any (tests,
        before their database goes)."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)

    def _build_in_background(self, reason):
        with self._app.app_context():
            try:
                self.rebuild(reason=reason)
                while True:  # then what was logged while it ran, until nothing more came
                    self._apply_pending()
                    with self._builder_lock:
                        if not self._changed_while_building:
                            self._builder = None  # from now on, catch-ups apply their own changes
                            return
                        self._changed_while_building = False
            except Exception:
                log.exception("search: building the index failed; the next search tries again")
                with self._builder_lock:
                    self._builder = None
            finally:
                db.session.remove()

    def _maybe_prune(self):
        """Now and then, drop log rows every index has had time to apply."""
        if time.monotonic() - self._last_prune < PRUNE_EVERY:
            return
        self._last_prune = time.monotonic()
        prune(utcnow() - timedelta(days=current_app.config["SEARCH_LOG_DAYS"]))

    def _pending(self, cursor):
        """Log rows this index has not applied: newer than its cursor, or
        recent ones it has not seen (commits can land out of id order)."""
        applied, recent = cursor.applied, set(cursor.recent)
        since = utcnow() - RECENT_WINDOW
        seen = db.session.execute(
            db.select(SearchChange.id, SearchChange.created_at)
            .where((SearchChange.id > applied) | (SearchChange.created_at >= since))
        ).all()
        pending_ids = sorted(r.id for r in seen if r.id > applied or r.id not in recent)
        rows = []
        if pending_ids:
            rows = db.session.execute(
                db.select(SearchChange.id, SearchChange.kind, SearchChange.key)
                .where(SearchChange.id.in_(pending_ids)).order_by(SearchChange.id)
            ).all()
        db.session.rollback()  # end the read transaction
        recent_ids = tuple(sorted(r.id for r in seen if r.created_at >= since))
        return rows, recent_ids

    def _apply_pending(self, lock_wait=WRITE_TIMEOUT):
        # One writer per process at a time.
        if not self._lock.acquire(timeout=lock_wait):
            raise IndexBusy("another thread of this process is writing to the search index")
        try:
            # Then again while changes keep coming: those of requests that
            # gave up waiting for this writer are applied now, not at their
            # process's next request.
            for _ in range(ROUNDS):
                if not self._apply_pending_locked(lock_wait):
                    return
        finally:
            self._lock.release()

    def _apply_pending_locked(self, lock_wait):
        """Apply one batch of pending changes; whether there were any."""
        cursor = self.engine.cursor()
        if cursor.applied < pruned_through():
            self.rebuild(reason="the index is older than the change log (its changes were pruned)",
                         force=True)
            return False
        pending, _ = self._pending(cursor)
        if not pending:
            self._maybe_prune()
            return False  # the common case: no writer lock taken
        with self.engine.writing(timeout=lock_wait) as batch:
            pending, recent = self._pending(batch.cursor)  # again, under the lock
            if pending:
                batch.write(resolve({(r.kind, r.key) for r in pending}))
                batch.cursor = Cursor(max(batch.cursor.applied, pending[-1].id), recent)
            db.session.rollback()
        return bool(pending)

    def rebuild(self, reason=None, progress=None, force=False):
        """Rebuild the whole index from the database, swapping it in at the end.
        With a ``reason`` (an automatic repair), skip it if another process
        rebuilt the index while this one waited for the rebuild lock."""
        with self.engine.folder.rebuilding():
            if reason:
                self.engine.forget()
                if self.engine.exists() and not (force and self.engine.cursor().applied
                                                 < pruned_through()):
                    return None
                log.warning("search: %s; indexing the database", reason)
            return self._rebuild(progress)

    def _rebuild(self, progress):
        # Everything logged so far is covered by reading the database now:
        # the recent rows too, or the next catch-up would apply them all again.
        since = utcnow() - RECENT_WINDOW
        applied = max(db.session.scalar(db.select(db.func.max(SearchChange.id))) or 0,
                      pruned_through())
        recent = db.session.scalars(db.select(SearchChange.id).where(
            SearchChange.created_at >= since, SearchChange.id <= applied)).all()
        count = self.engine.rebuild(all_documents(), Cursor(applied, tuple(sorted(recent))), progress)
        db.session.rollback()
        self.engine.forget()
        return count


def pruned_through():
    state = db.session.get(SearchLogState, 1)
    value = state.pruned_through if state else 0
    db.session.rollback()
    return value


def prune(horizon):
    """Delete log rows older than ``horizon`` (a server offline longer than
    that rebuilds its index when it comes back)."""
    cut = db.session.scalar(db.select(db.func.max(SearchChange.id))
                            .where(SearchChange.created_at < horizon))
    if cut:
        db.session.execute(db.delete(SearchChange).where(SearchChange.id <= cut))
        db.session.execute(db.update(SearchLogState).where(
            SearchLogState.id == 1, SearchLogState.pruned_through < cut).values(pruned_through=cut))
    db.session.commit()
    return cut or 0


def resolve(keys):
    """(kind, key) pairs -> list of (doc id, ``Document`` or None), de-duplicated."""
    docs = {}
    subtree_roots = sorted(k for kind, k in keys if kind == "subtree")
    page_ids = {k for kind, k in keys if kind == "page"}
    dependent_pages = set()  # their comments, files... follow them
    for root in subtree_roots:
        ids = subtree_ids(root)
        page_ids |= ids
        dependent_pages |= ids
    docs.update(page_documents(page_ids))
    by_kind = {}
    for kind, key in keys:
        if kind not in ("page", "subtree"):
            by_kind.setdefault(kind, []).append(key)
    if dependent_pages:
        by_kind.setdefault(PAGE_DEPENDENTS, []).extend(sorted(dependent_pages))
    for kind, kind_keys in by_kind.items():
        for doc_id, doc in plugin_documents(kind, kind_keys):
            docs[doc_id] = _typed(doc)
    return list(docs.items())


def plugin_documents(kind, keys):
    """(doc id, document or None) from every plugin that answers for ``kind``."""
    for answer in hook().search_documents(kind=kind, keys=keys):
        yield from answer or ()


def _typed(doc):
    return Document.from_dict(doc) if isinstance(doc, dict) else doc


def subtree_ids(root_id):
    ids, frontier = {root_id}, [root_id]
    while frontier:
        children = db.session.scalars(db.select(Page.id).where(Page.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return ids


def document_count():
    """How many documents ``all_documents`` yields, counted in the database."""
    count = len(live_page_ids())
    for kinds in hook().search_kinds():
        for kind in kinds or ():
            count += sum(n for n in hook().search_count(kind=kind) if n)
    return count


def all_documents():
    """Every document the database says should be indexed."""
    for _doc_id, doc in page_documents(live_page_ids()):
        if doc is not None:
            yield doc
    for kinds in hook().search_kinds():
        for kind in kinds or ():
            for _doc_id, doc in plugin_documents(kind, None):
                if doc is not None:
                    yield _typed(doc)
