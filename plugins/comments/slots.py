"""What the comments plugin puts into the page's template slots: assets in
``head``, the count under the title, the thread and form under the text,
recent comments on the home page."""

from flask import render_template, request
from markupsafe import Markup

from wiki.api import fresh

from . import access, settings, spam
from .forms import CommentForm
from .queries import recent_comments, visible_count, waiting_count
from .rendering import excerpt
from .thread import build, numbering, page_comments

HOME_ENTRIES = 8


def _template(name, **context):
    html = render_template(name, **context)
    return Markup(html)  # noqa: S704 - our templates, autoescaped: user text inside is escaped


def render(name, context):
    page, user = context.get("page"), context.get("user")
    if name == "head":
        return _template("comments/head.html")
    if name == "page_header" and page is not None:
        return _count(page, user)
    if name == "page_footer" and page is not None:
        return thread_section(page, user)
    if name == "home" and user is not None:
        return _home(user)
    return None


def _count(page, user):
    waiting = waiting_count(page) if access.is_moderator(user) else 0
    return _template("comments/count.html", page=page, count=visible_count(page), waiting=waiting)


def thread_section(page, user):
    comments = page_comments(page)
    entries = build(comments, user)
    form = CommentForm(formdata=None)
    parent = _reply_target(comments)
    if parent is not None:
        form.parent_id.data = parent.id
    page_id = page.id  # the stamp is made fresh for each view, even a cached one
    form.stamp.data = fresh("comment-stamp", lambda: spam.make_stamp(page_id))
    return _template("comments/thread.html", entries=entries, form=form,
                     **form_context(page, user, parent, numbering(comments)))


def form_context(page, user, parent=None, numbers=None):
    """What the thread and comment form templates need besides the form."""
    return {
        "page": page,
        "parent": parent,
        "parent_number": numbers.get(parent.id) if parent and numbers else None,
        "refusal": access.posting_refusal(user, page),
        "closed": access.is_closed(page),
        "moderator": access.is_moderator(user),
        "anonymous_mode": settings.anonymous_mode(),
        "max_chars": settings.get("COMMENTS_MAX_CHARS"),
        "may_change": lambda comment: access.may_change(user, comment),
    }


def _reply_target(comments):
    """``?reply_to=<id>`` (the Reply link, without JavaScript): the comment
    answered, if it is on this page and readable."""
    wanted = request.args.get("reply_to", type=int)
    for comment in comments:
        if comment.id == wanted and comment.status == "visible":
            return comment
    return None


def _home(user):
    return _template("comments/home.html", excerpt=excerpt,
                     comments=recent_comments(user, HOME_ENTRIES))
