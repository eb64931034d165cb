"""The unsubscribe link of every message: its page and button, the one-click
POST of mail programs (RFC 8058), bad links, plugins' own scopes."""

import pytest
from conftest import csrf_token

from wiki.extensions import db
from wiki.hookspecs import hookimpl
from wiki.mail import MailOptOut, queue, queue_template, unsubscribe_url
from wiki.mail.sender import deliver_pending

ADDRESS = "reader@example.org"


class Watches:
    """A plugin with its own scope: ``watch:<id>``."""

    def __init__(self):
        self.stopped = []

    @hookimpl
    def mail_unsubscribe(self, address, scope):
        if not scope.startswith("watch:"):
            return None
        self.stopped.append((address, scope))
        return "You no longer watch that page."


@pytest.fixture
def watches():
    return Watches()


@pytest.fixture
def site(app_factory, smtp, watches):
    """A wiki that checks CSRF, as in production."""
    app = app_factory(WTF_CSRF_ENABLED=True, EXTRA_PLUGINS=[watches], **smtp.config)
    with app.app_context():
        yield app
        db.session.remove()


def _path(url):
    return url.removeprefix("http://wiki.example.org")


def _opted_out():
    db.session.expire_all()
    return db.session.scalars(db.select(MailOptOut.address)).all()


def test_the_link_shows_what_it_stops_and_a_button(site):
    response = site.test_client().get(_path(unsubscribe_url(ADDRESS)))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ADDRESS in page and "This stops every message the wiki sends" in page
    assert 'name="csrf_token"' in page and "<form method=\"post\">" in page
    assert _opted_out() == []  # looking is not unsubscribing: link checkers follow links


def test_the_button_unsubscribes_from_everything_once(site):
    client, path = site.test_client(), _path(unsubscribe_url(ADDRESS))
    token = csrf_token(client.get(path).get_data(as_text=True))
    for _ in range(2):  # idempotent: a second click changes nothing and is no error
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 200
        assert f"No more messages will be sent to {ADDRESS}" in response.get_data(as_text=True)
    assert _opted_out() == [ADDRESS]


def test_the_button_without_its_csrf_token_is_refused(site):
    response = site.test_client().post(_path(unsubscribe_url(ADDRESS)), data={})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert _opted_out() == []


def test_one_click_from_a_mail_program_needs_no_csrf_token(site):
    response = site.test_client().post(_path(unsubscribe_url(ADDRESS)),
                                       data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _opted_out() == [ADDRESS]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_link_is_refused_with_a_message(site, method):
    good = unsubscribe_url(ADDRESS).rsplit("/", 1)[1]
    send = getattr(site.test_client(), method)
    for token in (good[:-3] + "abc", "garbage", good.replace("e", "f", 1)):
        response = send(f"/mail/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 404
        assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert _opted_out() == []


def test_unsubscribed_from_everything_they_still_get_what_they_ask_for(site, smtp):
    client = site.test_client()
    client.post(_path(unsubscribe_url(ADDRESS)), data={"List-Unsubscribe": "One-Click"}).close()

    assert queue_template(ADDRESS, "test", "en", server="x") is None  # a notification: not queued
    assert queue(ADDRESS.upper(), "Watched page changed", "Text.") is None
    assert queue(ADDRESS, "Your reset link", "Text.", requested=True) is not None
    queue("other@example.org", "Watched page changed", "Text.")
    db.session.commit()
    assert deliver_pending().sent == 2
    received = {m["To"]: m["Subject"] for m in smtp.inbox.wait_for(2)}
    assert received == {ADDRESS: "Your reset link", "other@example.org": "Watched page changed"}


def test_a_plugins_scope_is_stopped_by_that_plugin(site, watches):
    url = unsubscribe_url(ADDRESS, "watch:12")
    client = site.test_client()
    page = client.get(_path(url)).get_data(as_text=True)
    assert "This stops the messages this link came with" in page

    response = client.post(_path(url), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You no longer watch that page." in response.get_data(as_text=True)
    assert watches.stopped == [(ADDRESS, "watch:12")]
    assert _opted_out() == []  # only that, not everything


def test_a_scope_nobody_knows_is_a_clear_400(site):
    response = site.test_client().post(_path(unsubscribe_url(ADDRESS, "gone:3")),
                                       data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert "nothing left to stop" in response.get_data(as_text=True)
    assert _opted_out() == []


def test_the_page_speaks_french(site):
    client = site.test_client()
    client.set_cookie("wiki_language", "fr")
    response = client.get(_path(unsubscribe_url(ADDRESS)))
    assert response.status_code == 200
    assert "Se désabonner" in response.get_data(as_text=True)
