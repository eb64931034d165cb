"""Rate limits, shared by every worker process: sign-in, registration,
comments, and any plugin's.

Each counted action is a row of one table (``rate_event``), in a bucket, under
a keyed hash of what it is counted by; a client's address only ever goes in
as ``client_hash(address)``, and nothing is stored in clear. A limit is
``(count, seconds)``. Two ways of counting:

- ``attempt``: every attempt counts (failed sign-ins, registrations). The
  row is committed before the count, so parallel requests cannot all pass
  the check before any of them is recorded.
- ``take_slot``: only actions that happen count (posted comments). The row
  joins the caller's transaction: it is committed with the action, and gone
  if the action is not saved. Actions under one key are counted one at a
  time until that commit: on SQLite, deleting the old rows takes the
  database's write lock; on PostgreSQL, which lets simultaneous transactions
  each count before any has added its row, a transaction-level advisory lock
  on the key does.
"""

import hashlib
import hmac
from datetime import timedelta

from flask import current_app, request
from flask_babel import ngettext

from .extensions import db
from .models import RateEvent, utcnow

# The salt of the comments plugin's hashes before there was one limiter:
# moderators still see the same "source" code for the same address.
_CLIENT_SALT = b"comments.ip-hash"


class RateLimited(Exception):
    """Over a ``take_slot`` limit: ``wait`` seconds until a slot frees up."""

    def __init__(self, wait, count, seconds):
        super().__init__(f"more than {count} in {seconds} seconds")
        self.wait, self.count, self.seconds = wait, count, seconds


def try_again(wait):
    """What to tell someone who must wait ``wait`` seconds: "Please try again
    in 2 minutes.", in their language (whole minutes, rounded up)."""
    minutes = max(1, -(-int(wait) // 60))
    return ngettext("Please try again in %(num)d minute.", "Please try again in %(num)d minutes.", minutes)


def client_hash(address=None):
    """A keyed hash of a client's address (the request's by default): the same
    address gives the same hash (for rate limits, and for moderators telling
    posts of one source apart), but the address cannot be read back."""
    if address is None:
        address = request.remote_addr or "unknown"
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), _CLIENT_SALT, hashlib.sha256).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _key(parts):
    secret = current_app.config["SECRET_KEY"].encode()
    message = "\x1f".join(p.lower() for p in parts).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _wait(bucket, key, count, since):
    """Seconds until the oldest of the newest ``count`` + 1 rows leaves the
    window, or 0 when there are at most ``count``."""
    times = db.session.scalars(
        db.select(RateEvent.created_at)
        .where(RateEvent.bucket == bucket, RateEvent.key == key, RateEvent.created_at >= since)
        .order_by(RateEvent.created_at.desc(), RateEvent.id.desc()).limit(count + 1)
    ).all()
    if len(times) <= count:
        return 0
    return max(1, int((times[-1] - since).total_seconds()) + 1)


def _expire(bucket, since):
    db.session.execute(db.delete(RateEvent).where(RateEvent.bucket == bucket,
                                                  RateEvent.created_at < since))


def attempt(bucket, limit, *parts):
    """Count one attempt, then say whether it is over the limit: the seconds
    to wait, or 0. Commits. Returns (wait, the attempt's id, to ``cancel`` an
    attempt that turned out fine)."""
    count, window = limit
    now = utcnow()
    since = now - timedelta(seconds=window)
    key = _key(parts)
    _expire(bucket, since)
    event = RateEvent(bucket=bucket, key=key, created_at=now)
    db.session.add(event)
    db.session.commit()
    return _wait(bucket, key, count, since), event.id


def take_slot(bucket, limit, *parts):
    """Count this action against ``parts``, in the caller's transaction, or
    raise ``RateLimited`` (after rolling that transaction back, which frees
    the lock) when ``limit`` is reached."""
    count, window = limit
    now = utcnow()
    since = now - timedelta(seconds=window)
    key = _key(parts)
    if db.session.get_bind().dialect.name == "postgresql":
        lock = int(key[:15], 16)  # 60 bits of the key: fits a bigint
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
    _expire(bucket, since)
    wait = _wait(bucket, key, count - 1, since)  # room for this one?
    if wait:
        db.session.rollback()
        raise RateLimited(wait, count, window)
    db.session.add(RateEvent(bucket=bucket, key=key, created_at=now))


def cancel(event_id):
    """Take back one attempt (a sign-in that succeeded is no failure)."""
    db.session.execute(db.delete(RateEvent).where(RateEvent.id == event_id))


def forget(bucket, *parts):
    db.session.execute(db.delete(RateEvent).where(RateEvent.bucket == bucket,
                                                  RateEvent.key == _key(parts)))
