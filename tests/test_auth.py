"""Accounts: register, sign in and out, change password; roles."""

import re

import pytest
import sqlalchemy as sa
from conftest import PASSWORD

from wiki import accounts
from wiki.accounts import create_user
from wiki.extensions import db, login_manager
from wiki.models import User


def register(client, username, password="long enough pw", **extra):  # noqa: S107
    return client.post("/register", data={"username": username, "password": password,
                                          "confirm": extra.pop("confirm", password), **extra})


def test_first_registered_user_is_admin_then_members(app, client):
    assert register(client, "alice", display_name="Alice A.").status_code == 302
    client.post("/logout")
    assert register(client, "bob").status_code == 302
    alice, bob = (db.session.scalar(db.select(User).where(User.username == n)) for n in ("alice", "bob"))
    assert (alice.role, alice.display_name) == ("admin", "Alice A.")
    assert bob.role == "member"


def test_register_refuses_bad_input_with_clear_messages(client, users):
    taken = register(client, "editor")
    assert taken.status_code == 400 and "That username is taken." in taken.get_data(as_text=True)
    short = register(client, "newbie", password="short")
    assert short.status_code == 400 and "at least 8" in short.get_data(as_text=True)
    differ = register(client, "newbie", confirm="something else")
    assert differ.status_code == 400 and "The passwords differ." in differ.get_data(as_text=True)
    odd = register(client, "<script>")
    assert odd.status_code == 400 and "&lt;script&gt;" in odd.get_data(as_text=True)


def test_registration_can_be_turned_off(app_factory):
    client = app_factory(REGISTRATION_ENABLED=False).test_client()
    assert client.get("/register").status_code == 404
    assert register(client, "someone").status_code == 404
    assert "Register" not in client.get("/login").get_data(as_text=True)


def test_login_logout(client, users):
    response = client.post("/login", data={"username": "member", "password": PASSWORD,
                                           "next": "/wiki/x"})
    assert response.status_code == 302 and response.headers["Location"] == "/wiki/x"
    assert "Member Person" in client.get("/").get_data(as_text=True)
    assert "Sign out" in client.get("/logout").get_data(as_text=True)  # GET only asks
    assert client.post("/logout").status_code == 302
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_login_never_redirects_to_another_site(client, users):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post("/login", data={"username": "member", "password": PASSWORD,
                                               "next": target})
        assert response.headers["Location"] == "/"


def test_failed_login_does_not_tell_which_usernames_exist(client, users):
    wrong_password = client.post("/login", data={"username": "member", "password": "nope nope"})
    unknown_user = client.post("/login", data={"username": "nobody", "password": "nope nope"})
    assert wrong_password.status_code == unknown_user.status_code == 401
    message = "Unknown username or wrong password."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_user.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client, app):
    user = create_user("gone", PASSWORD, "member")
    user.active = False
    db.session.commit()
    assert client.post("/login", data={"username": "gone", "password": PASSWORD}).status_code == 401


def test_password_change_signs_out_other_sessions(app, users):
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        c.post("/login", data={"username": "member", "password": PASSWORD})
    wrong = laptop.post("/account/password", data={"current": "bad", "password": "new password 1",
                                                   "confirm": "new password 1"})
    assert wrong.status_code == 400 and "current password is wrong" in wrong.get_data(as_text=True)
    ok = laptop.post("/account/password", data={"current": PASSWORD, "password": "new password 1",
                                                "confirm": "new password 1"})
    assert ok.status_code == 302
    assert "Member Person" in laptop.get("/").get_data(as_text=True)  # this session stays
    assert "Sign in" in phone.get("/").get_data(as_text=True)  # the other one ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "member", "password": "new password 1"}
                      ).status_code == 302


def test_passwords_are_hashed_with_scrypt_by_default(app_factory):
    app = app_factory(PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
        user = create_user("hashme", "a fine password", "member")
        assert user.password_hash.startswith("scrypt:")
        assert "a fine password" not in user.password_hash
        assert user.check_password("a fine password") and not user.check_password("other")
    from wiki.config import Defaults

    assert Defaults.PASSWORD_HASH_METHOD == "scrypt"


def test_session_protection_is_strong_and_cookies_are_safe(app):
    assert login_manager.session_protection == "strong"
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30


def test_admin_manages_roles(client, auth, users):
    auth.login("admin")
    assert "member" in client.get("/admin/users").get_data(as_text=True)
    uid = users["member"]
    client.post(f"/admin/users/{uid}", data={f"u{uid}-role": "editor", f"u{uid}-active": "y"})
    assert db.session.get(User, uid).role == "editor"
    # An admin cannot lock themselves out.
    me = users["admin"]
    response = client.post(f"/admin/users/{me}", data={f"u{me}-role": "member", f"u{me}-active": "y"},
                           follow_redirects=True)
    assert "cannot remove your own admin role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, me).role == "admin"


def test_deactivating_a_user_signs_them_out(app, users):
    member, admin = app.test_client(), app.test_client()
    member.post("/login", data={"username": "member", "password": PASSWORD})
    admin.post("/login", data={"username": "admin", "password": PASSWORD})
    uid = users["member"]
    admin.post(f"/admin/users/{uid}", data={f"u{uid}-role": "member"})  # active unchecked
    assert "Sign in" in member.get("/").get_data(as_text=True)


# -- accounts without a password (made by an import) ---------------------------------


def imported_account(username="jane", email=None):
    """An account as an import makes it: display name, maybe an email, no password."""
    user = User(username=username, display_name="Jane Doe", email=email, password_hash=None)
    db.session.add(user)
    db.session.commit()
    return user


def without_tokens(response):
    """A page without its CSRF tokens: they carry the second they were made."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", response.get_data(as_text=True))


def test_an_account_without_a_password_cannot_sign_in_and_the_form_says_nothing_more(client, app):
    user = imported_account()
    assert not user.has_password and not user.check_password("") and not user.check_password("x" * 12)
    unknown = client.post("/login", data={"username": "nobody", "password": "whatever it is"})
    for password in ("whatever it is", "!", " "):
        response = client.post("/login", data={"username": "jane", "password": password})
        assert response.status_code == unknown.status_code == 401
        assert without_tokens(response) == without_tokens(unknown).replace("nobody", "jane")
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_signing_in_to_an_account_without_a_password_takes_a_password_hash(app, monkeypatch):
    # As long as a wrong password: the timing does not tell which accounts have none.
    imported_account()
    hashed = []
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: hashed.append((h, p)) or False)
    assert accounts.authenticate("jane", "a guess") is None
    assert hashed == [(accounts._dummy_hash(), "a guess")]


def test_an_admin_gives_an_imported_account_a_password_on_the_command_line(app, runner):
    imported_account()
    short = runner.invoke(args=["users", "set-password", "jane", "--password", "short"])
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    result = runner.invoke(args=["users", "set-password", "JANE", "--password", "a long password"])
    assert result.exit_code == 0 and "jane has a password: they can sign in now." in result.output
    client = app.test_client()
    assert client.post("/login", data={"username": "jane", "password": "a long password"}).status_code == 302
    again = runner.invoke(args=["users", "set-password", "jane"],
                          input="another password\nanother password\n")
    assert again.exit_code == 0 and "jane has a new password." in again.output
    assert "Sign in" in client.get("/").get_data(as_text=True)  # its session ended
    missing = runner.invoke(args=["users", "set-password", "nobody", "--password", "a long password"])
    assert missing.exit_code == 1 and "No account 'nobody'." in missing.output


def test_registering_cannot_take_an_imported_account(client, app):
    imported_account()
    response = register(client, "Jane", password="a long password")
    assert response.status_code == 400 and "That username is taken." in response.get_data(as_text=True)
    assert not db.session.scalar(db.select(User).where(User.username == "jane")).has_password


def test_emails_are_kept_in_lower_case_and_belong_to_one_account(app):
    assert imported_account("jane", " Jane.Doe@Example.ORG ").email == "jane.doe@example.org"
    assert imported_account("paul", "").email is None  # no address: none, however many
    assert imported_account("anne", None).email is None
    with pytest.raises(sa.exc.IntegrityError):
        imported_account("jane2", "jane.doe@example.org")
    db.session.rollback()
