"""``flask --app wiki users ...``: set a password, disable and enable an
account, list accounts, create one with an e-mail address (an admin's, so
confirmed). Unknown accounts and bad or taken addresses are clear errors
with a non-zero exit."""

import pytest
from conftest import PASSWORD

from wiki.accounts import create_user
from wiki.extensions import db
from wiki.models import User

NEW = "a long new password"


def signs_in(app, username, password=PASSWORD):
    client = app.test_client()
    return client.post("/login", data={"username": username, "password": password}).status_code == 302


def signed_in(app, username):
    client = app.test_client()
    client.post("/login", data={"username": username, "password": PASSWORD})
    assert "Sign out" in client.get("/").get_data(as_text=True)
    return client


def account(username):
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.username == username))


def test_set_password_with_the_option_or_asked_twice(app, runner, users):
    session = signed_in(app, "member")
    result = runner.invoke(args=["users", "set-password", "Member", "--password", NEW])
    assert result.exit_code == 0 and "member has a new password." in result.output
    assert "Sign in" in session.get("/").get_data(as_text=True)  # its sessions ended
    assert signs_in(app, "member", NEW) and not signs_in(app, "member")
    differ = runner.invoke(args=["users", "set-password", "member"], input="first one!\nsecond one\n" * 3)
    assert differ.exit_code != 0 and signs_in(app, "member", NEW)  # never set: the two differed
    asked = runner.invoke(args=["users", "set-password", "member"], input="third password\nthird password\n")
    assert asked.exit_code == 0 and signs_in(app, "member", "third password")
    short = runner.invoke(args=["users", "set-password", "member", "--password", "short"])
    assert short.exit_code == 1 and "at least 8 characters" in short.output


def test_the_old_name_of_set_password_still_works_but_is_not_listed(app, runner, users):
    result = runner.invoke(args=["users", "password", "member", "--password", NEW])
    assert result.exit_code == 0 and signs_in(app, "member", NEW)
    listing = runner.invoke(args=["users", "--help"]).output
    assert "set-password" in listing and " password " not in listing


@pytest.mark.parametrize("command", [["set-password", "--password", NEW], ["disable"], ["enable"]])
def test_unknown_accounts_are_an_error(app, runner, users, command):
    result = runner.invoke(args=["users", command[0], "nobody", *command[1:]])
    assert result.exit_code == 1 and "No account 'nobody'." in result.output


def test_disable_ends_the_sessions_at_once_and_enable_lets_them_back(app, runner, users):
    session = signed_in(app, "member")
    result = runner.invoke(args=["users", "disable", "member"])
    assert result.exit_code == 0 and "member is disabled" in result.output
    assert "Sign in" in session.get("/").get_data(as_text=True)
    assert not account("member").active and not signs_in(app, "member")
    result = runner.invoke(args=["users", "enable", "MEMBER"])
    assert result.exit_code == 0 and "member is enabled" in result.output
    assert account("member").active and signs_in(app, "member")


def test_list_shows_every_account(app, runner, users):
    create_user("noor", PASSWORD, "member", "Noor Farah", email="noor@example.org")
    runner.invoke(args=["users", "disable", "editor"])
    lines = runner.invoke(args=["users", "list"]).output.splitlines()
    assert lines[0].split() == ["USERNAME", "DISPLAY", "NAME", "ROLE", "ACTIVE", "E-MAIL", "CREATED"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"admin", "editor", "member", "noor"}
    assert "Noor Farah" in rows["noor"] and "noor@example.org (unconfirmed)" in rows["noor"]
    assert rows["editor"].split()[3:5] == ["editor", "no"] and rows["admin"].split()[3:5] == ["admin", "yes"]
    assert account("noor").created_at.strftime("%Y-%m-%d") in rows["noor"]


def test_create_with_an_email_address_confirmed(app, runner):
    result = runner.invoke(args=["users", "create", "noor", "--password", NEW, "--email", "Noor@Example.org"])
    assert result.exit_code == 0 and "Created member noor <noor@example.org>." in result.output
    noor = account("noor")
    assert noor.email == "noor@example.org" and noor.email_confirmed_at is not None
    listing = runner.invoke(args=["users", "list"]).output
    assert "noor@example.org" in listing and "(unconfirmed)" not in listing


@pytest.mark.parametrize(("address", "message"), [
    ("not-an-address", "is not an e-mail address."),
    ("kim@example.org\r\nBcc: all@example.org", "is not an e-mail address."),
    ("NOOR@example.org", "Another account has that e-mail address."),
], ids=["not an address", "CR/LF", "taken"])
def test_create_refuses_bad_or_taken_addresses(app, runner, address, message):
    create_user("noor", PASSWORD, "member", email="noor@example.org")
    result = runner.invoke(args=["users", "create", "kim", "--password", NEW, "--email", address])
    assert result.exit_code == 1 and message in result.output
    assert account("kim") is None


def test_create_refuses_line_breaks_in_display_names(app, runner):
    result = runner.invoke(args=["users", "create", "kim", "--password", NEW,
                                 "--display-name", "Kim\nBcc: x"])
    assert result.exit_code == 1 and "A display name is one line" in result.output
    assert account("kim") is None
