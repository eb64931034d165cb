"""Rate limits for sign-in and registration, shared by every worker process.

Attempts are rows in the database, keyed by an HMAC of the IP address (and
username): neither is stored in clear. A limit is ``(count, seconds)``.
"""

import hashlib
import hmac
from datetime import timedelta

from flask import current_app, request

from .extensions import db
from .models import RateEvent, utcnow


def _key(*parts):
    secret = current_app.config["SECRET_KEY"].encode()
    message = "\x1f".join(p.lower() for p in parts).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def client_ip():
    return request.remote_addr or "unknown"


def attempt(bucket, limit, *parts):
    """Count one attempt, then say whether it is over the limit: the seconds
    to wait, or 0. The attempt is committed before it is counted, so parallel
    requests cannot all pass the check before any of them is recorded.
    Returns (wait, the attempt's id, to ``cancel`` a successful one)."""
    count, window = limit
    now = utcnow()
    since = now - timedelta(seconds=window)
    key = _key(*parts)
    db.session.execute(db.delete(RateEvent).where(RateEvent.bucket == bucket,
                                                  RateEvent.created_at < since))
    event = RateEvent(bucket=bucket, key=key, created_at=now)
    db.session.add(event)
    db.session.commit()
    times = db.session.scalars(
        db.select(RateEvent.created_at)
        .where(RateEvent.bucket == bucket, RateEvent.key == key, RateEvent.created_at >= since)
        .order_by(RateEvent.created_at.desc(), RateEvent.id.desc()).limit(count + 1)
    ).all()
    if len(times) <= count:
        return 0, event.id
    return max(1, int((times[-1] - since).total_seconds()) + 1), event.id


def cancel(event_id):
    """Take back one attempt (a sign-in that succeeded is no failure)."""
    db.session.execute(db.delete(RateEvent).where(RateEvent.id == event_id))


def forget(bucket, *parts):
    db.session.execute(db.delete(RateEvent).where(RateEvent.bucket == bucket,
                                                  RateEvent.key == _key(*parts)))
