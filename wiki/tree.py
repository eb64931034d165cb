"""The page tree as the reader may see it, for the sidebar and the home page."""

from dataclasses import dataclass, field

from .extensions import db
from .models import Page, visible_pages


@dataclass
class Node:
    id: int
    slug: str
    title: str
    parent_id: int | None
    children: list = field(default_factory=list)
    child_count: int = 0  # in the sidebar, also for folded branches


def page_tree(user):
    """Root nodes of the visible tree, children sorted by title (one query)."""
    rows = db.session.execute(
        visible_pages(user).with_only_columns(Page.id, Page.slug, Page.title, Page.parent_id)
    ).all()
    nodes = {r.id: Node(r.id, r.slug, r.title, r.parent_id) for r in rows}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id)
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.title.lower())
        node.child_count = len(node.children)
    return sorted(roots, key=lambda n: n.title.lower())


def sidebar_tree(user, page=None):
    """The tree as the sidebar shows it: top-level pages, and the children of
    each page on the way down to ``page``; other branches stay folded, with
    their number of children. Two queries, however large the wiki."""
    path = [a.id for a in page.ancestors()] + [page.id] if page is not None and page.id else []
    visible = visible_pages(user)
    rows = db.session.execute(
        visible.with_only_columns(Page.id, Page.slug, Page.title, Page.parent_id)
        .where(Page.parent_id.is_(None) | Page.parent_id.in_(path))
    ).all()
    nodes = {r.id: Node(r.id, r.slug, r.title, r.parent_id) for r in rows}
    counts = dict(db.session.execute(
        visible.with_only_columns(Page.parent_id, db.func.count(Page.id))
        .where(Page.parent_id.in_(list(nodes))).group_by(Page.parent_id)
    ).all()) if nodes else {}
    roots = []
    for node in nodes.values():
        node.child_count = counts.get(node.id, 0)
        parent = nodes.get(node.parent_id)
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.title.lower())
    return sorted(roots, key=lambda n: n.title.lower())
