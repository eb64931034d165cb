"""Personal API tokens, from the account page and the command line: shown
once, kept as a digest, listed with their scope, expiry and last use,
revoked by their owner only."""

import re

from conftest import csrf_token

from wiki.extensions import db
from wiki.models import User
from wiki.rest.tokens import ApiToken, digest

TOKEN = re.compile(r"wiki_[A-Za-z0-9_-]{40,}")


def _tokens(user_id):
    return db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user_id)).all()


def test_a_member_makes_a_token_on_the_account_page_and_sees_it_once(as_member, users):
    page = as_member.get("/account")
    assert "API tokens" in page.text and "You have no API token." in page.text
    made = as_member.post("/account/tokens", data={"token-name": "agenda script", "token-scope": "write",
                                                   "token-days": "30"})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    token = TOKEN.search(made.text).group(0)
    (row,) = _tokens(users["member"])
    assert row.digest == digest(token) and token not in row.digest  # only its digest is kept
    assert (row.name, row.scope) == ("agenda script", "write")
    assert 29 <= (row.expires_at - row.created_at).days <= 30
    again = as_member.get("/account")
    assert token not in again.text  # shown once
    assert "agenda script" in again.text and row.hint in again.text and "never" in again.text
    assert as_member.get("/api/v1/pages", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    used = as_member.get("/account").text
    assert db.session.get(ApiToken, row.id).last_used_at is not None
    assert "ago" in used or "just now" in used or "seconds" in used


def test_a_token_needs_a_name_and_a_known_scope(as_member, users):
    response = as_member.post("/account/tokens", data={"token-name": " ", "token-scope": "write",
                                                       "token-days": ""})
    assert response.status_code == 400 and "Say what the token is for" in response.text
    response = as_member.post("/account/tokens", data={"token-name": "x", "token-scope": "admin",
                                                       "token-days": ""})
    assert response.status_code == 400
    assert _tokens(users["member"]) == []


def test_revoking_a_token_stops_it_and_only_its_owner_can(client, auth, users):
    auth.login("editor")
    made = client.post("/account/tokens", data={"token-name": "old", "token-scope": "read", "token-days": ""})
    token = TOKEN.search(made.text).group(0)
    (row,) = _tokens(users["editor"])
    auth.logout()
    auth.login("member")
    refused = client.post(f"/account/tokens/{row.id}/revoke", follow_redirects=True)
    assert "You have no such token" in refused.text
    assert client.get("/api/v1/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    auth.logout()
    auth.login("editor")
    done = client.post(f"/account/tokens/{row.id}/revoke", follow_redirects=True)
    assert "The token was revoked" in done.text and "You have no API token." in done.text
    answer = client.get("/api/v1/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and answer.get_json()["detail"] == "This API token was revoked."


def test_the_token_forms_need_their_csrf_token(app_factory, users):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        from wiki.accounts import create_user
        create_user("sam", "correct horse battery", "member")
    login = client.get("/login")
    client.post("/login", data={"username": "sam", "password": "correct horse battery",
                                "csrf_token": csrf_token(login.text)})
    refused = client.post("/account/tokens", data={"token-name": "x", "token-scope": "read"})
    assert refused.status_code == 400 and not TOKEN.search(refused.text)
    page = client.get("/account").text
    form = page[page.index('action="/account/tokens"'):]
    made = client.post("/account/tokens", data={"token-name": "x", "token-scope": "read", "token-days": "",
                                                "token-csrf_token": _prefixed_csrf(form)})
    assert made.status_code == 200 and TOKEN.search(made.text)


def _prefixed_csrf(html):
    return re.search(r'name="token-csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_command_line_prints_a_token_once_with_its_scope_and_expiry(app, runner, users):
    result = runner.invoke(args=["users", "token", "editor", "--scope", "write", "--expires", "7",
                                 "--name", "agenda"])
    assert result.exit_code == 0, result.output
    token = TOKEN.search(result.stdout).group(0)
    assert result.stdout.strip() == token  # stdout is the token alone: TOKEN=$(flask ... users token ...)
    (row,) = _tokens(users["editor"])
    assert (row.scope, row.name, row.digest) == ("write", "agenda", digest(token))
    assert (row.expires_at - row.created_at).days == 7
    listed = runner.invoke(args=["users", "tokens", "editor"])
    assert row.hint in listed.output and "write" in listed.output and token not in listed.output
    revoked = runner.invoke(args=["users", "revoke-token", "editor", str(row.id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert runner.invoke(args=["users", "tokens", "editor"]).output.strip() == "editor has no API token."


def test_the_command_line_refuses_what_it_cannot_make(app, runner, users):
    assert runner.invoke(args=["users", "token", "nobody"]).exit_code != 0
    bad_scope = runner.invoke(args=["users", "token", "editor", "--scope", "admin"])
    assert bad_scope.exit_code == 2 and "admin" in bad_scope.output
    bad_days = runner.invoke(args=["users", "token", "editor", "--expires", "0"])
    assert bad_days.exit_code == 2
    db.session.get(User, users["member"]).active = False
    db.session.commit()
    disabled = runner.invoke(args=["users", "token", "member"])
    assert disabled.exit_code == 1 and "disabled" in disabled.output
    assert runner.invoke(args=["users", "revoke-token", "editor", "999"]).exit_code == 1
    assert _tokens(users["editor"]) == [] and _tokens(users["member"]) == []
