"""Error pages: a clear message and the right status, never a bare 500.

A form that fails its CSRF check (an expired session, say) shows the text
the visitor typed, so it is never lost.
"""

import logging

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do that.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    409: "That conflicts with the current state of the page.",
    413: "That is more than the wiki accepts in one request.",
    429: "Too many requests: please wait a moment and try again.",
    500: "Something went wrong on our side. Nothing you sent was saved.",
}


# Fields worth giving back after a failed POST: text a person wrote. Never
# passwords or tokens, which an error page must not print.
TYPED_FIELDS = ("body", "summary", "title")


def _typed_text():
    if request.method != "POST":
        return {}
    try:
        return {k: v for k, v in request.form.items()
                if v.strip() and k.rsplit("-", 1)[-1] in TYPED_FIELDS}
    except Exception:  # the body may be what was wrong (too large)
        return {}


def render_error(status, message=None, **context):
    """The error page for ``status`` (with ``message``, or the usual one):
    ``(body, status)``, to return from a view: ``return render_error(404)``."""
    return render_template(
        "error.html",
        status=status,
        message=message or MESSAGES.get(status, "Error."),
        typed=_typed_text(),
        **context,
    ), status


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "This form expired or was sent without its security token, so nothing was "
            "saved. Reload the page and send it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code and error.code < 400:
            return error
        message = error.description if error.code not in MESSAGES else None
        return render_error(error.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
