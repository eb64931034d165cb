"""Every answer of the API checked against its OpenAPI document: the status
is documented for that operation, the media type too, the JSON body matches
the schema (JSON Schema 2020-12, as OpenAPI 3.1 says) and the headers
documented as required are there."""

import re
from functools import cache

import jsonschema

PREFIX = "/api/v1"


@cache
def _matcher(template):
    return re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template)) + "$")


def operation(spec, method, path):
    """The operation of ``spec`` for ``method`` on the concrete ``path`` (under the prefix)."""
    method = "get" if method.upper() == "HEAD" else method.lower()
    # A literal path wins over a template ("/pages/new" would match "/pages/{slug}").
    for template in sorted(spec["paths"], key=lambda t: t.count("{")):
        if _matcher(template).match(path):
            return template, spec["paths"][template].get(method)
    return None, None


def check(spec, method, url_path, response):
    """Assert ``response`` (a Werkzeug test response) is what the document promises."""
    assert url_path.startswith(PREFIX), url_path
    path = url_path[len(PREFIX):] or "/"
    template, op = operation(spec, method, path)
    if template is None or op is None:
        # Only problems may answer an address or method the document lacks.
        assert response.status_code in (404, 405), f"{method} {path}: undocumented, {response.status_code}"
        assert response.mimetype == "application/problem+json", response.mimetype
        _validate(spec, spec["components"]["schemas"]["Problem"], response.get_json(), path)
        return
    status = str(response.status_code)
    entry = op["responses"].get(status) or op["responses"].get("default")
    assert entry is not None, \
        f"{method} {template}: status {status} is not documented ({response.data[:300]!r})"
    for name, header in entry.get("headers", {}).items():
        if header.get("required"):
            assert name in response.headers, f"{method} {template} {status}: no {name} header"
    content = entry.get("content")
    if not content:
        assert not response.data or method.upper() == "HEAD" or response.status_code in (301, 308), \
            f"{method} {template} {status}: a body where none is documented"
        return
    if method.upper() == "HEAD":
        return
    assert response.mimetype in content, \
        f"{method} {template} {status}: {response.mimetype} is not one of {list(content)}"
    if response.mimetype.endswith("json"):
        _validate(spec, content[response.mimetype]["schema"], response.get_json(), f"{method} {template}")


def _validate(spec, schema, data, where):
    # The components go in the schema's root, where "#/components/..." points.
    root = {**schema, "components": spec["components"]}
    errors = sorted(jsonschema.Draft202012Validator(root).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, f"{where}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
