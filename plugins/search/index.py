"""The search index: the one module that knows Whoosh.

Everything Whoosh-specific is here: the schema, the two language analyzers,
writing documents (with the inter-process writer lock), translating a
``query.ParsedQuery`` into Whoosh queries, snippets, facets, spelling
suggestions, and rebuilding into a new directory that is swapped in. The rest
of the plugin passes plain dicts and dataclasses, so another engine can
replace this module alone.

A document is a dict: id ("page:12" / "comment:34"), type, page_id,
comment_id, slug, title, page_title, breadcrumb, body, sections (list of
[anchor, title, start, end] offsets into body), labels, authors, updated,
members_only, path (ids of the page and its ancestors), version.
"""

import json
import logging
import os
import shutil
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape
from whoosh import highlight, index, query, sorting
from whoosh.analysis import CharsetFilter, LanguageAnalyzer, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.support.charset import accent_map

log = logging.getLogger(__name__)

WRITE_TIMEOUT = 20  # seconds a writer waits for another process's lock


# -- analysis: English and French stemming, accents folded ----------------------


def _english():
    return StemmingAnalyzer(minsize=1) | CharsetFilter(accent_map)


def _french():
    return LanguageAnalyzer("fr") | CharsetFilter(accent_map)


def _exact():
    # No stemming, no stop words: "quoted phrases", prefix* and spelling.
    return StandardAnalyzer(minsize=1, stoplist=None) | CharsetFilter(accent_map)


def make_schema():
    en, fr, exact = _english(), _french(), _exact()
    return Schema(
        id=ID(unique=True, stored=True),
        type=ID(stored=True),
        page_id=NUMERIC(stored=True),
        comment_id=NUMERIC(stored=True),
        path=KEYWORD,
        title_en=TEXT(analyzer=en, field_boost=4.0),
        title_fr=TEXT(analyzer=fr, field_boost=4.0),
        title_exact=TEXT(analyzer=exact, field_boost=4.0, spelling=True),
        labels_text=TEXT(analyzer=exact, field_boost=3.0),
        body_en=TEXT(analyzer=en),
        body_fr=TEXT(analyzer=fr),
        body_exact=TEXT(analyzer=exact, spelling=True),
        labels=KEYWORD(commas=True, lowercase=True, stored=True),
        authors=KEYWORD(commas=True, lowercase=True, stored=True),
        updated=DATETIME(stored=True, sortable=True),
        members_only=BOOLEAN(stored=True),
        version=ID(stored=True),
        stored=STORED,  # slug, title, page_title, breadcrumb, body, sections
    )


WORD_FIELDS = ("title_en", "title_fr", "body_en", "body_fr", "labels_text")
EXACT_FIELDS = ("title_exact", "body_exact", "labels_text")
STORED_KEYS = ("slug", "title", "page_title", "breadcrumb", "body", "sections", "author_name")


def _fields(doc):
    labels = list(doc.get("labels") or ())
    return {
        "id": doc["id"], "type": doc["type"], "page_id": doc["page_id"],
        "comment_id": doc.get("comment_id") or 0,
        "path": " ".join(str(i) for i in doc.get("path") or ()),
        "title_en": doc["title"], "title_fr": doc["title"], "title_exact": doc["title"],
        "labels_text": " ".join(labels),
        "body_en": doc["body"], "body_fr": doc["body"], "body_exact": doc["body"],
        "labels": ",".join(labels), "authors": ",".join(doc.get("authors") or ()),
        "updated": doc["updated"], "members_only": bool(doc["members_only"]),
        "version": doc["version"],
        "stored": {k: doc.get(k) for k in STORED_KEYS},
    }


# -- results ---------------------------------------------------------------------


@dataclass
class Hit:
    id: str
    type: str
    page_id: int
    comment_id: int | None
    slug: str
    title: str
    page_title: str
    breadcrumb: list
    labels: list
    updated: object
    snippet: Markup
    section: dict | None
    author_name: str | None  # {"anchor", "title"} when the best match is in a folded section


@dataclass
class Results:
    total: int = 0
    hits: list = field(default_factory=list)
    page: int = 1
    pages: int = 0
    label_counts: list = field(default_factory=list)
    type_counts: list = field(default_factory=list)


class _SnippetFormatter(highlight.Formatter):
    """Escapes every piece of text and marks matches: a snippet is built only
    from escaped text, never from HTML kept in the index."""

    between = " … "

    def __init__(self):
        self.first_start = None

    def _text(self, text):
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"

    def format(self, fragments, replace=False):
        # Where the first matched word is (not its fragment, which starts
        # earlier): tells which folded section the hit is in.
        starts = [t.startchar for f in fragments for t in f.matches if t.startchar is not None]
        self.first_start = min(starts) if starts else None
        return super().format(fragments, replace)


# -- the index -------------------------------------------------------------------


class SearchIndex:
    """The index of one app server, in ``root`` (``instance/search``).

    ``root/CURRENT`` names the live directory; a rebuild writes a new one and
    swaps the name, so searches keep working while it runs. Writers take
    Whoosh's lock with a timeout (several gunicorn workers share the index),
    and a thread lock within one process.
    """

    def __init__(self, root):
        self.root = root
        self._lock = threading.RLock()
        self._ix = None
        self._ix_dir = None

    # where the live index is

    def _pointer(self):
        return os.path.join(self.root, "CURRENT")

    def _current_dir(self):
        try:
            with open(self._pointer()) as f:
                name = f.read().strip()
        except FileNotFoundError:
            return None
        return os.path.join(self.root, name) if name else None

    def _point_to(self, directory):
        tmp = f"{self._pointer()}.{uuid.uuid4().hex}"
        with open(tmp, "w") as f:
            f.write(os.path.basename(directory) + "\n")
        os.replace(tmp, self._pointer())  # atomic: readers see the old or the new name

    def exists(self):
        """Whether a usable index is on disk (a damaged one counts as none)."""
        directory = self._current_dir()
        try:
            return bool(directory) and index.exists_in(directory)
        except Exception as e:
            log.warning("search index %s is damaged: %r", directory, e)
            return False

    def _new_dir(self):
        os.makedirs(self.root, exist_ok=True)
        directory = os.path.join(self.root, f"ix-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}")
        os.makedirs(directory)
        return directory

    def _cleanup(self, keep):
        for name in os.listdir(self.root):
            path = os.path.join(self.root, name)
            if name.startswith("ix-") and path != keep and os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)

    def open(self):
        """The live Whoosh index, reopened when a rebuild swapped it."""
        directory = self._current_dir()
        if directory is None or not index.exists_in(directory):
            raise IndexMissing(directory)
        if self._ix is None or self._ix_dir != directory:
            try:
                self._ix = index.open_dir(directory)
            except Exception as e:  # a damaged directory: whatever Whoosh raises
                raise IndexMissing(f"{directory}: {e!r}") from e
            self._ix_dir = directory
        return self._ix

    # the change-log cursor: which changes this index has applied

    @staticmethod
    def _write_cursor(directory, state):
        tmp = os.path.join(directory, f"cursor.json.{uuid.uuid4().hex}")
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.replace(tmp, os.path.join(directory, "cursor.json"))

    def cursor_state(self):
        """{"applied": last change id applied, "recent": ids applied lately}."""
        try:
            with open(os.path.join(self._current_dir(), "cursor.json")) as f:
                state = json.load(f)
            return {"applied": int(state["applied"]), "recent": list(state.get("recent", []))}
        except (OSError, TypeError, ValueError, KeyError):
            return {"applied": 0, "recent": []}

    # writing

    @contextmanager
    def writing(self, timeout=WRITE_TIMEOUT):
        """Hold the index's writer lock: read the cursor, write documents, move
        the cursor, all in one commit (``IndexBusy`` after ``timeout``
        seconds). Holding the lock while reading the database too means two
        processes never write an older version over a newer one."""
        with self._lock:
            ix = self.open()
            try:
                writer = ix.writer(timeout=timeout)
            except LockError:
                raise IndexBusy(f"the search index was locked for {timeout}s") from None
            batch = _Batch(writer, self.cursor_state())
            try:
                yield batch
            except BaseException:
                writer.cancel()
                raise
            if batch.written:
                writer.commit()
            else:
                writer.cancel()
            if batch.state != batch.initial:
                self._write_cursor(self._ix_dir, batch.state)

    def rebuild(self, docs, cursor_state, progress=None):
        """Index ``docs`` into a new directory, then swap it in."""
        directory = self._new_dir()
        ix = index.create_in(directory, make_schema())
        writer = ix.writer(limitmb=256)
        count = 0
        try:
            for doc in docs:
                writer.add_document(**_fields(doc))
                count += 1
                if progress:
                    progress(1)
        except BaseException:
            writer.cancel()
            shutil.rmtree(directory, ignore_errors=True)
            raise
        writer.commit()
        self._write_cursor(directory, cursor_state)
        with self._lock:
            self._point_to(directory)
            self._ix = None
        self._cleanup(keep=directory)
        return count

    # reading

    def versions(self):
        """{doc id: version} of every document, for comparing with the database."""
        with self.open().searcher() as s:
            return {f["id"]: f["version"] for f in s.all_stored_fields()}

    def search(self, parsed, members=False, within=(), page=1, per_page=10):
        ix = self.open()
        q = self._query(ix.schema, parsed, within)
        if q is None:
            return Results()
        mask = None if members else query.Term("members_only", True)
        facets = {"labels": sorting.FieldFacet("labels", allow_overlap=True),
                  "type": sorting.FieldFacet("type")}
        with ix.searcher() as s:
            found = s.search(q, limit=None, mask=mask, groupedby=facets, terms=True)
            total = len(found)
            pages = max(1, -(-total // per_page))
            page = min(max(page, 1), pages)
            hits = [self._hit(h) for h in found[(page - 1) * per_page: page * per_page]]
            label_counts = sorted(((k, len(v)) for k, v in found.groups("labels").items() if k),
                                  key=lambda kv: (-kv[1], kv[0]))
            type_counts = sorted(((k, len(v)) for k, v in found.groups("type").items()),
                                 key=lambda kv: kv[0])
        return Results(total, hits, page, pages if total else 0, label_counts, type_counts)

    def suggest(self, word, limit=3):
        """Words of the index close to ``word`` (callers check visibility)."""
        with self.open().searcher() as s:
            seen = []
            for fieldname in ("body_exact", "title_exact"):
                for candidate in s.suggest(fieldname, word.lower(), limit=limit):
                    if candidate not in seen and candidate != word.lower():
                        seen.append(candidate)
            return seen[:limit]

    # query translation

    def _query(self, schema, parsed, within):
        parts = []
        for clause in parsed.clauses:
            alternatives = [q for q in (self._term(schema, t) for t in clause.terms) if q is not None]
            if not alternatives:
                continue  # stop words only: nothing to look for
            q = alternatives[0] if len(alternatives) == 1 else query.Or(alternatives)
            parts.append(query.Not(q) if clause.negate else q)
        for f in parsed.filters:
            q = self._filter(f, within)
            parts.append(query.Not(q) if f.negate else q)
        if parsed.updated_after or parsed.updated_before:
            after, before = parsed.updated_after, parsed.updated_before
            start = datetime.combine(after, datetime.min.time()) if after else None
            end = datetime.combine(before, datetime.max.time()) if before else None
            parts.append(query.DateRange("updated", start, end))
        if not parts or all(isinstance(p, query.Not) for p in parts):
            return None if not parts else query.And([query.Every(), *parts])
        return query.And(parts) if len(parts) > 1 else parts[0]

    @staticmethod
    def _tokens(schema, fieldname, text):
        return [t.text for t in schema[fieldname].analyzer(text, mode="query")]

    def _term(self, schema, term):
        if term.kind == "prefix":
            prefix = "".join(self._tokens(schema, "body_exact", term.text))
            return query.Or([query.Prefix(f, prefix) for f in EXACT_FIELDS]) if prefix else None
        if term.kind == "phrase":
            options = []
            for f in ("title_exact", "body_exact"):
                words = self._tokens(schema, f, term.text)
                if words:
                    options.append(query.Phrase(f, words) if len(words) > 1 else query.Term(f, words[0]))
            return query.Or(options) if options else None
        options = []
        for f in WORD_FIELDS:
            words = self._tokens(schema, f, term.text)
            if len(words) == 1:
                options.append(query.Term(f, words[0]))
            elif words:  # "soil-carbon" is two words in a row
                options.append(query.Phrase(f, words))
        return query.Or(options) if options else None

    @staticmethod
    def _filter(f, within):
        if f.name == "label":
            return query.Term("labels", f.value)
        if f.name == "author":
            return query.Term("authors", f.value)
        if f.name == "type":
            kinds = f.value.split("|")
            return query.Or([query.Term("type", k) for k in kinds])
        if f.name == "in":
            ids = [str(i) for i in within] or ["-1"]  # an unknown page matches nothing
            return query.Or([query.Term("path", i) for i in ids])
        raise ValueError(f.name)

    @staticmethod
    def _hit(h):
        stored = h["stored"] or {}
        body = stored.get("body") or ""
        snippet, start = Markup(""), None
        for fieldname in ("body_en", "body_fr", "body_exact"):
            formatter = _SnippetFormatter()
            h.results.highlighter.formatter = formatter
            h.results.highlighter.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
            text = h.highlights(fieldname, text=body, top=2)
            if text:
                snippet, start = Markup(text), formatter.first_start  # noqa: S704 - escaped above
                break
        if not snippet:
            snippet = escape(body[:240] + ("…" if len(body) > 240 else ""))
        section = None
        if start is not None:
            for anchor, title, s, e in stored.get("sections") or ():
                if s <= start < e:
                    section = {"anchor": anchor, "title": title}  # innermost wins: listed last
        return Hit(
            id=h["id"], type=h["type"], page_id=h["page_id"], comment_id=h.get("comment_id") or None,
            slug=stored.get("slug"), title=stored.get("title"), page_title=stored.get("page_title"),
            breadcrumb=stored.get("breadcrumb") or [],
            labels=[x for x in (h.get("labels") or "").split(",") if x],
            updated=h.get("updated"), snippet=snippet, section=section,
            author_name=stored.get("author_name"),
        )


class IndexMissing(Exception):
    """No usable index on disk: build one."""


class IndexBusy(Exception):
    """Another process held the writer lock too long: try again later."""


class _Batch:
    """What one ``writing()`` block writes: documents, and the new cursor."""

    def __init__(self, writer, state):
        self._writer, self.initial, self.state, self.written = writer, dict(state), dict(state), 0

    def write(self, changes):
        for doc_id, doc in changes:
            if doc is None:
                self._writer.delete_by_term("id", doc_id)
            else:
                self._writer.update_document(**_fields(doc))
            self.written += 1
