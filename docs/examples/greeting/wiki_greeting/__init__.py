"""Greeting: a banner under each page title, a page of the latest changes a
reader may see, the greeting in the REST API, and a log line per save. Uses
only ``wiki.api``."""

import logging

from flask import Blueprint, render_template
from flask_login import current_user
from markupsafe import Markup

from wiki.api import ApiOut, ApiPageRef, Page, api_page, api_page_ref, db, hookimpl, load_page, visible_pages

log = logging.getLogger(__name__)
bp = Blueprint("greeting", __name__, template_folder="templates", url_prefix="/greeting")


@bp.route("/")
def latest():
    pages = db.session.scalars(visible_pages(current_user).order_by(Page.updated_at.desc()).limit(5))
    return render_template("greeting/latest.html", pages=pages)


@bp.route("/<slug>")
def hello(slug):
    page = load_page(slug, "greeting.hello")  # 404 if the reader may not see it
    return render_template("greeting/latest.html", pages=[page])


@hookimpl
def register_blueprints(app):
    app.register_blueprint(bp)


class GreetingOut(ApiOut):
    page: ApiPageRef
    text: str


@hookimpl
def register_api(api):
    @api.get("/greetings/<slug>", response=GreetingOut, summary="A page's greeting", tag="Greeting")
    def greeting(slug):
        page = api_page(slug)  # 404 if the caller may not see it; an old address redirects
        return {"page": api_page_ref(page), "text": f"Hello, reader of {page.title}!"}


@hookimpl
def template_slot(name, context):
    if name == "page_header" and context["page"] is not None:
        # render_template escapes the values; Markup says the result is safe HTML.
        return Markup(render_template("greeting/banner.html", page=context["page"]))  # noqa: S704
    return None


@hookimpl
def page_saved(page, revision, created):
    log.info("%s saved as revision %s%s", page.slug, revision.number, " (new page)" if created else "")
