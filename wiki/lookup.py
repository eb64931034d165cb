"""The page a request is about, as a reader may see it."""

from flask import abort, redirect, request, url_for
from flask_login import current_user

from .models import can_see
from .services import find_page


def load_page(slug, endpoint="pages.view"):
    """The page at ``slug`` if the reader may see it, else a 404; an old slug
    redirects to the page's address at ``endpoint`` (308 for a POST, so a
    browser sends the form again instead of losing it)."""
    page, moved = find_page(slug)
    if moved is not None and can_see(current_user, moved):
        redirect_moved(moved, endpoint)
    if page is None or not can_see(current_user, page):
        abort(404)
    return page


def redirect_moved(page, endpoint):
    """Answer with a redirect to the same request at ``page``'s address (an
    old one was asked for): 301, or 308 for a change, so that the client sends
    its body again instead of losing it."""
    url = url_for(endpoint, **{**request.view_args, "slug": page.slug})
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    abort(redirect(url, 301 if request.method in ("GET", "HEAD") else 308))
