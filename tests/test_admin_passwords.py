"""An admin gives an account a password from the users page: an account an
import made (marked "no password") its first, any other a new one. The rules
are those of registration; the password is never sent back; the account's
sessions end, as after a password change."""

import re

import pytest
from conftest import PASSWORD, csrf_token

from wiki.accounts import create_user
from wiki.extensions import db
from wiki.models import User

NEW = "a long new password"


def imported_account(username="jane"):
    """An account as an import makes it: no password."""
    user = User(username=username, display_name="Jane Doe", password_hash=None)
    db.session.add(user)
    db.session.commit()
    return user


def row(html, username):
    """The users table's row of ``username``."""
    match = re.search(rf"<tr>\s*<td>{username}\b.*?</tr>", html, re.S)
    assert match, f"no row for {username}"
    return match.group(0)


def give(client, user_id, password=NEW, confirm=None, token=None, follow_redirects=False):
    """Send the users page's password form of account ``user_id``."""
    data = {f"p{user_id}-password": password, f"p{user_id}-confirm": password if confirm is None else confirm}
    if token is not None:
        data[f"p{user_id}-csrf_token"] = token
    return client.post(f"/admin/users/{user_id}/password", data=data, follow_redirects=follow_redirects)


def signs_in(username, password, app):
    client = app.test_client()
    return client.post("/login", data={"username": username, "password": password}).status_code == 302


def test_accounts_without_a_password_are_marked_and_every_other_account_has_the_form(as_admin, users):
    jane = imported_account()
    html = as_admin.get("/admin/users").get_data(as_text=True)
    assert "no password</span>" in row(html, "jane") and "no password</span>" not in row(html, "member")
    assert f'action="/admin/users/{jane.id}/password"' in row(html, "jane")
    assert "Give a password" in row(html, "jane") and "Set a new password" in row(html, "member")
    # Not one's own: that is the Account page, which asks for the current one.
    mine = f'action="/admin/users/{users["admin"]}/password"'
    assert 'href="/account/password"' in row(html, "admin") and mine not in html


def test_an_imported_account_gets_a_password_and_can_sign_in(app, as_admin):
    jane = imported_account()
    assert not signs_in("jane", NEW, app)
    response = give(as_admin, jane.id, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "jane has a password: they can sign in now." in html
    assert "no password</span>" not in row(html, "jane") and NEW not in html
    assert signs_in("jane", NEW, app)


def test_a_new_password_ends_the_accounts_sessions(app, as_admin, users):
    member = app.test_client()
    member.post("/login", data={"username": "member", "password": PASSWORD})
    assert "Member Person" in member.get("/").get_data(as_text=True)
    response = give(as_admin, users["member"], follow_redirects=True)
    assert "member has a new password; their sessions were signed out." in response.get_data(as_text=True)
    assert "Sign in" in member.get("/").get_data(as_text=True)
    assert not signs_in("member", PASSWORD, app) and signs_in("member", NEW, app)
    assert "Admin Person" in as_admin.get("/").get_data(as_text=True)  # the admin's own session stays


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("short", None, "Passwords need at least 8 characters (and at most 200)."),
    ("x" * 201, None, "Passwords need at least 8 characters (and at most 200)."),
    ("", None, "Type the new password."),
    (NEW, "a different one", "The passwords differ."),
], ids=["too short", "too long", "empty", "not repeated"])
def test_a_refused_password_says_why_and_is_not_sent_back(app, as_admin, password, confirm, message):
    jane = imported_account()
    response = give(as_admin, jane.id, password, confirm)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"No password was set for jane: {message}" in html
    assert "<details open>" in row(html, "jane")  # the form is open again, to try once more
    for typed in {password, confirm} - {None, ""}:
        assert typed not in html
    db.session.expire_all()
    assert not db.session.get(User, jane.id).has_password


def test_an_admin_does_not_set_their_own_password_here(app, as_admin, users):
    response = give(as_admin, users["admin"])
    assert response.status_code == 400
    assert "Change your own password on your Account page" in response.get_data(as_text=True)
    assert signs_in("admin", PASSWORD, app)


def test_only_admins_give_passwords(app, client, auth, users):
    jane = imported_account()
    assert give(client, jane.id).status_code == 302  # anonymous: to the sign-in page
    for role in ("member", "editor"):
        auth.login(role)
        assert give(client, jane.id).status_code == 403
        auth.logout()
    auth.login("admin")
    assert give(client, 9999).status_code == 404
    db.session.expire_all()
    assert not db.session.get(User, jane.id).has_password


def test_the_form_needs_its_security_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("admin", PASSWORD, "admin")
        jane = imported_account()
        admin = app.test_client()
        token = csrf_token(admin.get("/login").get_data(as_text=True))
        admin.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
        refused = give(admin, jane.id)
        assert refused.status_code == 400 and "security token" in refused.get_data(as_text=True)
        assert not db.session.get(User, jane.id).has_password
        page = admin.get("/admin/users").get_data(as_text=True)
        token = re.search(rf'name="p{jane.id}-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert give(admin, jane.id, token=token).status_code == 302
        db.session.expire_all()
        assert db.session.get(User, jane.id).check_password(NEW)
