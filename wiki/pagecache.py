"""Rendered page views, kept by each worker until the wiki's content changes.

Every flush that changes content bumps one number in the database
(``content_version``), in the same transaction; a worker serves a cached
view only while that number is unchanged, so every worker sees every change
at once. Views are cached per reader (role and visibility differ) and for
ten minutes at most (relative times like "3 minutes ago" move on).

Some values must be fresh on every request: the CSRF token, a form's signed
timestamp. While a view renders for the cache, ``fresh(name, make)`` puts an
unguessable placeholder in the HTML instead, and each request served from
the cache gets ``make()``'s value in its place.
"""

import secrets
import threading
import time
from collections import OrderedDict

from flask import current_app, g, has_request_context, request, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from . import i18n
from .extensions import db
from .models import ContentVersion

MAX_ENTRIES = 2000
MAX_AGE = 600  # seconds
_MARK = f"wiki-fresh-{secrets.token_hex(12)}-"  # per process: user text cannot forge it


def fresh(name, make):
    """``make()`` now, or a placeholder filled with ``make()`` on each cached view."""
    makers = g.get("wiki_fresh_makers") if has_request_context() else None
    if makers is None:
        return make()
    placeholder = f"{_MARK}{name}"
    makers[placeholder] = make
    return placeholder


class PageCache:
    def __init__(self):
        self._entries = OrderedDict()
        self._version = None
        self._lock = threading.Lock()

    def _get(self, key, version):
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
                return None
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry[0] > MAX_AGE:
                return None
            self._entries.move_to_end(key)
            return entry

    def _put(self, key, version, html, makers):
        with self._lock:
            if version != self._version:
                return  # content changed while this view rendered
            self._entries[key] = (time.monotonic(), html, makers)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def view(self, key, render, version):
        """The HTML of ``render()`` for ``key``, from the cache when it can be.
        ``version`` is the content version read before loading what ``render``
        shows (``content_version()``). Views are kept per interface language."""
        if not cacheable():
            return render()
        key = (key, i18n.interface_language())
        entry = self._get(key, version)
        if entry is None:
            g.wiki_fresh_makers = {}
            g.csrf_token = fresh("csrf", _new_csrf_token)  # what Flask-WTF renders into forms
            try:
                html = render()
            finally:
                makers = g.pop("wiki_fresh_makers")
                g.pop("csrf_token", None)
            self._put(key, version, html, makers)
        else:
            _, html, makers = entry
        for placeholder, make in makers.items():
            html = html.replace(placeholder, make())
        return html

    def fragment(self, key, render, version):
        """``render()``'s HTML for ``key``, a part of a page that shows the
        same to every reader with the same ``key`` and has no form (per
        interface language)."""
        key = (key, i18n.interface_language())
        entry = self._get(key, version)
        if entry is not None:
            return entry[1]
        html = render()
        self._put(key, version, html, {})
        return html


def _new_csrf_token():
    g.pop("csrf_token", None)
    return generate_csrf()


def cacheable():
    """Only plain GETs whose page shows nothing personal to this one request:
    no query string, no pending flash message, no cookie but the session's."""
    if request.method != "GET" or request.args or "_flashes" in session:
        return False
    known = {current_app.config["SESSION_COOKIE_NAME"],
             current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), i18n.COOKIE}
    return set(request.cookies) <= known


def content_version():
    return db.session.scalar(db.select(ContentVersion.version).where(ContentVersion.id == 1)) or 0


def invalidate_views():
    """Make every worker drop its cached page views, as part of the current
    transaction: for a change the flush listener below cannot see (a
    plugin's setting kept outside the database, say)."""
    _bump(db.session)


def _bump(session):
    session.connection().execute(update(ContentVersion).where(ContentVersion.id == 1)
                                 .values(version=ContentVersion.version + 1))


def _bump_on_flush(session, _context):
    # Volatile rows (rate-limit counters, logs) change no page.
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not obj.__table__.info.get("volatile") and (obj in session.new or obj in session.deleted
                                                      or session.is_modified(obj)):
            _bump(session)
            return


_listening = False


def init_app(app):
    global _listening
    app.extensions["wiki.pagecache"] = PageCache()
    if not _listening:  # one listener per process, for every app's sessions
        event.listen(Session, "after_flush", _bump_on_flush)
        _listening = True


def cache():
    return current_app.extensions["wiki.pagecache"]
