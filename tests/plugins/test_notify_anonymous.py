"""A visitor without an account may leave an e-mail address with a comment
to be told of replies: opt-in, confirmed by a link before anything else goes
there, shown to nobody, in the language they used, and ended by the link
in every message."""

import re

import pytest
import sqlalchemy as sa
from support.smtp import text_of
from test_comments import posted, stamp
from test_notify import deliver, first_page, member, notify_app, queued, signed_in

from plugins.comments.models import Comment
from plugins.notify.models import AnonSubscription
from wiki import services
from wiki.extensions import db
from wiki.models import utcnow

pytestmark = pytest.mark.usefixtures("app")
GUEST = "guest@example.org"


@pytest.fixture
def app(app_factory, smtp):
    yield from notify_app(app_factory, smtp)


@pytest.fixture
def editor():
    return member("editor", "editor")


@pytest.fixture
def page(editor):
    return first_page(editor)


def post_as_guest(client, page, body, address, parent=None, **headers):
    data = {"comment-body": body, "comment-name": "Visitor", "comment-stamp": stamp(page),
            "comment-parent_id": parent.id if parent is not None else "", "notify-email": address}
    return client.post(f"/comments/page/{page.slug}", data=data, headers=headers)


def guest_comment(app, page, address=GUEST, **headers):
    response = post_as_guest(app.test_client(), page, "I get an error when trying to join the sessions",
                             address, **headers)
    assert response.status_code == 303, response.text
    return db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()


def link_in(message, path):
    return re.search(rf"http://wiki\.example\.org({path}\S+)", message.text)[1]


def confirm(app, message):
    client = app.test_client()
    link = link_in(message, "/notify/replies/")
    page = client.get(link)
    assert page.status_code == 200 and "Tell me of replies" in page.text
    return client.post(link)


def test_the_form_offers_the_field_to_visitors_only(app, page, editor):
    assert 'name="notify-email"' in app.test_client().get(f"/wiki/{page.slug}").text
    assert 'name="notify-email"' not in signed_in(app, editor).get(f"/wiki/{page.slug}").text


def test_a_visitor_is_told_of_replies_once_the_address_is_confirmed(app, smtp, page, editor):
    question = guest_comment(app, page)
    [confirmation] = queued(GUEST)
    assert "Confirm" in confirmation.subject
    moderator = signed_in(app, editor)
    posted(moderator, page, "Before the confirmation", parent=question)
    assert len(queued(GUEST)) == 1  # nothing before the address is confirmed

    # Opening the link confirms nothing (link checkers open links); its button does.
    client = app.test_client()
    client.get(link_in(confirmation, "/notify/replies/"))
    assert db.session.scalars(sa.select(AnonSubscription.confirmed_at)).one() is None
    assert "Confirmed" in confirm(app, confirmation).text

    posted(moderator, page, "Which browser do you use?", parent=question)
    messages = deliver(smtp, 2)
    reply = smtp.inbox.to(GUEST)[-1]
    assert len(messages) == 2 and "Which browser do you use?" in text_of(reply)
    assert "asked to be told of replies" in text_of(reply)


def test_the_address_is_shown_to_nobody(app, page, editor):
    question = guest_comment(app, page)
    for client in (app.test_client(), signed_in(app, editor)):
        for path in (f"/wiki/{page.slug}", "/comments/moderation", "/comments.atom",
                     f"/comments/{question.id}"):
            response = client.get(path, follow_redirects=True)
            assert GUEST not in response.text


def test_a_bad_address_is_refused_and_the_form_keeps_the_text(app, page):
    response = post_as_guest(app.test_client(), page, "My comment", "not an address\r\nBcc: x@example.org")
    assert response.status_code == 400
    assert "does not look like one" in response.text and "My comment" in response.text
    assert 'value="not an address' in response.text  # the field comes back as typed (escaped)
    assert db.session.scalars(sa.select(Comment)).all() == [] and queued() == []


def test_an_empty_field_subscribes_nobody(app, page):
    post_as_guest(app.test_client(), page, "My comment", "")
    assert db.session.scalars(sa.select(AnonSubscription)).all() == [] and queued() == []


def test_replies_stop_with_the_link_of_a_message(app, page, editor):
    question = guest_comment(app, page)
    confirm(app, queued(GUEST)[0])
    moderator = signed_in(app, editor)
    posted(moderator, page, "A first answer", parent=question)
    reply = queued(GUEST)[-1]
    response = app.test_client().post(link_in(reply, "/mail/unsubscribe/"),
                                      data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "replies to your comment" in response.text
    posted(moderator, page, "A second answer", parent=question)
    assert len(queued(GUEST)) == 2  # the confirmation and the first answer


def test_a_visitor_is_written_to_in_the_language_they_used(app, page, editor):
    question = guest_comment(app, page, **{"Accept-Language": "fr"})
    [confirmation] = queued(GUEST)
    assert "répon" in confirmation.text  # "réponses"
    confirm(app, confirmation)
    posted(signed_in(app, editor), page, "An answer", parent=question)
    assert "a répondu à votre commentaire" in queued(GUEST)[-1].text


def test_a_page_made_members_only_stops_replies_to_visitors(app, page, editor):
    question = guest_comment(app, page)
    confirm(app, queued(GUEST)[0])
    services.set_visibility(page, "members", editor)
    posted(signed_in(app, editor), page, "An answer", parent=question)
    assert len(queued(GUEST)) == 1


def test_confirmation_links_that_are_not_valid_say_so(app, page):
    client = app.test_client()
    response = client.get("/notify/replies/forged-token")
    assert response.status_code == 400 and "not valid" in response.text
    guest_comment(app, page)
    link = link_in(queued(GUEST)[0], "/notify/replies/")
    db.session.execute(sa.delete(AnonSubscription))
    db.session.commit()
    assert client.get(link).status_code == 404


def test_confirmation_messages_to_one_address_are_limited(app, page):
    for _ in range(5):
        guest_comment(app, page)
    assert len(queued(GUEST)) == 3


def test_the_visitor_is_not_told_twice_or_of_comments_not_replying_to_them(app, page, editor):
    guest_comment(app, page)
    confirm(app, queued(GUEST)[0])
    posted(signed_in(app, editor), page, "A comment of its own")
    assert len(queued(GUEST)) == 1
    assert all(s.confirmed_at <= utcnow() for s in db.session.scalars(sa.select(AnonSubscription)))
