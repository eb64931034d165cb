"""Comment operations: the one place where comments change.

Each validates, writes, commits, and only then fires its event for other
plugins (``comment_posted``, ``comment_edited``, ``comment_hidden``,
``comment_shown``, ``comment_deleted``); ``comment_publishing`` runs inside
the transaction that makes a comment visible. Views call these; who may act is
checked by the views (``access.py``).
"""

from dataclasses import dataclass

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from wiki.api import db, hook, normal_tag, utcnow

from . import settings
from .access import is_moderator, may_read
from .models import Comment, CommentSettings
from .rendering import count_links, normalize, render

ANON_NAME_MAX = 60


@dataclass
class Posted:
    comment: Comment
    held_reason: str | None  # why it waits for a moderator; None: visible at once


class CommentError(ValueError):
    """A comment that cannot be saved, with a message for the user."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message, self.status = message, status


def check_body(body):
    body = normalize(body)
    if not body.strip():
        raise CommentError(_("Write something before posting: the comment is empty."))
    limit = settings.get("COMMENTS_MAX_CHARS")
    if len(body) > limit:
        raise CommentError(_("The comment is %(length)s characters long; the limit is %(limit)s. "
                             "Shorten it and send it again.",
                             length=format_decimal(len(body)), limit=format_decimal(limit)), 413)
    return body


def clean_name(name):
    """An anonymous visitor's chosen name: one line, no control characters."""
    return " ".join(normalize(name).split())[:ANON_NAME_MAX]


def get_comment(comment_id):
    """The comment with this id (an int or a string of digits from a form), or None."""
    text = str(comment_id).strip()
    if not text.isdigit() or len(text) > 18:  # beyond a 64-bit integer column
        return None
    return db.session.get(Comment, int(text))


def find_parent(page, parent_id, user):
    """The comment a reply answers: on the same page, and one ``user`` can read
    (a reply to a comment deleted meanwhile is refused, text kept)."""
    if parent_id in (None, ""):
        return None
    parent = get_comment(parent_id)
    if parent is None or (parent.page_id == page.id and not may_read(user, parent)):
        raise CommentError(_("The comment you replied to does not exist (any more), so the "
                             "reply was not posted. You can post it as a new comment."), 404)
    if parent.page_id != page.id:
        raise CommentError(_("The comment you replied to belongs to another page, so the "
                             "reply was not posted."), 400)
    return parent


def language_of(body, page):
    """The language ``body`` is written in when its words say so clearly (the
    ``guess_language`` hook: the search plugin's stop words), else its page's:
    "Merci !" under an English page stays English rather than guessed."""
    return normal_tag(hook().guess_language(text=body)) or page.lang


def _needs_moderation(user, html):
    if user.is_authenticated:
        return None
    if settings.anonymous_mode() == "moderated":
        return _("Anonymous comments wait for a moderator's approval.")
    limit = settings.get("COMMENTS_MAX_LINKS_ANONYMOUS")
    if count_links(html) > limit:
        return ngettext("Anonymous comments with more than %(num)d link wait for a moderator's approval.",
                        "Anonymous comments with more than %(num)d links wait for a moderator's approval.",
                        limit)
    return None


def _publishing(comment):
    """Flush (a new comment gets its id), then ``comment_publishing``: plugins
    add what must be committed with the comment becoming visible."""
    db.session.flush()
    hook().comment_publishing(comment=comment)


def post_comment(page, user, body, parent=None, anon_name="", ip_hash="", edit_token_hash=None):
    """Save a new comment (``edit_token_hash``: see ``access.new_token``)."""
    body = check_body(body)
    html = render(body)
    held_reason = _needs_moderation(user, html)
    comment = Comment(
        page_id=page.id, parent_id=parent.id if parent else None,
        author_id=user.id if user.is_authenticated else None,
        anon_name="" if user.is_authenticated else clean_name(anon_name),
        body=body, html=html, status="held" if held_reason else "visible",
        lang=language_of(body, page), ip_hash=ip_hash,
        edit_token_hash=None if user.is_authenticated else edit_token_hash,
    )
    db.session.add(comment)
    if comment.status == "visible":
        _publishing(comment)
    db.session.commit()
    hook().comment_posted(comment=comment)
    return Posted(comment, held_reason)


def write_imported(comment, page, key, author, anon_name, body, created, edited, parent):
    """Write a comment an import brought (``imported.py``) as it was in its
    source: a new one when ``comment`` is None, added to the session. It is
    visible at once and rendered like any comment, but none of the rules
    meant for visitors applies (length, links, moderation, spam, rate
    limit): an import is an admin's act, and its text must not be refused.
    Not committed: ``commit_imported`` commits a page's thread at once."""
    body = normalize(body)
    # Worked out before a new comment joins the session: reading an account
    # the import committed reloads it, and that would flush a half-made row.
    html, author_id, lang = render(body), getattr(author, "id", None), language_of(body, page)
    if comment is None:
        comment = Comment(page_id=page.id, source_key=key, status="visible", ip_hash="")
    comment.author_id = author_id
    comment.anon_name = "" if author is not None else clean_name(anon_name)
    comment.parent = parent  # a relationship: the parent may be new in this thread too
    comment.body, comment.html, comment.lang = body, html, lang
    comment.created_at, comment.edited_at = created, edited
    db.session.add(comment)
    return comment


def commit_imported(posted, edited):
    """Commit what ``write_imported`` wrote, then fire ``comment_posted`` for
    each new comment and ``comment_edited`` for each changed one."""
    db.session.commit()
    for comment in posted:
        hook().comment_posted(comment=comment)
    for comment in edited:
        hook().comment_edited(comment=comment)


def edit_comment(comment, user, body):
    """Change the text. An anonymous author's edit is held again when the new
    text would have been held (so approved text cannot turn into spam)."""
    body = check_body(body)
    if body == comment.body:
        return comment
    comment.body, comment.html = body, render(body)
    comment.lang = language_of(body, comment.page)
    comment.edited_at = utcnow()
    if (comment.status == "visible" and comment.author_id is None and not is_moderator(user)
            and _needs_moderation(user, comment.html)):
        comment.status = "held"
    db.session.commit()
    hook().comment_edited(comment=comment)
    return comment


def delete_comment(comment):
    """Erase the text for good. The row stays, so replies keep their place
    under a "comment deleted" line and numbers do not shift."""
    if comment.status == "deleted":
        return comment
    comment.status, comment.body, comment.html = "deleted", "", ""
    comment.edit_token_hash = None
    db.session.commit()
    hook().comment_deleted(comment=comment)
    return comment


def hide_comment(comment):
    if comment.status in ("hidden", "deleted"):
        return comment
    comment.status = "hidden"
    db.session.commit()
    hook().comment_hidden(comment=comment)
    return comment


def show_comment(comment):
    """Unhide a hidden comment or approve a held one."""
    if comment.status not in ("hidden", "held"):
        return comment
    comment.status = "visible"
    _publishing(comment)
    db.session.commit()
    hook().comment_shown(comment=comment)
    return comment


def set_closed(page, closed):
    """Close (or reopen) ``page`` to new comments; its thread stays readable."""
    row = db.session.get(CommentSettings, page.id)
    if row is None:
        row = CommentSettings(page_id=page.id)
        db.session.add(row)
    row.closed = bool(closed)
    db.session.commit()
