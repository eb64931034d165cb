"""Read-only lists of comments: counts, recent comments (home page, feed),
the moderation queue. Each respects page visibility and deletion."""

from sqlalchemy.orm import selectinload

from wiki.api import Page, db, visible_pages

from .models import Comment


def visible_count(page):
    """What the page header shows: comments everyone who reads the page can read."""
    return db.session.scalar(
        db.select(db.func.count(Comment.id))
        .where(Comment.page_id == page.id, Comment.status == "visible")
    )


def waiting_count(page):
    """Held and hidden comments of ``page``, for its moderators."""
    return db.session.scalar(
        db.select(db.func.count(Comment.id))
        .where(Comment.page_id == page.id, Comment.status.in_(("held", "hidden")))
    )


def recent_comments(user, limit):
    """The newest visible comments on live pages ``user`` may read, by the
    date they were posted (an import brings old comments with new ids)."""
    readable = visible_pages(user).with_only_columns(Page.id)
    return db.session.scalars(
        db.select(Comment)
        .where(Comment.status == "visible", Comment.page_id.in_(readable))
        .options(selectinload(Comment.author), selectinload(Comment.page))
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    ).all()


def moderation_queue():
    """Held comments first (they wait for a decision), then hidden ones,
    newest first; only on live pages."""
    live = db.select(Page.id).where(Page.deleted_at.is_(None))
    return db.session.scalars(
        db.select(Comment)
        .where(Comment.status.in_(("held", "hidden")), Comment.page_id.in_(live))
        .options(selectinload(Comment.author), selectinload(Comment.page))
        .order_by((Comment.status == "held").desc(), Comment.id.desc())
    ).all()
