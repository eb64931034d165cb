"""Comments as search documents (the search plugin's ``search_*`` hooks).

Only visible comments on live pages are indexed; a comment inherits its
page's visibility, so a members-only page's comments never reach anonymous
readers' results.
"""

from sqlalchemy.orm import selectinload

from wiki.api import Page, db, html_to_text

from .feed import author_name
from .models import Comment


def changed_keys(obj):
    if isinstance(obj, Comment):
        return [("comment", obj.id)]
    return None


def documents(kind, keys):
    # Pages and authors are loaded with the comments, a few queries for all
    # of them: a rebuild indexes every comment.
    load = db.select(Comment).options(selectinload(Comment.page), selectinload(Comment.author))
    pages = _Pages()
    if kind == "comment":
        query = load.order_by(Comment.id)
        if keys is not None:
            query = query.where(Comment.id.in_(keys))
        found = {c.id: c for c in db.session.scalars(query)}
        ids = sorted(found) if keys is None else keys
        return [(f"comment:{i}", document(found.get(i), pages)) for i in ids]
    if kind == "page-dependents":  # pages renamed, moved, hidden, deleted...: their comments follow
        comments = db.session.scalars(load.where(Comment.page_id.in_(keys)))
        return [(f"comment:{c.id}", document(c, pages)) for c in comments]
    return None


def count():
    """The comments a full reindex indexes: visible ones on live pages."""
    return db.session.scalar(db.select(db.func.count(Comment.id)).join(Page, Comment.page_id == Page.id)
                             .where(Comment.status == "visible", Page.deleted_at.is_(None)))


class _Pages:
    """What a comment's document says of its page, worked out once per page."""

    def __init__(self):
        self._known = {}

    def __call__(self, page):
        if page.id not in self._known:
            ancestors = page.ancestors()
            self._known[page.id] = (
                [[a.slug, a.title] for a in ancestors], [a.id for a in ancestors] + [page.id],
                f"{page.slug}:{int(page.members_only)}:{page.title}:{page.parent_id}")
        return self._known[page.id]


def document(comment, pages):
    if comment is None or comment.status != "visible":
        return None
    page = comment.page
    if page.is_deleted:
        return None
    breadcrumb, path, page_version = pages(page)
    author = comment.author
    authors = [author.username.lower(), author.display_name.lower()] if author else \
        [(comment.anon_name or "anonymous").lower()]
    updated = comment.edited_at or comment.created_at
    return {
        "id": f"comment:{comment.id}", "type": "comment", "page_id": page.id,
        "comment_id": comment.id, "slug": page.slug, "title": "", "page_title": page.title,
        "breadcrumb": breadcrumb, "author_name": author_name(comment),
        "body": html_to_text(comment.html), "sections": [], "labels": [], "authors": authors,
        "updated": updated, "members_only": page.members_only, "path": path,
        "version": f"{comment.status}:{updated.isoformat()}:{page_version}",
    }
