"""The search engine interface: what an engine must do, and the typed
documents, hits and results that cross it.

An engine is one module of ``plugins/search/engines/`` with one
``SearchEngine`` subclass. It receives ``Document`` objects and parsed
queries (``query.ParsedQuery``) and answers ``Results``; everything else
(the query language, the bilingual analysis, snippets and section lookup,
building documents, the change log) is shared by every engine and lives
outside ``engines/``. ``tests/plugins/test_search.py`` runs the same tests
against each engine. docs/search.md tells how to add one.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from datetime import datetime

from markupsafe import Markup

from .folder import IndexFolder
from .query import ParsedQuery

# What the documents hold, for every engine. Raise it when an index built
# before cannot answer right (a new field, a new kind of document): each
# engine stores it in its index and rebuilds an index with another value
# on first use (``IndexOutdated``), with the engine's own schema version.
DOCUMENTS_VERSION = 2  # 2: files, with ``filetype``, ``file_name`` and ``keywords``


@dataclass(frozen=True)
class Document:
    """One searchable thing: a page, a comment or a file, as a reader sees it."""

    id: str  # "page:12", "comment:34", "file:5": unique in the index
    type: str  # page, comment, file
    page_id: int
    slug: str
    title: str  # a comment has none (it shows its page's); a file's is its name
    body: str  # plain text
    updated: datetime  # UTC
    members_only: bool
    version: str  # changes whenever the document does (``reindex --check``)
    comment_id: int | None = None
    page_title: str = ""
    breadcrumb: tuple = ()  # (slug, title) of each ancestor
    sections: tuple = ()  # (anchor, title, start, end) of each folded section of ``body``
    labels: tuple = ()
    authors: tuple = ()  # lower-case user names, display names, guest names
    path: tuple = ()  # ids of the page's ancestors and of the page
    author_name: str | None = None  # comments: who wrote it; files: who uploaded it
    file_name: str | None = None  # files: the name on its page (the hit links to the file)
    filetype: str = ""  # files: the ``filetype:`` value (pdf, docx, png...)
    keywords: tuple = ()  # more words that find it as its title does, not shown (a name's parts)

    @classmethod
    def from_dict(cls, values):
        """A document from the dict a plugin's ``search_documents`` hook gives
        (lists for the tuple fields are fine; an unknown key is a TypeError)."""
        return cls(**{k: tuple(v) if k in _SEQUENCES else v for k, v in values.items()})

    @property
    def heading(self):
        """The title, its keywords and the words of the labels: they weigh
        more than the body."""
        label_words = " ".join(x.lower() for x in self.labels).replace("-", " ").replace("_", " ")
        if self.keywords:
            return f"{self.title}\n{' '.join(self.keywords)}\n{label_words}"
        return f"{self.title}\n{label_words}"

    def shown(self):
        """What a hit displays, as plain values an engine stores (JSON-safe)."""
        return {
            "page_id": self.page_id, "comment_id": self.comment_id, "slug": self.slug,
            "title": self.title, "page_title": self.page_title,
            "breadcrumb": [list(b) for b in self.breadcrumb], "body": self.body,
            "sections": [list(s) for s in self.sections], "author_name": self.author_name,
            "labels": [x.lower() for x in self.labels], "updated": self.updated.isoformat(),
            # Only files have these: a page's stored fields stay as they were.
            **({"file_name": self.file_name, "filetype": self.filetype} if self.file_name else {}),
        }


_SEQUENCES = frozenset(f.name for f in fields(Document) if f.type in ("tuple", tuple))


@dataclass(frozen=True)
class Cursor:
    """How far an index has applied the change log: the last row id applied,
    and the ids of recent rows it has applied (commits can land out of id
    order, so a recent row below ``applied`` may still be new to it)."""

    applied: int = 0
    recent: tuple = ()


@dataclass
class Hit:
    id: str
    type: str
    page_id: int
    comment_id: int | None
    slug: str
    title: Markup  # escaped, searched words marked
    page_title: str
    breadcrumb: list
    labels: list
    updated: datetime
    snippet: Markup  # escaped, searched words marked
    section: dict | None  # {"anchor", "title"} when the best match is in a folded section
    author_name: str | None  # comments: who wrote it; files: who uploaded it
    file_name: str | None = None  # files: its name, for the link to it
    filetype: str = ""  # files: pdf, docx, png...


@dataclass
class Results:
    total: int = 0
    hits: list = field(default_factory=list)
    page: int = 1
    pages: int = 0
    label_counts: list = field(default_factory=list)  # (label, documents), most first
    type_counts: list = field(default_factory=list)  # (type, documents), by type


class Batch(ABC):
    """What one ``SearchEngine.writing()`` block writes: documents, and the
    cursor saved with them."""

    cursor: Cursor

    @abstractmethod
    def write(self, changes: Iterable[tuple[str, Document | None]]) -> None:
        """Replace each document id's entry by the document, or delete it (None)."""


class IndexMissing(Exception):
    """No usable index on disk: build one."""


class IndexOutdated(IndexMissing):
    """An index built by an older version (another schema or
    ``DOCUMENTS_VERSION``): it cannot answer right, so it counts as none and
    is rebuilt."""


class IndexBusy(Exception):
    """Another process held the writer lock too long: try again later."""


class SearchEngine(ABC):
    """One app server's index, kept in ``folder`` (``IndexFolder``: the live
    directory, the rebuild lock). Methods that read raise ``IndexMissing``
    when there is no usable index."""

    name: str  # the value of SEARCH_ENGINE that selects it

    def __init__(self, folder: IndexFolder):
        self.folder = folder
        # Processes a rebuild (or a large batch, from the command line) may
        # index with; None: one per core. An engine that indexes in one
        # process ignores it.
        self.jobs: int | None = None

    @abstractmethod
    def exists(self) -> bool:
        """Whether a usable index is on disk; a damaged one counts as none
        (and is logged)."""

    @abstractmethod
    def forget(self) -> None:
        """Drop what this process keeps open: the next use reopens from disk."""

    @abstractmethod
    def cursor(self) -> Cursor:
        """The live index's cursor (an empty one when there is no index)."""

    @abstractmethod
    def writing(self, timeout: float) -> AbstractContextManager[Batch]:
        """Hold the index's writer lock across processes (``IndexBusy`` after
        ``timeout`` seconds) for one batch: documents and the batch's cursor
        are saved together when the block ends, or neither if it raises."""

    @abstractmethod
    def rebuild(self, docs: Iterable[Document], cursor: Cursor,
                progress: Callable[[int], None] | None = None) -> int:
        """Index ``docs`` into a new directory of the folder, then swap it in
        (searches use the old one until then); the number indexed."""

    @abstractmethod
    def search(self, query: ParsedQuery, members: bool, within: list[int], page: int,
               per_page: int) -> Results:
        """The page ``page`` of best hits, the total and the facet counts.
        ``members``: whether members-only documents may be found. ``within``:
        page ids of the query's ``in:`` filters (empty when it has none)."""

    @abstractmethod
    def finds_any(self, query: ParsedQuery, members: bool, within: list[int]) -> bool:
        """Whether ``search`` would find anything (cheaper)."""

    @abstractmethod
    def suggest(self, word: str, limit: int = 3) -> list[str]:
        """Indexed words close to ``word`` for "did you mean", best first
        (``spelling.closest`` ranks them); visibility is the caller's check."""

    @abstractmethod
    def versions(self) -> dict[str, str]:
        """{document id: version} of every indexed document."""
