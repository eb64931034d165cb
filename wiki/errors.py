"""Error pages: a clear message and the right status, never a bare 500.

A form that fails its CSRF check (an expired session, say) shows the text
the visitor typed, so it is never lost.
"""

import logging

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .rest.problems import is_api_request, problem_response

log = logging.getLogger(__name__)

# Lazy: each is translated when a page shows it, in that request's language
# (chosen even for errors raised before any view runs: a 404 of the router,
# a CSRF failure, a body too large).
MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to do that."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not accept that kind of request."),
    409: _l("That conflicts with the current state of the page."),
    413: _l("That is more than the wiki accepts in one request."),
    429: _l("Too many requests: please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing you sent was saved."),
}


# Fields worth giving back after a failed POST (by the last part of their
# name: "body", "comment-body"), with what the page calls them: text a person
# wrote. Never passwords or tokens, which an error page must not print.
TYPED_FIELDS = {"body": _l("Text"), "summary": _l("Edit summary"), "title": _l("Title")}


def _typed_text():
    """``{label: text}`` of the text fields the failed request carried."""
    if request.method != "POST":
        return {}
    try:
        fields = [(k.rsplit("-", 1)[-1], v) for k, v in request.form.items() if v.strip()]
    except Exception:  # the body may be what was wrong (too large)
        return {}
    return {str(TYPED_FIELDS[name]): v for name, v in fields if name in TYPED_FIELDS}


def render_error(status, message=None, **context):
    """The error page for ``status`` (with ``message``, or the usual one):
    ``(body, status)``, to return from a view: ``return render_error(404)``."""
    return render_template(
        "error.html",
        status=status,
        message=message or MESSAGES.get(status) or _("Error."),
        typed=_typed_text(),
        **context,
    ), status


def _problem(status, message=None):
    """An error of the REST API: a problem document instead of a page."""
    return problem_response(status, message or MESSAGES.get(status) or _("Error."))


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _("This form expired or was sent without its security token, so nothing was "
              "saved. Reload the page and send it again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code and error.code < 400:
            return error
        message = error.description if error.code not in MESSAGES else None
        if is_api_request():
            response = _problem(error.code or 500, message)
            if error.code == 405 and error.valid_methods:
                response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        return render_error(error.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        # A failed statement leaves the session unusable, and the page itself
        # queries (the account, its language, the sidebar).
        db.session.rollback()
        if is_api_request():
            return _problem(500)
        return render_error(500)
