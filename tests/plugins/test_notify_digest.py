"""A member's choice: each event at once, a daily digest, or nothing; the
digest goes at MAIL_DIGEST_HOUR (UTC), once a day per member even when
several servers tick at once, and leaves out what was hidden since."""

import re
import threading
from datetime import datetime

import pytest
import sqlalchemy as sa
from support.smtp import html_of, text_of
from test_comments import posted
from test_notify import edit, first_page, member, notify_app, queued, signed_in, watch

from plugins.notify.models import DigestClaim, PendingItem
from wiki.extensions import db
from wiki.mail.sender import deliver_pending
from wiki.models import utcnow

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def app(app_factory, smtp):
    yield from notify_app(app_factory, smtp)


@pytest.fixture
def editor():
    return member("editor", "editor")


@pytest.fixture
def page(editor):
    return first_page(editor)


@pytest.fixture
def watcher():
    return member("watcher")


def choose(app, user, mode, replies=True):
    data = {"mode": mode, **({"replies": "y"} if replies else {})}
    response = signed_in(app, user).post("/account/notifications", data=data)
    assert response.status_code == 303, response.text
    return response


def today_at(hour, minute=0):
    return utcnow().replace(hour=hour, minute=minute, second=0, microsecond=0)


def pending():
    return db.session.scalars(sa.select(PendingItem)).all()


def checked_mode(html):
    """The mode the preferences form shows as chosen."""
    return re.search(r'<input checked id="mode-\d" name="mode" type="radio" value="(\w+)"', html)[1]


def test_the_preferences_page_shows_the_choice_and_the_watches(app, page, watcher):
    watch(app, watcher, page, subtree=True)
    client = signed_in(app, watcher)
    html = client.get("/account/notifications").text
    assert checked_mode(html) == "instant"  # the default
    assert page.title in html and f'action="/wiki/{page.slug}/unwatch"' in html
    choose(app, watcher, "digest", replies=False)
    html = client.get("/account/notifications").text
    assert checked_mode(html) == "digest" and 'checked id="replies"' not in html
    # Unwatching from this page comes back to it.
    response = client.post(f"/wiki/{page.slug}/unwatch", data={"back": "preferences"})
    assert response.headers["Location"].endswith("/account/notifications")
    assert "You watch no page." in client.get("/account/notifications").text


def test_a_bad_choice_is_refused_with_a_message(app, watcher):
    response = signed_in(app, watcher).post("/account/notifications", data={"mode": "hourly"})
    assert response.status_code == 400 and "Not a valid choice" in response.text


def test_nothing_means_no_message_and_no_digest(app, page, editor, watcher):
    watch(app, watcher, page)
    choose(app, watcher, "off")
    edit(page, editor, "Changed.\n")
    assert queued() == [] and pending() == []


def test_a_digest_member_gets_one_message_a_day_at_the_digest_hour(app, smtp, page, editor, watcher):
    watch(app, watcher, page)
    choose(app, watcher, "digest")
    edit(page, editor, "One.\n", summary="first change")
    posted(signed_in(app, editor), page, "A comment for the digest")
    assert queued() == [] and len(pending()) == 2
    for item in pending():  # made before today's digest hour
        item.created_at = today_at(3)
    db.session.commit()

    deliver_pending(today_at(6, 59))
    assert queued() == []
    deliver_pending(today_at(7, 0))
    [message] = smtp.inbox.wait_for(1)
    assert message.envelope_to == ["watcher@example.org"] and "2 updates" in message["Subject"]
    text = text_of(message)
    assert "first change" in text and "A comment for the digest" in text
    assert f"/wiki/{page.slug}/diff?from=1&to=2" in text and "diff?from=1&amp;to=2" in html_of(message)
    assert pending() == []

    # Later the same day: what happens waits for tomorrow's digest.
    edit(page, editor, "Two.\n", summary="second change")
    deliver_pending(today_at(8))
    deliver_pending(today_at(23))
    assert len(queued()) == 1 and len(pending()) == 1


def test_an_item_made_after_the_hour_waits_for_the_next_day(app, page, editor, watcher):
    watch(app, watcher, page)
    choose(app, watcher, "digest")
    edit(page, editor, "One.\n")
    pending()[0].created_at = today_at(9)
    db.session.commit()
    deliver_pending(today_at(10))
    assert queued() == [] and len(pending()) == 1


def test_the_digest_leaves_out_a_comment_hidden_since(app, page, editor, watcher):
    watch(app, watcher, page)
    choose(app, watcher, "digest")
    comment = posted(signed_in(app, editor), page, "Spam, hidden later")
    posted(signed_in(app, editor), page, "A good comment")
    signed_in(app, editor).post(f"/comments/{comment.id}/hide")
    for item in pending():
        item.created_at = today_at(1)
    db.session.commit()
    deliver_pending(today_at(7))
    [message] = queued()
    assert "A good comment" in message.text and "Spam, hidden later" not in message.text


def test_a_digest_of_only_hidden_things_is_not_sent(app, page, editor, watcher):
    watch(app, watcher, page)
    choose(app, watcher, "digest")
    comment = posted(signed_in(app, editor), page, "Spam")
    signed_in(app, editor).post(f"/comments/{comment.id}/hide")
    pending()[0].created_at = today_at(1)
    db.session.commit()
    deliver_pending(today_at(7))
    assert queued() == [] and pending() == []


def test_two_servers_ticking_at_once_send_one_digest(app, app_factory, smtp, page, editor, watcher):
    watch(app, watcher, page)
    choose(app, watcher, "digest")
    edit(page, editor, "One.\n")
    pending()[0].created_at = today_at(1)
    db.session.commit()
    other = app_factory(PLUGINS=["comments", "notify"], **smtp.config)  # a second server, same database
    start = threading.Barrier(2)
    errors = []

    def tick(server):
        try:
            with server.app_context():
                start.wait()
                deliver_pending(today_at(7))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=tick, args=(server,)) for server in (app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(queued("watcher@example.org")) == 1
    assert db.session.scalars(sa.select(DigestClaim.day)).all() == [today_at(0).date()]


def test_the_digest_link_turns_notifications_off(app, page, editor, watcher):
    watch(app, watcher, page)
    choose(app, watcher, "digest")
    edit(page, editor, "One.\n")
    pending()[0].created_at = today_at(1)
    db.session.commit()
    deliver_pending(today_at(7))
    [message] = queued()
    link = message.unsubscribe_url.removeprefix("http://wiki.example.org")
    response = app.test_client().post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "no more notifications" in response.text
    edit(page, editor, "Two.\n")
    assert pending() == [] and len(queued()) == 1
    assert checked_mode(signed_in(app, watcher).get("/account/notifications").text) == "off"


def test_switching_back_to_instant_sends_at_once(app, page, editor, watcher):
    watch(app, watcher, page)
    choose(app, watcher, "digest")
    choose(app, watcher, "instant")
    edit(page, editor, "One.\n")
    assert len(queued()) == 1 and pending() == []


def test_no_digest_hour_yet_means_nothing(app, page, editor, watcher):
    watch(app, watcher, page)
    choose(app, watcher, "digest")
    edit(page, editor, "One.\n")
    deliver_pending(datetime.combine(utcnow().date(), datetime.min.time()))
    assert queued() == [] and len(pending()) == 1
