"""Errors of the API as problem documents (RFC 9457, ``application/problem+json``):
``{"type", "title", "status", "detail"}`` and, where they help, more members
(``errors`` for fields, ``conflicts`` for an edit conflict)."""

from flask import jsonify, request
from werkzeug.http import HTTP_STATUS_CODES

PREFIX = "/api/v1"
MEDIA_TYPE = "application/problem+json"

# Problems a client may want to tell apart by more than the status; the rest
# are "about:blank" (the status says it all). URNs: nothing to fetch, but
# stable names a script can compare.
TYPES = {
    "validation": "urn:wiki:problem:validation",
    "edit-conflict": "urn:wiki:problem:edit-conflict",
    "if-match-required": "urn:wiki:problem:if-match-required",
    "stale": "urn:wiki:problem:stale",
    "rate-limited": "urn:wiki:problem:rate-limited",
    "invalid-token": "urn:wiki:problem:invalid-token",
    "insufficient-scope": "urn:wiki:problem:insufficient-scope",
    "csrf": "urn:wiki:problem:csrf",
}


class ApiError(Exception):
    """Raise in an endpoint to answer with a problem document:
    ``raise ApiError(404, "No page at “agenda”.")``; ``kind`` is one of
    ``TYPES`` (None: the status alone), ``extra`` more members of the
    document, ``headers`` headers of the response."""

    def __init__(self, status, detail, kind=None, headers=None, **extra):
        super().__init__(detail)
        self.status, self.detail, self.kind = status, str(detail), kind
        self.headers, self.extra = headers or {}, extra


def problem_response(status, detail, kind=None, headers=None, **extra):
    body = {"type": TYPES[kind] if kind else "about:blank",
            "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status, "detail": str(detail),
            **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    response.headers.update(headers or {})
    return response


def from_error(error: ApiError):
    return problem_response(error.status, error.detail, error.kind, error.headers, **error.extra)


def is_api_request():
    """Whether the request is for the API (its errors are problem documents)."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")
