"""What the index holds for a page: its text as a reader sees it.

The text comes from the revision's cached HTML, so everything the page shows
is searchable (folded sections, panels, tables) and nothing it hides (markup,
attributes). Folded sections (``<details id=...>``) are remembered with their
position in the text, so a hit inside one links to it.
"""

from sqlalchemy.orm import joinedload

from wiki.api import Page, Revision, User, db, hook, html_text

from .engine import Document

CHUNK = 500  # pages loaded per query when many are indexed at once


def page_documents(page_ids):
    """(doc id, document or None) for each page id: a few queries per
    ``CHUNK`` pages (pages, their text, their authors), not per page, so
    imports and rebuilds stay fast."""
    ids = sorted(page_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        pages = {p.id: p for p in db.session.scalars(
            db.select(Page).where(Page.id.in_(chunk)).options(joinedload(Page.current_revision))
        ).unique()}
        authors = _authors(chunk)
        labels = hook().pages_labels(page_ids=chunk) or {}
        for page_id in chunk:
            yield f"page:{page_id}", page_document(pages.get(page_id), authors.get(page_id, ()),
                                                   labels.get(page_id, []))


def page_document(page, authors, labels):
    """The index document of a live page, or None when it should not be indexed."""
    if page is None or page.is_deleted or page.current_revision is None:
        return None
    rev = page.current_revision
    text, sections = html_text(rev.html)
    ancestors = page.ancestors()
    return Document(
        id=f"page:{page.id}", type="page", page_id=page.id, slug=page.slug, title=page.title,
        page_title=page.title, breadcrumb=tuple((a.slug, a.title) for a in ancestors),
        body=text, sections=tuple(tuple(s) for s in sections), labels=tuple(labels),
        authors=tuple(sorted(authors)), updated=page.updated_at, members_only=page.members_only,
        path=(*(a.id for a in ancestors), page.id),
        version=f"r{rev.number}:{page.updated_at.isoformat()}:{page.slug}:{int(page.members_only)}"
                f":{','.join(labels)}:{page.parent_id}",
    )


def _authors(page_ids):
    """{page id: set of lower-case user names and display names of its revisions}."""
    rows = db.session.execute(
        db.select(Revision.page_id, User.username, User.display_name)
        .join(User, Revision.author_id == User.id).where(Revision.page_id.in_(page_ids)).distinct()
    ).all()
    found = {}
    for page_id, username, display_name in rows:
        found.setdefault(page_id, set()).update(n.lower() for n in (username, display_name) if n)
    return found


def live_page_ids():
    return db.session.scalars(db.select(Page.id).where(Page.deleted_at.is_(None)).order_by(Page.id)).all()
