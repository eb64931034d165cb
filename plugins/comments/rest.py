"""The comments API (docs/api.md): a page's thread as the page shows it to
the caller, posting and replying (signed-in callers: visitors without an
account comment through the page's form, which carries the spam checks),
editing and deleting one's own, and moderation.

The rules are the HTML views': who may do what in ``access.py``, the
changes and their checks in ``service.py``, the rate limit in ``spam.py``.
A comment on a page the caller may not see is a 404, as the page is.
"""

from typing import Literal

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from wiki.api import (
    ApiBody,
    ApiError,
    ApiListing,
    ApiOut,
    ApiPageQuery,
    ApiPageRef,
    ApiPerson,
    ApiTimestamp,
    api_page,
    api_page_ref,
    api_paginate_list,
    api_person,
    can_see,
    client_hash,
    db,
)

from . import access, service, spam
from .queries import moderation_queue
from .service import CommentError
from .spam import SpamError
from .thread import build, numbering, page_comments
from .views import NOT_YOURS

TAG = "Comments"

# -- shapes ---------------------------------------------------------------------------


class CommentOut(ApiOut):
    """A comment as the caller may see it. A comment the caller may not read
    but whose replies they may (deleted, or hidden from them) comes as a
    placeholder, as on the page: ``readable`` false, no author, text or times."""

    id: int
    page: ApiPageRef
    parent: int | None = Field(description="The id of the comment it replies to; None at the top.")
    number: str = Field(description="Its number in the thread, as the page shows it: 6.1 is the "
                                    "first reply to 6.")
    readable: bool = Field(description="False for a placeholder of a comment the caller may not read.")
    status: Literal["visible", "held", "hidden", "deleted"] = Field(
        description="held: waits for a moderator; hidden: by a moderator. Only its author and "
                    "moderators read a held or hidden comment; others see a placeholder with "
                    "status hidden (or deleted) when it has replies they may read.")
    author: ApiPerson | None = Field(description="username is None for a visitor without an account "
                                                 "(display_name: the name they typed).")
    markdown: str | None = Field(description="The text as written (Markdown).")
    html: str | None = Field(description="The text rendered and sanitized.")
    lang: str | None = Field(description="The language of the text (BCP 47).")
    created_at: ApiTimestamp | None
    edited_at: ApiTimestamp | None
    may_change: bool = Field(description="Whether the caller may edit or delete it.")


class ThreadOut(ApiListing[CommentOut]):
    """A page's thread, flat in the page's reading order (each comment before
    its replies, siblings in posting order), paginated over that order; the
    tree is in ``parent``. Comments the caller may not read are left out,
    unless they have readable replies (then a placeholder keeps them attached)."""

    closed: bool = Field(description="Whether the page takes no new comments (moderators still may).")


class NewComment(ApiBody):
    body: str = Field(description="The text, in Markdown (links, emphasis, lists, code, quotes).")
    parent: int | None = Field(None, description="The id of the comment it replies to (on the same "
                                                 "page); None or left out: a new thread.")


class CommentText(ApiBody):
    body: str = Field(description="The new text, in Markdown.")


class Moderation(ApiBody):
    action: Literal["approve", "unhide", "hide"] = Field(
        description="approve a held comment, unhide a hidden one, or hide one from its readers "
                    "(its author and moderators still see it).")


class Closing(ApiBody):
    closed: bool


class ClosedOut(ApiOut):
    page: ApiPageRef
    closed: bool


# -- helpers ---------------------------------------------------------------------------


def _author(comment):
    if comment.author is not None:
        return api_person(comment.author)
    return {"username": None, "display_name": comment.anon_name or _("Anonymous")}


def comment_out(comment, number, readable=True):
    shown = {"author": _author(comment), "markdown": comment.body, "html": comment.html,
             "lang": comment.lang or comment.page.lang, "created_at": comment.created_at,
             "edited_at": comment.edited_at} if readable else dict.fromkeys(
        ("author", "markdown", "html", "lang", "created_at", "edited_at"))
    status = comment.status if readable or comment.status == "deleted" else "hidden"
    return {"id": comment.id, "page": api_page_ref(comment.page), "parent": comment.parent_id,
            "number": number, "readable": readable, "status": status,
            "may_change": readable and access.may_change(current_user, comment), **shown}


def _flat(entries):
    """The thread's entries in reading order (a loop: threads may be deep)."""
    found, stack = [], list(reversed(entries))
    while stack:
        entry = stack.pop()
        found.append(entry)
        stack.extend(reversed(entry.replies))
    return found


def _not_found(comment_id):
    return ApiError(404, _("There is no comment %(id)s (or you may not see it).", id=comment_id))


def _comment(comment_id):
    """The comment if the caller may read it, on a live page they may see; else 404."""
    comment = service.get_comment(comment_id)
    if (comment is None or comment.page.is_deleted or not can_see(current_user, comment.page)
            or not access.may_read(current_user, comment)):
        raise _not_found(comment_id)
    return comment


def _answer(comment, status=200, headers=None):
    number = numbering(page_comments(comment.page)).get(comment.id, "")
    return comment_out(comment, number), status, headers or {}


def _refused(error, field):
    """A ``CommentError`` or ``SpamError`` as a problem; nothing is kept."""
    db.session.rollback()
    if error.status == 429:
        wait = str(getattr(error, "retry_after", None) or 1)
        return ApiError(429, error.message, "rate-limited", headers={"Retry-After": wait})
    if error.status in (400, 404):  # a field of the body: a refused text or parent
        return ApiError(422, error.message, "validation",
                        errors=[{"field": field, "message": error.message}])
    return ApiError(error.status, error.message)


def _moderate(comment, action):
    if action == "approve" and comment.status != "held":
        raise ApiError(409, _("This comment is not waiting for approval."))
    if action == "unhide" and comment.status != "hidden":
        raise ApiError(409, _("This comment is not hidden."))
    if action == "hide" and comment.status == "hidden":
        raise ApiError(409, _("This comment is hidden already."))
    if action == "hide":
        service.hide_comment(comment)
    else:
        service.show_comment(comment)


# -- endpoints -------------------------------------------------------------------------


def register(api):
    @api.get("/pages/<slug>/comments", response=ThreadOut, query=ApiPageQuery,
             summary="A page's comments", tag=TAG)
    def list_page_comments(slug, query):
        """The thread as the page shows it to the caller: visitors read the
        published comments; authors also their own held or hidden ones;
        moderators everything but deleted text."""
        page = api_page(slug)
        listing = api_paginate_list(_flat(build(page_comments(page), current_user)), query)
        listing.items = [comment_out(e.comment, e.number, e.readable) for e in listing.items]
        return {**listing.body(), "closed": access.is_closed(page)}, 200, {
            "Link": listing.link_header()}

    @api.post("/pages/<slug>/comments", body=NewComment, response=CommentOut, status=201,
              role="member", summary="Post a comment or a reply", tag=TAG)
    def post_comment(slug, body):
        """Signed-in callers only: visitors without an account comment through
        the page's form, which has the spam checks. The form's rules apply:
        the length limit (413), the rate limit (429), a closed page (403,
        except for moderators)."""
        page = api_page(slug)
        refusal = access.posting_refusal(current_user, page)
        if refusal:
            raise ApiError(403, refusal)
        field = "parent"
        try:
            parent = service.find_parent(page, body.parent, current_user)
            field = "body"
            text = service.check_body(body.body)
            ip_hash = client_hash()
            if not access.is_moderator(current_user):
                spam.take_rate_slot(ip_hash)
            posted = service.post_comment(page, current_user, text, parent, ip_hash=ip_hash)
        except (CommentError, SpamError) as error:
            raise _refused(error, field) from None
        comment = posted.comment
        location = url_for("rest.read_comment", comment_id=comment.id, _external=True)
        return _answer(comment, 201, {"Location": location})

    @api.get("/comments/<int:comment_id>", response=CommentOut, summary="A comment", tag=TAG)
    def read_comment(comment_id):
        return _answer(_comment(comment_id))

    @api.patch("/comments/<int:comment_id>", body=CommentText, response=CommentOut, role="member",
               summary="Edit a comment", tag=TAG)
    def edit_comment(comment_id, body):
        """Its author or a moderator, as on the page; the length limit applies (413)."""
        comment = _comment(comment_id)
        if not access.may_change(current_user, comment):
            raise ApiError(403, NOT_YOURS)
        try:
            service.edit_comment(comment, current_user, body.body)
        except CommentError as error:
            raise _refused(error, "body") from None
        return _answer(comment)

    @api.delete("/comments/<int:comment_id>", role="member", status=204,
                summary="Delete a comment", tag=TAG)
    def delete_comment(comment_id):
        """Its author or a moderator. The text is erased for good; replies stay
        under a placeholder."""
        comment = _comment(comment_id)
        if not access.may_change(current_user, comment):
            raise ApiError(403, NOT_YOURS)
        service.delete_comment(comment)
        return None

    @api.post("/comments/<int:comment_id>/moderation", body=Moderation, response=CommentOut,
              role="editor", problems=(409,), summary="Moderate a comment", tag=TAG)
    def moderate_comment(comment_id, body):
        """Moderators (editors and admins): the actions of the page and the
        moderation queue. 409 when the comment is not in the state the
        action is for (approve: held; unhide: hidden; hide: not hidden)."""
        comment = _comment(comment_id)
        _moderate(comment, body.action)
        return _answer(comment)

    @api.get("/comments/moderation", response=ApiListing[CommentOut], query=ApiPageQuery,
             role="editor", summary="The moderation queue", tag=TAG)
    def moderation_list(query):
        """Held comments first (they wait for a decision), then hidden ones,
        newest first, on live pages."""
        waiting = [c for c in moderation_queue() if can_see(current_user, c.page)]
        listing = api_paginate_list(waiting, query)
        numbers = {}
        for comment in listing.items:
            if comment.page_id not in numbers:
                numbers[comment.page_id] = numbering(page_comments(comment.page))
        listing.items = [comment_out(c, numbers[c.page_id][c.id]) for c in listing.items]
        return listing

    @api.put("/pages/<slug>/comments/closed", body=Closing, response=ClosedOut, role="editor",
             summary="Close or reopen a page to comments", tag=TAG)
    def close_comments(slug, body):
        """Moderators: a closed page keeps its thread readable and takes no
        new comments, except from moderators."""
        page = api_page(slug)
        service.set_closed(page, body.closed)
        return {"page": api_page_ref(page), "closed": access.is_closed(page)}
