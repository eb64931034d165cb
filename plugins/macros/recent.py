"""``{{recent count=N}}``: the N pages changed most recently (default 5),
among those the reader may see and that are listed for them (not the
Templates branch of a reader who cannot edit: ``hidden_page_ids``)."""

from flask import render_template
from markupsafe import Markup

from wiki.api import Page, db, hidden_page_ids, visible_pages

from .arguments import parse, whole_number

ACCEPTED = {"count": whole_number(1, 50)}


def render(args, page, user):
    count = parse(args, ACCEPTED).get("count", 5)
    hidden = hidden_page_ids(user)
    pages = db.session.execute(
        visible_pages(user).where(Page.id.not_in(hidden) if hidden else db.true())
        .with_only_columns(Page.slug, Page.title, Page.updated_at)
        .order_by(Page.updated_at.desc(), Page.id.desc())
        .limit(count)
    ).all()
    return Markup(render_template("macros/recent.html", pages=pages))  # noqa: S704 - autoescaped template
