"""The search plugin's hooks: how other plugins put their content in the index.

A plugin implementing them marks each ``@hookimpl(optionalhook=True)``: it
then loads whether the search plugin is enabled or not. The comments plugin
(``plugins/comments/search.py``) and the attachments plugin
(``plugins/attachments/search.py``) are the examples.
"""

from datetime import datetime
from typing import TypedDict

from wiki.api import hookspec


class SearchDocument(TypedDict, total=False):
    """What ``search_documents`` returns for one document (a plain dict).
    Required: id, type, page_id, slug, title, body, updated, members_only,
    version; the others default to empty."""

    id: str  # "comment:34": unique in the index, "<kind>:<key>"
    type: str  # the ``type:`` filter value, e.g. "comment" or "file"
    page_id: int  # the page it belongs to (its hit links there)
    slug: str  # that page's address
    title: str  # "" when it shows its page's title
    body: str  # its plain text
    updated: datetime  # UTC, for ``updated:`` and the hit's date
    members_only: bool  # hidden from readers who are not signed in
    version: str  # changes whenever the document does (``reindex --check``)
    comment_id: int | None  # its anchor on the page: ``#comment-<id>``
    page_title: str
    breadcrumb: list  # [slug, title] of each ancestor of the page
    sections: list  # [anchor, title, start, end] of folded sections of the body
    labels: list  # label names (the ``label:`` filter and facets)
    authors: list  # lower-case names for ``author:``
    path: list  # ids of the page's ancestors and of the page (``in:``)
    author_name: str | None  # who wrote it (or uploaded it), as shown
    file_name: str | None  # a file: its name on the page; the hit links to /wiki/<slug>/files/<name>
    filetype: str  # a file: the ``filetype:`` filter value, e.g. "pdf"
    keywords: list  # more words that find it as its title does, not shown


@hookspec
def search_changes(obj, deleted):
    """``obj`` (one of your models) is being written in the current
    transaction: return the ``(kind, key)`` pairs whose index documents it
    changes, e.g. ``[("comment", obj.id)]`` or ``[("page", obj.page_id)]``;
    None if it is not yours. The search plugin logs them in the same
    transaction, so the index can never miss a committed change."""


# The kind ``search_documents`` is asked for with page ids: every plugin's
# documents on those pages (see below).
PAGE_DEPENDENTS = "page-dependents"


@hookspec
def search_documents(kind, keys):
    """Return ``(doc_id, doc)`` pairs for ``keys`` of your ``kind`` (all of
    them when ``keys`` is None; ``doc`` None removes ``doc_id`` from the
    index), or None when ``kind`` is not yours. A document is a
    ``SearchDocument``; the pairs may come as any iterable (a generator
    keeps a full reindex's memory low).

    Every plugin is asked, and every answer is used: the kind
    ``page-dependents`` (``PAGE_DEPENDENTS``) asks each plugin for all its
    documents that depend on the pages ``keys`` (comments, files), deleted
    or hidden ones as ``(doc_id, None)``, when those pages were renamed,
    moved, deleted, restored or changed visibility, so that they follow
    their page. (Before, this hook took the first answer and that kind was
    ``page-comments``: only one plugin could follow its pages.)"""


@hookspec
def search_kinds():
    """Return the kinds of documents you provide, for a full reindex."""


@hookspec
def search_count(kind):
    """How many documents of your ``kind`` a full reindex will index (for its
    progress bar: counted in the database, without building them), or None
    when ``kind`` is not yours."""
