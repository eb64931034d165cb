"""What each role may do, and members-only pages hidden from anonymous visitors everywhere."""

import pytest

from wiki.extensions import db
from wiki.models import Page

EDITOR_PAGES = ["/new", "/wiki/open/edit", "/wiki/open/settings", "/wiki/open/delete"]


@pytest.fixture
def pages(make_page):
    open_page = make_page("Open", "Links: [[Secret plans]] and [[Open child]].")
    secret = make_page("Secret plans", "Members only text.", visibility="members")
    make_page("Secret child", "Hidden with its parent.", parent=secret)
    make_page("Open child", parent=open_page)
    return {"open": open_page, "secret": secret}


@pytest.mark.parametrize("url", EDITOR_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, pages, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", EDITOR_PAGES)
def test_members_cannot_edit(as_member, pages, url):
    assert as_member.get(url).status_code == 403


@pytest.mark.parametrize("url", EDITOR_PAGES)
def test_editors_can_edit(as_editor, pages, url):
    assert as_editor.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/admin/users", "/admin/trash"])
def test_only_admins_administer(client, auth, url):
    auth.login("editor")
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.get(url).status_code == 200


def test_members_only_page_is_invisible_to_anonymous_visitors(client, pages):
    for url in ("/wiki/secret-plans", "/wiki/secret-child", "/wiki/secret-plans/history",
                "/wiki/secret-plans/diff", "/wiki/secret-plans/revisions/1"):
        assert client.get(url).status_code == 404, url
    home = client.get("/").get_data(as_text=True)
    assert "Secret" not in home  # not in the tree, not in recent changes
    view = client.get("/wiki/open").get_data(as_text=True)
    assert "/wiki/secret-plans" not in view and "Secret child" not in view
    # The wiki link shows exactly like a link to a missing page.
    assert '<a class="wikilink missing" title="Missing page">Secret plans</a>' in view


def test_members_see_members_only_pages(as_member, pages):
    assert as_member.get("/wiki/secret-plans").status_code == 200
    assert as_member.get("/wiki/secret-child").status_code == 200
    view = as_member.get("/wiki/open").get_data(as_text=True)
    assert '<a class="wikilink" href="/wiki/secret-plans">Secret plans</a>' in view
    assert "Secret child" in as_member.get("/").get_data(as_text=True)


def test_children_inherit_members_only_and_follow_changes(as_editor, client, pages):
    child = db.session.scalar(db.select(Page).where(Page.slug == "secret-child"))
    assert child.visibility == "public" and child.members_only
    as_editor.post("/wiki/secret-plans/settings", data={"title": "Secret plans", "parent": "",
                                                        "visibility": "public"})
    anonymous = client.application.test_client()
    assert anonymous.get("/wiki/secret-child").status_code == 200
    # Moving a public page under a members-only page hides it too.
    as_editor.post("/wiki/open-child/settings", data={"title": "Open child", "parent": "",
                                                      "visibility": "members"})
    as_editor.post("/wiki/secret-child/settings", data={"title": "Secret child",
                                                        "parent": "open-child", "visibility": "public"})
    assert anonymous.get("/wiki/secret-child").status_code == 404


def test_old_slug_of_members_only_page_does_not_redirect_anonymous(as_editor, pages):
    as_editor.post("/wiki/secret-plans/settings", data={"title": "Renamed secret", "parent": "",
                                                        "visibility": "members"})
    anonymous = as_editor.application.test_client()
    assert anonymous.get("/wiki/secret-plans").status_code == 404


def test_cannot_create_under_a_page_one_cannot_see(app, pages):
    from wiki.accounts import create_user

    with app.app_context():
        user = create_user("ed2", "password123", "editor")
        assert user.can_edit
    # Editors are signed in, so they see members-only pages: the check is that a
    # missing parent is refused rather than silently put at the top level.
    client = app.test_client()
    client.post("/login", data={"username": "ed2", "password": "password123"})
    response = client.post("/new", data={"title": "X", "body": "y", "parent": "nope",
                                         "visibility": "public"})
    assert response.status_code == 400
