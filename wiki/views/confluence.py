"""Old Confluence addresses of imported pages: each redirects to the page it
became, so links shared before the move keep working (docs/import-confluence.md).

    /display/SPACE/Page+Title              -> the page (Confluence writes spaces as +)
    /display/SPACE                         -> the space's home page
    /pages/viewpage.action?pageId=N        -> the page (also ?spaceKey=SPACE&title=Page+Title)
    /spaces/SPACE/pages/N[/Title]          -> the page (newer Confluence, and Cloud under /wiki)

An address no imported page has, or one of a page the reader may not see,
is "not found", with a message that says what the address was.
"""

from flask import Blueprint, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..errors import render_error
from ..extensions import db
from ..models import ConfluencePage, Page, can_see
from ..text import title_key

bp = Blueprint("confluence", __name__)

NOT_FOUND = _l("This is the address of a page of the Confluence wiki this one replaces, and no page "
               "imported from it has it. Look for the page by its title in All pages, or search for it.")


@bp.route("/display/<space_key>", strict_slashes=False)
def space_home(space_key):
    return _go(_in_space(space_key).where(ConfluencePage.home.is_(True)))


@bp.route("/display/<space_key>/<path:title>")
def display(space_key, title):
    return _go(*_titled(space_key, title))


@bp.route("/pages/viewpage.action")
def viewpage():
    content_id = request.args.get("pageId", "").strip()
    if content_id:
        return _go(_imported().where(ConfluencePage.content_id == content_id))
    space_key, title = request.args.get("spaceKey", ""), request.args.get("title", "")
    if space_key and title:
        return _go(*_titled(space_key, title))
    return render_error(404, NOT_FOUND)


@bp.route("/spaces/<space_key>/pages/<content_id>", strict_slashes=False)
@bp.route("/spaces/<space_key>/pages/<content_id>/<path:title>")
@bp.route("/wiki/spaces/<space_key>/pages/<content_id>", strict_slashes=False)
@bp.route("/wiki/spaces/<space_key>/pages/<content_id>/<path:title>")
def space_page(space_key, content_id, title=None):
    del title  # the id is enough; Confluence adds the title for people
    return _go(_in_space(space_key).where(ConfluencePage.content_id == content_id))


def _imported():
    """Live pages that came from Confluence, oldest import first."""
    return (db.select(Page).join(ConfluencePage, ConfluencePage.page_id == Page.id)
            .where(Page.deleted_at.is_(None)).order_by(ConfluencePage.id))


def _in_space(space_key):
    # Space keys are upper-case in Confluence, which takes them in any case.
    return _imported().where(db.func.upper(ConfluencePage.space_key) == space_key.upper())


def _titled(space_key, title):
    """Queries for the page titled ``title``: exactly (``+`` read as a space,
    then as itself: a ``+`` of the title came %-encoded, and is one now),
    then as wiki links compare titles."""
    spaced = title.replace("+", " ")
    query = _in_space(space_key)
    return (query.where(ConfluencePage.title.in_([spaced, title])),
            query.where(ConfluencePage.title_key == title_key(spaced)))


def _go(*queries):
    for query in queries:
        page = db.session.scalar(query.limit(1))
        if page is not None:
            if not can_see(current_user, page):
                break  # as if it were not there: members-only pages stay unknown to visitors
            return redirect(url_for("pages.view", slug=page.slug), 301)
    return render_error(404, NOT_FOUND)
