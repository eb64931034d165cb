"""Editors create, read, edit, compare, restore, rename, move and delete pages."""

import re

from wiki import services
from wiki.extensions import db
from wiki.models import Page, PageEvent, Revision, User


def page_at(slug):
    return db.session.scalar(db.select(Page).where(Page.slug == slug))


def edit_form(client, slug):
    html = client.get(f"/wiki/{slug}/edit").get_data(as_text=True)
    base = re.search(r'name="base_revision" type="hidden" value="(\d+)"', html).group(1)
    return int(base)


def test_create_page_in_browser(as_editor):
    response = as_editor.post("/new", data={
        "title": "Soil Carbon Basics", "body": "# Intro\n\nSOC matters.", "summary": "first draft",
        "parent": "", "visibility": "public",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/soil-carbon-basics")
    html = as_editor.get("/wiki/soil-carbon-basics").get_data(as_text=True)
    assert "<h1>Soil Carbon Basics</h1>" in html
    assert "SOC matters." in html
    page = page_at("soil-carbon-basics")
    assert page.current_revision.summary == "first draft"
    assert page.current_revision.author.username == "editor"


def test_create_child_page_under_parent(as_editor, make_page):
    make_page("Workshop")
    as_editor.post("/new", data={"title": "Session 1", "body": "Agenda", "parent": "workshop",
                                 "visibility": "public"})
    child = page_at("session-1")
    assert child.parent.slug == "workshop"
    html = as_editor.get("/wiki/session-1").get_data(as_text=True)
    assert re.search(r'<nav class="breadcrumbs".*href="/wiki/workshop">Workshop</a>', html, re.S)
    parent_html = as_editor.get("/wiki/workshop").get_data(as_text=True)
    assert "Child pages" in parent_html and 'href="/wiki/session-1"' in parent_html


def test_new_page_form_prefills_parent(as_editor, make_page):
    make_page("Workshop")
    html = as_editor.get("/new?parent=workshop").get_data(as_text=True)
    assert 'name="parent" type="text" value="workshop"' in html


def test_create_refuses_duplicate_and_bad_titles(as_editor, make_page):
    make_page("Agenda")
    duplicate = as_editor.post("/new", data={"title": "agenda", "body": "x", "visibility": "public"})
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.get_data(as_text=True)
    # The text typed is still in the form.
    assert re.search(r"<textarea[^>]*>\s*x</textarea>", duplicate.get_data(as_text=True))
    no_letters = as_editor.post("/new", data={"title": "!!!", "body": "kept text", "visibility": "public"})
    assert no_letters.status_code == 400
    assert "kept text" in no_letters.get_data(as_text=True)
    missing_parent = as_editor.post("/new", data={"title": "Orphan", "body": "b", "parent": "nowhere",
                                                  "visibility": "public"})
    assert missing_parent.status_code == 400
    assert "no page “nowhere”" in missing_parent.get_data(as_text=True)


def test_edit_adds_revision_and_history(as_editor, make_page):
    make_page("Notes", "one\n")
    base = edit_form(as_editor, "notes")
    assert base == 1
    response = as_editor.post("/wiki/notes/edit", data={
        "title": "Notes", "body": "one\ntwo\n", "summary": "add two", "base_revision": base})
    assert response.status_code == 302
    page = page_at("notes")
    assert page.current_revision.number == 2
    assert page.current_revision.body == "one\ntwo\n"
    history = as_editor.get("/wiki/notes/history").get_data(as_text=True)
    assert "Revision 2" in history and "Revision 1" in history and "add two" in history


def test_saving_unchanged_text_adds_no_revision(as_editor, make_page):
    make_page("Notes", "same\n")
    response = as_editor.post("/wiki/notes/edit", data={
        "title": "Notes", "body": "same\r\n", "base_revision": 1}, follow_redirects=True)
    assert "No changes to save." in response.get_data(as_text=True)
    assert page_at("notes").current_revision.number == 1


def test_preview_button_renders_without_saving(as_editor, make_page):
    make_page("Notes", "old\n")
    response = as_editor.post("/wiki/notes/edit", data={
        "title": "Notes", "body": "**new** text", "base_revision": 1, "preview": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>new</strong>" in html
    assert page_at("notes").current_revision.body == "old\n"


def test_live_preview_endpoint_uses_page_pipeline(as_editor, make_page):
    make_page("Target")
    response = as_editor.post("/preview", data={"body": "| a |\n|---|\n| 1 |\n\n[[Target]] [[Nowhere]]"})
    html = response.get_json()["html"]
    assert "<table>" in html
    assert '<a class="wikilink" href="/wiki/target">Target</a>' in html
    assert 'class="wikilink missing" href="/new?title=Nowhere"' in html


def test_diff_side_by_side_and_inline(as_editor, make_page):
    page = make_page("Notes", "alpha\nbeta\ngamma\n")
    editor = db.session.get(User, page.current_revision.author_id)
    services.save_page(page, "alpha\nBETA changed\ngamma\ndelta\n", editor, base_number=1)
    side = as_editor.get("/wiki/notes/diff?from=1&to=2").get_data(as_text=True)
    assert 'class="diff side"' in side
    assert "<mark>BETA changed</mark>" in side or "<mark>BETA</mark>" in side
    assert "2 lines added" in side and "1 removed" in side
    inline = as_editor.get("/wiki/notes/diff?from=1&to=2&mode=inline").get_data(as_text=True)
    assert 'class="diff inline"' in inline
    assert 'class="del"' in inline and 'class="ins"' in inline
    assert as_editor.get("/wiki/notes/diff?from=1&to=9").status_code == 404


def test_old_revision_view_and_restore(as_editor, make_page):
    page = make_page("Notes", "first\n")
    editor = db.session.get(User, page.current_revision.author_id)
    services.save_page(page, "second\n", editor, base_number=1)
    old = as_editor.get("/wiki/notes/revisions/1").get_data(as_text=True)
    assert "first" in old and "Restore this revision" in old
    response = as_editor.post("/wiki/notes/revert/1")
    assert response.status_code == 302
    page = page_at("notes")
    assert page.current_revision.number == 3
    assert page.current_revision.body == "first\n"
    assert page.current_revision.summary == "Restored revision 1"
    assert as_editor.post("/wiki/notes/revert/42").status_code == 404


def test_a_new_address_keeps_the_old_url_working(as_editor, make_page):
    make_page("Old Name")
    response = as_editor.post("/wiki/old-name/settings", data={
        "title": "New Name", "slug": "new-name", "parent": "", "visibility": "public"})
    assert response.status_code == 302
    assert as_editor.get("/wiki/new-name").status_code == 200
    moved = as_editor.get("/wiki/old-name")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/wiki/new-name")
    history = as_editor.get("/wiki/old-name/history")
    assert history.status_code == 301 and history.headers["Location"].endswith("/wiki/new-name/history")
    # A new title keeps the address, from the editor as from the settings.
    as_editor.post("/wiki/new-name/edit", data={"title": "Newest Name", "body": "Some text.\n",
                                                "base_revision": 2})
    assert page_at("new-name").title == "Newest Name"
    as_editor.post("/wiki/new-name/settings", data={"title": "Latest", "parent": "", "visibility": "public"})
    assert page_at("new-name").title == "Latest"
    assert as_editor.get("/wiki/old-name").headers["Location"].endswith("/wiki/new-name")


def test_new_page_can_take_over_an_old_slug(as_editor, make_page):
    make_page("Draft")
    as_editor.post("/wiki/draft/settings", data={"title": "Final", "slug": "final", "parent": "",
                                                 "visibility": "public"})
    make_page("Draft")  # the freed title and address are usable again; the URL no longer redirects
    assert as_editor.get("/wiki/draft").status_code == 200


def test_move_under_another_parent(as_editor, make_page):
    a = make_page("Workshop A")
    make_page("Workshop B")
    make_page("Session", parent=a)
    response = as_editor.post("/wiki/session/settings", data={
        "title": "Session", "parent": "Workshop B", "visibility": "public"})
    assert response.status_code == 302
    assert page_at("session").parent.slug == "workshop-b"
    events = [e.kind for e in db.session.scalars(db.select(PageEvent).join(Page).where(
        Page.slug == "session"))]
    assert "moved" in events


def test_move_refuses_cycles(as_editor, make_page):
    a = make_page("Parent")
    make_page("Child", parent=a)
    response = as_editor.post("/wiki/parent/settings", data={
        "title": "Parent", "parent": "child", "visibility": "public"})
    assert response.status_code == 400
    assert "cannot move under itself" in response.get_data(as_text=True)
    assert page_at("parent").parent is None


def test_delete_is_soft_and_admin_restores(client, auth, make_page):
    parent = make_page("Workshop")
    make_page("Session", parent=parent)
    auth.login("editor")
    confirm = client.get("/wiki/session/delete")
    assert "Delete the page" in confirm.get_data(as_text=True)
    assert client.post("/wiki/session/delete").status_code == 302
    assert client.get("/wiki/session").status_code == 404
    assert page_at("session").deleted_at is not None  # still in the database
    assert client.get("/admin/trash").status_code == 403  # editors do not restore

    auth.logout()
    auth.login("admin")
    assert "Session" in client.get("/admin/trash").get_data(as_text=True)
    assert client.post(f"/admin/trash/{page_at('session').id}/restore").status_code == 302
    assert client.get("/wiki/session").status_code == 200
    assert page_at("session").parent.slug == "workshop"


def test_deleting_a_parent_moves_children_up(as_editor, make_page):
    top = make_page("Top")
    middle = make_page("Middle", parent=top)
    make_page("Leaf", parent=middle)
    as_editor.post("/wiki/middle/delete")
    assert page_at("leaf").parent.slug == "top"


def test_deleted_title_cannot_be_reused_silently(as_editor, make_page):
    make_page("Gone")
    as_editor.post("/wiki/gone/delete")
    response = as_editor.post("/new", data={"title": "Gone", "body": "new", "visibility": "public"})
    assert response.status_code == 409
    assert "deleted page" in response.get_data(as_text=True)


def test_home_shows_tree_and_recent_changes(client, make_page):
    w = make_page("Workshop")
    make_page("Session 1", parent=w)
    html = client.get("/").get_data(as_text=True)
    tree = html.split('id="tree-title"')[1].split('id="recent-title"')[0]
    # The top level; a branch opens in place (its children come as a fragment).
    assert "Workshop" in tree and "Session 1" not in tree
    assert 'data-children="/wiki/workshop/children"' in tree and ">+1</span>" in tree
    assert "Session 1" in client.get("/wiki/workshop/children").get_data(as_text=True)
    recent = html.split('id="recent-title"')[1]
    assert "Session 1" in recent and "created" in recent


def test_missing_page_is_404_with_create_link_for_editors(client, auth, users):
    anonymous = client.get("/wiki/no-such-page")
    assert anonymous.status_code == 404
    assert "Create this page" not in anonymous.get_data(as_text=True)
    auth.login("editor")
    editor = client.get("/wiki/no-such-page")
    assert editor.status_code == 404
    assert 'href="/new?title=no+such+page"' in editor.get_data(as_text=True)


def test_revisions_are_immutable_and_numbered(app, make_page, users):
    page = make_page("Numbers", "v1\n")
    editor = db.session.get(User, users["editor"])
    for n in range(2, 5):
        services.save_page(page, f"v{n}\n", editor, base_number=n - 1)
    numbers = db.session.scalars(db.select(Revision.number).where(Revision.page_id == page.id)
                                 .order_by(Revision.number)).all()
    assert numbers == [1, 2, 3, 4]
    first = db.session.scalar(db.select(Revision).where(Revision.page_id == page.id,
                                                        Revision.number == 1))
    assert first.body == "v1\n"


def test_page_text_over_the_limit_is_refused_and_kept(app_factory, users):
    app = app_factory(MAX_PAGE_CHARS=100)
    client = app.test_client()
    with app.app_context():
        from wiki.accounts import create_user

        create_user("ed", "password123", "editor")
    client.post("/login", data={"username": "ed", "password": "password123"})
    response = client.post("/new", data={"title": "Big", "body": "x" * 150, "visibility": "public"})
    assert response.status_code == 413
    assert "the limit is 100" in response.get_data(as_text=True)
    assert "x" * 150 in response.get_data(as_text=True)


def test_huge_request_gets_a_clear_413(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1000)
    response = app.test_client().post("/login", data={"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "more than the wiki accepts" in response.get_data(as_text=True)


def test_sidebar_shows_top_level_and_the_path_to_the_page(client, make_page):
    a = make_page("Alpha")
    b = make_page("Beta")
    a1 = make_page("Alpha one", parent=a)
    make_page("Alpha one deep", parent=a1)
    make_page("Beta one", parent=b)
    sidebar = client.get("/wiki/alpha-one").get_data(as_text=True).split('class="sidebar"')[1]
    sidebar = sidebar.split("</aside>")[0]
    assert "Alpha" in sidebar and "Beta" in sidebar and "Alpha one deep" in sidebar
    assert "Beta one" not in sidebar  # another branch stays folded ...
    assert 'title="1 child page">+1<' in sidebar  # ... with its number of children
    assert 'aria-current="page">Alpha one<' in sidebar


def _sidebar(client, path):
    html = client.get(path).get_data(as_text=True)
    return html.split('class="sidebar"')[1].split("</aside>")[0]


def test_sidebar_follows_changes_and_each_readers_visibility(app, users, make_page):
    """The sidebar is kept between views: it must still show every change at
    once, and never one reader's pages to another."""
    from conftest import PASSWORD

    make_page("Alpha")
    make_page("Staff room", visibility="members")
    anonymous, member = app.test_client(), app.test_client()
    member.post("/login", data={"username": "member", "password": PASSWORD})
    assert "Staff room" in _sidebar(member, "/search")
    assert "Staff room" not in _sidebar(anonymous, "/search")
    make_page("Gamma")
    assert "Gamma" in _sidebar(anonymous, "/search") and "Gamma" in _sidebar(member, "/search")


def test_posting_to_an_old_address_keeps_the_form(as_editor, make_page):
    make_page("Alpha", "one\n")
    as_editor.post("/wiki/alpha/settings", data={"title": "Beta", "slug": "beta", "parent": "",
                                                 "visibility": "public"})
    response = as_editor.post("/wiki/alpha/edit", data={"title": "Beta", "body": "typed text",
                                                        "base_revision": 2})
    assert response.status_code == 308  # the browser sends the same form again
    assert response.headers["Location"].endswith("/wiki/beta/edit")
    odd = as_editor.get("/wiki/alpha?_method=X&slug=zzz")
    assert odd.status_code == 301 and odd.headers["Location"].endswith("/wiki/beta?_method=X&slug=zzz")


def test_settings_change_nothing_when_one_field_is_wrong(as_editor, make_page):
    make_page("Alpha")
    response = as_editor.post("/wiki/alpha/settings", data={"title": "Beta", "parent": "nowhere",
                                                            "visibility": "public"})
    assert response.status_code == 400
    assert page_at("alpha") is not None and page_at("beta") is None


def test_deleted_children_are_not_listed(client, as_editor, make_page):
    parent = make_page("Parent")
    make_page("Gone child", parent=parent)
    as_editor.post("/wiki/gone-child/delete")
    assert "Gone child" not in client.application.test_client().get("/wiki/parent").get_data(as_text=True)


def test_history_of_a_public_page_does_not_name_a_members_only_parent(client, make_page, users):
    secret = make_page("Secret plan", visibility="members")
    child = make_page("Child", parent=secret)
    editor = db.session.get(User, users["editor"])
    services.set_visibility(child, "public", editor)
    services.move_page(child, None, editor)
    html = client.get("/wiki/child/history").get_data(as_text=True)
    assert "Secret plan" not in html and "a members-only page → top level" in html
    assert "Secret plan" not in client.get("/").get_data(as_text=True)


def test_huge_lines_diff_quickly(as_editor, make_page, users):
    import time

    page = make_page("Big", "x" * 100_000 + "\n")
    services.save_page(page, "y" * 100_000 + "\n", db.session.get(User, users["editor"]), base_number=1)
    started = time.perf_counter()
    assert as_editor.get("/wiki/big/diff").status_code == 200
    assert time.perf_counter() - started < 5


def test_absurd_numbers_are_refused_not_crashed(as_editor, make_page):
    make_page("Alpha", "one\n")
    response = as_editor.post("/wiki/alpha/edit", data={"title": "Alpha", "body": "two",
                                                        "base_revision": "99999999999999999999"})
    assert response.status_code == 400
