"""Spam control without outside services.

- a honeypot field people never see (CSS hides it) but form-filling bots do;
- a signed form timestamp: a post sooner than ``COMMENTS_MIN_SECONDS`` after
  the form was shown is a bot's, a form older than ``COMMENTS_FORM_MAX_AGE``
  must be reloaded, and a forged or altered one is refused;
- a per-IP rate limit counted in the database (shared by every worker), with
  addresses stored only as keyed hashes;
- anonymous comments with many links wait for a moderator (``service.py``).
"""

import math
import time

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeSerializer

from wiki.api import RateLimited, take_slot

from . import settings

_STAMP_SALT = "comments.form-stamp"
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
        raise SpamError(_("This form arrived incomplete or altered, so the comment was not "
                          "posted. Send it again from the form below."))
    if stamped_page != page_id:
        raise SpamError(_("This form belongs to another page, so the comment was not posted. "
                          "Send it again from the form below."))
    if now - issued > settings.get_seconds("COMMENTS_FORM_MAX_AGE"):
        raise SpamError(_("This form was open too long and expired, so the comment was not "
                          "posted. Your text is below: send it again."))
    wait = settings.get_seconds("COMMENTS_MIN_SECONDS") - (now - issued)
    if wait > 0:
        raise SpamError(_("That was faster than a person can write: please wait a few "
                          "seconds, then send your comment again."), 429, keep_stamp=True,
                        retry_after=math.ceil(wait))


def check_honeypot(value):
    if value:
        raise SpamError(_("The comment was not posted: the field marked “leave this empty” "
                          "was filled in. Clear it and send your comment again."))


def take_rate_slot(source):
    """Count this post against its source (``client_hash``), or refuse it over
    the limit: the count joins the caller's transaction (wiki.throttle)."""
    posts, window = settings.rate_limit()
    try:
        take_slot("comment", (posts, window), source)
    except RateLimited:
        message = ngettext("You have posted %(num)d comment in %(duration)s: please wait a little, "
                           "then send this one again.",
                           "You have posted %(num)d comments in %(duration)s: please wait a little, "
                           "then send this one again.", posts, duration=_duration(window))
        raise SpamError(message, 429, keep_stamp=True, retry_after=window) from None


def _duration(seconds):
    """``the last minute``, ``the last 10 minutes``: a whole phrase each, as
    languages agree its words with the number (``les 10 dernières minutes``)."""
    if seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("the last hour", "the last %(num)d hours", n)
    if seconds % 60 == 0:
        n = seconds // 60
        return ngettext("the last minute", "the last %(num)d minutes", n)
    return ngettext("the last second", "the last %(num)d seconds", seconds)
