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
    return sorted(roots, key=lambda n: n.title.lower())
