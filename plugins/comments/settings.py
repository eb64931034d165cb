"""The comments plugin's settings: defaults, checked once when the app is built.

Each can be set like any wiki setting (``instance/config.py``, ``WIKI_*``
environment variables as JSON). Durations are seconds or ``timedelta``.
"""

from datetime import timedelta

from flask import current_app

ANONYMOUS_MODES = ("open", "moderated", "off")

DEFAULTS = {
    # Comments from visitors without an account: shown at once, held for a
    # moderator, or not accepted at all.
    "COMMENTS_ANONYMOUS": "open",
    "COMMENTS_MAX_CHARS": 10_000,
    # A form sent sooner than this after it was shown is a bot's.
    "COMMENTS_MIN_SECONDS": 3,
    # A form older than this must be reloaded (its signed timestamp expired).
    "COMMENTS_FORM_MAX_AGE": timedelta(hours=2),
    # Posts per IP address (stored hashed) and per window of seconds.
    "COMMENTS_RATE_LIMIT": (5, 60),
    # Anonymous comments with more links than this wait for a moderator.
    "COMMENTS_MAX_LINKS_ANONYMOUS": 2,
    # How long an anonymous author's browser may edit or delete the comment.
    "COMMENTS_EDIT_WINDOW": timedelta(days=1),
}


def seconds(value):
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def init_app(app):
    """Fill in the defaults and refuse values that cannot work, at startup."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    mode = app.config["COMMENTS_ANONYMOUS"]
    if mode not in ANONYMOUS_MODES:
        raise ValueError(f"COMMENTS_ANONYMOUS must be one of {ANONYMOUS_MODES}, not {mode!r}")
    limit = app.config["COMMENTS_RATE_LIMIT"]
    if not (isinstance(limit, list | tuple) and len(limit) == 2 and all(int(n) > 0 for n in limit)):
        raise ValueError(f"COMMENTS_RATE_LIMIT must be (posts, seconds), not {limit!r}")


def get(key):
    return current_app.config[key]


def get_seconds(key):
    return seconds(current_app.config[key])


def rate_limit():
    posts, window = current_app.config["COMMENTS_RATE_LIMIT"]
    return int(posts), int(window)


def anonymous_mode():
    return current_app.config["COMMENTS_ANONYMOUS"]
