"""Notifications are written in the transaction of the change that causes
them (``page_saving``, ``comment_publishing``): a crash right after the
commit loses none, a change that does not commit leaves none, a save retried
after a write race tells once, and a failure of the plugin never undoes the
change."""

import logging
import re
import sqlite3
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from test_comments import QUIET, posted
from test_notify import edit, first_page, member, queued, watch
from test_notify_digest import choose, pending

from plugins.comments import service as comments
from plugins.notify import messages
from plugins.notify.models import PendingItem, ToldComment
from wiki import services
from wiki.api import hookimpl
from wiki.extensions import db
from wiki.mail.models import OutboxMessage
from wiki.models import Page, Revision, User

pytestmark = pytest.mark.usefixtures("app")


class Crash(Exception):
    """The process dying at a chosen point."""


class CrashAfterCommit:
    """A plugin whose after-commit events crash before any other plugin's
    (``tryfirst``) once ``armed``: a process that dies right after the
    commit of a change, before the events run."""

    armed = False

    def _crash(self):
        if self.armed:
            raise Crash

    @hookimpl(tryfirst=True)
    def page_saved(self, page, revision, created):
        self._crash()

    @hookimpl(tryfirst=True, optionalhook=True)
    def comment_posted(self, comment):
        self._crash()

    @hookimpl(tryfirst=True, optionalhook=True)
    def comment_shown(self, comment):
        self._crash()


@pytest.fixture
def crash():
    return CrashAfterCommit()


@pytest.fixture
def app(app_factory, smtp, crash):
    app = app_factory(PLUGINS=["comments", "notify"], EXTRA_PLUGINS=[crash], **smtp.config, **QUIET)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def editor():
    return member("editor", "editor")


@pytest.fixture
def page(editor):
    return first_page(editor)


@pytest.fixture
def watcher():
    return member("watcher")


def committed_count(model):
    """Rows of ``model`` as another connection sees them: committed ones only."""
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(model))


def committed_notifications(mode):
    """What was committed for the ``mode`` chosen: outbox messages or digest items."""
    return committed_count(OutboxMessage if mode == "instant" else PendingItem)


class FailingCommit:
    """``db.session.commit`` that fails ``times`` times (calling ``before`` first), then commits."""

    def __init__(self, monkeypatch, error, times=1, before=None):
        self.error, self.left, self.before, self.calls = error, times, before, 0
        self.real = type(db.session).commit  # the scoped session's: commits the calling thread's session
        monkeypatch.setattr(type(db.session), "commit", self)  # not a method: called without the session

    def __call__(self):
        self.calls += 1
        if self.left:
            self.left -= 1
            if self.before is not None:
                self.before()
            raise self.error
        return self.real(db.session)


# -- a crash right after the commit ---------------------------------------------------


@pytest.mark.parametrize("mode", ["instant", "digest"])
def test_a_crash_right_after_an_edit_commits_loses_no_notification(app, crash, page, editor, watcher, mode):
    watch(app, watcher, page)
    choose(app, watcher, mode)
    crash.armed = True
    with pytest.raises(Crash):
        edit(page, editor, "Agenda, with rooms.\n", summary="rooms")
    db.session.rollback()
    assert page.current_revision.number == 2 and committed_notifications(mode) == 1
    if mode == "instant":
        assert "rooms" in queued("watcher@example.org")[0].text
    else:
        [item] = pending()
        assert (item.user_id, item.revision_id) == (watcher.id, page.current_revision.id)


def test_every_change_that_makes_a_revision_tells_in_its_transaction(app, crash, page, editor, watcher):
    watch(app, watcher, page, subtree=True)
    crash.armed = True  # nothing after the commits runs: what is told was told in the transactions
    for change in (lambda: services.create_page("Rooms", "Text.\n", editor, parent=page),
                   lambda: edit(page, editor, "Changed.\n", summary="changed"),
                   lambda: services.change_settings(page, editor, title="Workshop May 2021"),
                   lambda: services.revert_page(page, 1, editor)):
        with pytest.raises(Crash):
            change()
        db.session.rollback()
    told = [message.text for message in queued("watcher@example.org")]
    assert len(told) == 4 and "Rooms" in told[0]
    assert [re.search(r"Summary: (.*)", text)[1] for text in told[1:]] == [
        "changed", "Renamed", "Restored revision 1"]


def test_a_crash_right_after_a_comment_is_posted_or_approved_loses_no_notification(app, crash, page, editor,
                                                                                  watcher):
    watch(app, watcher, page)
    crash.armed = True
    with pytest.raises(Crash):
        comments.post_comment(page, editor, "Is the room booked?")
    db.session.rollback()
    [message] = queued("watcher@example.org")
    assert "Is the room booked?" in message.text

    crash.armed = False
    app.config["COMMENTS_ANONYMOUS"] = "moderated"
    held = posted(app.test_client(), page, "A guest's question", name="Guest")
    assert held.status == "held" and len(queued()) == 1
    crash.armed = True
    with pytest.raises(Crash):
        comments.show_comment(held)
    db.session.rollback()
    assert "A guest's question" in queued("watcher@example.org")[-1].text and len(queued()) == 2


# -- a change that does not commit ----------------------------------------------------------


@pytest.mark.parametrize("mode", ["instant", "digest"])
def test_an_edit_that_fails_at_its_commit_leaves_no_notification(app, monkeypatch, page, editor, watcher,
                                                                 mode):
    watch(app, watcher, page)
    choose(app, watcher, mode)
    failing = FailingCommit(monkeypatch, Crash())
    with pytest.raises(Crash):
        edit(page, editor, "Agenda, with rooms.\n")
    assert failing.calls == 1  # the commit, after the hook wrote its rows: they go with it
    db.session.rollback()
    assert committed_count(Revision) == 1 and committed_notifications(mode) == 0


def test_a_page_whose_creation_fails_at_its_commit_leaves_no_notification(app, monkeypatch, page, editor,
                                                                          watcher):
    watch(app, watcher, page, subtree=True)
    FailingCommit(monkeypatch, Crash())
    with pytest.raises(Crash):
        services.create_page("Rooms", "Text.\n", editor, parent=page)
    db.session.rollback()
    assert committed_count(Page) == 1 and queued() == []


def test_a_comment_that_fails_at_its_commit_leaves_no_notification(app, monkeypatch, page, editor, watcher):
    watch(app, watcher, page)
    FailingCommit(monkeypatch, Crash())
    with pytest.raises(Crash):
        comments.post_comment(page, editor, "Is the room booked?")
    db.session.rollback()
    assert queued() == [] and committed_count(ToldComment) == 0


# -- a save retried after a race ------------------------------------------------------------


def test_a_save_retried_after_a_race_tells_once_per_revision(app, monkeypatch, editor, watcher):
    """Another editor's save gets in while this one commits: this commit fails
    (the race SQLite reports), the save is retried and merges; the watcher
    hears of each revision once, not of the attempt that was rolled back."""
    lines = "".join(f"line {i}\n" for i in range(5))
    page = services.create_page("Plan", lines, editor)
    other = member("other", "editor")
    watch(app, watcher, page)
    page_id, other_id = page.id, other.id

    def other_save():
        db.session.rollback()  # this attempt goes (as the database does for a lost race)

        def run():
            with app.app_context():
                try:
                    services.save_page(db.session.get(Page, page_id), lines.replace("line 0", "line zero"),
                                       db.session.get(User, other_id), summary="theirs")
                finally:
                    db.session.remove()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()

    lost = IntegrityError("INSERT INTO revisions", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    failing = FailingCommit(monkeypatch, lost, before=other_save)
    result = services.save_page(page, lines.replace("line 4", "line four"), editor, summary="mine",
                                base_number=1)
    assert failing.calls == 3  # ours lost, the other editor's, ours again
    assert result.merged and result.revision.number == 3
    assert "line zero" in result.revision.body and "line four" in result.revision.body
    summaries = [re.search(r"Summary: (.*)", message.text)[1] for message in queued("watcher@example.org")]
    assert summaries == ["theirs", "mine"]


# -- a failure of the plugin ------------------------------------------------------------------


def test_a_notification_that_fails_takes_back_its_rows_and_never_the_edit(app, monkeypatch, page, editor,
                                                                          caplog):
    for name in ("first", "second"):
        watch(app, member(name), page)
    real, calls = messages.send_event, []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("template broken")
        return real(*args, **kwargs)

    monkeypatch.setattr("plugins.notify.events.send_event", second_fails)
    with caplog.at_level(logging.ERROR, logger="plugins.notify.events"):
        revision = edit(page, editor, "Agenda, with rooms.\n")
    assert len(calls) == 2  # the first message was written, then taken back
    db.session.rollback()
    assert db.session.get(Revision, revision.id).number == 2 and queued() == []
    assert "could not queue the notifications" in caplog.text
    # The next change tells both again.
    monkeypatch.undo()
    edit(page, editor, "Agenda, with rooms and times.\n")
    assert sorted(m.to_address for m in queued()) == ["first@example.org", "second@example.org"]

