"""``{{children depth=N}}``: the child pages of the page being viewed, N
levels down (default 1), only those the reader may see."""

from dataclasses import dataclass, field

from flask import render_template
from markupsafe import Markup

from wiki.api import Page, db, visible_pages

from .arguments import parse, whole_number

ACCEPTED = {"depth": whole_number(1, 5)}


@dataclass
class Child:
    slug: str
    title: str
    children: list = field(default_factory=list)


def render(args, page, user):
    depth = parse(args, ACCEPTED).get("depth", 1)
    children = visible_subtree(page, user, depth) if page is not None else []
    return Markup(render_template("macros/children.html", children=children))  # noqa: S704 - autoescaped template


def visible_subtree(page, user, depth):
    """The visible descendants of ``page``, ``depth`` levels down, each
    level in sibling order (``Page.sibling_order``: Confluence's order for
    an imported space, else by title): one query per level. A members-only
    page hides its whole subtree (``members_only`` is inherited), so nothing
    shows under a hidden page."""
    roots = []
    level = {page.id: roots}  # parent id -> the list its children go in
    for _ in range(depth):
        rows = db.session.execute(
            visible_pages(user)
            .with_only_columns(Page.id, Page.slug, Page.title, Page.parent_id)
            .where(Page.parent_id.in_(level))
            .order_by(*Page.sibling_order())  # each parent's children in order: they go in its list
        ).all()
        if not rows:
            break
        next_level = {}
        for row in rows:
            child = Child(row.slug, row.title)
            level[row.parent_id].append(child)
            next_level[row.id] = child.children
        level = next_level
    return roots
