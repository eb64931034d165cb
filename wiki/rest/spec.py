"""The OpenAPI 3.1 document, built from the endpoints' declarations
(wiki/rest/registry.py) and their pydantic models (JSON Schema 2020-12, the
dialect of OpenAPI 3.1)."""

import re

from pydantic.json_schema import models_json_schema

from .problems import MEDIA_TYPE
from .schemas import Problem

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {None: "string", "string": "string", "path": "string", "int": "integer"}

# What each problem status means, for the document.
PROBLEMS = {
    400: "The request is malformed: query parameters, or a body that is not JSON.",
    401: "No valid API token: missing, unknown, revoked or expired.",
    403: "The caller may not do this (role, token scope, or a session's missing CSRF token).",
    404: "Nothing at this address, or nothing the caller may see.",
    409: "The change conflicts with the current state (an overlapping edit, a taken title).",
    412: "If-Match names a revision that is no longer current.",
    413: "The body is larger than the wiki accepts.",
    415: "The body is not of the media type the endpoint takes.",
    422: "The body is JSON but its fields are wrong: see ``errors``.",
    428: "If-Match is required: send the ETag of the revision the change started from.",
    429: "Too many calls: wait the seconds of Retry-After.",
    503: "Not available for a moment (the search index is being built): wait the seconds of Retry-After.",
}
HEADERS = {
    "ETag": "The revision of the page's text, for If-Match.",
    "Link": "The first, previous, next and last pages of the list (RFC 8288).",
    "Location": "The address of what was created.",
}


def openapi_path(rule):
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


def _path_parameters(rule):
    return [{"name": name, "in": "path", "required": True,
             "schema": {"type": _TYPES.get(converter, "string")}}
            for converter, name in _PARAM.findall(rule)]


def _query_parameters(model):
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _problem_statuses(endpoint):
    statuses = {400, 429, *endpoint.problems}  # 400: any query parameter it does not take
    if endpoint.role or endpoint.scope == "write":
        statuses.update((401, 403))
    else:
        statuses.add(401)  # a bad token is refused even where anyone may read
    if "<" in endpoint.path:
        statuses.add(404)
    if endpoint.body is not None or endpoint.upload is not None:
        statuses.update((400, 413, 415, 422))
    if endpoint.if_match == "required":
        statuses.update((412, 428))
    elif endpoint.if_match == "optional":
        statuses.add(412)
    return sorted(statuses)


def _operation(endpoint, refs):
    operation = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": _path_parameters(endpoint.path),
        "responses": {},
    }
    doc = (endpoint.view.__doc__ or "").strip()
    if doc:
        operation["description"] = " ".join(doc.split())
    if endpoint.query is not None:
        operation["parameters"] += _query_parameters(endpoint.query)
    if endpoint.if_match:
        operation["parameters"].append({
            "name": "If-Match", "in": "header", "required": endpoint.if_match == "required",
            "description": "The ETag of the revision the change started from, or * for any.",
            "schema": {"type": "string"}})
    if endpoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[(endpoint.body, "validation")]}}}
    elif endpoint.upload is not None:
        operation["requestBody"] = {"required": True, "content": {
            "multipart/form-data": {"schema": endpoint.upload}}}
    ok = {"description": endpoint.summary}
    if endpoint.response is not None:
        ok["content"] = {"application/json": {"schema": refs[(endpoint.response, "serialization")]}}
    elif endpoint.media is not None:
        medias = (endpoint.media,) if isinstance(endpoint.media, str) else endpoint.media
        ok["content"] = {m: {"schema": {"type": "string", "contentMediaType": m}} for m in medias}
    headers = dict(endpoint.headers)
    if endpoint.etag:
        headers["ETag"] = HEADERS["ETag"]
    if endpoint.response is not None and "items" in endpoint.response.model_fields \
            and "per_page" in endpoint.response.model_fields:
        headers["Link"] = HEADERS["Link"]
    if endpoint.status == 201:
        headers["Location"] = HEADERS["Location"]
    if headers:
        ok["headers"] = {name: {"description": text, "required": True, "schema": {"type": "string"}}
                         for name, text in headers.items()}
    operation["responses"][str(endpoint.status)] = ok
    if "<slug>" in endpoint.path:  # a page's old address: wiki.rest.pages.get_page
        status = "301" if endpoint.method == "GET" else "308"
        operation["responses"][status] = {
            "description": "The page has a new address: the same call there.",
            "headers": {"Location": {"description": "The same call at the page's new address.",
                                     "required": True, "schema": {"type": "string"}}}}
    problem = {"content": {MEDIA_TYPE: {"schema": refs[(Problem, "serialization")]}}}
    for status in _problem_statuses(endpoint):
        operation["responses"][str(status)] = {"description": PROBLEMS[status], **problem}
    if endpoint.role or endpoint.scope == "write":
        operation["security"] = [{"bearer": []}, {"session": []}]
    else:
        operation["security"] = [{}, {"bearer": []}, {"session": []}]
    return operation


def build(api, info, server):
    """The OpenAPI document of ``api``'s endpoints; ``info``: its title and
    version; ``server``: the address the paths are under."""
    wanted = {(Problem, "serialization")}
    for endpoint in api.endpoints:
        if endpoint.body is not None:
            wanted.add((endpoint.body, "validation"))
        if endpoint.response is not None:
            wanted.add((endpoint.response, "serialization"))
    refs, definitions = models_json_schema(sorted(wanted, key=lambda m: (m[0].__name__, m[1])),
                                           ref_template=REF)
    paths = {}
    for endpoint in api.endpoints:
        paths.setdefault(openapi_path(endpoint.path), {})[endpoint.method.lower()] = \
            _operation(endpoint, refs)
    return {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A personal API token (docs/api.md)."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The browser's session; writes need its CSRF token "
                                           "in an X-CSRFToken header."},
            },
        },
    }
