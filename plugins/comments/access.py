"""Who may do what with comments, and the anonymous author's edit token.

An anonymous author proves authorship with a secret kept in a cookie of
their browser (``comment-edit-<id>``); the database keeps only its SHA-256.
It works for ``COMMENTS_EDIT_WINDOW`` after posting.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app, request
from flask_babel import gettext as _

from wiki.api import db, utcnow

from . import settings
from .models import CommentSettings

COOKIE_PREFIX = "comment-edit-"


def is_moderator(user):
    return bool(user.can_edit)


def is_closed(page):
    row = db.session.get(CommentSettings, page.id)
    return bool(row and row.closed)


def posting_refusal(user, page):
    """Why ``user`` may not comment on ``page`` (a message), or None.
    Reading the page is checked before: this is about posting."""
    if is_closed(page) and not is_moderator(user):
        return _("Comments on this page are closed.")
    if not user.is_authenticated and settings.anonymous_mode() == "off":
        return _("Sign in to comment: this wiki does not take anonymous comments.")
    return None


# -- the anonymous edit token ---------------------------------------------------


def new_token():
    token = secrets.token_urlsafe(32)
    return token, _digest(token)


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def cookie_name(comment):
    return f"{COOKIE_PREFIX}{comment.id}"


def set_token_cookie(response, comment, token):
    response.set_cookie(
        cookie_name(comment), token, max_age=int(settings.get_seconds("COMMENTS_EDIT_WINDOW")),
        path="/", httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def holds_token(comment):
    """Whether this browser kept the edit token of (anonymous) ``comment``,
    within the edit window."""
    if comment.edit_token_hash is None or comment.author_id is not None:
        return False
    window = timedelta(seconds=settings.get_seconds("COMMENTS_EDIT_WINDOW"))
    if utcnow() - comment.created_at > window:
        return False
    token = request.cookies.get(cookie_name(comment))
    return bool(token) and hmac.compare_digest(_digest(token), comment.edit_token_hash)


def is_author(user, comment):
    """Signed authors by account, anonymous ones by the token in their browser."""
    if comment.author_id is not None:
        return user.is_authenticated and comment.author_id == user.id
    return holds_token(comment)


def may_change(user, comment):
    """Edit or delete: the author, or a moderator. Deleted comments are gone."""
    if comment.status == "deleted":
        return False
    return is_moderator(user) or is_author(user, comment)


def may_read(user, comment):
    """Whether ``user`` sees the text of ``comment`` (the page's visibility is
    checked separately): everyone for visible ones; authors and moderators
    also for held and hidden ones; nobody for deleted ones."""
    if comment.status == "visible":
        return True
    if comment.status == "deleted":
        return False
    return is_moderator(user) or is_author(user, comment)
