"""What the plugin adds to the templates: the Watch button among a page's
actions, its part of the account page, the address field of the comment
form for visitors without an account."""

from flask import render_template
from markupsafe import Markup
from sqlalchemy import func, select

from wiki.api import db, mail_enabled

from . import anonymous
from .audience import covering_watches, preference
from .models import Watch
from .views import own_watch


def render(name, context):
    page, user = context.get("page"), context.get("user")
    if name == "head":
        html = render_template("notify/head.html")
    elif name == "page_actions" and page is not None and user is not None and user.is_authenticated \
            and mail_enabled():
        html = _watch_box(page, user)
    elif name == "account" and user is not None and user.is_authenticated:
        count = db.session.scalar(select(func.count()).select_from(Watch).where(Watch.user_id == user.id))
        html = render_template("notify/_account.html", mode=preference(user.id).mode, count=count,
                               mail_on=mail_enabled())
    elif name == "comment_form" and user is not None and anonymous.asked(user):
        html = render_template("notify/_comment_field.html", field=anonymous.FIELD,
                               value=anonymous.typed_address())
    else:
        return None
    return Markup(html)  # noqa: S704 - our templates, autoescaped: user text inside is escaped


def _watch_box(page, user):
    watch = own_watch(user, page)
    inherited = None if watch else covering_watches(page).get(user.id)
    return render_template("notify/_watch.html", page=page, watch=watch, inherited=inherited,
                           mode=preference(user.id).mode,
                           confirmed=bool(user.email) and user.email_confirmed_at is not None)
