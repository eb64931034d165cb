"""A space's pages -> where each goes in the wiki: its title, its address,
its place in the tree, and the wiki page it already is (an earlier import).

Decided before anything is written, from the pages' titles and ids only (no
body is read), so that links between imported pages resolve to the titles
the pages will have.

**Titles** are Confluence's. A title that another page of the wiki has
already (one this import did not make) gets the space key as a suffix,
``Home (COP)``, then ``Home (COP 2)``..., with a problem in the report: the
page is imported, nothing is lost, and the suffix says where it came from.
The same rule gives the same title each time the space is imported again.
**Addresses** come from the titles as for any new page (``services.default_slug``),
with ``-2``, ``-3``... when taken; an existing page keeps its address.
"""

from dataclasses import dataclass

from ...extensions import db
from ...models import ConfluencePage, Page
from ...services import default_slug
from ...text import title_key
from .model import Problem

MAX_TITLE = 200  # as wiki.services
_IN_CHUNK = 500


@dataclass(frozen=True)
class Existing:
    """The wiki page an earlier import made of a Confluence page."""

    page_id: int
    version: int  # the last Confluence version imported
    title: str  # the wiki's title
    parent_id: int | None
    visibility: str
    members_only: bool
    deleted: bool
    source_title: str  # the Confluence title then
    position: int | None
    home: bool


@dataclass
class Placement:
    page: object  # model.Page
    title: str  # the wiki title
    slug: str | None  # a new page's address; None for an existing one
    existing: Existing | None
    parent_id: str | None  # the Confluence page above it in this import (None: top, or --parent)


def where(page):
    return f"page {page.id} “{page.title}”"


def plan(space):
    """``(placements, problems)``: placements parents first, siblings in
    Confluence's order (then the export's)."""
    problems = []
    pages, parents = _tree_order(space, problems)
    existing = _existing(space.key)
    wanted = {page.id: tidy_title(page, problems) for page in pages}
    titles = _Titles(space.key, existing, wanted.values())
    slugs = _Slugs(default_slug(wanted[p.id]) for p in pages if p.id not in existing)
    placements = []
    for page in pages:
        found = existing.get(page.id)
        title = titles.assign(page, wanted[page.id], found, problems)
        slug = None if found else slugs.assign(title)
        placements.append(Placement(page, title, slug, found, parents[page.id]))
    return placements, problems


def _tree_order(space, problems):
    """``(pages, parents)``: the pages, each after its parent, and the parent
    id of each. A page twice in the export is imported once; a parent that is
    not in the export, or a loop of parents, puts the page at the top."""
    by_id = {}
    for page in space.pages:
        if page.id in by_id:
            problems.append(Problem(where(page), "the export holds this page twice: imported once"))
            continue
        by_id[page.id] = page
    parents = {}
    for page in by_id.values():
        parents[page.id] = page.parent_id
        if page.parent_id is not None and page.parent_id not in by_id:
            problems.append(Problem(where(page), f"its parent (page {page.parent_id}) is not in the export: "
                                                 "imported at the top"))
            parents[page.id] = None
    ordered, placed = [], set()
    for page in sorted(by_id.values(), key=_sibling_order(by_id)):
        chain, seen, node = [], set(), page
        while node is not None and node.id not in placed:
            if node.id in seen:  # a loop of parents: cut it here
                problems.append(Problem(where(node), "its parents make a loop: imported at the top"))
                parents[node.id] = None
                break
            seen.add(node.id)
            chain.append(node)
            node = by_id.get(parents[node.id])
        for item in reversed(chain):
            placed.add(item.id)
            ordered.append(item)
    return ordered, parents


def _sibling_order(by_id):
    index = {page_id: n for n, page_id in enumerate(by_id)}

    def key(page):
        return (page.position is None, page.position or 0, index[page.id])
    return key


def _existing(space_key):
    rows = db.session.execute(
        db.select(ConfluencePage, Page.title, Page.parent_id, Page.visibility, Page.members_only,
                  Page.deleted_at)
        .join(Page, ConfluencePage.page_id == Page.id)
        .where(ConfluencePage.space_key == space_key))
    return {r.ConfluencePage.content_id: Existing(
        r.ConfluencePage.page_id, r.ConfluencePage.version, r.title, r.parent_id, r.visibility,
        r.members_only, r.deleted_at is not None, r.ConfluencePage.title, r.ConfluencePage.position,
        r.ConfluencePage.home) for r in rows}


def tidy_title(page, problems):
    """Confluence's title as the wiki takes it: spaces tidied, at most 200
    characters, at least one letter or digit (else the page id is added)."""
    tidied = " ".join((page.title or "").split())
    title = tidied
    if len(title) > MAX_TITLE:
        title = title[:MAX_TITLE - 1].rstrip() + "…"
    if not title_key(title):
        title = f"{title} {page.id}".strip()[-MAX_TITLE:]
    if title != tidied:
        problems.append(Problem(where(page), f"imported as “{title}” (a wiki title has at most "
                                             f"{MAX_TITLE} characters and a letter or digit)"))
    return title


class _Titles:
    """Titles no other page of the wiki has (an earlier import's own pages aside)."""

    def __init__(self, space_key, existing, wanted):
        self.space_key = space_key
        self.assigned = set()  # title keys given in this import
        keys = sorted({title_key(t) for t in wanted})
        self.holders = {}  # title key -> ids of the wiki pages with it
        for start in range(0, len(keys), _IN_CHUNK):
            rows = db.session.execute(db.select(Page.title_key, Page.id)
                                      .where(Page.title_key.in_(keys[start:start + _IN_CHUNK])))
            for key, page_id in rows:
                self.holders.setdefault(key, set()).add(page_id)

    def assign(self, page, wanted, found, problems):
        mine = found.page_id if found else None
        for n in range(1, 1000):
            title = wanted if n == 1 else self._suffixed(wanted, n)
            key = title_key(title)
            if key in self.assigned or self._held_by_another(key, mine):
                continue
            self.assigned.add(key)
            if n > 1:
                problems.append(Problem(where(page), f"another page of the wiki is called “{wanted}”: "
                                                     f"imported as “{title}”"))
            return title
        raise AssertionError("no free title")  # a thousand pages of one title: not a real space

    def _suffixed(self, title, n):
        suffix = f" ({self.space_key})" if n == 2 else f" ({self.space_key} {n - 1})"
        return title[:MAX_TITLE - len(suffix)].rstrip() + suffix

    def _held_by_another(self, key, mine):
        if key not in self.holders:  # a suffixed title: not looked up yet
            self.holders[key] = set(db.session.scalars(db.select(Page.id).where(Page.title_key == key)))
        return any(owner != mine for owner in self.holders[key])


class _Slugs:
    """Addresses no page has (deleted pages included), nor an earlier page of this import."""

    def __init__(self, wanted):
        wanted = sorted(set(wanted))
        self.looked_up, self.taken, self.assigned = set(wanted), set(), set()
        for start in range(0, len(wanted), _IN_CHUNK):
            self.taken.update(db.session.scalars(db.select(Page.slug)
                                                 .where(Page.slug.in_(wanted[start:start + _IN_CHUNK]))))

    def assign(self, title):
        base = default_slug(title)
        for n in range(1, 1000):
            suffix = "" if n == 1 else f"-{n}"
            slug = base[:200 - len(suffix)].rstrip("-") + suffix
            if slug in self.assigned or self._taken(slug):
                continue
            self.assigned.add(slug)
            return slug
        raise AssertionError("no free address")

    def _taken(self, slug):
        if slug not in self.looked_up:  # a suffixed one
            self.looked_up.add(slug)
            if db.session.scalar(db.select(Page.id).where(Page.slug == slug)) is not None:
                self.taken.add(slug)
        return slug in self.taken
