"""Spam control without outside services.

- a honeypot field people never see (CSS hides it) but form-filling bots do;
- a signed form timestamp: a post sooner than ``COMMENTS_MIN_SECONDS`` after
  the form was shown is a bot's, a form older than ``COMMENTS_FORM_MAX_AGE``
  must be reloaded, and a forged or altered one is refused;
- a per-IP rate limit counted in the database (shared by every worker), with
  addresses stored only as keyed hashes;
- anonymous comments with many links wait for a moderator (``service.py``).
"""

import hashlib
import hmac
import math
import time
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from wiki.models import db, utcnow

from . import settings
from .models import PostLog

_STAMP_SALT = "comments.form-stamp"
_IP_SALT = b"comments.ip-hash"
# A stamp from a few seconds in the future is clock skew between workers.
_CLOCK_SKEW = 5


class SpamError(Exception):
    """A post refused by a spam rule, with a message for the visitor.

    ``keep_stamp``: the form's timestamp was fine (e.g. the post came too
    soon), so the form shown again keeps it rather than restarting the clock.
    """

    def __init__(self, message, status=400, keep_stamp=False, retry_after=None):
        super().__init__(message)
        self.message, self.status = message, status
        self.keep_stamp, self.retry_after = keep_stamp, retry_after


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_STAMP_SALT)


def make_stamp(page_id, now=None):
    """The signed timestamp of a comment form shown now, for one page."""
    return _serializer().dumps({"page": page_id, "t": int(now if now is not None else time.time())})


def check_stamp(stamp, page_id, now=None):
    """Refuse a form whose timestamp is missing, forged, for another page,
    from the future, too old, or too recent."""
    now = now if now is not None else time.time()
    try:
        data = _serializer().loads(stamp or "")
        issued, stamped_page = float(data["t"]), data["page"]
    except (BadSignature, KeyError, TypeError, ValueError):
        issued, stamped_page = None, None
    if issued is None or issued > now + _CLOCK_SKEW:
        raise SpamError("This form arrived incomplete or altered, so the comment was not "
                        "posted. Send it again from the form below.")
    if stamped_page != page_id:
        raise SpamError("This form belongs to another page, so the comment was not posted. "
                        "Send it again from the form below.")
    if now - issued > settings.get_seconds("COMMENTS_FORM_MAX_AGE"):
        raise SpamError("This form was open too long and expired, so the comment was not "
                        "posted. Your text is below: send it again.")
    wait = settings.get_seconds("COMMENTS_MIN_SECONDS") - (now - issued)
    if wait > 0:
        raise SpamError("That was faster than a person can write: please wait a few "
                        "seconds, then send your comment again.", 429, keep_stamp=True,
                        retry_after=math.ceil(wait))


def check_honeypot(value):
    if value:
        raise SpamError("The comment was not posted: the field marked “leave this empty” "
                        "was filled in. Clear it and send your comment again.")


def ip_hash(address):
    """A keyed hash of an IP address: the same address gives the same hash
    (for rate limits and moderators), but the address cannot be read back."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), _IP_SALT, hashlib.sha256).digest()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def take_rate_slot(ip_hash_value):
    """Count this post against its address, or refuse it over the limit.

    The log row joins the caller's transaction, so it is committed with the
    comment (and discarded if the comment is not saved). Posts from one
    address are counted one at a time, until that commit: on SQLite,
    deleting the old rows takes the database's write lock; on PostgreSQL,
    which lets simultaneous transactions each count before any has added its
    row, a transaction-level advisory lock on the address does.
    """
    posts, window = settings.rate_limit()
    since = utcnow() - timedelta(seconds=window)
    if db.session.get_bind().dialect.name == "postgresql":
        key = int(ip_hash_value[:15], 16)  # 60 bits of the hash: fits a bigint
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    db.session.execute(db.delete(PostLog).where(PostLog.created_at < since))
    recent = db.session.scalar(
        db.select(db.func.count(PostLog.id)).where(PostLog.ip_hash == ip_hash_value)
    )
    if recent >= posts:
        db.session.rollback()
        raise SpamError(f"You have posted {posts} comments in the last {_duration(window)}: "
                        "please wait a little, then send this one again.", 429,
                        keep_stamp=True, retry_after=window)
    db.session.add(PostLog(ip_hash=ip_hash_value))


def _duration(seconds):
    if seconds % 3600 == 0:
        n, unit = seconds // 3600, "hour"
    elif seconds % 60 == 0:
        n, unit = seconds // 60, "minute"
    else:
        n, unit = seconds, "second"
    return f"{unit}" if n == 1 else f"{n} {unit}s"
