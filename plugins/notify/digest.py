"""The daily digest (``mail_tick``): at ``MAIL_DIGEST_HOUR`` (UTC), or at the
first delivery pass after it, each member with waiting items gets one
message with what happened before that hour. Several servers may tick at
once: whoever inserts the (member, day) claim row sends that digest; the
others' insert fails and they move on."""

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from wiki.api import User, db, mail_enabled, wake_mail

from .audience import language_of, mode_for
from .messages import Event, send_digest
from .models import DigestClaim, PendingItem

KEEP_CLAIMS = timedelta(days=7)


def tick(now):
    if not mail_enabled():
        return
    hour = current_app.config["MAIL_DIGEST_HOUR"]
    if now.hour < hour:
        return
    day, cutoff = now.date(), datetime.combine(now.date(), time(hour))
    user_ids = db.session.scalars(select(PendingItem.user_id).where(PendingItem.created_at < cutoff)
                                  .distinct()).all()
    sent = sum(send(user_id, day, cutoff) for user_id in user_ids)
    db.session.execute(delete(DigestClaim).where(DigestClaim.day < day - KEEP_CLAIMS))
    db.session.commit()
    if sent:
        wake_mail()


def send(user_id, day, cutoff):
    """Claim and write ``user_id``'s digest of ``day``; whether one was queued."""
    db.session.add(DigestClaim(user_id=user_id, day=day))
    try:
        db.session.flush()
    except IntegrityError:  # another server claimed it: it sends this one
        db.session.rollback()
        return False
    items = db.session.scalars(select(PendingItem).where(PendingItem.user_id == user_id,
                                                         PendingItem.created_at < cutoff)
                               .order_by(PendingItem.created_at, PendingItem.id)).all()
    user = db.session.get(User, user_id)
    events = []
    for item in items:
        event = Event.of_item(item)
        if event.page is not None and mode_for(user, event.page) and _still_visible(event.comment_id):
            events.append(event)
        db.session.delete(item)
    queued = bool(events) and send_digest(user.email, language_of(user), f"notify:{user.id}", events)
    db.session.commit()
    return bool(queued)


def _still_visible(comment_id):
    """Whether a comment told of is still visible (hidden or deleted since: left out)."""
    if comment_id is None:
        return True
    table = db.metadata.tables.get("comments_comment")  # the comments plugin's, when it is enabled
    if table is None:
        return False
    return db.session.scalar(select(table.c.status).where(table.c.id == comment_id)) == "visible"
