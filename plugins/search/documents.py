"""What the index holds for a page: its text as a reader sees it.

The text comes from the revision's cached HTML, so everything the page shows
is searchable (folded sections, panels, tables) and nothing it hides (markup,
attributes). Folded sections (``<details id=...>``) are remembered with their
position in the text, so a hit inside one links to it.
"""

from wiki.extensions import db
from wiki.models import Page
from wiki.plugins import hook
from wiki.text import html_text


def page_document(page):
    """The index document of a live page, or None when it should not be indexed."""
    if page is None or page.is_deleted or page.current_revision is None:
        return None
    rev = page.current_revision
    text, sections = html_text(rev.html)
    labels = hook().page_labels(page=page) or []
    authors = sorted({name for r in _authors(page) for name in r})
    ancestors = page.ancestors()
    return {
        "id": f"page:{page.id}", "type": "page", "page_id": page.id, "comment_id": None,
        "slug": page.slug, "title": page.title, "page_title": page.title,
        "breadcrumb": [[a.slug, a.title] for a in ancestors],
        "body": text, "sections": sections, "labels": labels, "authors": authors,
        "updated": page.updated_at, "members_only": page.members_only,
        "path": [a.id for a in ancestors] + [page.id],
        "version": f"r{rev.number}:{page.updated_at.isoformat()}:{page.slug}:{int(page.members_only)}"
                   f":{','.join(labels)}:{page.parent_id}",
    }


def _authors(page):
    from wiki.models import Revision, User

    rows = db.session.execute(
        db.select(User.username, User.display_name).join(Revision, Revision.author_id == User.id)
        .where(Revision.page_id == page.id).distinct()
    ).all()
    return [(r.username.lower(), r.display_name.lower()) for r in rows]


def live_pages():
    return db.session.scalars(db.select(Page).where(Page.deleted_at.is_(None)).order_by(Page.id))
