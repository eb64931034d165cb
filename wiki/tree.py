"""The page tree as the reader may see it, bounded: the sidebar, the home
page and each branch opened in them show at most ``LEVEL_LIMIT`` pages of a
level (in sibling order, ``Page.sibling_order``: Confluence's order for an
imported space, else alphabetically; the page being read always among them),
so a view costs the same in a wiki of fifty pages and in one of twenty
thousand. The rest is one click away: the "All pages" index, or a branch's
own listing. The Templates branch is left out for readers who cannot edit
(``listed_pages``), unless they open it themselves."""

from dataclasses import dataclass, field

from .extensions import db
from .models import Page, visible_pages
from .page_templates import hidden_ids
from .text import title_key

LEVEL_LIMIT = 50


@dataclass
class Node:
    id: int
    slug: str
    title: str
    parent_id: int | None
    children: list = field(default_factory=list)  # those shown (opened branches only)
    child_count: int = 0  # all the visible children

    @property
    def more(self):
        """Visible children not shown in an opened branch."""
        return self.child_count - len(self.children) if self.children else 0


@dataclass
class Level:
    """The pages of one level that are shown, and how many there are in all."""

    nodes: list
    total: int

    @property
    def more(self):
        return self.total - len(self.nodes)


_COLUMNS = (Page.id, Page.slug, Page.title, Page.parent_id)


def _under(parent_id):
    return Page.parent_id.is_(None) if parent_id is None else Page.parent_id == parent_id


def titles_holding(text):
    """A condition on pages: the title holds ``text`` as titles compare (case,
    accents and punctuation aside); none do for text without a letter or digit."""
    key = title_key(text)
    return Page.title_key.contains(key, autoescape=True) if key else db.false()


def listed_pages(user, within=None):
    """``visible_pages(user)`` without the branches hidden from listings for
    ``user`` (page_templates.hidden_ids), unless the listing is of a page
    inside one (``within``: its id): whoever opened it asked for it."""
    query, hidden = visible_pages(user), hidden_ids(user)
    if hidden and within not in hidden:
        query = query.where(Page.id.not_in(sorted(hidden)))
    return query


def level(user, parent_id=None, limit=LEVEL_LIMIT, keep=None):
    """The first ``limit`` visible pages under ``parent_id`` (None: the top
    level), in sibling order, and ``keep`` (a page id) among them if it is
    there; each with its number of visible children."""
    visible = listed_pages(user, parent_id)
    rows = db.session.execute(visible.with_only_columns(*_COLUMNS).where(_under(parent_id))
                              .order_by(*Page.sibling_order()).limit(limit)).all()
    nodes = [Node(r.id, r.slug, r.title, r.parent_id) for r in rows]
    if keep is not None and keep not in {n.id for n in nodes}:
        row = db.session.execute(visible.with_only_columns(*_COLUMNS)
                                 .where(Page.id == keep, _under(parent_id))).first()
        if row is not None:  # not among the first ``limit``: it comes after them all
            nodes = [*nodes[:limit - 1], Node(row.id, row.slug, row.title, row.parent_id)]
    total = len(nodes) if len(rows) < limit else db.session.scalar(
        visible.with_only_columns(db.func.count(Page.id)).where(_under(parent_id)))
    _count_children(user, nodes)
    return Level(nodes, total)


def _count_children(user, nodes):
    if not nodes:
        return
    counts = dict(db.session.execute(
        listed_pages(user, nodes[0].parent_id).with_only_columns(Page.parent_id, db.func.count(Page.id))
        .where(Page.parent_id.in_([n.id for n in nodes])).group_by(Page.parent_id)).all())
    for node in nodes:
        node.child_count = counts.get(node.id, 0)


def sidebar_tree(user, page=None, limit=LEVEL_LIMIT):
    """The top level, and each level on the way down to ``page`` opened, each
    bounded by ``limit``; other branches stay folded, with their number of
    children. A few queries per level of ``page``, however large the wiki."""
    path = [a.id for a in page.ancestors()] + [page.id] if page is not None and page.id else []
    top = level(user, None, limit, keep=path[0] if path else None)
    nodes = top.nodes
    for depth, page_id in enumerate(path[:-1]):
        opened = next((n for n in nodes if n.id == page_id), None)
        if opened is None:  # a page the reader may not see on the way: stop there
            break
        opened.children = level(user, page_id, limit, keep=path[depth + 1]).nodes
        nodes = opened.children
    if path:  # the page being read shows its own children too
        current = next((n for n in nodes if n.id == path[-1]), None)
        if current is not None and current.child_count:
            current.children = level(user, current.id, limit).nodes
    return top
