"""Accounts: register, sign in and out, change password; roles."""

from conftest import PASSWORD

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
