"""Searching as a reader: visibility, ``in:`` pages, branches hidden unless
asked for (page templates), "did you mean", an index that is still being
built."""

import logging
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from wiki.api import can_see, find_page, hidden_page_ids

from .changes import subtree_ids
from .engine import Results
from .query import Filter, ParsedQuery, parse

PER_PAGE = 10
log = logging.getLogger(__name__)


@dataclass
class Facet:
    value: str
    count: int
    applied: bool  # the query already has this filter
    query: str  # the query to link to: narrowed by it, or without it when applied


@dataclass
class Search:
    query: ParsedQuery
    results: Results = field(default_factory=Results)
    notices: list = field(default_factory=list)
    suggestion: str | None = None
    building: bool = False  # no index yet: it is being built

    @property
    def text(self):
        return self.query.text

    def refine(self, name, value):
        """The query narrowed by ``name:value`` (never the same filter twice),
        written with the filter's French name for a French reader."""
        locale = get_locale()
        return self.query.with_filter(name, value, french=locale is not None and locale.language == "fr")

    def facets(self, name):
        """The ``label`` or ``type`` facet of the results, as links."""
        counts = self.results.label_counts if name == "label" else self.results.type_counts
        found = []
        for value, count in counts:
            applied = self.query.has_filter(name, value)
            query = self.query.without_filter(name, value) if applied else self.refine(name, value)
            found.append(Facet(value, count, applied, query))
        return found


def state():
    return current_app.extensions["wiki.search"]


def search(text, user, page=1, per_page=PER_PAGE):
    parsed = parse(text)
    found = Search(parsed, notices=list(parsed.notices))
    if parsed.is_empty:
        return found
    indexer = state().indexer
    if indexer.needs_catch_up():  # other servers' changes, now and then
        indexer.catch_up(wait=_build_wait())
    within = _within(parsed, user, found.notices)
    hidden = hidden_page_ids(user)
    searched, searched_within = _hiding(parsed, within, hidden)
    members = user.is_member
    try:
        found.results = _search_index(searched, members, searched_within, page, per_page)
    except _Building:
        found.building = True
        found.notices.append(_("The search index is being built. Search will work again in a few "
                               "minutes; please try later."))
        return found
    except Exception:
        log.exception("search is unavailable")
        found.notices.append(_("Search is unavailable right now; please try again in a minute."))
        return found
    if found.results.total == 0:
        found.suggestion = _did_you_mean(parsed, members, within, hidden)
    return found


class _Building(Exception):
    pass


def _build_wait():
    """Seconds a search waits for a missing index to be built (a small wiki's
    takes less) before saying that it is being built."""
    return current_app.config["SEARCH_BUILD_WAIT"]


def _search_index(parsed, members, within, page, per_page):
    """Search; on a failure, reopen the index (another worker's commit may
    have replaced its files) and try again; rebuild only an index that is
    really missing or damaged."""
    engine = state().engine
    if not state().indexer.ensure(_build_wait()):
        raise _Building
    try:
        return engine.search(parsed, members, within, page, per_page)
    except Exception as e:
        log.warning("search failed (%r); reopening the index", e)
        engine.forget()
        if not state().indexer.ensure(_build_wait()):
            raise _Building from e
        return engine.search(parsed, members, within, page, per_page)


def _within(parsed, user, notices):
    ids = set()
    for f in parsed.filters:
        if f.name != "in":
            continue
        page, moved = find_page(f.value)
        page = page or moved
        if page is None or not can_see(user, page):
            notices.append(_("There is no page “%(address)s” to search in.", address=f.value))
            continue
        ids |= subtree_ids(page.id)
    return sorted(ids)


def _hiding(parsed, within, hidden):
    """The query and ``in:`` ids that leave out the pages ``hidden`` from this
    reader (the Templates branch for readers who cannot edit), unless an
    ``in:`` filter asks for a page among them. The engines know one list of
    ``in:`` ids: a query with a page to search in gets the hidden ones taken
    out of it; one without gets a ``-in:`` filter of the hidden ones."""
    asks_in = any(f.name == "in" and not f.negate for f in parsed.filters)
    if not hidden or asks_in and set(within) & hidden:
        return parsed, within
    if asks_in:
        return parsed, [i for i in within if i not in hidden]
    hiding = ParsedQuery(parsed.text, parsed.clauses, [*parsed.filters, Filter("in", "", negate=True)],
                         parsed.updated_after, parsed.updated_before)
    return hiding, sorted({*within, *hidden})


def _did_you_mean(parsed, members, within, hidden=frozenset()):
    """A corrected query that finds something the reader may see, or None.
    Each candidate is searched with the reader's visibility, so a word that
    only members-only pages contain is never suggested to anonymous readers."""
    engine = state().engine
    for word in parsed.words():
        for candidate in engine.suggest(word):
            corrected = parse(_replace_word(parsed.text, word, candidate))
            query, ids = _hiding(corrected, within, hidden)
            if engine.finds_any(query, members, ids):
                return corrected.text
    return None


def _replace_word(text, word, replacement):
    parts = text.split()
    return " ".join(replacement if p == word else p for p in parts)
