"""``/search``: results, snippets, facets."""

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from .service import search

bp = Blueprint("search", __name__, template_folder="templates")

DOWNLOAD = "attachments.download"  # the attachments plugin's view of a file


@bp.route("/search")
def results():
    text = request.args.get("q", "")
    page = request.args.get("page", 1, type=int) or 1
    found = search(text, current_user, page)
    html = render_template("search/results.html", search=found, q=found.text, file_url=file_url)
    if found.building:  # not an error of the reader's: come back later
        return html, 503, {"Retry-After": "60"}
    return html


def file_url(hit):
    """Where a file's hit leads: the file (``#page=7`` of a PDF, where the best
    snippet is), or its page's attachments when the attachments plugin is off
    (an index built while it was on may still hold files)."""
    if not hit.file_name or DOWNLOAD not in current_app.view_functions:
        return url_for("pages.view", slug=hit.slug) + "#attachments"
    anchor = f"#{hit.section['anchor']}" if hit.section else ""
    return url_for(DOWNLOAD, slug=hit.slug, name=hit.file_name) + anchor
