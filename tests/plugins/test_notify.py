"""Watching pages: members watch a page (or a page and the pages under it),
and are told of its changes and comments by e-mail, with the summary, the
author and a link to the diff; commenters are told of replies. Nobody is
told of their own actions, of pages they may not see, of held or hidden
comments; only confirmed addresses get mail. Messages go through the real
outbox and sender to a real SMTP server (the ``smtp`` fixture).

The helpers here (``member``, ``deliver``...) serve the other test_notify_* modules too."""

import re

import pytest
import sqlalchemy as sa
from support.smtp import html_of, text_of
from test_comments import QUIET, posted

from plugins.notify.models import Watch
from wiki import services
from wiki.accounts import create_user
from wiki.extensions import db
from wiki.mail.models import OutboxMessage
from wiki.mail.outbox import read_unsubscribe_token, unsubscribe_url
from wiki.mail.sender import deliver_pending
from wiki.models import User, utcnow
from wiki.templating import render_slot

PASSWORD = "correct horse battery"

pytestmark = pytest.mark.usefixtures("app")


def notify_app(app_factory, smtp):
    """The wiki with comments and this plugin, sending to ``smtp`` (the ``app``
    fixture of the test_notify modules)."""
    app = app_factory(PLUGINS=["comments", "notify"], **smtp.config, **QUIET)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def app(app_factory, smtp):
    yield from notify_app(app_factory, smtp)


# -- helpers shared by the notify test modules ------------------------------------------


def member(name, role="member", confirmed=True, language=None, email=True):
    """An account with the address ``<name>@example.org`` (confirmed unless told otherwise)."""
    user = create_user(name, PASSWORD, role, display_name=f"{name.title()} Person")
    if email:
        user.email = f"{name}@example.org"
        user.email_confirmed_at = utcnow() if confirmed else None
    user.language = language
    db.session.commit()
    return user


def signed_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def watch(app, user, page, subtree=False):
    """Press the page's Watch button as ``user`` does."""
    response = signed_in(app, user).post(f"/wiki/{page.slug}/watch", data={"subtree": "1" if subtree else ""})
    assert response.status_code == 303
    return response


def queued(to=None):
    """The messages in the outbox (for ``to``), oldest first."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        query = query.where(OutboxMessage.to_address == to)
    return db.session.scalars(query).all()


def deliver(smtp, count):
    """Run a delivery pass and wait for ``count`` messages in the SMTP server's inbox in all."""
    deliver_pending(utcnow().replace(hour=0))  # at midnight: no digest is due
    return smtp.inbox.wait_for(count)


def edit(page, user, body, summary=""):
    return services.save_page(page, body, user, summary=summary).revision


def first_page(editor):
    return services.create_page("Workshop April 2021", "Agenda.\n", editor)


@pytest.fixture
def editor():
    return member("editor", "editor")


@pytest.fixture
def watcher():
    return member("watcher")


@pytest.fixture
def page(editor):
    return first_page(editor)


# -- watching a page ------------------------------------------------------------------


def test_the_watch_button_shows_the_state_and_works_without_javascript(app, page, watcher):
    client = signed_in(app, watcher)
    html = client.get(f"/wiki/{page.slug}").text
    assert f'action="/wiki/{page.slug}/watch"' in html and 'name="csrf_token"' in html
    assert client.post(f"/wiki/{page.slug}/watch", data={"subtree": "1"}).status_code == 303
    html = client.get(f"/wiki/{page.slug}").text
    assert "You watch this page and the pages under it." in html
    assert f'action="/wiki/{page.slug}/unwatch"' in html
    assert client.post(f"/wiki/{page.slug}/unwatch").status_code == 303
    assert db.session.scalars(sa.select(Watch)).all() == []
    assert f'action="/wiki/{page.slug}/watch"' in client.get(f"/wiki/{page.slug}").text


def test_watching_needs_an_account_and_a_page_one_may_see(app, page, editor, watcher):
    anonymous = app.test_client()
    assert anonymous.post(f"/wiki/{page.slug}/watch").status_code in (302, 401)
    secret = services.create_page("Board minutes", "Text.\n", editor, visibility="members")
    assert anonymous.post(f"/wiki/{secret.slug}/watch").status_code in (302, 401)
    assert signed_in(app, watcher).post("/wiki/no-such-page/watch").status_code == 404
    assert db.session.scalars(sa.select(Watch)).all() == []


def test_a_watcher_is_told_of_an_edit_with_summary_author_and_diff_link(app, smtp, page, editor, watcher):
    watch(app, watcher, page)
    revision = edit(page, editor, "Agenda, with rooms.\n", summary="Rooms <b>added</b>")
    [message] = deliver(smtp, 1)
    assert message.envelope_to == ["watcher@example.org"]
    assert "Workshop April 2021" in message["Subject"]
    text, html = text_of(message), html_of(message)
    diff = f"http://wiki.example.org/wiki/{page.slug}/diff?from={revision.number - 1}&to={revision.number}"
    assert diff in text and "Rooms <b>added</b>" in text and "Editor Person" in text
    assert diff.replace("&", "&amp;") in html
    assert "Rooms &lt;b&gt;added&lt;/b&gt;" in html and "<b>added" not in html  # user text escaped
    assert "/mail/unsubscribe/" in text and message["List-Unsubscribe"]
    # The diff link works, for the watcher.
    path = diff.removeprefix("http://wiki.example.org")
    assert signed_in(app, watcher).get(path).status_code == 200


def test_nobody_is_told_of_their_own_edit(app, smtp, page, editor):
    watch(app, editor, page)
    edit(page, editor, "Changed by the watcher.\n")
    assert queued() == []


def test_a_subtree_watch_covers_pages_under_the_page_and_a_plain_one_does_not(app, smtp, page, editor):
    near, far = member("near"), member("far")
    watch(app, near, page)
    watch(app, far, page, subtree=True)
    child = services.create_page("Rooms", "Text.\n", editor, parent=page)
    grandchild = services.create_page("Room 12", "Text.\n", editor, parent=child)
    edit(grandchild, editor, "Room 12 has a projector.\n", summary="projector")
    assert [m.to_address for m in queued()] == ["far@example.org"] * 3  # two new pages, one edit
    assert [m.to_address for m in queued("near@example.org")] == []
    assert "projector" in queued()[-1].text


def test_only_confirmed_addresses_of_active_accounts_get_mail(app, page, editor):
    unconfirmed, without, disabled = member("unconfirmed", confirmed=False), member("without", email=False), \
        member("disabled")
    for user in (unconfirmed, without, disabled):
        watch(app, user, page)
    disabled.active = False
    db.session.commit()
    edit(page, editor, "New text.\n")
    assert queued() == []


def test_a_deleted_page_tells_nobody(app, page, editor, watcher):
    # Every member may read members-only pages; a deleted page is seen by nobody.
    watch(app, watcher, page)
    services.delete_page(page, editor)
    assert queued() == []


def test_watch_button_is_not_there_when_the_wiki_sends_no_mail(app_factory, editor):
    app = app_factory(PLUGINS=["comments", "notify"])
    with app.app_context():
        user = member("reader")
        page = services.create_page("Quiet", "Text.\n", db.session.get(User, editor.id))
        assert "/watch" not in signed_in(app, user).get(f"/wiki/{page.slug}").text
        db.session.remove()


# -- comments ----------------------------------------------------------------------


def test_a_watcher_is_told_of_a_comment_with_its_text(app, smtp, page, editor, watcher):
    watch(app, watcher, page)
    comment = posted(signed_in(app, editor), page, "Is the room booked?")
    [message] = deliver(smtp, 1)
    assert message.envelope_to == ["watcher@example.org"]
    assert "Is the room booked?" in text_of(message)
    assert f"http://wiki.example.org/comments/{comment.id}" in text_of(message)


def test_the_author_of_a_comment_is_told_of_replies_whatever_they_watch(app, smtp, page, editor):
    asker = member("asker")
    question = posted(signed_in(app, asker), page, "I get an error when trying to join the sessions")
    posted(signed_in(app, editor), page, "Which browser?", parent=question)
    [message] = deliver(smtp, 1)
    assert message.envelope_to == ["asker@example.org"]
    assert "Which browser?" in text_of(message) and "replied to your comment" in text_of(message)


def test_a_watcher_who_is_answered_gets_one_message(app, page, editor):
    asker = member("asker")
    watch(app, asker, page)
    question = posted(signed_in(app, asker), page, "A question")
    posted(signed_in(app, editor), page, "An answer", parent=question)
    [message] = queued("asker@example.org")
    assert "replied to your comment" in message.text


def test_nobody_is_told_of_their_own_comment_or_reply(app, page):
    asker = member("asker")
    watch(app, asker, page)
    client = signed_in(app, asker)
    question = posted(client, page, "A question")
    posted(client, page, "Found it myself", parent=question)
    assert queued() == []


def test_a_held_comment_is_told_when_approved_and_a_hidden_one_not_again(app, smtp, page, editor, watcher):
    watch(app, watcher, page)
    app.config["COMMENTS_ANONYMOUS"] = "moderated"
    comment = posted(app.test_client(), page, "A guest's comment", name="Guest")
    assert comment.status == "held" and queued() == []
    moderator = signed_in(app, editor)
    assert moderator.post(f"/comments/{comment.id}/show").status_code == 303
    [message] = queued()
    assert "A guest's comment" in message.text and "Guest (guest)" in message.text
    moderator.post(f"/comments/{comment.id}/hide")
    moderator.post(f"/comments/{comment.id}/show")
    assert len(queued()) == 1


# -- language, unsubscribe ------------------------------------------------------------


def test_messages_are_in_the_recipients_language(app, page, editor):
    french, english = member("french", language="fr"), member("english")
    watch(app, french, page)
    watch(app, english, page)
    edit(page, editor, "Text.\n", summary="typo")
    assert "Résumé : typo" in queued("french@example.org")[0].text
    assert "Summary: typo" in queued("english@example.org")[0].text


def unsubscribe_link(message):
    return re.search(r"http://wiki\.example\.org(/mail/unsubscribe/\S+)", message.text)[1]


def test_the_link_of_a_watch_message_ends_that_watch_only(app, page, editor, watcher):
    other = services.create_page("Other", "Text.\n", editor)
    watch(app, watcher, page)
    watch(app, watcher, other)
    edit(page, editor, "Changed.\n")
    [message] = queued()
    response = app.test_client().post(unsubscribe_link(message), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "You no longer watch" in response.text
    assert [w.page_id for w in db.session.scalars(sa.select(Watch))] == [other.id]
    edit(other, editor, "Changed too.\n")
    assert len(queued("watcher@example.org")) == 2  # the other watch still tells


def test_the_link_of_a_reply_message_stops_replies(app, page, editor):
    asker = member("asker")
    question = posted(signed_in(app, asker), page, "A question")
    posted(signed_in(app, editor), page, "An answer", parent=question)
    [message] = queued()
    assert app.test_client().post(unsubscribe_link(message),
                                  data={"List-Unsubscribe": "One-Click"}).status_code == 200
    posted(signed_in(app, editor), page, "Another answer", parent=question)
    assert len(queued()) == 1


def test_a_link_for_an_address_that_changed_stops_nothing(app, page, editor, watcher):
    watch(app, watcher, page)
    edit(page, editor, "Changed.\n")
    [message] = queued()
    watcher.email = "new@example.org"
    db.session.commit()
    app.test_client().post(unsubscribe_link(message), data={"List-Unsubscribe": "One-Click"})
    assert len(db.session.scalars(sa.select(Watch)).all()) == 1


def test_an_address_that_unsubscribed_from_everything_gets_no_notification(app, page, editor, watcher):
    watch(app, watcher, page)
    edit(page, editor, "Changed.\n")
    [message] = queued()
    address, scope = read_unsubscribe_token(unsubscribe_link(message).rsplit("/", 1)[1])
    assert (address, scope) == ("watcher@example.org", f"watch:{db.session.scalar(sa.select(Watch.id))}")
    everything = unsubscribe_url(address).removeprefix("http://wiki.example.org")
    app.test_client().post(everything, data={"List-Unsubscribe": "One-Click"})
    edit(page, editor, "Changed again.\n")
    assert len(queued()) == 1


def test_the_account_slot_links_to_the_preferences(app, page, watcher):
    # The account page (/account/password) shows the `account` slot; here the slot itself.
    watch(app, watcher, page)
    with app.test_request_context():
        html = str(render_slot("account", user=watcher))
    assert "You watch 1 page." in html and 'href="/account/notifications"' in html
    assert "each change as it happens" in html
