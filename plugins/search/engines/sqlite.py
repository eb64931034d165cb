"""The SQLite FTS5 engine (``SEARCH_ENGINE = "sqlite"``): for very large wikis.

The index is its own SQLite file (``instance/search/sqlite/ix-*/index.sqlite``),
whatever database the wiki runs on: each app server keeps its own. FTS5 is
compiled into the SQLite that Python ships. FTS5 has no French stemmer, so
the stems come from the shared analysis (``analysis.py``) and FTS5 indexes
them as plain words. Only this module knows the tables.

- ``heading`` (title, label words) and ``content`` (text) hold stems;
  ``exact`` the words as written, for "phrases", prefix* and spelling;
  ``meta`` one token per filter value (type, a file's filetype, labels,
  authors, the page and its ancestors, ``members`` on what only members may
  read).
- Ranking is FTS5's bm25, the heading weighing four times the text.
- The writer lock is SQLite's (WAL: readers never wait), and the cursor is
  committed in the same transaction as the documents.
- The ``state`` table holds the index's ``format`` (the schema's version and
  the documents'): an index another version of the wiki built is not used
  but rebuilt (``IndexOutdated``).
"""

import json
import logging
import os
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from ..analysis import stem_text
from ..engine import (
    DOCUMENTS_VERSION,
    Batch,
    Cursor,
    IndexBusy,
    IndexMissing,
    IndexOutdated,
    Results,
    SearchEngine,
)
from ..snippets import Highlighter, make_hit
from ..spelling import closest, searched_form

log = logging.getLogger(__name__)

FILE = "index.sqlite"
SCHEMA_VERSION = 2  # 2: filetype tokens. Raise it with any change to SCHEMA or to what rows hold.
FORMAT = f"sqlite {SCHEMA_VERSION} documents {DOCUMENTS_VERSION}"

# bm25 weight of each column: title and labels weigh more than the text;
# `meta` holds the filter tokens and does not count.
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
CREATE VIRTUAL TABLE terms USING fts5 (
    heading, content, exact, meta,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE VIRTUAL TABLE vocabulary USING fts5vocab (terms, 'col');
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


# -- documents -> rows -------------------------------------------------------------


def _token(prefix, value):
    # Hex keeps a label or a name one exact token, whatever characters it has.
    return prefix + str(value).lower().encode("utf-8").hex()


def _meta(doc):
    tokens = ["all", "t" + doc.type] + (["members"] if doc.members_only else [])
    if doc.filetype:
        tokens.append(_token("f", doc.filetype))
    tokens += [_token("l", x) for x in doc.labels]
    tokens += [_token("a", x) for x in doc.authors]
    tokens += [f"p{i}" for i in doc.path]
    return " ".join(tokens)


def _utc_iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _insert(conn, doc):
    heading = doc.heading
    rowid = conn.execute(
        "INSERT INTO docs (id, type, labels, updated, version) VALUES (?, ?, ?, ?, ?)",
        (doc.id, doc.type, ",".join(x.lower() for x in doc.labels), _utc_iso(doc.updated), doc.version),
    ).lastrowid
    conn.execute("INSERT INTO shown (rowid, fields) VALUES (?, ?)",
                 (rowid, json.dumps(doc.shown(), ensure_ascii=False)))
    conn.execute(
        "INSERT INTO terms (rowid, heading, content, exact, meta) VALUES (?, ?, ?, ?, ?)",
        (rowid, stem_text(heading), stem_text(doc.body), f"{heading}\n{doc.body}", _meta(doc)),
    )


def _delete(conn, doc_id):
    row = conn.execute("SELECT rowid FROM docs WHERE id = ?", (doc_id,)).fetchone()
    if row:
        for table in ("terms", "docs", "shown"):
            conn.execute(f"DELETE FROM {table} WHERE rowid = ?", row)  # noqa: S608 - our names


@dataclass
class _Facets:
    """Documents per label and per type, for one state of the index."""

    generation: tuple
    labels: dict
    types: dict


# -- the engine --------------------------------------------------------------------


class SQLiteEngine(SearchEngine):
    """Each thread has its own connection; writers take SQLite's lock with a
    timeout (several gunicorn workers share the file) and readers never wait
    for them (WAL)."""

    name = "sqlite"

    def __init__(self, folder):
        super().__init__(folder)
        self._local = threading.local()
        self._facets = None

    def exists(self):
        try:
            _read_cursor(self._conn())  # reads the file: a damaged one raises
            return True
        except IndexOutdated as e:
            log.warning("search index %s: %s; it is rebuilt", self.folder.current(), e)
            return False
        except IndexMissing:
            return False
        except sqlite3.DatabaseError as e:
            log.warning("search index %s is damaged: %r", self.folder.current(), e)
            self.forget()
            return False

    def forget(self):
        self._local, self._facets = threading.local(), None

    def _conn(self):
        """This thread's connection to the live index, reopened when a
        rebuild swapped it."""
        directory = self.folder.current()
        path = os.path.join(directory, FILE) if directory else None
        if path is None or not os.path.isfile(path):
            raise IndexMissing(directory)
        local = self._local
        if getattr(local, "path", None) != path:
            if getattr(local, "conn", None) is not None:
                local.conn.close()
                local.conn = local.path = None
            conn = _connect(path)
            try:
                _check_format(conn)
            except BaseException:
                conn.close()
                raise
            local.conn, local.path = conn, path
        return local.conn

    def cursor(self):
        try:
            return _read_cursor(self._conn())
        except (IndexMissing, sqlite3.DatabaseError):
            return Cursor()

    # writing

    @contextmanager
    def writing(self, timeout):
        conn = self._conn()
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise IndexBusy(f"the search index was locked for {timeout}s") from None
            raise
        try:
            batch = _Batch(conn, _read_cursor(conn))
            yield batch
            if batch.written or batch.cursor != batch.initial:
                _write_state(conn, batch.cursor)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def rebuild(self, docs, cursor, progress=None):
        count = 0
        with self.folder.replacement() as directory:
            conn = _connect(os.path.join(directory, FILE), create=True)
            try:
                conn.execute("BEGIN")
                for doc in docs:
                    _insert(conn, doc)
                    count += 1
                    if progress:
                        progress(1)
                _write_state(conn, cursor)
                conn.execute("COMMIT")
                # Merge FTS5's segments into one: faster queries from the start.
                conn.execute("INSERT INTO terms (terms) VALUES ('optimize')")
            finally:
                conn.close()
        return count

    # reading

    def versions(self):
        return dict(self._conn().execute("SELECT id, version FROM docs"))

    def search(self, query, members, within, page, per_page):
        expression = _expression(query, members, within)
        if expression is None:
            return Results()
        conn = self._conn()
        args, dated = _arguments(expression, query)
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
        hits = _hits(conn, shown, Highlighter(query))
        label_counts, type_counts = self._counts(conn, ids)
        return Results(total, hits, page, pages, label_counts, type_counts)

    def finds_any(self, query, members, within):
        expression = _expression(query, members, within)
        if expression is None:
            return False
        args, dated = _arguments(expression, query)
        return self._conn().execute(f"{_matching('rowid', dated)} LIMIT 1", args).fetchone() is not None

    def _counts(self, conn, matched):
        """(value, number of matched documents), per label and per type."""
        facets = self._current_facets(conn)

        def count(groups):
            found = ((value, len(matched.intersection(ids))) for value, ids in groups.items())
            return sorted(((v, n) for v, n in found if n), key=lambda kv: (-kv[1], kv[0]))

        return count(facets.labels), sorted(count(facets.types))

    def _current_facets(self, conn):
        """Document ids per label and per type, read again after any write.
        (FTS5 has no grouping of its own; sets intersect in C.)"""
        generation = conn.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()
        generation = (self.folder.current(), generation[0] if generation else "")
        facets = self._facets
        if facets is None or facets.generation != generation:
            labels, types = {}, {}
            for rowid, kind, names in conn.execute("SELECT rowid, type, labels FROM docs"):
                types.setdefault(kind, set()).add(rowid)
                for name in names.split(",") if names else ():
                    labels.setdefault(name, set()).add(rowid)
            facets = self._facets = _Facets(generation, labels, types)
        return facets

    def suggest(self, word, limit=3):
        word = searched_form(word)
        if word is None:
            return []
        rows = self._conn().execute(
            "SELECT term, doc FROM vocabulary WHERE col = 'exact' AND term >= ? AND term < ?",
            (word[0], chr(ord(word[0]) + 1)))
        return closest(word, rows, limit)


def _check_format(conn):
    """``IndexOutdated`` unless this version of the wiki built the index."""
    row = conn.execute("SELECT value FROM state WHERE key = 'format'").fetchone()
    found = row[0] if row else "none"  # built before the format was written down
    if found != FORMAT:
        raise IndexOutdated(f"it was built by another version of the wiki (format “{found}”, "
                            f"this one reads “{FORMAT}”)")


def _read_cursor(conn):
    row = conn.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone()
    try:
        state = json.loads(row[0])
        return Cursor(int(state["applied"]), tuple(state.get("recent", ())))
    except (TypeError, ValueError, KeyError):
        return Cursor()


def _write_state(conn, cursor):
    conn.executemany("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", [
        ("cursor", json.dumps({"applied": cursor.applied, "recent": list(cursor.recent)})),
        ("generation", uuid.uuid4().hex),  # tells every process its facets are stale
    ])


def _hits(conn, rowids, highlighter):
    rows = conn.execute(
        "SELECT docs.rowid, id, type, fields FROM docs JOIN shown USING (rowid) "  # noqa: S608
        f"WHERE docs.rowid IN ({', '.join('?' * len(rowids))})", rowids).fetchall()
    by_rowid = {row[0]: row for row in rows}
    return [make_hit(doc_id, kind, json.loads(shown), highlighter)
            for doc_id, kind, shown in (by_rowid[r][1:] for r in rowids if r in by_rowid)]


def _arguments(expression, query):
    """(SQL arguments, whether dated) for ``_matching``."""
    after, before = query.updated_after, query.updated_before
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


# -- query translation -------------------------------------------------------------


def _quoted(text):
    return '"' + text.replace('"', '""') + '"'


def _any(columns, tokens):
    return f"{{{columns}}} : ({' OR '.join(_quoted(t) for t in tokens)})"


def _match(match):
    if match.kind == "stems":
        return _any("heading content", match.tokens)
    phrase = f"{{exact}} : {_quoted(' '.join(match.tokens))}"
    return f"{phrase} *" if match.kind == "prefix" else phrase


def _filter(f, within):
    if f.name == "label":
        return _any("meta", [_token("l", f.value)])
    if f.name == "author":
        return _any("meta", [_token("a", f.value)])
    if f.name == "type":
        return _any("meta", ["t" + kind for kind in f.value.split("|")])
    if f.name == "filetype":
        return _any("meta", [_token("f", kind) for kind in f.value.split("|")])
    if f.name == "in":
        return _any("meta", [f"p{i}" for i in within] or ["pnone"])  # an unknown page matches nothing
    raise ValueError(f.name)


def _expression(query, members, within):
    """The FTS5 MATCH expression for a query, or None when it looks for nothing."""
    def either(alternatives):
        return " OR ".join(f"({_match(m)})" for m in alternatives)

    wanted = [either(c) for c in query.matches()]
    unwanted = [either(c) for c in query.matches(negate=True)]
    for f in query.filters:
        (unwanted if f.negate else wanted).append(_filter(f, within))
    if not (wanted or unwanted or query.updated_after or query.updated_before):
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
    conn = sqlite3.connect(path, timeout=20, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA mmap_size = 1073741824")
        if create:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(SCHEMA)
            conn.execute("INSERT INTO state (key, value) VALUES ('format', ?)", (FORMAT,))
        return conn
    except BaseException:
        conn.close()
        raise


class _Batch(Batch):
    def __init__(self, conn, cursor):
        self._conn, self.initial, self.cursor, self.written = conn, cursor, cursor, 0

    def write(self, changes):
        for doc_id, doc in changes:
            _delete(self._conn, doc_id)
            if doc is not None:
                _insert(self._conn, doc)
            self.written += 1
