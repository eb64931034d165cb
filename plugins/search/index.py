"""The search index: the one module that knows the search engine, SQLite FTS5.

Everything engine-specific is here: the tables, writing documents (with the
database's writer lock), translating a ``query.ParsedQuery`` into an FTS5
expression, ranking, facets, spelling suggestions, and rebuilding into a new
directory that is swapped in. The rest of the plugin passes plain dicts and
dataclasses, so another engine can replace this module alone.

A document is a dict: id ("page:12" / "comment:34"), type, page_id,
comment_id, slug, title, page_title, breadcrumb, body, sections (list of
[anchor, title, start, end] offsets into body), labels, authors, updated,
members_only, path (ids of the page and its ancestors), version.

The index is its own SQLite file (``instance/search/ix-*/index.sqlite``),
whatever database the wiki runs on: each app server keeps its own, as the
change log in ``changes.py`` expects. FTS5 is compiled into the SQLite that
Python ships. Stems are computed in Python (``analysis.py``: FTS5 has no
French stemmer) and FTS5 indexes them as plain words.
"""

import fcntl
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape

from .analysis import fold, stem_text, stems, words
from .snippets import Highlighter

log = logging.getLogger(__name__)

WRITE_TIMEOUT = 20  # seconds a writer waits for another process's lock
FILE = "index.sqlite"

# bm25 weight of each column: title and labels weigh more than the text;
# `meta` holds the filter tokens and does not count.
COLUMNS = ("heading", "content", "exact", "meta")
WEIGHTS = (4.0, 1.0, 1.0, 0.0)

SCHEMA = """
CREATE TABLE docs (
    rowid INTEGER PRIMARY KEY,  -- the same rowid in `terms`
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    labels TEXT NOT NULL,       -- comma-separated, for the facets
    updated TEXT NOT NULL,      -- ISO 8601, UTC, for updated:
    version TEXT NOT NULL
);
CREATE INDEX docs_updated ON docs (updated);
-- What a hit shows (JSON), apart: short rows in `docs` keep its scans fast.
CREATE TABLE shown (rowid INTEGER PRIMARY KEY, fields TEXT NOT NULL);
-- heading, content: stems. exact: the words as written, for "phrases",
-- prefix* and spelling. meta: one token per filter value (see _meta).
CREATE VIRTUAL TABLE terms USING fts5 (
    heading, content, exact, meta,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE VIRTUAL TABLE vocabulary USING fts5vocab (terms, 'col');
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

SHOWN_KEYS = ("page_id", "comment_id", "slug", "title", "page_title", "breadcrumb", "body",
              "sections", "author_name")


# -- documents -> rows -------------------------------------------------------------


def _token(prefix, value):
    # Hex keeps a label or a name one exact token, whatever characters it has.
    return prefix + str(value).lower().encode("utf-8").hex()


def _meta(doc):
    tokens = ["all", "t" + doc["type"]] + (["members"] if doc["members_only"] else [])
    tokens += [_token("l", x) for x in doc.get("labels") or ()]
    tokens += [_token("a", x) for x in doc.get("authors") or ()]
    tokens += [f"p{i}" for i in doc.get("path") or ()]
    return " ".join(tokens)


def _utc_iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _insert(conn, doc):
    labels = [x.lower() for x in doc.get("labels") or ()]
    label_words = " ".join(labels).replace("-", " ").replace("_", " ")
    heading = f"{doc['title']}\n{label_words}"
    shown = json.dumps({k: doc.get(k) for k in SHOWN_KEYS}, ensure_ascii=False)
    rowid = conn.execute(
        "INSERT INTO docs (id, type, labels, updated, version) VALUES (?, ?, ?, ?, ?)",
        (doc["id"], doc["type"], ",".join(labels), _utc_iso(doc["updated"]), doc["version"]),
    ).lastrowid
    conn.execute("INSERT INTO shown (rowid, fields) VALUES (?, ?)", (rowid, shown))
    conn.execute(
        "INSERT INTO terms (rowid, heading, content, exact, meta) VALUES (?, ?, ?, ?, ?)",
        (rowid, stem_text(heading), stem_text(doc["body"]), f"{heading}\n{doc['body']}", _meta(doc)),
    )


def _delete(conn, doc_id):
    row = conn.execute("SELECT rowid FROM docs WHERE id = ?", (doc_id,)).fetchone()
    if row:
        for table in ("terms", "docs", "shown"):
            conn.execute(f"DELETE FROM {table} WHERE rowid = ?", row)  # noqa: S608 - our names


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


@dataclass
class _Facets:
    """Documents per label and per type, for one state of the index."""

    generation: str
    labels: dict
    types: dict


# -- the index -------------------------------------------------------------------


class SearchIndex:
    """The index of one app server, in ``root`` (``instance/search``).

    ``root/CURRENT`` names the live directory; a rebuild writes a new one and
    swaps the name, so searches keep working while it runs. Each thread has
    its own connection; writers take SQLite's lock with a timeout (several
    gunicorn workers share the file) and readers never wait for them (WAL).
    """

    def __init__(self, root):
        self.root = root
        self._local = threading.local()
        self._facets = None

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

    def exists(self):
        """Whether a usable index is on disk (a damaged one counts as none)."""
        try:
            self._read_cursor(self._conn())  # reads the file: a damaged one raises
            return True
        except IndexMissing:
            return False
        except sqlite3.DatabaseError as e:
            log.warning("search index %s is damaged: %r", self._current_dir(), e)
            self.forget()
            return False

    def forget(self):
        """Drop what this process keeps open: the next use reopens from disk."""
        self._local, self._facets = threading.local(), None

    def _conn(self):
        """This thread's connection to the live index, reopened when a
        rebuild swapped it."""
        directory = self._current_dir()
        path = os.path.join(directory, FILE) if directory else None
        if path is None or not os.path.isfile(path):
            raise IndexMissing(directory)
        local = self._local
        if getattr(local, "path", None) != path:
            if getattr(local, "conn", None) is not None:
                local.conn.close()
            local.conn, local.path = _connect(path), path
        return local.conn

    # the change-log cursor: which changes this index has applied

    @staticmethod
    def _read_cursor(conn):
        row = conn.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone()
        try:
            state = json.loads(row[0])
            return {"applied": int(state["applied"]), "recent": list(state.get("recent", []))}
        except (TypeError, ValueError, KeyError):
            return {"applied": 0, "recent": []}

    @staticmethod
    def _write_state(conn, cursor):
        conn.executemany("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", [
            ("cursor", json.dumps(cursor)),
            ("generation", uuid.uuid4().hex),  # tells every process its facets are stale
        ])

    def cursor_state(self):
        """{"applied": last change id applied, "recent": ids applied lately}."""
        try:
            return self._read_cursor(self._conn())
        except (IndexMissing, sqlite3.DatabaseError):
            return {"applied": 0, "recent": []}

    # writing

    @contextmanager
    def writing(self, timeout=WRITE_TIMEOUT):
        """Hold the index's writer lock: read the cursor, write documents, move
        the cursor, all in one transaction (``IndexBusy`` after ``timeout``
        seconds). Holding the lock while reading the database too means two
        processes never write an older version over a newer one."""
        conn = self._conn()
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise IndexBusy(f"the search index was locked for {timeout}s") from None
            raise
        try:
            batch = _Batch(conn, self._read_cursor(conn))
            yield batch
            if batch.written or batch.state != batch.initial:
                self._write_state(conn, batch.state)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

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

    def rebuild(self, docs, cursor_state, progress=None):
        """Index ``docs`` into a new directory, then swap it in."""
        directory = self._new_dir()
        count = 0
        try:
            conn = _connect(os.path.join(directory, FILE), create=True)
            conn.execute("BEGIN")
            for doc in docs:
                _insert(conn, doc)
                count += 1
                if progress:
                    progress(1)
            self._write_state(conn, cursor_state)
            conn.execute("COMMIT")
            # Merge FTS5's segments into one: faster queries from the start.
            conn.execute("INSERT INTO terms (terms) VALUES ('optimize')")
            conn.close()
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        self._point_to(directory)
        self._cleanup(keep=directory)
        return count

    # reading

    def versions(self):
        """{doc id: version} of every document, for comparing with the database."""
        return dict(self._conn().execute("SELECT id, version FROM docs"))

    def search(self, parsed, members=False, within=(), page=1, per_page=10):
        expression = _expression(parsed, members, within)
        if expression is None:
            return Results()
        conn = self._conn()
        args, dated = _arguments(expression, parsed)
        # Two passes: all matching ids (the count, the facets), then the page
        # of best-ranked ones (bm25: lower is better). Faster than carrying
        # every score to Python.
        ids = _rowids(conn, _matching("rowid", dated), args)
        total = len(ids)
        if not total:
            return Results()
        pages = -(-total // per_page)
        page = min(max(page, 1), pages)
        ranked = _matching(f"rowid, bm25(terms, {', '.join(map(str, WEIGHTS))}) AS rank", dated)
        shown = [rowid for rowid, _ in conn.execute(
            f"{ranked} ORDER BY rank, rowid LIMIT ? OFFSET ?", [*args, per_page, (page - 1) * per_page])]
        hits = self._hits(conn, shown, Highlighter(parsed))
        label_counts, type_counts = self._counts(conn, ids)
        return Results(total, hits, page, pages, label_counts, type_counts)

    def finds_any(self, parsed, members=False, within=()):
        """Whether the query finds at least one document."""
        expression = _expression(parsed, members, within)
        if expression is None:
            return False
        args, dated = _arguments(expression, parsed)
        return self._conn().execute(f"{_matching('rowid', dated)} LIMIT 1", args).fetchone() is not None

    def _counts(self, conn, matched):
        """(value, number of matched documents), per label and per type."""
        facets = self._current_facets(conn)

        def count(groups):
            found = ((value, len(matched.intersection(ids))) for value, ids in groups.items())
            return sorted(((v, n) for v, n in found if n), key=lambda kv: (-kv[1], kv[0]))

        return count(facets.labels), sorted(count(facets.types))

    def _current_facets(self, conn):
        """Document ids per label and per type, read again after any write."""
        generation = conn.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()
        generation = (self._current_dir(), generation[0] if generation else "")
        facets = self._facets
        if facets is None or facets.generation != generation:
            labels, types = {}, {}
            for rowid, kind, names in conn.execute("SELECT rowid, type, labels FROM docs"):
                types.setdefault(kind, set()).add(rowid)
                for name in names.split(",") if names else ():
                    labels.setdefault(name, set()).add(rowid)
            facets = self._facets = _Facets(generation, labels, types)
        return facets

    @staticmethod
    def _hits(conn, rowids, highlighter):
        rows = conn.execute(
            "SELECT docs.rowid, id, type, labels, updated, fields FROM docs JOIN shown USING (rowid) "  # noqa: S608
            f"WHERE docs.rowid IN ({', '.join('?' * len(rowids))})", rowids).fetchall()
        by_rowid = {row[0]: row for row in rows}
        return [_hit(highlighter, *by_rowid[r][1:]) for r in rowids if r in by_rowid]

    def suggest(self, word, limit=3):
        """Words of the index close to ``word`` (callers check visibility):
        at most two edits away, the closest and most common first."""
        word = fold(word.lower())
        if len(word) < 3:
            return []
        rows = self._conn().execute(
            "SELECT term, doc FROM vocabulary WHERE col = 'exact' AND term >= ? AND term < ?",
            (word[0], chr(ord(word[0]) + 1)))
        found = []
        for term, n in rows:
            if term != word and abs(len(term) - len(word)) <= 2:
                distance = _edit_distance(word, term, 2)
                if distance <= 2:
                    found.append((distance, -n, term))
        return [term for _, _, term in sorted(found)[:limit]]


def _arguments(expression, parsed):
    """(SQL arguments, whether dated) for ``_matching``."""
    after, before = parsed.updated_after, parsed.updated_before
    if not (after or before):
        return [expression], False
    return [expression,
            _utc_iso(datetime.combine(after, datetime.min.time())) if after else "",
            _utc_iso(datetime.combine(before, datetime.max.time())) if before else "~"], True


def _rowids(conn, sql, args):
    """The set of rowids ``sql`` selects: joined into one string by SQLite and
    split here, which is faster than one Python row per match."""
    (joined,) = conn.execute(f"SELECT group_concat(rowid) FROM ({sql})", args).fetchone()  # noqa: S608
    return set(map(int, joined.split(","))) if joined else set()


def _matching(columns, dated):
    """SQL for ``columns`` of the documents an FTS5 expression matches,
    updated within two bounds when ``dated``."""
    # Built from our own column lists; the query text is an argument.
    sql = f"SELECT {columns} FROM terms WHERE terms MATCH ?"  # noqa: S608
    if dated:
        # Matched first, then dated: joined the other way round, SQLite
        # would run the full-text match once per dated document.
        sql = (f"WITH m AS MATERIALIZED ({sql}) SELECT m.* FROM m JOIN docs ON docs.rowid = m.rowid "  # noqa: S608
               "WHERE docs.updated >= ? AND docs.updated <= ?")
    return sql


def _hit(highlighter, doc_id, kind, labels, updated, shown):
    shown = json.loads(shown)
    body = shown.get("body") or ""
    snippet, start = highlighter.snippet(body)
    if snippet is None:
        snippet = escape(body[:240] + ("…" if len(body) > 240 else ""))
    section = None
    if start is not None:
        for anchor, title, s, e in shown.get("sections") or ():
            if s <= start < e:
                section = {"anchor": anchor, "title": title}  # innermost wins: listed last
    return Hit(
        id=doc_id, type=kind, page_id=shown.get("page_id"), comment_id=shown.get("comment_id") or None,
        slug=shown.get("slug"), title=shown.get("title"), page_title=shown.get("page_title"),
        breadcrumb=shown.get("breadcrumb") or [], labels=[x for x in labels.split(",") if x],
        updated=datetime.fromisoformat(updated), snippet=snippet, section=section,
        author_name=shown.get("author_name"),
    )


def _edit_distance(a, b, most):
    """Damerau-Levenshtein distance (adjacent swaps count one), or ``most``
    + 1 as soon as it is sure to exceed ``most``."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > most:
            return most + 1
        previous2, previous = previous, current
    return previous[-1]


# -- query translation -------------------------------------------------------------


def _quoted(text):
    return '"' + text.replace('"', '""') + '"'


def _any(columns, tokens):
    return f"{{{columns}}} : ({' OR '.join(_quoted(t) for t in tokens)})"


def _term(term):
    """One searched term as an FTS5 expression, or None (only stop words)."""
    found = words(term.text)
    if not found:
        return None
    if term.kind == "prefix":
        return f"{{exact}} : {_quoted(' '.join(found))} *"
    if term.kind == "phrase" or len(found) > 1:  # "soil-carbon" is two words in a row
        return f"{{exact}} : {_quoted(' '.join(found))}"
    found_stems = stems(found[0])
    return _any("heading content", found_stems) if found_stems else None


def _filter(f, within):
    if f.name == "label":
        return _any("meta", [_token("l", f.value)])
    if f.name == "author":
        return _any("meta", [_token("a", f.value)])
    if f.name == "type":
        return _any("meta", ["t" + kind for kind in f.value.split("|")])
    if f.name == "in":
        return _any("meta", [f"p{i}" for i in within] or ["pnone"])  # an unknown page matches nothing
    raise ValueError(f.name)


def _expression(parsed, members, within):
    """The FTS5 MATCH expression for a query, or None when it looks for nothing."""
    wanted, unwanted = [], []
    for clause in parsed.clauses:
        alternatives = [e for e in map(_term, clause.terms) if e is not None]
        if alternatives:
            (unwanted if clause.negate else wanted).append(" OR ".join(f"({e})" for e in alternatives))
    for f in parsed.filters:
        (unwanted if f.negate else wanted).append(_filter(f, within))
    if not (wanted or unwanted or parsed.updated_after or parsed.updated_before):
        return None  # stop words only
    if not wanted:
        wanted.append(_any("meta", ["all"]))
    if not members:
        # Left out rather than the others required: members-only documents are
        # usually few, and FTS5 ranks fewer phrases per hit.
        unwanted.append(_any("meta", ["members"]))
    expression = " AND ".join(f"({e})" for e in wanted)
    if unwanted:
        expression = f"({expression}) NOT ({' OR '.join(f'({e})' for e in unwanted)})"
    return expression


# -- storage -----------------------------------------------------------------------


def _connect(path, create=False):
    """A connection in autocommit mode (transactions are explicit), WAL so
    readers never wait for a writer."""
    if not create and not os.path.isfile(path):
        raise IndexMissing(path)
    conn = sqlite3.connect(path, timeout=WRITE_TIMEOUT, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA mmap_size = 1073741824")
        if create:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(SCHEMA)
        return conn
    except BaseException:
        conn.close()
        raise


class IndexMissing(Exception):
    """No usable index on disk: build one."""


class IndexBusy(Exception):
    """Another process held the writer lock too long: try again later."""


class _Batch:
    """What one ``writing()`` block writes: documents, and the new cursor."""

    def __init__(self, conn, state):
        self._conn, self.initial, self.state, self.written = conn, dict(state), dict(state), 0

    def write(self, changes):
        for doc_id, doc in changes:
            _delete(self._conn, doc_id)
            if doc is not None:
                _insert(self._conn, doc)
            self.written += 1
