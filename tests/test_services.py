"""Page settings change through one service: everything checked first, one
commit, then the events; account roles change through accounts."""

import pytest
from sqlalchemy import event
from support.recorder_plugin import Recorder

from wiki import accounts, services
from wiki.extensions import db
from wiki.models import PageEvent, User


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def app(app_factory, recorder):
    app = app_factory(EXTRA_PLUGINS=[recorder])
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def commits(app):
    counted = []
    listener = lambda session: counted.append(1)  # noqa: E731
    event.listen(db.session(), "after_commit", listener)
    yield counted
    event.remove(db.session(), "after_commit", listener)


def history(page):
    return db.session.scalars(db.select(PageEvent.kind).where(PageEvent.page_id == page.id)
                              .order_by(PageEvent.id)).all()


def test_title_parent_and_visibility_change_in_one_commit_then_the_events(app, make_page, users,
                                                                           recorder, commits):
    editor = db.session.get(User, users["editor"])
    page, parent = make_page("Draft"), make_page("Archive")
    recorder.calls.clear()
    commits.clear()
    services.change_settings(page, editor, title="Final", slug="final-text", parent=parent,
                             visibility="members")
    assert len(commits) == 1
    assert [name for name, _ in recorder.calls if name.startswith("page_")] == [
        "page_renamed", "page_saved", "page_moved", "page_visibility_changed"]
    assert (page.slug, page.parent, page.visibility, page.current_revision.number) == \
        ("final-text", parent, "members", 2)
    assert history(page) == ["created", "renamed", "edited", "address", "moved", "visibility"]
    assert services.find_page("draft") == (None, page)  # the old address redirects


def test_a_refused_setting_changes_nothing(app, make_page, users, recorder, commits):
    editor = db.session.get(User, users["editor"])
    page, child = make_page("Parent page"), None
    child = make_page("Child page", parent=page)
    make_page("Taken")
    recorder.calls.clear()
    commits.clear()
    for changes in ({"title": "Taken", "visibility": "members"},
                    {"title": "New title", "parent": child},
                    {"title": "New title", "visibility": "secret"}):
        with pytest.raises(services.PageError):
            services.change_settings(page, editor, **changes)
        db.session.rollback()
    assert commits == [] and not [c for c in recorder.calls if c[0].startswith("page_")]
    assert (page.title, page.visibility, page.current_revision.number) == ("Parent page", "public", 1)


def test_only_what_changed_fires(app, make_page, users, recorder):
    editor = db.session.get(User, users["editor"])
    page = make_page("Steady")
    recorder.calls.clear()
    services.change_settings(page, editor, title="Steady", parent=None, visibility="public")
    assert not [c for c in recorder.calls if c[0].startswith("page_")]
    services.change_settings(page, editor, visibility="members")
    assert [c[0] for c in recorder.calls if c[0].startswith("page_")] == ["page_visibility_changed"]


def test_roles_change_through_accounts(app, users):
    admin, member = (db.session.get(User, users[r]) for r in ("admin", "member"))
    version = member.session_version
    accounts.set_role(member, "editor", False, admin)
    assert (member.role, member.active, member.session_version) == ("editor", False, version + 1)
    with pytest.raises(accounts.AccountError, match="your own admin role"):
        accounts.set_role(admin, "editor", True, admin)
    with pytest.raises(accounts.AccountError, match="Role must be one of"):
        accounts.set_role(member, "owner", True, admin)
    assert admin.role == "admin"
