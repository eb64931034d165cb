"""Who calls the API: personal tokens (hashed, revocable, expiring, acting
with their owner's role), the browser session (CSRF header for writes),
per-caller rate limits and CORS."""

import io
from datetime import timedelta

import pytest
from conftest import PASSWORD, csrf_token

from wiki.extensions import db
from wiki.models import User, utcnow
from wiki.rest.tokens import ApiToken, create_token, digest, find_token

from .conftest import ApiClient

ORIGIN = "https://agenda.example.org"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# -- tokens ---------------------------------------------------------------------------


def test_the_database_holds_the_digest_never_the_token(app, tokens):
    for token in tokens.values():
        row = find_token(token)
        assert row.digest == digest(token)
        stored = db.session.execute(db.select(ApiToken.__table__).where(ApiToken.id == row.id)).one()
        assert not any(token in str(value) for value in stored), "the token itself is stored"


@pytest.mark.parametrize("header", ["Basic ZWRpdG9yOnB3", "Bearer", "Bearer    ", "Token wiki_abc",
                                    "Bearer wiki_not-a-token", "Bearer something-else"])
def test_a_malformed_or_unknown_token_is_a_401_with_www_authenticate(api_as, header):
    response = api_as("anonymous").get("/pages", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="wiki"')
    assert response.get_json()["type"] == "urn:wiki:problem:invalid-token"


def test_a_write_without_credentials_is_a_401_naming_only_the_scheme(api_as):
    """RFC 6750, 3.1: a request without any credentials gets no error code."""
    response = api_as("anonymous").post("/pages", json={"title": "Agenda"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="wiki"'
    assert response.get_json()["type"] == "about:blank"


def test_a_revoked_expired_or_disabled_token_is_a_401(app, api_as, users, tokens):
    editor = api_as("editor")
    row = find_token(tokens["editor"])
    cases = [("revoked_at", utcnow(), "revoked"), ("expires_at", utcnow() - timedelta(seconds=1), "expired")]
    for column, value, word in cases:
        setattr(row, column, value)
        db.session.commit()
        response = editor.get("/pages")
        assert response.status_code == 401 and word in response.get_json()["detail"]
        assert "WWW-Authenticate" in response.headers
        setattr(row, column, None)
        db.session.commit()
        assert editor.get("/pages").status_code == 200
    db.session.get(User, users["editor"]).active = False
    db.session.commit()
    response = editor.get("/pages")
    assert response.status_code == 401 and "disabled" in response.get_json()["detail"]


def test_a_token_not_yet_expired_works_and_its_last_use_is_recorded(app, api_as, users):
    row, token = create_token(db.session.get(User, users["member"]), "soon", "read", days=1)
    assert row.last_used_at is None
    before = utcnow()
    assert ApiClient(app.test_client(), api_as("anonymous").spec, token).get("/pages").status_code == 200
    db.session.expire_all()
    assert row.last_used_at is not None and row.last_used_at >= before - timedelta(seconds=1)


def test_a_token_acts_with_its_owners_role(api_as, make_page, users):
    make_page("Budget", visibility="members")
    assert api_as("member").get("/pages/budget").status_code == 200  # what members see
    response = api_as("member").post("/pages", json={"title": "By a member"})  # a write token, no role
    assert response.status_code == 403 and "editor" in response.get_json()["detail"]
    assert api_as("editor").post("/pages", json={"title": "Before"}).status_code == 201
    db.session.get(User, users["editor"]).role = "member"  # demoted: the token follows
    db.session.commit()
    assert api_as("editor").post("/pages", json={"title": "After"}).status_code == 403
    assert api_as("editor").get("/pages/budget").status_code == 200


def test_a_read_only_token_reads_everything_and_writes_nothing(api_as, make_page):
    make_page("Budget", visibility="members")
    reader = api_as("reader")  # the admin's
    assert reader.get("/pages/budget").status_code == 200
    for response in (reader.post("/pages", json={"title": "X"}),
                     reader.put("/pages/budget", json={"markdown": "x"}, headers={"If-Match": "*"}),
                     reader.patch("/pages/budget", json={"title": "Y"}, headers={"If-Match": "*"}),
                     reader.delete("/pages/budget")):
        assert response.status_code == 403
        assert response.get_json()["type"] == "urn:wiki:problem:insufficient-scope"
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert api_as("admin").get("/pages/budget").get_json()["revision"] == 1


def test_a_bearer_token_wins_over_the_session_cookie(client, auth, spec, tokens, make_page):
    make_page("Budget", visibility="members")
    auth.login("admin")
    response = client.get("/api/v1/pages/budget", headers={"Authorization": "Bearer wiki_unknown"})
    assert response.status_code == 401  # not the admin's session
    response = client.post("/api/v1/pages", json={"title": "X"}, headers=bearer(tokens["member"]))
    assert response.status_code == 403


# -- the browser session ------------------------------------------------------------


@pytest.fixture
def csrf_app(app_factory, app, users):
    return app_factory(WTF_CSRF_ENABLED=True)


def signed_in(app, username):
    client = app.test_client()
    client.post("/login", data={"username": username, "password": PASSWORD,
                                "csrf_token": csrf_token(client.get("/login").text)})
    return client


def test_a_session_reads_and_writes_only_with_the_csrf_header(csrf_app, spec, make_page):
    make_page("Budget", visibility="members")
    browser = signed_in(csrf_app, "editor")
    api = ApiClient(browser, spec)
    assert api.get("/pages/budget").status_code == 200  # members-only: the session counts
    refused = api.post("/pages", json={"title": "Forged"})
    assert refused.status_code == 403 and refused.get_json()["type"] == "urn:wiki:problem:csrf"
    bad = api.post("/pages", json={"title": "Forged"}, headers={"X-CSRFToken": "nonsense"})
    assert bad.status_code == 403
    token = csrf_token(browser.get("/account").text)
    made = api.post("/pages", json={"title": "Mine"}, headers={"X-CSRFToken": token})
    assert made.status_code == 201
    tag = made.headers["ETag"]
    assert api.patch("/pages/mine", json={"title": "Ours"}, headers={"If-Match": tag}).status_code == 403
    assert api.patch("/pages/mine", json={"title": "Ours"},
                     headers={"If-Match": tag, "X-CSRFToken": token}).status_code == 200
    assert api.get("/pages?parent=mine").status_code == 200


def test_a_session_upload_past_the_request_limit_but_within_the_files_works(app_factory, users, make_page):
    """The CSRF check reads the header alone: the upload's own limit applies, not the request's."""
    big_files = app_factory(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=20_000, MAX_ATTACHMENT_BYTES=200_000)
    make_page("Workshop")
    browser = signed_in(big_files, "editor")
    token = csrf_token(browser.get("/account").text)
    upload = {"file": (io.BytesIO(b"x" * 50_000), "notes.txt")}
    refused = browser.post("/api/v1/pages/workshop/attachments", data=dict(upload),
                           content_type="multipart/form-data")
    assert refused.status_code == 403
    upload = {"file": (io.BytesIO(b"x" * 50_000), "notes.txt")}
    done = browser.post("/api/v1/pages/workshop/attachments", data=upload, content_type="multipart/form-data",
                        headers={"X-CSRFToken": token})
    assert done.status_code == 201, done.get_json()


def test_a_bearer_call_needs_no_csrf_header(csrf_app, spec, tokens):
    api = ApiClient(csrf_app.test_client(), spec, tokens["editor"])
    assert api.post("/pages", json={"title": "Scripted"}).status_code == 201


def test_without_a_session_or_token_a_write_is_a_401(csrf_app, spec):
    response = ApiClient(csrf_app.test_client(), spec).post("/pages", json={"title": "X"})
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers


# -- rate limits --------------------------------------------------------------------


def test_the_fourth_call_is_a_429_per_token(app_factory, spec, tokens):
    limited = app_factory(API_RATE_LIMIT=(3, 60))
    editor, member = (ApiClient(limited.test_client(), spec, tokens[r]) for r in ("editor", "member"))
    assert [editor.get("/pages").status_code for _ in range(3)] == [200] * 3
    response = editor.get("/pages")
    assert response.status_code == 429
    assert response.get_json()["type"] == "urn:wiki:problem:rate-limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert member.get("/pages").status_code == 200  # another token: its own count


def test_anonymous_calls_are_counted_per_address(app_factory, spec):
    limited = app_factory(API_ANONYMOUS_RATE_LIMIT=(3, 60))
    one = ApiClient(limited.test_client(), spec)
    other = ApiClient(limited.test_client(), spec)
    here = {"REMOTE_ADDR": "192.0.2.1"}
    for _ in range(3):
        assert one.get("/pages", environ_base=here).status_code == 200
    response = one.get("/pages", environ_base=here)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert other.get("/pages", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200


# -- CORS ---------------------------------------------------------------------------


def test_cors_is_off_by_default(client):
    response = client.get("/api/v1/pages", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/api/v1/pages", headers={"Origin": ORIGIN,
                                                         "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_a_listed_origin_may_call_without_credentials(app_factory, app):
    client = app_factory(API_CORS_ORIGINS=[ORIGIN]).test_client()
    response = client.get("/api/v1/pages", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Origin" in response.headers["Vary"]
    preflight = client.options("/api/v1/pages/agenda", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "Authorization, If-Match, Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "If-Match" in preflight.headers["Access-Control-Allow-Headers"]
    problem = client.get("/api/v1/pages/nothing", headers={"Origin": ORIGIN})
    assert problem.status_code == 404 and problem.headers["Access-Control-Allow-Origin"] == ORIGIN
    for answer in (response, preflight, problem):
        assert "Access-Control-Allow-Credentials" not in answer.headers
    other = client.get("/api/v1/pages", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers
    other = client.options("/api/v1/pages", headers={"Origin": "https://evil.example.com",
                                                     "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in other.headers
