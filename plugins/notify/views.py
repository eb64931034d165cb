"""Watch and unwatch a page, the member's notification preferences, and the
page where an anonymous commenter confirms their address. Thin: the rules
are in ``audience.py`` and ``anonymous.py``."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from wiki.api import can_see, db, invalidate_views, load_page, mail_enabled, render_error

from . import anonymous
from .audience import preference
from .forms import PreferenceForm
from .models import Preference, Watch

bp = Blueprint("notify", __name__, template_folder="templates", static_folder="static",
               static_url_path="/plugins/notify/static")


def _require_member():
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())


def own_watch(user, page):
    return db.session.scalar(select(Watch).where(Watch.user_id == user.id, Watch.page_id == page.id))


def _back(page):
    if request.form.get("back") == "preferences":
        return redirect(url_for("notify.preferences"), 303)
    return redirect(url_for("pages.view", slug=page.slug), 303)


@bp.route("/wiki/<slug>/watch", methods=["POST"])
def watch(slug):
    """Watch the page (``subtree=1``: and every page under it); sent again, it changes that choice."""
    _require_member()
    page = load_page(slug, request.endpoint)
    subtree = request.form.get("subtree") == "1"
    row = own_watch(current_user, page)
    if row is None:
        row = Watch(user_id=current_user.id, page_id=page.id)
        db.session.add(row)
    row.subtree = subtree
    db.session.commit()
    flash(_("You watch this page and the pages under it.") if subtree else _("You watch this page."),
          "success")
    return _back(page)


@bp.route("/wiki/<slug>/unwatch", methods=["POST"])
def unwatch(slug):
    _require_member()
    page = load_page(slug, request.endpoint)
    row = own_watch(current_user, page)
    if row is not None:
        db.session.delete(row)
        db.session.commit()
    flash(_("You no longer watch “%(title)s”.", title=page.title), "success")
    return _back(page)


def watches_of(user):
    rows = db.session.scalars(select(Watch).where(Watch.user_id == user.id)).all()
    return sorted((w for w in rows if not w.page.is_deleted), key=lambda w: w.page.title.casefold())


@bp.route("/account/notifications", methods=["GET", "POST"])
def preferences():
    _require_member()
    saved = preference(current_user.id)
    form = PreferenceForm(data={"mode": saved.mode, "replies": saved.replies})
    if form.validate_on_submit():
        row = db.session.get(Preference, current_user.id)
        if row is None:
            row = Preference(user_id=current_user.id)
            db.session.add(row)
        row.mode, row.replies = form.mode.data, form.replies.data
        invalidate_views()  # the Watch button says when notifications are off
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notify.preferences"), 303)
    status = 400 if form.errors else 200
    return render_template("notify/preferences.html", form=form, watches=watches_of(current_user),
                           mail_on=mail_enabled(), confirmed=current_user.email_confirmed_at is not None
                           and bool(current_user.email)), status


@bp.route("/notify/replies/<token>", methods=["GET", "POST"])
def confirm(token):
    """GET shows a button (link checkers that open links confirm nothing); POST confirms."""
    try:
        subscription = anonymous.from_token(token)
    except anonymous.LinkError as error:
        return render_error(error.status, error.message)
    if request.method == "POST":
        anonymous.confirm(subscription)
    page = subscription.page
    shown = not page.is_deleted and can_see(current_user, page)  # a page since made members-only: no title
    return render_template("notify/confirm.html", about=page if shown else None, token=token,
                           done=subscription.confirmed_at is not None)
