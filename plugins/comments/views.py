"""Comment views: post, edit, delete, moderate, close a page to comments,
and the Atom feed. Thin: the work is in ``service.py``, the rules in
``access.py`` and ``spam.py``."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from wiki.api import can_see, client_hash, db, find_page, hook, render_error

from . import access, service, spam
from .feed import atom_feed
from .forms import CommentForm, EditForm
from .queries import moderation_queue, recent_comments
from .service import CommentError
from .slots import form_context
from .spam import SpamError
from .thread import numbering, page_comments

bp = Blueprint("comments", __name__, template_folder="templates", static_folder="static",
               static_url_path="/plugins/comments/static")

FEED_ENTRIES = 30
CSRF_MESSAGE = _l("This form expired or was sent without its security token, so nothing was "
                  "saved. Your text is below: send it again.")


def _find_page(slug):
    """A page the reader may see, or None; an old slug still finds it (a POST
    is not redirected: that would drop the text)."""
    page, moved = find_page(slug)
    page = page or moved
    return page if page is not None and can_see(current_user, page) else None


def _find_comment(comment_id):
    comment = service.get_comment(comment_id)
    if comment is None or comment.page.is_deleted or not can_see(current_user, comment.page):
        return None
    return comment


def _page(slug):
    return _find_page(slug) or abort(404)


def _comment(comment_id):
    return _find_comment(comment_id) or abort(404)


def _require_moderator():
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    if not access.is_moderator(current_user):
        abort(403)


def _back(comment, anchor=True):
    """Where an action returns to: the moderation queue it came from, or the page."""
    if request.form.get("back") == "queue":
        return redirect(url_for("comments.moderation"), 303)
    return redirect(url_for("pages.view", slug=comment.page.slug,
                            _anchor=f"comment-{comment.id}" if anchor else "comments"), 303)


# -- posting ----------------------------------------------------------------------


def _form_page(page, form, message, status, parent=None, headers=None):
    """The comment form again, with what went wrong and the visitor's text."""
    numbers = numbering(page_comments(page)) if parent else None
    html = render_template("comments/post.html", form=form, message=message,
                           **form_context(page, current_user, parent, numbers))
    return html, status, headers or {}


@bp.route("/comments/page/<slug>", methods=["GET", "POST"])
def post(slug):
    page = _page(slug)
    if request.method == "GET":  # e.g. reloading a refused post's address
        return redirect(url_for("pages.view", slug=page.slug, _anchor="comment-form"))
    form = CommentForm()
    refusal = access.posting_refusal(current_user, page)
    if refusal:
        return _form_page(page, form, refusal, 403)
    parent = None
    try:
        parent = service.find_parent(page, form.parent_id.data, current_user)
        body = service.check_body(form.body.data)
        if not form.validate():  # the name's length (CSRF was checked before the view)
            raise CommentError(next(iter(form.errors.values()))[0])
        for problems in hook().comment_form_problems(form=request.form, user=current_user):
            if problems:  # fields other plugins added (the comment_form slot)
                raise CommentError(problems[0])
        spam.check_honeypot(form.website.data)
        spam.check_stamp(form.stamp.data, page.id)
        ip_hash = client_hash()
        if not access.is_moderator(current_user):
            spam.take_rate_slot(ip_hash)
        token, token_hash = (None, None) if current_user.is_authenticated else access.new_token()
        posted = service.post_comment(page, current_user, body, parent, form.name.data,
                                      ip_hash, token_hash)
    except (CommentError, SpamError) as error:
        db.session.rollback()
        if parent is None:
            form.parent_id.data = ""  # a refused parent: sending again posts a new comment
        if isinstance(error, SpamError) and not error.keep_stamp:
            form.stamp.data = spam.make_stamp(page.id)
        retry = getattr(error, "retry_after", None)
        return _form_page(page, form, error.message, error.status, parent,
                          {"Retry-After": str(retry)} if retry else None)

    comment = posted.comment
    if posted.held_reason:
        flash(_("Thank you! Your comment is waiting for a moderator. %(reason)s",
                reason=posted.held_reason), "info")
    else:
        flash(_("Your comment was posted."), "success")
    hook().comment_form_saved(comment=comment, form=request.form)
    response = redirect(url_for("pages.view", slug=page.slug, _anchor=f"comment-{comment.id}"), 303)
    if token:
        access.set_token_cookie(response, comment, token)
    return response


@bp.errorhandler(CSRFError)
def csrf_error(error):
    """A comment or an edit refused for its CSRF token comes back in its form,
    with a fresh token: one click sends it again."""
    if request.endpoint == "comments.post":
        page = _find_page(request.view_args["slug"])
        if page is not None:
            form = CommentForm()
            form.stamp.data = spam.make_stamp(page.id)
            return _form_page(page, form, CSRF_MESSAGE, 400)
    elif request.endpoint == "comments.edit":
        comment = _find_comment(request.view_args["comment_id"])
        if comment is not None:
            return _edit_page(comment, EditForm(), CSRF_MESSAGE, 400)
    return render_error(400, CSRF_MESSAGE)


@bp.route("/comments/<int:comment_id>")
def permalink(comment_id):
    """A comment's address that survives page renames (the feed's entry ids)."""
    comment = _comment(comment_id)
    return redirect(url_for("pages.view", slug=comment.page.slug, _anchor=f"comment-{comment.id}"))


# -- the author's (or a moderator's) changes ------------------------------------------


NOT_YOURS = _l("Only its author or a moderator can change this comment. A comment posted "
               "without an account can be changed from the same browser, for a limited time.")


def _edit_page(comment, form, message=None, status=200):
    return render_template("comments/edit.html", comment=comment, page=comment.page, form=form,
                           message=message), status


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id):
    comment = _comment(comment_id)
    form = EditForm()
    if not access.may_change(current_user, comment):
        return _edit_page(comment, form, NOT_YOURS, 403)
    if request.method == "GET":
        form.body.data = comment.body
        return _edit_page(comment, form)
    try:
        service.edit_comment(comment, current_user, form.body.data)
    except CommentError as error:
        db.session.rollback()
        return _edit_page(comment, form, error.message, error.status)
    if comment.status == "held" and not access.is_moderator(current_user):
        flash(_("Comment saved. It is waiting for a moderator's approval."), "info")
    else:
        flash(_("Comment saved."), "success")
    return _back(comment)


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
def delete(comment_id):
    comment = _comment(comment_id)
    if not access.may_change(current_user, comment):
        return render_error(403, NOT_YOURS)
    if request.method == "POST":
        service.delete_comment(comment)
        flash(_("Comment deleted."), "success")
        response = _back(comment, anchor=False)
        response.delete_cookie(access.cookie_name(comment), path="/")  # its token is void now
        return response
    return render_template("comments/delete.html", comment=comment, page=comment.page)


# -- moderation -----------------------------------------------------------------------


@bp.route("/comments/<int:comment_id>/hide", methods=["POST"])
def hide(comment_id):
    _require_moderator()
    comment = _comment(comment_id)
    service.hide_comment(comment)
    flash(_("Comment hidden: only moderators and its author see it now."), "success")
    return _back(comment)


@bp.route("/comments/<int:comment_id>/show", methods=["POST"])
def show(comment_id):
    """Unhide a hidden comment, or approve a held one."""
    _require_moderator()
    comment = _comment(comment_id)
    service.show_comment(comment)
    flash(_("Comment visible to every reader of the page."), "success")
    return _back(comment)


@bp.route("/comments/moderation")
def moderation():
    _require_moderator()
    return render_template("comments/moderation.html", comments=moderation_queue())


@bp.route("/comments/page/<slug>/closed", methods=["POST"])
def set_closed(slug):
    _require_moderator()
    page = _page(slug)
    closed = request.form.get("closed") == "1"
    service.set_closed(page, closed)
    flash(_("Comments on this page are closed; the thread stays readable.") if closed
          else _("Comments on this page are open again."), "success")
    return redirect(url_for("pages.view", slug=page.slug, _anchor="comments"), 303)


# -- feed -------------------------------------------------------------------------------


@bp.route("/comments.atom")
def feed():
    """Recent comments on the pages the reader may see (a feed reader without
    a session sees what anonymous visitors see)."""
    xml = atom_feed(recent_comments(current_user, FEED_ENTRIES))
    return Response(xml, mimetype="application/atom+xml")
