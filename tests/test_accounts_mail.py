"""Accounts and e-mail, against a real SMTP server: an address given at
registration or on the account page is confirmed by a link (once, and only
for the address it was sent to) and receives nothing else until then; a
forgotten password gets a single-use, timed reset link at a confirmed
address, with the same answer whether an account exists or not, and limits
per address and per client; admins send reset links and disable accounts."""

import re
import time

import pytest
from conftest import PASSWORD
from itsdangerous import TimestampSigner
from support.smtp import html_of, text_of

from wiki.accounts import create_user
from wiki.extensions import db
from wiki.mail import OutboxMessage, tokens
from wiki.mail.sender import deliver_pending
from wiki.models import User, utcnow

NEW = "a brand new password"
SENT = "If an account with a confirmed e-mail address matches"


@pytest.fixture
def mail_app(app_factory, smtp):
    app = app_factory(**smtp.config)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def web(mail_app):
    return mail_app.test_client()


def account(username="noor", email="noor@example.org", confirmed=True, language=None):
    user = create_user(username, PASSWORD, "member", "Noor Farah", email, email_confirmed=confirmed)
    user.language = language
    db.session.commit()
    return user


def deliver(smtp, count):
    """One delivery pass; the ``count`` messages the server then holds."""
    deliver_pending()
    messages = smtp.inbox.wait_for(count)
    assert len(messages) == count, [m["Subject"] for m in messages]
    return messages


def link(message, path):
    """The path of the wiki link under ``path`` in a message's text."""
    match = re.search(rf"http://wiki\.example\.org({path}/\S+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def signed_in(app, username="noor", password=PASSWORD):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    return client


def is_signed_in(client):
    return "Sign out" in client.get("/").get_data(as_text=True)


def html(response):
    return response.get_data(as_text=True)


def forgot(client, login, **kwargs):
    return client.post("/password/forgot", data={"login": login}, **kwargs)


# -- confirming an address ------------------------------------------------------------


def test_an_address_given_at_registration_is_confirmed_by_its_link_once(mail_app, web, smtp):
    response = web.post("/register", follow_redirects=True, data={
        "username": "noor", "display_name": "Noor Farah", "email": " Noor@Example.ORG ",
        "password": NEW, "confirm": NEW})
    assert "A confirmation link was sent to noor@example.org" in html(response)
    user = db.session.scalar(db.select(User).where(User.username == "noor"))
    assert (user.email, user.email_confirmed_at) == ("noor@example.org", None)
    [message] = deliver(smtp, 1)
    assert message.envelope_to == ["noor@example.org"]
    assert message["Subject"] == "Confirm your e-mail address on Wiki"
    assert "Hello Noor Farah," in text_of(message) and "noor@example.org" in html_of(message)
    path = link(message, "/account/confirm")
    assert f'href="http://wiki.example.org{path}"' in html_of(message)
    other_browser = mail_app.test_client()  # the link works signed in or not
    confirmed = other_browser.get(path)
    assert confirmed.status_code == 200 and "noor@example.org is confirmed." in html(confirmed)
    db.session.expire_all()
    when = db.session.get(User, user.id).email_confirmed_at
    assert when is not None
    again = other_browser.get(path)
    assert again.status_code == 200 and "This address was confirmed already." in html(again)
    db.session.expire_all()
    assert db.session.get(User, user.id).email_confirmed_at == when


def test_a_changed_address_needs_confirming_and_the_old_link_dies(mail_app, smtp):
    account(email="old@example.org")
    client = signed_in(mail_app)
    page = html(client.get("/account"))
    assert 'value="old@example.org"' in page and "old@example.org is confirmed." in page
    for address in ("first@example.org", "second@example.org"):
        response = client.post("/account/profile", data={"display_name": "Noor F.", "email": address},
                               follow_redirects=True)
        assert f"A confirmation link was sent to {address}" in html(response)
    first, second = deliver(smtp, 2)
    assert first.envelope_to == ["first@example.org"] and second.envelope_to == ["second@example.org"]
    user = db.session.scalar(db.select(User).where(User.username == "noor"))
    assert (user.display_name, user.email, user.email_confirmed_at) == ("Noor F.", "second@example.org", None)
    assert "second@example.org is not confirmed yet" in html(client.get("/account"))
    stale = client.get(link(first, "/account/confirm"))
    assert stale.status_code == 400 and "This confirmation link does not work" in html(stale)
    assert 'href="/account"' in html(stale)  # where to get a new one
    garbled = client.get(link(second, "/account/confirm") + "x")
    assert garbled.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).email_confirmed_at is None
    assert client.get(link(second, "/account/confirm")).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).email_confirmed_at is not None


def test_a_confirmation_link_expires(mail_app, web):
    user = account(confirmed=False)

    class Past(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - tokens.CONFIRM_MAX_AGE - 10

    token = tokens.serializer(tokens.CONFIRM_SALT, signer=Past).dumps(tokens.confirm_payload(user))
    response = web.get(f"/account/confirm/{token}")
    assert response.status_code == 400 and "This confirmation link has expired." in html(response)


def test_the_link_can_be_sent_again_a_few_times_an_hour(app_factory, smtp):
    app = app_factory(CONFIRM_RATE_LIMIT=(2, 3600), **smtp.config)
    with app.app_context():
        account(confirmed=False)
        client = signed_in(app)
        for _ in range(2):
            response = client.post("/account/confirm", follow_redirects=True)
            assert "A confirmation link was sent to noor@example.org" in html(response)
        refused = client.post("/account/confirm", follow_redirects=True)
        assert "Too many confirmation links were sent. Please try again in" in html(refused)
        assert len(deliver(smtp, 2)) == 2
        db.session.remove()


def test_a_taken_address_is_refused_with_a_clear_message(mail_app, web):
    account(email="noor@example.org")
    create_user("sam", PASSWORD, "member", email="sam@example.org")
    taken = web.post("/register", data={"username": "kim", "email": "NOOR@example.org", "password": NEW,
                                        "confirm": NEW})
    assert taken.status_code == 400 and "Another account has that e-mail address." in html(taken)
    assert db.session.scalar(db.select(User).where(User.username == "kim")) is None
    sam = signed_in(mail_app, "sam")
    refused = sam.post("/account/profile", data={"display_name": "Sam", "email": "Noor@Example.org"})
    assert refused.status_code == 400 and "Another account has that e-mail address." in html(refused)
    assert db.session.scalar(db.select(User).where(User.username == "sam")).email == "sam@example.org"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "noor@example.org\r\nBcc: all@example.org", "is not an e-mail address."),
    ("email", "noor@example.org\nX-Evil: 1", "is not an e-mail address."),
    ("email", "not an address", "is not an e-mail address."),
    ("display_name", "Noor\r\nBcc: all@example.org", "A display name is one line of at most 100 characters."),
], ids=["CR/LF in address", "LF in address", "no address", "CR/LF in name"])
def test_line_breaks_in_names_and_addresses_are_refused(mail_app, web, smtp, field, value, message):
    values = {"display_name": "Noor", "email": "noor@example.org", field: value}
    registered = web.post("/register", data={"username": "noor", "password": NEW, "confirm": NEW, **values})
    assert registered.status_code == 400 and message in html(registered)
    assert db.session.scalar(db.select(User).where(User.username == "noor")) is None
    account("kim", email="kim@example.org")
    kim = signed_in(mail_app, "kim")
    changed = kim.post("/account/profile", data=values)
    assert changed.status_code == 400 and message in html(changed)
    user = db.session.scalar(db.select(User).where(User.username == "kim"))
    assert (user.display_name, user.email) == ("Noor Farah", "kim@example.org")
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_names_are_escaped_in_the_html_part(mail_app, web, smtp):
    web.post("/register", data={"username": "noor", "display_name": "<b>Noor</b>",
                                "email": "noor@example.org", "password": NEW, "confirm": NEW})
    [message] = deliver(smtp, 1)
    assert "&lt;b&gt;Noor&lt;/b&gt;" in html_of(message) and "<b>Noor" not in html_of(message)
    assert "Hello <b>Noor</b>," in text_of(message)  # plain text is not HTML


# -- forgotten passwords -------------------------------------------------------------------


def test_the_sign_in_page_offers_a_reset(web):
    page = html(web.get("/login"))
    assert '<a href="/password/forgot">Forgot your password?</a>' in page


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(mail_app, web, smtp):
    account()
    laptop, phone = signed_in(mail_app), signed_in(mail_app)
    asked = forgot(web, "NOOR")
    assert asked.status_code == 200 and SENT in html(asked)
    [message] = deliver(smtp, 1)
    assert message.envelope_to == ["noor@example.org"]
    assert message["Subject"] == "Choose a new password on Wiki"
    assert "The link works once, for 60 minutes." in text_of(message)
    path = link(message, "/password/reset")
    form = web.get(path)
    assert form.status_code == 200 and "For the account noor." in html(form)
    assert form.headers["Referrer-Policy"] == "no-referrer"
    differ = web.post(path, data={"password": NEW, "confirm": "something else"})
    assert differ.status_code == 400 and "The passwords differ." in html(differ)
    done = web.post(path, data={"password": NEW, "confirm": NEW}, follow_redirects=True)
    assert "Your password was changed" in html(done) and "<h1>Sign in</h1>" in html(done)
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert mail_app.test_client().post("/login", data={"username": "noor", "password": PASSWORD}
                                       ).status_code == 401
    signed_in(mail_app, password=NEW)
    for method in (web.get, web.post):  # used: dead, whatever is sent
        again = method(path, data={"password": "yet another one", "confirm": "yet another one"})
        assert again.status_code == 400 and "This reset link does not work" in html(again)
        assert '<a href="/password/forgot">Ask for a new link</a>' in html(again)
    signed_in(mail_app, password=NEW)


def test_any_password_change_kills_a_reset_link(mail_app, web, smtp):
    account()
    forgot(web, "noor@example.org")
    path = link(deliver(smtp, 1)[0], "/password/reset")
    client = signed_in(mail_app)
    client.post("/account/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    dead = web.get(path)
    assert dead.status_code == 400 and "This reset link does not work" in html(dead)


@pytest.mark.parametrize("path", ["/password/reset/garbled", "/password/reset/" + "x" * 300])
def test_a_garbled_reset_link_says_so(web, path):
    response = web.get(path)
    assert response.status_code == 400 and "This reset link does not work" in html(response)


def test_a_reset_link_expires_after_its_time(mail_app, web):
    user = account()
    age = mail_app.config["PASSWORD_RESET_MAX_AGE"]

    def made(seconds_ago):
        class Past(TimestampSigner):
            def get_timestamp(self):
                return int(time.time()) - seconds_ago

        return tokens.serializer(tokens.RESET_SALT, signer=Past).dumps(tokens.reset_payload(user))

    assert web.get(f"/password/reset/{made(age - 60)}").status_code == 200  # still in time
    expired = web.get(f"/password/reset/{made(age + 5)}")
    assert expired.status_code == 400 and "This reset link has expired." in html(expired)
    refused = web.post(f"/password/reset/{made(age + 5)}", data={"password": NEW, "confirm": NEW})
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_the_answer_does_not_tell_which_accounts_exist(mail_app, smtp):
    account()
    account("kim", email="kim@example.org", confirmed=False)
    answers, client = [], mail_app.test_client()
    for login in ("noor", "noor@example.org", "kim", "kim@example.org", "nobody", "nobody@example.org"):
        response = forgot(client, login)
        # CSRF tokens carry the second they were made: the rest must be the same.
        page = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html(response))
        answers.append((response.status_code, page))
    assert answers[0][0] == 200 and SENT in answers[0][1]
    assert all(answer == answers[0] for answer in answers)
    messages = deliver(smtp, 2)  # only the confirmed address got links
    assert all(m.envelope_to == ["noor@example.org"] for m in messages)


def test_an_unconfirmed_address_gets_no_reset_link(mail_app, web, smtp):
    account(confirmed=False)
    assert forgot(web, "noor").status_code == 200
    deliver_pending()
    assert smtp.inbox.messages == []


def test_reset_links_are_limited_per_address_without_saying_so(app_factory, smtp):
    app = app_factory(PASSWORD_RESET_RATE_LIMIT=(2, 3600), **smtp.config)
    with app.app_context():
        account()
        for login in ("noor", "noor@example.org", "Noor", "NOOR@example.org"):
            response = forgot(app.test_client(), login)
            assert response.status_code == 200 and SENT in html(response)
        assert len(deliver(smtp, 2)) == 2
        db.session.remove()


def test_reset_requests_are_limited_per_client(app_factory, smtp):
    app = app_factory(PASSWORD_RESET_IP_RATE_LIMIT=(2, 3600), **smtp.config)
    with app.app_context():
        account()
        client = app.test_client()
        for login in ("nobody", "noor"):
            assert forgot(client, login).status_code == 200
        blocked = forgot(client, "noor@example.org")
        assert blocked.status_code == 429 and blocked.headers["Retry-After"]
        assert "Too many reset links were asked for from your network. Please try again in" in html(blocked)
        other = app.test_client()
        assert forgot(other, "noor", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
        assert len(deliver(smtp, 2)) == 2
        db.session.remove()


def test_without_mail_the_page_says_to_ask_an_admin(app, client, users):
    for response in (client.get("/password/forgot"), forgot(client, "member")):
        page = html(response)
        assert response.status_code == 200 and "Ask an administrator of the wiki" in page
        assert 'action="/password/forgot"' not in page
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_messages_are_in_the_recipients_language(mail_app, web, smtp):
    account(language="fr")
    forgot(web, "noor")
    [message] = deliver(smtp, 1)
    assert message["Subject"] == "Choisissez un nouveau mot de passe sur Wiki"
    assert "Bonjour Noor Farah," in text_of(message) and '<html lang="fr">' in html_of(message)


# -- admins ------------------------------------------------------------------------------------


@pytest.fixture
def admin(mail_app):
    create_user("boss", PASSWORD, "admin")
    return signed_in(mail_app, "boss")


def test_an_admin_sends_a_reset_link_to_a_confirmed_address(mail_app, admin, smtp):
    noor = account()
    kim = account("kim", email="kim@example.org", confirmed=False)
    page = html(admin.get("/admin/users"))
    assert f'action="/admin/users/{noor.id}/reset-link"' in page
    assert f'action="/admin/users/{kim.id}/reset-link"' not in page and "kim@example.org" in page
    sent = admin.post(f"/admin/users/{noor.id}/reset-link", follow_redirects=True)
    assert "A reset link was sent to noor at noor@example.org." in html(sent)
    refused = admin.post(f"/admin/users/{kim.id}/reset-link")
    assert refused.status_code == 400 and "kim has no confirmed e-mail address" in html(refused)
    [message] = deliver(smtp, 1)
    assert message.envelope_to == ["noor@example.org"]
    web = mail_app.test_client()
    reset = web.post(link(message, "/password/reset"), data={"password": NEW, "confirm": NEW})
    assert reset.status_code == 302
    signed_in(mail_app, password=NEW)


def test_only_admins_send_reset_links(mail_app, smtp):
    noor = account()
    member = signed_in(mail_app)
    assert member.post(f"/admin/users/{noor.id}/reset-link").status_code == 403
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_a_disabled_account_is_signed_out_and_gets_no_reset_link(mail_app, admin, smtp):
    noor = account()
    session = signed_in(mail_app)
    forgot(mail_app.test_client(), "noor")
    path = link(deliver(smtp, 1)[0], "/password/reset")
    admin.post(f"/admin/users/{noor.id}", data={f"u{noor.id}-role": "member"})  # active unticked
    assert not is_signed_in(session)
    assert "disabled</span>" in html(admin.get("/admin/users"))
    assert mail_app.test_client().post("/login", data={"username": "noor", "password": PASSWORD}
                                       ).status_code == 401
    assert mail_app.test_client().get(path).status_code == 400  # links sent before: dead
    forgot(mail_app.test_client(), "noor")
    refused = admin.post(f"/admin/users/{noor.id}/reset-link")
    assert refused.status_code == 400 and "noor is disabled" in html(refused)
    deliver_pending()
    assert len(smtp.inbox.messages) == 1
    admin.post(f"/admin/users/{noor.id}", data={f"u{noor.id}-role": "member", f"u{noor.id}-active": "y"})
    signed_in(mail_app)


def test_the_account_page_keeps_its_old_address(mail_app):
    account()
    client = signed_in(mail_app)
    for path in ("/account", "/account/password"):
        page = html(client.get(path))
        assert "Name and e-mail address" in page and "Change your password" in page


def test_confirmed_at_is_kept_when_only_the_name_changes(mail_app, smtp):
    user = account()
    before = user.email_confirmed_at
    client = signed_in(mail_app)
    client.post("/account/profile", data={"display_name": "Noor", "email": "NOOR@example.org"})
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.display_name, user.email_confirmed_at) == ("Noor", before) and before <= utcnow()
    deliver_pending()
    assert smtp.inbox.messages == []
