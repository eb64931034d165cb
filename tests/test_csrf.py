"""Every form is protected against cross-site request forgery."""

import pytest
from conftest import PASSWORD, csrf_token

from wiki.accounts import create_user
from wiki.extensions import db


@pytest.fixture
def csrf_app(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("editor", PASSWORD, "editor")
        create_user("admin", PASSWORD, "admin")
        from wiki import services
        from wiki.models import User

        editor = db.session.scalar(db.select(User).where(User.username == "editor"))
        services.create_page("Target", "text\n", editor)
    return app


def signed_in(app, username="editor"):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client


STATE_CHANGING = [
    ("/new", {"title": "New", "body": "b", "visibility": "public"}),
    ("/wiki/target/edit", {"title": "Target", "body": "changed text", "base_revision": "1"}),
    ("/wiki/target/settings", {"title": "Renamed", "parent": "", "visibility": "public"}),
    ("/wiki/target/delete", {}),
    ("/wiki/target/revert/1", {}),
    ("/preview", {"body": "x"}),
    ("/account/password", {"current": PASSWORD, "password": "new password", "confirm": "new password"}),
    ("/logout", {}),
]


@pytest.mark.parametrize(("url", "data"), STATE_CHANGING, ids=[u for u, _ in STATE_CHANGING])
def test_posts_without_a_token_are_refused(csrf_app, url, data):
    client = signed_in(csrf_app)
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/wiki/target").status_code == 200  # nothing was changed or deleted


@pytest.mark.parametrize("url", ["/login", "/register"])
def test_anonymous_forms_need_a_token_too(csrf_app, url):
    client = csrf_app.test_client()
    response = client.post(url, data={"username": "editor", "password": PASSWORD,
                                      "confirm": PASSWORD})
    assert response.status_code == 400


def test_admin_forms_need_a_token(csrf_app):
    client = signed_in(csrf_app, "admin")
    assert client.post("/admin/users/1", data={"u1-role": "admin"}).status_code == 400
    assert client.post("/admin/trash/1/restore").status_code == 400


def test_an_expired_form_shows_the_typed_text(csrf_app):
    client = signed_in(csrf_app)
    text = "A long paragraph I spent an hour writing about soil carbon."
    response = client.post("/wiki/target/edit", data={"title": "Target", "body": text,
                                                      "base_revision": "1", "csrf_token": "stale"})
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)


def test_a_form_with_its_token_goes_through(csrf_app):
    client = signed_in(csrf_app)
    token = csrf_token(client.get("/wiki/target/edit").get_data(as_text=True))
    response = client.post("/wiki/target/edit", data={
        "title": "Target", "body": "new text", "base_revision": "1", "csrf_token": token})
    assert response.status_code == 302
    preview = client.post("/preview", data={"body": "*hi*"}, headers={"X-CSRFToken": token})
    assert preview.get_json()["html"] == "<p><em>hi</em></p>"


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLE_VALUES = {"slug": "target", "number": 1, "user_id": 1, "page_id": 1, "comment_id": 1,
                 "names": "soil", "filename": "x", "name": "x.txt", "attachment_id": 1, "token": "x",
                 "token_id": 1}


# Signed links a mail client posts to without any page (RFC 8058 one-click
# unsubscribe): the link's signature is the proof (tests/mail).
TOKEN_LINKS = ("mail.unsubscribe",)


def test_every_state_changing_route_refuses_requests_without_a_token(csrf_app):
    """Walks the URL map, so a route added later is covered without touching this test."""
    client = signed_in(csrf_app, "admin")
    checked = []
    for rule in csrf_app.url_map.iter_rules():
        methods = (rule.methods or set()) & UNSAFE
        if not methods or rule.endpoint in ("static", *TOKEN_LINKS):
            continue
        url = rule.build({arg: SAMPLE_VALUES[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for method in methods:
            response = client.open(url, method=method, data={"body": "x"})
            if rule.endpoint.startswith("rest."):  # the REST API: a problem document (docs/api.md)
                assert response.status_code == 403, f"{method} {url} ({rule.endpoint})"
                assert response.get_json()["type"] == "urn:wiki:problem:csrf"
            else:
                assert response.status_code == 400, f"{method} {url} ({rule.endpoint})"
                assert "security token" in response.get_data(as_text=True)
            checked.append(rule.endpoint)
    assert len(checked) >= 20  # core, labels, comments: all walked
    assert sum(endpoint.startswith("rest.") for endpoint in checked) >= 10  # and the API's writes
    assert client.get("/wiki/target").status_code == 200


def test_a_failed_sign_in_form_never_prints_the_password(csrf_app):
    response = csrf_app.test_client().post("/login", data={
        "username": "editor", "password": "a secret long enough to echo", "csrf_token": "stale"})
    assert response.status_code == 400
    assert "a secret long enough to echo" not in response.get_data(as_text=True)
