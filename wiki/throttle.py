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


def wait_seconds(bucket, limit, *parts):
    """Seconds until one more attempt is allowed (0: allowed now)."""
    count, window = limit
    since = utcnow() - timedelta(seconds=window)
    times = db.session.scalars(
        db.select(RateEvent.created_at)
        .where(RateEvent.bucket == bucket, RateEvent.key == _key(*parts), RateEvent.created_at >= since)
        .order_by(RateEvent.created_at.desc()).limit(count)
    ).all()
    if len(times) < count:
        return 0
    return max(1, int((times[-1] - since).total_seconds()) + 1)


def record(bucket, window, *parts):
    """Count one attempt (committed with the caller's transaction)."""
    db.session.execute(db.delete(RateEvent).where(
        RateEvent.bucket == bucket, RateEvent.created_at < utcnow() - timedelta(seconds=window)))
    db.session.add(RateEvent(bucket=bucket, key=_key(*parts)))


def forget(bucket, *parts):
    db.session.execute(db.delete(RateEvent).where(RateEvent.bucket == bucket,
                                                  RateEvent.key == _key(*parts)))
