"""Who calls the API, and whether they may: bearer tokens, the browser
session, scopes, roles, rate limits and CORS (docs/api.md).

A request with ``Authorization: Bearer`` acts as the token's owner and
ignores any cookie. Without one, the browser session counts, but a request
that changes something must carry the session's CSRF token in an
``X-CSRFToken`` header: a cookie goes with any request a browser sends,
including one another site makes it send, and the header is what a foreign
page cannot add. A bearer token is never sent by a browser on its own, so it
needs no such header.
"""

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from ..throttle import attempt, client_hash
from .problems import ApiError
from .tokens import find_token, note_use

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _unauthorized(detail, error="invalid_token"):
    return ApiError(401, detail, "invalid-token",
                    headers={"WWW-Authenticate": f'Bearer realm="wiki", error="{error}"'})


def authenticate():
    """Set the caller (``current_user``, ``g.api_token``) from the request."""
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        if current_user.is_authenticated and request.method not in SAFE_METHODS:
            _check_csrf()
        return
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized(_("Send a personal API token as “Authorization: Bearer <token>”."),
                            "invalid_request")
    row = find_token(token.strip())
    if row is None:
        raise _unauthorized(_("This API token is not known: check it was copied whole."))
    if row.revoked_at is not None:
        raise _unauthorized(_("This API token was revoked."))
    if row.expired:
        raise _unauthorized(_("This API token expired: make a new one on your account page."))
    if not row.user.is_active:
        raise _unauthorized(_("The account of this API token is disabled."))
    g._login_user = row.user  # Flask-Login's current_user, for this request only: no session
    g.api_token = row
    note_use(row)


def _check_csrf():
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    # The header only, never a form field: reading the form would read the
    # body before the endpoint sets its own limit (an upload's).
    token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
    try:
        validate_csrf(token)
    except ValidationError:
        raise ApiError(403, _("A request signed in by the browser session must carry the "
                              "session's CSRF token in an X-CSRFToken header; scripts use an "
                              "API token instead."), "csrf") from None


def require(scope="read", role=None):
    """Refuse the call unless the caller holds ``scope`` (tokens only: a
    session may do what its account may) and ``role``."""
    token = g.get("api_token")
    if token is not None and not token.allows(scope):
        raise ApiError(403, _("This API token may only read: make one with the “write” scope "
                              "to change things."), "insufficient-scope",
                       headers={"WWW-Authenticate": 'Bearer realm="wiki", error="insufficient_scope", '
                                                    f'scope="{scope}"'})
    if role is None:
        return
    if not current_user.is_authenticated:
        # No credentials at all: no error code (RFC 6750, 3.1), only the scheme to use.
        raise ApiError(401, _("Sign in first: send an API token as “Authorization: Bearer <token>”."),
                       headers={"WWW-Authenticate": 'Bearer realm="wiki"'})
    if not current_user.has_role(role):
        raise ApiError(403, _("Your account cannot do this: it needs the %(role)s role.",
                              role=role))


def rate_limit():
    """Count the call against its token, account or address (``API_RATE_LIMIT``,
    ``API_ANONYMOUS_RATE_LIMIT``); 429 past the limit."""
    token = g.get("api_token")
    if token is not None:
        limit, key = current_app.config["API_RATE_LIMIT"], f"token:{token.id}"
    elif current_user.is_authenticated:
        limit, key = current_app.config["API_RATE_LIMIT"], f"user:{current_user.id}"
    else:
        limit, key = current_app.config["API_ANONYMOUS_RATE_LIMIT"], f"ip:{client_hash()}"
    if not limit:
        return
    wait, _event = attempt("api", limit, key)
    if wait:
        count, seconds = limit
        raise ApiError(429, _("More than %(count)s calls in %(seconds)s seconds: wait %(wait)s "
                              "seconds.", count=count, seconds=seconds, wait=wait),
                       "rate-limited", headers={"Retry-After": str(wait)})


# -- CORS -------------------------------------------------------------------------

EXPOSED = "ETag, Link, Location, Retry-After, WWW-Authenticate"


def allowed_origin():
    """The request's Origin when ``API_CORS_ORIGINS`` lists it (or ``"*"``)."""
    origin = request.headers.get("Origin")
    allowed = current_app.config["API_CORS_ORIGINS"] or ()
    if origin and (origin in allowed or "*" in allowed):
        return origin
    return None


def cors_headers(response):
    """Open the answer to a listed origin. Never with credentials: a page of
    another site calls with a token, never with the reader's cookie."""
    response.vary.add("Origin")
    origin = allowed_origin()
    if origin is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, If-Match"
        response.headers["Access-Control-Max-Age"] = "600"
    return response
