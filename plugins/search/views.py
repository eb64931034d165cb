"""``/search``: results, snippets, facets."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from .service import search

bp = Blueprint("search", __name__, template_folder="templates")


@bp.route("/search")
def results():
    text = request.args.get("q", "")
    page = request.args.get("page", 1, type=int) or 1
    found = search(text, current_user, page)
    html = render_template("search/results.html", search=found, q=found.text)
    if found.building:  # not an error of the reader's: come back later
        return html, 503, {"Retry-After": "60"}
    return html
