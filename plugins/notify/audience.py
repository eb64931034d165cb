"""Who may be told: the watches that cover a page, a member's preferences,
and the checks every message passes (a confirmed address, an active
account, a page they may see)."""

from flask import current_app
from sqlalchemy import select

from wiki.api import can_see, db

from .models import Preference, Watch


def preference(user_id):
    """The member's preferences (a default one, not added, when they chose nothing)."""
    return db.session.get(Preference, user_id) or Preference(user_id=user_id, mode="instant", replies=True)


def covering_watches(page):
    """``{user_id: watch}``: each member's watch that covers ``page``, its own
    or a subtree watch of an ancestor (the nearest one when several do)."""
    chain = [page.id] + [ancestor.id for ancestor in reversed(page.ancestors())]  # nearest first
    rows = db.session.scalars(select(Watch).where(Watch.page_id.in_(chain))).all()
    rows.sort(key=lambda watch: chain.index(watch.page_id))
    found = {}
    for watch in rows:
        if (watch.page_id == page.id or watch.subtree) and watch.user_id not in found:
            found[watch.user_id] = watch
    return found


def mode_for(user, page):
    """How ``user`` is told of something on ``page``: ``"instant"``,
    ``"digest"``, or None when they are not told at all."""
    if user is None or not user.is_active or not user.email or user.email_confirmed_at is None:
        return None
    if page.is_deleted or not can_see(user, page):
        return None
    mode = preference(user.id).mode
    return mode if mode in ("instant", "digest") else None


def language_of(user):
    """The language of a member's messages: their account's choice, else the wiki's."""
    offered = current_app.config["LANGUAGES"]
    return user.language if user.language in offered else current_app.config["DEFAULT_LANGUAGE"]
