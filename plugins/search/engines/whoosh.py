"""The Whoosh engine (``SEARCH_ENGINE = "whoosh"``, the default).

The index is a Whoosh directory (``instance/search/whoosh/ix-*/``) of each
app server. Only this module imports Whoosh. How it is used, for speed:

- The analysis is the shared one (``analysis.py``): ``text`` holds the
  English and French stems of the title and labels (each counting four
  times) and of the body, in one field, so a searched word is one posting
  list; ``exact`` holds the words as written, with positions, for
  "phrases", prefix* and spelling. Stems are computed where Whoosh indexes,
  so a rebuild spreads them over several processes.
- One searcher per thread (one per gunicorn worker), kept between requests
  and reopened when the index changes; the documents of each filter value
  (visibility, labels, authors, pages, types, dates) are kept with it as
  sets, until it is refreshed.
- The count and the facets come from one unscored pass with Whoosh's
  grouping (``groupedby``, counting only); the hits from a scored pass that
  keeps the top ones and skips blocks that cannot reach them.
- A rebuild runs in several processes (Whoosh's ``procs``: ``jobs``, one per
  core by default) and leaves one segment
  per process; the writes that follow are merged into them by Whoosh.
- Each index directory has a ``FORMAT`` file (the schema's version and the
  documents'): an index another version of the wiki built is not used but
  rebuilt (``IndexOutdated``).
- Writers take a lock file of ours around Whoosh's writer, so the cursor
  file is saved under the same lock, right after the documents are
  committed: a crash in between leaves an older cursor, and those changes
  are applied again (documents are re-read from the database, so that is
  harmless).
"""

import json
import logging
import os
import threading
import uuid
import warnings
from collections import Counter, OrderedDict, defaultdict
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import cpu_count

from flask import has_request_context
from whoosh import columns, fields, formats, sorting
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.matching import AndNotMatcher
from whoosh.system import pack_uint

from ..analysis import fold, stem_text, words
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
from ..folder import LockTimeout
from ..snippets import Highlighter, make_hit
from ..spelling import closest, searched_form

log = logging.getLogger(__name__)

HEADING_WEIGHT = 4  # a word of the title or a label weighs four times a word of the text
CURSOR = "cursor.json"
FORMAT_FILE = "FORMAT"
SCHEMA_VERSION = 2  # 2: filetype. Raise it with any change to make_schema or _fields.
FORMAT = f"whoosh {SCHEMA_VERSION} documents {DOCUMENTS_VERSION}"
FILTER_SETS = 256  # filter sets kept per searcher
REBUILD_MB = 1024  # memory of each indexing process before it spills to disk
PARALLEL_WRITE = 500  # documents of a batch from which the command line indexes in several processes


# -- the schema --------------------------------------------------------------------


class StemmedText(fields.FieldType):
    """The stems of a document's heading and body, in one scorable field.

    The value is the pair (heading, body) of plain texts; ``index`` analyses
    it with the shared bilingual analysis (the stems of each word, computed
    once per process for each word), heading stems weighing
    ``HEADING_WEIGHT`` times. Queries name stems directly: no query-time
    analysis."""

    def __init__(self):
        super().__init__(formats.Frequency(), analyzer=None, scorable=True)

    def index(self, value, **kwargs):
        heading, body = value
        in_heading = Counter(stem_text(heading).split())
        in_body = Counter(stem_text(body).split())
        for stem in in_heading.keys() | in_body.keys():
            h, b = in_heading[stem], in_body[stem]
            yield stem.encode("utf-8"), h + b, float(HEADING_WEIGHT * h + b), pack_uint(h + b)


class ExactWords(fields.FieldType):
    """The words of a document's heading and body as written (lower case,
    accents folded: the shared ``analysis.words``), with their positions,
    for "phrases", prefix* and spelling. The value is the same (heading,
    body) pair as ``StemmedText``'s, so a document carries its text once."""

    def __init__(self):
        super().__init__(formats.Positions(), analyzer=None, scorable=True)

    def index(self, value, **kwargs):
        positions = defaultdict(list)
        for pos, word in enumerate(words("\n".join(value))):
            positions[fold(word)].append(pos)
        encode = self.format.encode
        for word, found in positions.items():
            yield word.encode("utf-8"), len(found), float(len(found)), encode(found)


class Values(fields.FieldType):
    """Exact values given as a list (labels, author names, page ids), to
    filter on; with ``facet``, also a list column that Whoosh's grouping
    reads per document."""

    def __init__(self, facet=False):
        super().__init__(formats.Existence(), analyzer=None)
        if facet:
            self.column_type = columns.VarBytesListColumn()

    def to_column_value(self, values):
        return [v.encode("utf-8") for v in values]


def make_schema():
    return fields.Schema(
        id=fields.ID(unique=True, sortable=True),
        type=fields.ID(),
        filetype=fields.ID(),  # files only
        members_only=fields.BOOLEAN(),
        labels=Values(),
        authors=Values(),
        path=Values(),
        updated=fields.DATETIME(),
        text=StemmedText(),
        exact=ExactWords(),
        version=fields.COLUMN(columns.VarBytesColumn()),
        shown=fields.STORED(),
    )


def _fields(doc):
    text = (doc.heading, doc.body)
    found = {
        "id": doc.id, "type": doc.type, "members_only": doc.members_only,
        "labels": [x.lower() for x in doc.labels], "authors": [x.lower() for x in doc.authors],
        "path": [str(i) for i in doc.path], "updated": doc.updated,
        "text": text, "exact": text,
        "version": doc.version.encode("utf-8"),
        "shown": {"id": doc.id, "type": doc.type, **doc.shown()},
    }
    if doc.filetype:
        found["filetype"] = doc.filetype
    return found


class LabelsFacet(sorting.FacetType):
    """Groups documents by label, a document in each of its labels.

    Whoosh's own overlapping facet rebuilds a list for every document of a
    segment at each search; this one reads the labels' posting lists once
    per segment searcher, and the searcher lives until the index changes."""

    def categorizer(self, global_searcher):
        return _LabelsCategorizer()


class _LabelsCategorizer(sorting.Categorizer):
    allow_overlap = True

    def set_searcher(self, segment_searcher, docoffset):
        cache = segment_searcher._field_caches  # kept with the searcher, as Whoosh's own facets do
        if "labels" not in cache:
            reader, found = segment_searcher.reader(), {}
            for label in reader.lexicon("labels"):
                name = label.decode("utf-8")
                for docnum in reader.postings("labels", label).all_ids():
                    found.setdefault(docnum, []).append(name)
            cache["labels"] = found
        self._labels = cache["labels"]

    def keys_for(self, matcher, segment_docnum):
        return self._labels.get(segment_docnum, ())


# Whoosh's facet on a field without a column caches its values on the searcher.
FACETS = {"labels": LabelsFacet(), "type": sorting.FieldFacet("type")}


# -- the engine --------------------------------------------------------------------


class WhooshEngine(SearchEngine):
    name = "whoosh"

    def __init__(self, folder):
        super().__init__(folder)
        self._local = threading.local()
        self._opened = None  # (directory, Whoosh index)
        self._lock = threading.Lock()

    # opening

    def _index(self):
        """The live Whoosh index, reopened when a rebuild swapped it."""
        directory = self.folder.current()
        opened = self._opened
        if opened is not None and opened[0] == directory:
            return opened[1]
        if directory is None or not os.path.isdir(directory):
            raise IndexMissing(directory)
        with self._lock:
            ix = _open(directory)
            self._opened = (directory, ix)
        return ix

    def _searcher(self):
        """This thread's searcher and its filter sets, refreshed when the index changed."""
        ix = self._index()
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is not None and local.ix is ix and searcher.up_to_date():
            return searcher, local.sets
        if searcher is not None:
            searcher.close()
        # A new searcher rather than ``refresh()``: whoosh-reloaded's refresh
        # reuses a segment's reader even when documents of that segment were
        # deleted since, so replaced documents would still be found.
        local.searcher, local.ix = ix.searcher(), ix
        local.sets = _FilterSets(local.searcher)
        return local.searcher, local.sets

    def exists(self):
        directory = self.folder.current()
        if directory is None or not os.path.isdir(directory):
            return False
        try:
            # This thread's searcher, opened (which reads the table of contents
            # and every segment) only when the index changed since.
            self._searcher()
            return True
        except IndexOutdated as e:
            log.warning("search index %s: %s; it is rebuilt", directory, e)
            return False
        except IndexMissing as e:
            if directory and os.listdir(directory):
                log.warning("search index %s is damaged: %s", directory, e)
            return False
        except Exception as e:
            log.warning("search index %s is damaged: %r", directory, e)
            self.forget()
            return False

    def forget(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            with suppress(Exception):  # closing a damaged index's files
                searcher.close()
        self._local, self._opened = threading.local(), None

    def cursor(self):
        directory = self.folder.current()
        try:
            with open(os.path.join(directory, CURSOR)) as f:
                state = json.load(f)
            return Cursor(int(state["applied"]), tuple(state.get("recent", ())))
        except (OSError, TypeError, ValueError, KeyError):
            return Cursor()

    @staticmethod
    def _save_cursor(directory, cursor):
        tmp = os.path.join(directory, f"{CURSOR}.{uuid.uuid4().hex}")
        with open(tmp, "w") as f:
            json.dump({"applied": cursor.applied, "recent": list(cursor.recent)}, f)
        os.replace(tmp, os.path.join(directory, CURSOR))  # readers see the old or the new one

    # writing

    @contextmanager
    def writing(self, timeout):
        try:
            with self.folder.lock("WRITE.lock", timeout=timeout):
                directory = self.folder.current()
                batch = _Batch(self._index(), timeout, self.cursor(), self._procs())
                try:
                    yield batch
                except BaseException:
                    batch.cancel()
                    raise
                batch.commit()
                if batch.cursor != batch.initial:
                    self._save_cursor(directory, batch.cursor)
        except LockTimeout:
            raise IndexBusy(f"the search index was locked for {timeout}s") from None

    def rebuild(self, docs, cursor, progress=None):
        count = 0
        with self.folder.replacement() as directory:
            ix = whoosh_index.create_in(directory, make_schema())
            # Several processes analyse and index a share of the documents
            # each, and each leaves its segment.
            writer = _writer(ix, self._procs(), limitmb=REBUILD_MB)
            try:
                for doc in docs:
                    writer.add_document(**_fields(doc))
                    count += 1
                    if progress:
                        progress(1)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self._save_cursor(directory, cursor)
            with open(os.path.join(directory, FORMAT_FILE), "w") as f:
                f.write(FORMAT + "\n")
        return count

    def _procs(self):
        """How many processes may index: one per core for the command line;
        one inside a web server (forking a threaded process is unsafe)."""
        if has_request_context() or threading.current_thread() is not threading.main_thread():
            return 1
        return self.jobs or cpu_count()

    # reading

    def versions(self):
        searcher, _ = self._searcher()
        reader = searcher.reader()
        ids, versions = reader.column_reader("id"), reader.column_reader("version")
        return {ids[n]: versions[n].decode("utf-8") for n in reader.all_doc_ids()}

    def search(self, query, members, within, page, per_page):
        searcher, sets = self._searcher()
        plan = _plan(query, members, within, sets)
        if plan is None:
            return Results()
        if plan.allow is not None and not plan.allow:
            return Results()  # (Whoosh reads an empty filter as no filter)
        # One unscored pass counts and groups every match (Whoosh's grouping,
        # counts only), one scored pass keeps the best ``page`` of them.
        counted = searcher.search(plan.query, limit=None, scored=False, groupedby=FACETS,
                                  maptype=sorting.Count, filter=plan.allow, mask=plan.deny)
        total = len(counted)
        if not total:
            return Results()
        pages = -(-total // per_page)
        page = min(max(page, 1), pages)
        if plan.rank is plan.query:
            top = searcher.search(plan.query, limit=page * per_page, filter=plan.allow, mask=plan.deny)
        else:  # phrases: rank the documents found by their words, positions are read once
            top = searcher.search(plan.rank, limit=page * per_page, filter=counted.docs())
        highlighter = Highlighter(query)
        hits = []
        for hit in top[(page - 1) * per_page:]:
            shown = hit["shown"]
            hits.append(make_hit(shown["id"], shown["type"], shown, highlighter))
        labels = counted.groups("labels")
        label_counts = sorted(((k, n) for k, n in labels.items() if k),
                              key=lambda kv: (-kv[1], kv[0]))
        type_counts = sorted((k, n) for k, n in counted.groups("type").items() if k)
        return Results(total, hits, page, pages, label_counts, type_counts)

    def finds_any(self, query, members, within):
        searcher, sets = self._searcher()
        plan = _plan(query, members, within, sets)
        if plan is None:
            return False
        allow, deny = plan.allow, plan.deny
        for docnum in searcher.docs_for_query(plan.query):
            if (allow is None or docnum in allow) and (deny is None or docnum not in deny):
                return True
        return False

    def suggest(self, word, limit=3):
        word = searched_form(word)
        if word is None:
            return []
        searcher, _ = self._searcher()
        candidates = ((term.decode("utf-8"), info.doc_frequency())
                      for term, info in searcher.reader().iter_prefix("exact", word[0]))
        return closest(word, candidates, limit)


def _open(directory):
    """Open the index in ``directory``; ``IndexMissing`` if it is damaged,
    ``IndexOutdated`` if another version of the wiki built it."""
    try:
        with open(os.path.join(directory, FORMAT_FILE), "rb") as f:
            found = f.read(100).decode("utf-8", "replace").strip()
    except FileNotFoundError:
        found = "none"  # built before the format was written down
    except OSError as e:
        raise IndexMissing(f"{directory}: {e!r}") from None
    if found != FORMAT:
        if found == "none" or found.startswith("whoosh "):
            raise IndexOutdated(f"it was built by another version of the wiki (format “{found}”, "
                                f"this one reads “{FORMAT}”)")
        raise IndexMissing(f"{directory}: its {FORMAT_FILE} file is damaged")
    problem = None
    with warnings.catch_warnings():
        # Whoosh leaves the file of a damaged table of contents open when it
        # cannot read it; the file is closed (with a ResourceWarning) when
        # the exception is dropped, at the end of this block.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return whoosh_index.open_dir(directory)
        except whoosh_index.EmptyIndexError:
            problem = f"{directory}: no index"
        except Exception as e:  # a damaged directory: whatever Whoosh raises
            problem = f"{directory}: {e!r}"
    raise IndexMissing(problem)


def _writer(ix, procs, **options):
    """Whoosh's writer, spreading the indexing over ``procs`` processes."""
    if procs > 1:
        options.update(procs=procs, multisegment=True)
    return ix.writer(**options)


class _Batch(Batch):
    """The writer is opened for the first documents: with several processes
    when there are many of them (an import, from the command line)."""

    def __init__(self, ix, timeout, cursor, procs):
        self._ix, self._timeout, self._procs = ix, timeout, procs
        self.initial, self.cursor, self.writer = cursor, cursor, None

    def write(self, changes):
        changes = list(changes)
        if self.writer is None:
            procs = self._procs if len(changes) >= PARALLEL_WRITE else 1
            self.writer = _writer(self._ix, procs, timeout=self._timeout, limitmb=REBUILD_MB)
        # As Whoosh advises for many documents: delete them all in one query,
        # then add the new versions (update_document searches once for each).
        ids = [doc_id for doc_id, _ in changes]
        for start in range(0, len(ids), 500):
            self.writer.delete_by_query(wq.Or([wq.Term("id", i) for i in ids[start:start + 500]]))
        for _, doc in changes:
            if doc is not None:
                self.writer.add_document(**_fields(doc))

    def commit(self):
        if self.writer is not None:
            self.writer.commit()

    def cancel(self):
        if self.writer is not None:
            self.writer.cancel()


# -- queries -----------------------------------------------------------------------


class _FilterSets:
    """The documents of each filter value, for one searcher: computed once
    from their posting lists, then kept until the searcher is refreshed.
    The sets are shared: never change one."""

    def __init__(self, searcher):
        self._searcher = searcher
        self._sets = OrderedDict()
        self._lock = threading.Lock()

    def get(self, q):
        key = repr(q)
        with self._lock:
            found = self._sets.get(key)
            if found is not None:
                self._sets.move_to_end(key)
                return found
        found = set(self._searcher.docs_for_query(q))  # a set: what Whoosh's filters take
        with self._lock:
            self._sets[key] = found
            if len(self._sets) > FILTER_SETS:
                self._sets.popitem(last=False)
        return found

    def union(self, queries):
        sets = [self.get(q) for q in queries]
        return set().union(*sets) if len(sets) != 1 else sets[0]

    def intersection(self, queries):
        sets = sorted((self.get(q) for q in queries), key=len)
        return sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0]


class _AndNotMatcher(AndNotMatcher):
    """Whoosh's, checking its first document too. Whoosh's checks it only
    when both lists start on the same document, so a first match that the
    excluded words' list reaches by skipping ahead stayed in ("type:comment
    -soil" kept a comment with "soil" when a page before it had the word)."""

    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class _AndNot(wq.AndNot):
    """``a`` without the documents of ``b``, with the matcher above."""

    def matcher(self, searcher, context=None):
        return _AndNotMatcher(self.a.matcher(searcher, context),
                              self.b.matcher(searcher, searcher.boolean_context()))


def _match(match, positions=True):
    """The Whoosh query of one ``Match``; without ``positions``, a phrase is
    only its words (cheaper: no positions to read)."""
    if match.kind == "stems":
        terms = [wq.Term("text", s) for s in match.tokens]
        return terms[0] if len(terms) == 1 else wq.Or(terms)
    *whole, last = match.tokens
    words = [wq.Term("exact", w) for w in whole]
    words.append(wq.Prefix("exact", last) if match.kind == "prefix" else wq.Term("exact", last))
    if len(words) == 1:
        return words[0]
    return (wq.Sequence if positions else wq.And)(words)


def _filter(f, within):
    """A filter as a query on its field (one query per set it stands for)."""
    if f.name == "label":
        return wq.Term("labels", f.value)
    if f.name == "author":
        return wq.Term("authors", f.value)
    if f.name == "type":
        return wq.Or([wq.Term("type", kind) for kind in f.value.split("|")])
    if f.name == "filetype":
        return wq.Or([wq.Term("filetype", kind) for kind in f.value.split("|")])
    if f.name == "in":
        return wq.Or([wq.Term("path", str(i)) for i in within]) if within else wq.NullQuery
    raise ValueError(f.name)


def _dated(query):
    after, before = query.updated_after, query.updated_before
    if not (after or before):
        return None
    return wq.DateRange("updated", datetime.combine(after, datetime.min.time()) if after else None,
                        datetime.combine(before, datetime.max.time()) if before else None)


def _either(alternatives, positions=True):
    queries = [_match(m, positions) for m in alternatives]
    return queries[0] if len(queries) == 1 else wq.Or(queries)


@dataclass
class _Plan:
    query: object  # what matches
    rank: object  # what ranks the matches: ``query`` without its phrases' positions
    allow: set | None  # the documents that may match, or None for all
    deny: set | None  # the documents that may not


def _plan(query, members, within, sets):
    """How to answer ``query`` (``_Plan``), or None when it looks for nothing."""
    wanted, unwanted = query.matches(), query.matches(negate=True)
    filters = [_filter(f, within) for f in query.filters if not f.negate]
    dated = _dated(query)
    if dated is not None:
        filters.append(dated)
    excluded = [_filter(f, within) for f in query.filters if f.negate]
    if not (wanted or unwanted or filters or excluded):
        return None  # stop words only

    def build(positions):
        if wanted:
            q = wq.And([_either(c, positions) for c in wanted]) if len(wanted) > 1 else \
                _either(wanted[0], positions)
        else:
            # Only filters: they are the query (their posting lists), not a
            # set to check every document against.
            q = filters[0] if len(filters) == 1 else wq.And(filters) if filters else wq.Every()
        if unwanted:
            # Excluded phrases keep their positions: they decide what matches.
            q = _AndNot(q, wq.Or([_either(c) for c in unwanted]))
        return q

    q = build(positions=True)
    positional = any(m.kind != "stems" and len(m.tokens) > 1 for c in wanted for m in c)
    allow = sets.intersection(filters) if wanted and filters else None
    if not members:
        excluded.append(wq.Term("members_only", True))
    deny = sets.union(excluded) if excluded else None
    return _Plan(q, build(positions=False) if positional else q, allow, deny)
