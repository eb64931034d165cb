"""Label listings for a reader: every count and page list is computed over the
pages ``user`` may see, so a members-only page (or a label only it carries)
never shows, nor changes a count, for an anonymous visitor."""

from sqlalchemy import func

from wiki.api import Page, db, visible_pages

from .models import PageLabel
from .service import sort_key

SUGGESTIONS = 10


def _visible_labels(user):
    """The (page_id, name) rows of the pages ``user`` may see."""
    return db.select(PageLabel).where(
        PageLabel.page_id.in_(visible_pages(user).with_only_columns(Page.id)))


def label_counts(user, sort="name"):
    """``[(name, page count)]``, alphabetical or most used first (sorted here,
    not in SQL, so accented names sort as people expect on every database)."""
    query = (_visible_labels(user)
             .with_only_columns(PageLabel.name, func.count(PageLabel.page_id))
             .group_by(PageLabel.name))
    rows = [tuple(row) for row in db.session.execute(query)]
    if sort == "count":
        return sorted(rows, key=lambda row: (-row[1], sort_key(row[0])))
    return sorted(rows, key=lambda row: sort_key(row[0]))


def suggestions(user, prefix, limit=SUGGESTIONS):
    """The most used labels starting with ``prefix`` (already normalised)."""
    count = func.count(PageLabel.page_id).label("pages")
    query = (_visible_labels(user).with_only_columns(PageLabel.name, count)
             .where(PageLabel.name.startswith(prefix, autoescape=True))
             .group_by(PageLabel.name).order_by(count.desc(), PageLabel.name).limit(limit))
    return db.session.execute(query).all()


def pages_with_all(user, names):
    """A select of the visible pages carrying every label in ``names``, newest first."""
    carriers = (db.select(PageLabel.page_id).where(PageLabel.name.in_(names))
                .group_by(PageLabel.page_id)
                .having(func.count(PageLabel.name) == len(set(names))))
    return (visible_pages(user).where(Page.id.in_(carriers))
            .order_by(Page.updated_at.desc(), Page.id.desc()))


def labels_by_page(pages):
    """``{page_id: [names]}`` for a list of pages, in one query."""
    found = {page.id: [] for page in pages}
    if found:
        rows = db.session.execute(
            db.select(PageLabel.page_id, PageLabel.name)
            .where(PageLabel.page_id.in_(list(found))))
        for page_id, name in rows:
            found[page_id].append(name)
    return {page_id: sorted(names, key=sort_key) for page_id, names in found.items()}
