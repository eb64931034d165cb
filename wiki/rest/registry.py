"""How endpoints are declared and called: ``Api`` collects them (the core's
and every plugin's, through the ``register_api`` hook), builds the Flask
blueprint, and the OpenAPI document comes from the same declarations
(wiki/rest/spec.py), so the two cannot disagree.

An endpoint is a function with a declaration::

    @api.get("/labels/<name>", response=LabelOut, summary="One label")
    def get_label(name):
        ...
        return {"name": name, "pages": 3}

The wrapper checks, in order: who calls (token or session, CSRF for a
session's writes), the rate limit, the scope and role, ``If-Match`` when
required, the query parameters (400) and the JSON body (415, 413, 400, 422);
then calls the function with ``query=`` and ``body=`` (validated models) and
the path arguments, and turns what it returns into JSON through ``response``.
"""

import json
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from . import auth
from .paging import Paged
from .problems import ApiError

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Endpoint:
    path: str  # Flask's rule syntax, under /api/v1: "/pages/<slug>"
    method: str
    view: object
    summary: str
    tag: str
    response: type[BaseModel] | None = None  # None: no body (204) or ``media``
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    role: str | None = None  # the role needed; None: anyone (what they see is still checked)
    scope: str = "read"
    if_match: str | None = None  # "required" (428 without) or "optional"
    etag: bool = False  # the answer carries an ETag
    problems: tuple = ()  # more statuses the endpoint may answer (404, 409...)
    media: str | tuple | None = None  # a non-JSON answer: its media type(s) ("application/pdf", ...)
    upload: dict | None = None  # a multipart/form-data body: its JSON schema
    headers: dict = field(default_factory=dict)  # more response headers: name -> description

    @property
    def name(self):
        return self.view.__name__


class Api:
    """The endpoints of one app; plugins get it in their ``register_api`` hook."""

    def __init__(self):
        self.endpoints: list[Endpoint] = []

    def route(self, path, method, *, summary, tag, **options):
        """Declare the decorated function as the endpoint ``method path``;
        ``options`` are the fields of ``Endpoint``. ``scope`` defaults to
        "write" for methods that change things."""

        def decorator(view):
            options.setdefault("scope", "write" if method in WRITE_METHODS else "read")
            self.endpoints.append(Endpoint(path=path, method=method, view=view, summary=summary,
                                           tag=tag, **options))
            return view

        return decorator

    def get(self, path, **options):
        return self.route(path, "GET", **options)

    def post(self, path, **options):
        return self.route(path, "POST", **options)

    def put(self, path, **options):
        return self.route(path, "PUT", **options)

    def patch(self, path, **options):
        return self.route(path, "PATCH", **options)

    def delete(self, path, **options):
        return self.route(path, "DELETE", **options)

    def blueprint(self, name, url_prefix):
        bp = Blueprint(name, __name__, url_prefix=url_prefix)
        for endpoint in self.endpoints:
            bp.add_url_rule(endpoint.path, endpoint.name, _wrap(endpoint), methods=[endpoint.method])
        return bp


def _field_errors(error: ValidationError):
    """Pydantic's errors as ``[{"field": "a.b", "message": ...}]``."""
    found = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or None
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = _("Unknown field: remove it, or check its spelling.")
        elif item["type"] == "missing":
            message = _("This field is required.")
        found.append({"field": where, "message": message})
    return found


def _query(endpoint):
    args = request.args.to_dict()
    if endpoint.query is None:
        if args:
            raise ApiError(400, _("This address takes no query parameters: %(names)s.",
                                  names=", ".join(sorted(args))), "validation")
        return None
    try:
        return endpoint.query.model_validate(args)
    except ValidationError as e:
        raise ApiError(400, _("Some query parameters are wrong: %(names)s.",
                              names=", ".join(str(x["field"]) for x in _field_errors(e))),
                       "validation", errors=_field_errors(e)) from None


def _json_body(endpoint):
    if request.mimetype != "application/json":
        raise ApiError(415, _("Send the body as JSON, with “Content-Type: application/json”."),
                       headers={"Accept": "application/json"})
    raw = request.get_data(cache=True)  # past MAX_CONTENT_LENGTH: 413, from Werkzeug
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, _("The body is not valid JSON: %(error)s.", error=str(e)[:200])) from None
    if not isinstance(data, dict):
        raise ApiError(422, _("The body must be a JSON object."), "validation",
                       errors=[{"field": None, "message": _("Expected an object.")}])
    try:
        return endpoint.body.model_validate_json(raw)
    except ValidationError as e:
        errors = _field_errors(e)
        raise ApiError(422, _("Some fields are wrong: %(names)s.",
                              names=", ".join(str(x["field"]) for x in errors)),
                       "validation", errors=errors) from None


def _answer(endpoint, result):
    """Whatever the function returned -> a response."""
    if isinstance(result, Response):
        return result
    status, headers = endpoint.status, {}
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else {}
    if isinstance(result, Paged):
        headers = {"Link": result.link_header(), **headers}
        result = result.body()
    if endpoint.response is None or result is None:
        return Response(status=status, headers=headers)
    model = endpoint.response
    data = result if isinstance(result, model) else model.model_validate(result)
    return Response(data.model_dump_json(), status=status, headers=headers, mimetype="application/json")


def _wrap(endpoint):
    @wraps(endpoint.view)
    def call(**path):
        auth.authenticate()
        auth.rate_limit()
        auth.require(endpoint.scope, endpoint.role)
        if endpoint.if_match == "required" and "If-Match" not in request.headers:
            raise ApiError(428, _("Send the ETag of the revision you started from in an If-Match "
                                  "header (GET the page for it), so that no change saved meanwhile "
                                  "is overwritten; “If-Match: *” applies yours on top of any."),
                           "if-match-required")
        kwargs = dict(path)
        query = _query(endpoint)  # checked even when the endpoint takes none
        if endpoint.query is not None:
            kwargs["query"] = query
        if endpoint.body is not None:
            kwargs["body"] = _json_body(endpoint)
        elif endpoint.upload is not None and request.mimetype != "multipart/form-data":
            raise ApiError(415, _("Send the file as multipart/form-data."),
                           headers={"Accept": "multipart/form-data"})
        return _answer(endpoint, endpoint.view(**kwargs))

    return call
