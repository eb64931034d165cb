"""Fixtures of the API tests: a client per role that calls with a bearer
token, and checks every answer against the OpenAPI document
(tests/support/openapi.py)."""

import json

import pytest
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from support import openapi

from wiki.extensions import db
from wiki.models import User
from wiki.rest.tokens import create_token

ROLES = ("anonymous", "member", "editor", "admin", "reader")  # reader: an admin's read-only token


class ApiClient:
    """Calls the API as one caller; ``client.get("/pages")`` goes to
    /api/v1/pages. Every answer is checked against the document."""

    def __init__(self, client: FlaskClient, spec, token=None):
        self.client, self.spec, self.token = client, spec, token

    def request(self, method, path, headers=None, **kwargs):
        url = path if path.startswith(openapi.PREFIX) else openapi.PREFIX + path
        headers = dict(headers or {})
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        openapi.check(self.spec, method, url.split("?")[0], response)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


_VALIDATED = set()  # documents already checked in this run (the check takes most of a second)


@pytest.fixture
def spec(app):
    """The OpenAPI document, validated (openapi-spec-validator)."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    key = json.dumps(document, sort_keys=True)
    if key not in _VALIDATED:
        validate(document)
        _VALIDATED.add(key)
    return document


def problem(response, status, kind=None):
    """Assert ``response`` is a problem document of ``status`` (and type
    ``kind``: a ``urn:wiki:problem:…``) with a ``detail``; return it."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["detail"]
    if kind:
        assert body["type"] == kind
    return body


@pytest.fixture
def tokens(app, users):
    """A token per role: write scope for the accounts, and ``reader``, a
    read-only token of the admin."""
    made = {}
    for role in ("member", "editor", "admin"):
        made[role] = create_token(db.session.get(User, users[role]), f"{role} script", "write")[1]
    made["reader"] = create_token(db.session.get(User, users["admin"]), "read only", "read")[1]
    return made


@pytest.fixture
def api_as(app, spec, tokens):
    """``api_as("editor")``: an ``ApiClient`` with that role's token
    (``"anonymous"``: none)."""

    def make(role):
        return ApiClient(app.test_client(), spec, tokens.get(role))

    return make


@pytest.fixture
def api(api_as):
    """The editor's client, for tests of one role."""
    return api_as("editor")
