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

import fcntl
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
from functools import lru_cache

from markupsafe import Markup, escape
from whoosh import highlight, index, query
from whoosh.analysis import (
    STOP_WORDS,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StandardAnalyzer,
)
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.lang import porter
from whoosh.lang.snowball.french import FrenchStemmer
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

log = logging.getLogger(__name__)

WRITE_TIMEOUT = 20  # seconds a writer waits for another process's lock


# -- analysis: English and French stemming, accents folded ----------------------


# Module-level, so the analyzer pickles (Whoosh stores the schema in the index).
_english_stem = lru_cache(100_000)(porter.stem)
_french_stem = lru_cache(100_000)(FrenchStemmer().stem)
_ENGLISH_STOP, _FRENCH_STOP = frozenset(STOP_WORDS), frozenset(stoplists["fr"])


class BilingualStems(Filter):
    """Each word becomes its English stem and, when different, its French stem,
    at the same position, so one field serves both languages: `monitoring`
    meets "monitored", `carbone` meets "carbones". A language's stop words get
    no stem in that language ("son" is kept for English, "le" for neither)."""

    def __call__(self, tokens):
        for t in tokens:
            word, stems = t.text, []
            if word not in _ENGLISH_STOP:
                stems.append(_english_stem(word))
            if word not in _FRENCH_STOP:
                french = _french_stem(word)
                if french not in stems:
                    stems.append(french)
            for stem in stems:
                t.text = fold_accents(stem)
                yield t


def fold_accents(text):
    return text.translate(_ACCENTS) if not text.isascii() else text


_ACCENTS = accent_map  # {code point: replacement}, for str.translate


def _bilingual():
    return RegexTokenizer() | LowercaseFilter() | BilingualStems()


def _exact():
    # No stemming, no stop words: "quoted phrases", prefix* and spelling.
    return StandardAnalyzer(minsize=1, stoplist=None) | CharsetFilter(accent_map)


def make_schema():
    both, exact = _bilingual(), _exact()
    return Schema(
        id=ID(unique=True, stored=True),
        type=ID(stored=True),
        page_id=NUMERIC(stored=True),
        comment_id=NUMERIC(stored=True),
        path=KEYWORD,
        # Title and labels weigh more than the text.
        heading=TEXT(analyzer=both, phrase=False, field_boost=4.0),
        content=TEXT(analyzer=both, phrase=False),
        exact=TEXT(analyzer=exact, spelling=True),
        labels=KEYWORD(commas=True, lowercase=True, stored=True),
        authors=KEYWORD(commas=True, lowercase=True, stored=True),
        updated=DATETIME(stored=True, sortable=True),
        members_only=BOOLEAN(stored=True),
        version=ID(stored=True),
        stored=STORED,  # slug, title, page_title, breadcrumb, body, sections, author_name
    )


STORED_KEYS = ("slug", "title", "page_title", "breadcrumb", "body", "sections", "author_name")


def _fields(doc):
    labels = list(doc.get("labels") or ())
    label_words = " ".join(labels).replace("-", " ").replace("_", " ")
    return {
        "id": doc["id"], "type": doc["type"], "page_id": doc["page_id"],
        "comment_id": doc.get("comment_id") or 0,
        "path": " ".join(str(i) for i in doc.get("path") or ()),
        "heading": f"{doc['title']}\n{label_words}",
        "content": doc["body"],
        "exact": f"{doc['title']}\n{label_words}\n{doc['body']}",
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
    section: dict | None  # {"anchor", "title"} when the best match is in a folded section
    author_name: str | None  # comments: who wrote it


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
        self._local = threading.local()
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
        if self._ix is not None and directory == self._ix_dir and os.path.isdir(directory):
            return True  # already open and still live
        if not directory or not os.path.isdir(directory):
            return False
        try:
            _open_dir(directory)
            return True
        except index.EmptyIndexError:
            return False
        except Exception as e:
            log.warning("search index %s is damaged: %r", directory, e)
            return False

    def forget(self):
        """Drop what this process keeps open: the next use reopens from disk."""
        self._ix, self._ix_dir, self._local = None, None, threading.local()

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

    def searcher(self):
        """This thread's searcher, refreshed when the index changed: opening
        one reads every segment file, so it is kept between requests."""
        ix = self.open()
        local = self._local
        if getattr(local, "ix", None) is not ix:
            local.searcher, local.ix = ix.searcher(), ix
        else:
            local.searcher = local.searcher.refresh()
        return local.searcher

    def open(self):
        """The live Whoosh index, reopened when a rebuild swapped it."""
        directory = self._current_dir()
        if directory is None or not index.exists_in(directory):
            raise IndexMissing(directory)
        if self._ix is None or self._ix_dir != directory:
            try:
                self._ix = _open_dir(directory)
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

    @contextmanager
    def rebuilding(self):
        """One rebuild at a time across processes: several workers that all
        find no index would otherwise build at once and delete each other's."""
        os.makedirs(self.root, exist_ok=True)
        with open(os.path.join(self.root, "REBUILD.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def rebuild(self, docs, cursor_state, progress=None, procs=1):
        """Index ``docs`` into a new directory, then swap it in. ``procs`` > 1
        spreads the analysis over that many processes (the CLI; never inside
        a web worker), leaving one segment each: Whoosh merges them later."""
        directory = self._new_dir()
        ix = index.create_in(directory, make_schema())
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        writer = ix.writer(limitmb=128, **options)
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
        return {f["id"]: f["version"] for f in self.searcher().all_stored_fields()}

    def search(self, parsed, members=False, within=(), page=1, per_page=10):
        q = self._query(self.open().schema, parsed, within)
        if q is None:
            return Results()
        if not members:
            q = query.And([q, query.Term("members_only", False)])
        s = self.searcher()
        # All matches, unscored, for the count and the facets; scores only for
        # the page of hits shown.
        matched = set(s.docs_for_query(q))
        total = len(matched)
        if not total:
            return Results()
        pages = -(-total // per_page)
        page = min(max(page, 1), pages)
        found = s.search(q, limit=page * per_page)
        hits = [self._hit(h) for h in found[(page - 1) * per_page: page * per_page]]
        return Results(total, hits, page, pages, self._counts(s, "labels", matched),
                       sorted(self._counts(s, "type", matched)))

    @staticmethod
    def _counts(s, fieldname, matched):
        """(value, number of matched documents) for each value of a field."""
        reader, counts = s.reader(), []
        for value in reader.lexicon(fieldname):
            n = len(matched.intersection(reader.postings(fieldname, value).all_ids()))
            if n:
                counts.append((value.decode("utf-8"), n))
        return sorted(counts, key=lambda kv: (-kv[1], kv[0]))

    def suggest(self, word, limit=3):
        """Words of the index close to ``word`` (callers check visibility)."""
        s, seen = self.searcher(), []
        for fieldname in ("exact",):
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
            prefix = "".join(self._tokens(schema, "exact", term.text))
            return query.Prefix("exact", prefix) if prefix else None
        words = self._tokens(schema, "exact", term.text)
        if term.kind == "phrase" or len(words) > 1:  # "soil-carbon" is two words in a row
            if not words:
                return None
            return query.Phrase("exact", words) if len(words) > 1 else query.Term("exact", words[0])
        stems = list(dict.fromkeys(self._tokens(schema, "content", term.text)))
        if not stems:
            return None  # a stop word in both languages
        return query.Or([query.Term(f, stem) for f in ("heading", "content") for stem in stems])

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
        for fieldname in ("content", "exact"):
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


def _open_dir(directory, attempts=5):
    """Open an index that other processes may be committing to: a commit
    writes the next table of contents and deletes the old one, so an open
    that lists the old one can find it gone a moment later. Try again."""
    for attempt in range(attempts):
        try:
            return index.open_dir(directory)
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


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
