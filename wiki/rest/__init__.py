"""The REST API at /api/v1/: JSON in and out, personal tokens, problem
documents, an OpenAPI 3.1 document at /api/v1/openapi.json (docs/api.md).

The core's endpoints (pages, revisions) and every plugin's (labels,
comments, search, attachments) are declared through the same hook,
``register_api(api)``.
"""

from flask import current_app, jsonify, url_for

from ..extensions import csrf
from . import spec
from .auth import cors_headers
from .problems import PREFIX, ApiError, from_error, is_api_request, problem_response
from .registry import Api
from .schemas import Out
from .tokens import ApiToken  # noqa: F401 - the table joins the metadata

VERSION = "1.0.0"


class Index(Out):
    openapi: str
    documentation: str
    version: str


def entry_point():
    """Where the OpenAPI document and the documentation are."""
    return {"openapi": url_for("rest.openapi", _external=True),
            "documentation": "docs/api.md", "version": VERSION}


def _private(response):
    """An answer depends on who calls (what they may see) and in which
    language (messages): no shared cache may keep one for another caller."""
    response.vary.update(("Authorization", "Cookie", "Accept-Language"))
    response.headers.setdefault("Cache-Control", "private")
    return response


def init_app(app):
    api = Api()
    api.get("/", response=Index, summary="The API's entry point", tag="API")(entry_point)
    app.extensions["wiki.plugins"].hook.register_api(api=api)
    bp = api.blueprint("rest", PREFIX)

    @bp.route("/openapi.json")
    def openapi():
        document = app.extensions.get("wiki.rest.openapi")
        if document is None:  # built once per app, on first use
            info = {"title": f"{current_app.config['SITE_NAME']} API", "version": VERSION,
                    "description": "The wiki's REST API: see docs/api.md."}
            document = app.extensions["wiki.rest.openapi"] = spec.build(api, info, PREFIX)
        return jsonify(document)

    bp.register_error_handler(ApiError, from_error)
    bp.after_request(cors_headers)
    bp.after_request(_private)
    csrf.exempt(bp)  # checked by wiki.rest.auth, for session calls only
    app.register_blueprint(bp)
    app.extensions["wiki.rest"] = api


__all__ = ["Api", "ApiError", "PREFIX", "init_app", "is_api_request", "problem_response"]
