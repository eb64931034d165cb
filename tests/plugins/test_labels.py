"""The labels plugin: names are normalised, editors change labels from the
page, the editor and the CLI, each change is a history line (not a revision),
and every listing respects who may read which page."""

import re

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, csrf_token
from support.recorder_plugin import Recorder

from plugins.labels.service import LabelError, normalise, parse, set_labels
from wiki import services
from wiki.extensions import db
from wiki.models import PageEvent, Revision, User
from wiki.plugins import hook


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def app(app_factory, recorder):
    """The labels plugin alone (other plugins are not under test here), with a
    recorder to see the events it fires."""
    app = app_factory(PLUGINS=["labels"], EXTRA_PLUGINS=[recorder])
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def editor(users):
    return db.session.get(User, users["editor"])


@pytest.fixture
def labelled(make_page, editor):
    """A public page and a members-only page; "shared" is on both, and
    "secret-label" only on the members-only one."""
    public = make_page("Soil Workshop")
    hidden = make_page("Board Minutes", visibility="members")
    set_labels(public, ["soil-carbon", "shared"], editor)
    set_labels(hidden, ["secret-label", "shared"], editor)
    return public, hidden


def sign_in(client, auth, role):
    auth.logout()
    if role:
        auth.login(role)
    return client


def labels_shown(html):
    """The label links in a page, in order."""
    return re.findall(r'<a class="label" rel="tag" href="[^"]*">([^<]*)</a>', html)


def label_events(page):
    return db.session.scalars(sa.select(PageEvent).where(
        PageEvent.page_id == page.id, PageEvent.kind == "labels").order_by(PageEvent.id)).all()


def revision_count(page):
    return db.session.scalar(sa.select(sa.func.count()).where(Revision.page_id == page.id))


# -- names ----------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "label"), [
    ("Soil Carbon ", "soil-carbon"),
    ("Carbone organique", "carbone-organique"),
    ("  Évaluation  des   Sols", "évaluation-des-sols"),  # accents kept, spaces collapsed
    ("e\u0301te\u0301", "été"),  # a decomposed accent becomes the composed letter
    ("soil_carbon", "soil_carbon"),
    ("Soil - Carbon", "soil-carbon"),  # runs of spaces and hyphens become one hyphen
    ("-cop28-", "cop28"),
    ("Ωmega 日本", "ωmega-日本"),  # letters of any script
    ("x" * 64, "x" * 64),
])
def test_labels_are_normalised(typed, label):
    assert normalise(typed) == label


@pytest.mark.parametrize(("typed", "message"), [
    ("", "at least one letter or digit"),
    ("  - ", "at least one letter or digit"),
    ("x" * 65, "at most 64 characters"),
    ("<script>alert(1)</script>", "“<script>alert(1)</script>” is not a valid label"),
    ("soil/carbon", "not /"),
    ("C++", "not +"),
    ("50%", "not %"),
    ("a.b", "not ."),
])
def test_invalid_labels_are_refused_with_a_message_naming_them(typed, message):
    with pytest.raises(LabelError) as refused:
        normalise(typed)
    assert message in refused.value.message


def test_a_list_of_labels_drops_blanks_and_duplicates():
    assert parse("Soil Carbon, soil-carbon ,, Workshop, ") == ["soil-carbon", "workshop"]
    assert parse("  ") == []
    with pytest.raises(LabelError):
        parse("fine, not fine!")


# -- on the page ------------------------------------------------------------------


def test_a_page_without_labels_says_so(client, make_page):
    make_page("Plain")
    html = client.get("/wiki/plain").text
    assert "No labels" in html
    assert 'action="/wiki/plain/labels"' not in html  # readers get no form


def test_labels_show_as_links_to_their_pages(client, labelled):
    html = client.get("/wiki/soil-workshop").text
    assert labels_shown(html) == ["shared", "soil-carbon"]
    assert 'href="/labels/soil-carbon"' in html
    assert "No labels" not in html


def test_editor_adds_labels_inline_without_a_new_revision(as_editor, make_page, recorder):
    page = make_page("Notes")
    form = as_editor.get("/wiki/notes").text
    assert 'action="/wiki/notes/labels"' in form and 'list="label-add-suggestions"' in form

    response = as_editor.post("/wiki/notes/labels", data={"label": "Soil Carbon, Workshop"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/notes#labels")
    assert labels_shown(as_editor.get("/wiki/notes").text) == ["soil-carbon", "workshop"]
    assert revision_count(page) == 1 and page.current_revision.number == 1
    [event] = label_events(page)
    assert (event.detail, event.user.username) == ("added soil-carbon, workshop", "editor")
    history = as_editor.get("/wiki/notes/history").text
    assert "added soil-carbon, workshop" in history and "Editor Person" in history
    assert recorder.called("labels_changed") == [
        {"slug": "notes", "added": ["soil-carbon", "workshop"], "removed": []}]


def test_editor_removes_a_label_with_its_button(as_editor, make_page, editor, recorder):
    page = make_page("Notes")
    set_labels(page, ["old", "kept"], editor)
    assert 'aria-label="Remove label old"' in as_editor.get("/wiki/notes").text

    response = as_editor.post("/wiki/notes/labels/remove", data={"label": "old"})
    assert response.status_code == 302
    assert labels_shown(as_editor.get("/wiki/notes").text) == ["kept"]
    assert [e.detail for e in label_events(page)] == ["added kept, old", "removed old"]
    assert recorder.called("labels_changed")[-1] == {"slug": "notes", "added": [],
                                                     "removed": ["old"]}
    assert revision_count(page) == 1


def test_adding_a_label_twice_changes_nothing(as_editor, make_page):
    page = make_page("Notes")
    as_editor.post("/wiki/notes/labels", data={"label": "soil"})
    response = as_editor.post("/wiki/notes/labels", data={"label": "Soil"}, follow_redirects=True)
    assert "has these labels already" in response.text
    assert len(label_events(page)) == 1


def test_an_invalid_label_is_refused_with_the_typed_text_kept(as_editor, make_page):
    page = make_page("Notes")
    response = as_editor.post("/wiki/notes/labels",
                              data={"label": "good, <script>alert(1)</script>"})
    assert response.status_code == 400
    html = response.text
    assert "<script>alert(1)" not in html  # never rendered as HTML
    assert "“&lt;script&gt;alert(1)&lt;/script&gt;” is not a valid label" in html
    assert 'value="good, &lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'aria-invalid="true"' in html
    assert label_events(page) == []  # nothing added, not even the good one


def test_an_empty_label_is_refused(as_editor, make_page):
    make_page("Notes")
    response = as_editor.post("/wiki/notes/labels", data={"label": "  "})
    assert response.status_code == 400
    assert "Type a label first." in response.text


def test_the_labels_page_of_a_page_works_without_javascript(as_editor, make_page, editor):
    set_labels(make_page("Notes"), ["workshop"], editor)
    set_labels(make_page("Other"), ["soil-carbon", "workshop"], editor)
    html = as_editor.get("/wiki/notes/labels").text
    assert "Labels of “Notes”" in html
    assert labels_shown(html) == ["workshop"]
    # Suggestions without a script: labels in use, but not those the page has.
    assert '<option value="soil-carbon">' in html and '<option value="workshop">' not in html


@pytest.mark.parametrize("url", ["/wiki/nowhere/labels", "/wiki/nowhere/labels/remove"])
def test_labels_of_a_missing_page_are_404(as_editor, url):
    assert as_editor.post(url, data={"label": "soil"}).status_code == 404


def test_labels_of_a_deleted_page_are_404(as_editor, make_page, editor):
    page = make_page("Gone")
    services.delete_page(page, editor)
    assert as_editor.post("/wiki/gone/labels", data={"label": "soil"}).status_code == 404


def test_readers_cannot_change_labels(client, auth, make_page):
    page = make_page("Notes")
    anonymous = client.post("/wiki/notes/labels", data={"label": "spam"})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    auth.login("member")
    assert client.post("/wiki/notes/labels", data={"label": "spam"}).status_code == 403
    assert client.post("/wiki/notes/labels/remove", data={"label": "spam"}).status_code == 403
    assert client.get("/wiki/notes/labels").status_code == 403
    assert label_events(page) == []


def test_an_old_address_keeps_working_after_a_rename(as_editor, make_page, editor):
    page = make_page("Old Name")
    services.change_settings(page, editor, title="New Name", slug="new-name")
    response = as_editor.post("/wiki/old-name/labels", data={"label": "soil"})
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/wiki/new-name/labels")


# -- in the editor ---------------------------------------------------------------------


def test_labels_field_in_the_editor(as_editor, make_page, editor):
    assert 'name="labels"' in as_editor.get("/new").text
    as_editor.post("/new", data={"title": "Fresh", "body": "x", "visibility": "public",
                                 "labels": "Soil Carbon, Workshop"})
    assert labels_shown(as_editor.get("/wiki/fresh").text) == ["soil-carbon", "workshop"]
    assert 'value="soil-carbon, workshop"' in as_editor.get("/wiki/fresh/edit").text

    as_editor.post("/wiki/fresh/edit", data={"title": "Fresh", "body": "y", "base_revision": 1,
                                             "labels": "workshop, Carbone organique"})
    assert labels_shown(as_editor.get("/wiki/fresh").text) == ["carbone-organique", "workshop"]
    page = services.find_page("fresh")[0]
    assert [e.detail for e in label_events(page)] == [
        "added soil-carbon, workshop", "added carbone-organique; removed soil-carbon"]


def test_a_form_without_the_labels_field_keeps_them(as_editor, make_page, editor):
    page = make_page("Kept")
    set_labels(page, ["workshop"], editor)
    as_editor.post("/wiki/kept/edit", data={"title": "Kept", "body": "new", "base_revision": 1})
    assert labels_shown(as_editor.get("/wiki/kept").text) == ["workshop"]
    as_editor.post("/wiki/kept/edit", data={"title": "Kept", "body": "newer", "base_revision": 2,
                                            "labels": ""})
    assert labels_shown(as_editor.get("/wiki/kept").text) == []  # an emptied field clears them


def test_preview_keeps_the_typed_labels(as_editor, make_page):
    make_page("Draft")
    html = as_editor.post("/wiki/draft/edit", data={"title": "Draft", "body": "x", "base_revision": 1,
                                                    "labels": "typed, <b>", "preview": "1"}).text
    assert 'value="typed, &lt;b&gt;"' in html


def test_an_invalid_label_in_the_editor_refuses_the_save_and_keeps_what_was_typed(
        as_editor, make_page, editor):
    page = make_page("Draft")
    set_labels(page, ["kept"], editor)
    response = as_editor.post("/wiki/draft/edit", data={
        "title": "Draft", "body": "new text", "base_revision": 1, "labels": "ok, <img src=x>"})
    assert response.status_code == 400
    html = response.text
    assert "The page was not saved: “&lt;img src=x&gt;” is not a valid label" in html
    assert re.search(r"<textarea[^>]*>\s*new text</textarea>", html)
    assert 'value="ok, &lt;img src=x&gt;"' in html
    assert "<img src=x>" not in html
    assert page.current_revision.number == 1 and hook().page_labels(page=page) == ["kept"]

    response = as_editor.post("/new", data={"title": "Fresh", "body": "Fresh text",
                                            "visibility": "public", "labels": "bad!"})
    assert response.status_code == 400 and "The page was not saved" in response.text
    assert re.search(r"<textarea[^>]*>\s*Fresh text</textarea>", response.text)
    assert services.find_page("fresh") == (None, None)
    # A missing title and a bad label are both reported by the same answer.
    html = as_editor.post("/new", data={"title": "", "body": "x", "visibility": "public",
                                        "labels": "bad!"}).text
    assert "This field is required." in html and "The page was not saved" in html


# -- command line ------------------------------------------------------------------


def test_cli_sets_labels_only_when_asked(app, runner):
    put = ["pages", "put", "cli-page"]
    result = runner.invoke(args=[*put, "--title", "CLI page", "--label", "Soil Carbon",
                                 "--label", "workshop, COP28"], input="text")
    assert result.exit_code == 0, result.output
    assert "Labels of cli-page: cop28, soil-carbon, workshop." in result.output
    page = services.find_page("cli-page")[0]
    assert hook().page_labels(page=page) == ["cop28", "soil-carbon", "workshop"]

    runner.invoke(args=put, input="more text")  # no --label: unchanged
    assert hook().page_labels(page=page) == ["cop28", "soil-carbon", "workshop"]
    runner.invoke(args=[*put, "--label", "Carbone organique"], input="more text")
    assert hook().page_labels(page=page) == ["carbone-organique"]  # replaced
    runner.invoke(args=[*put, "--label", ""], input="more text")
    assert hook().page_labels(page=page) == []
    events = label_events(page)
    assert [e.detail for e in events][-1] == "removed carbone-organique"
    assert {e.user_id for e in events} == {None}  # shown as "the wiki"


def test_cli_refuses_an_invalid_label_before_saving(app, runner):
    result = runner.invoke(args=["pages", "put", "bad", "--title", "Bad", "--label", "<b>"],
                           input="text")
    assert result.exit_code == 2
    assert "“<b>” is not a valid label" in result.output
    assert services.find_page("bad") == (None, None)


# -- listings, per reader ------------------------------------------------------------

# What each reader sees of `labelled`: the members-only page and its labels
# exist only for signed-in accounts, and never count for anonymous visitors.
ROLES = {
    None: {"shared": 1, "soil-carbon": 1},
    "member": {"secret-label": 1, "shared": 2, "soil-carbon": 1},
    "editor": {"secret-label": 1, "shared": 2, "soil-carbon": 1},
}


def counts(html):
    return {name: int(n) for name, n in re.findall(
        r'rel="tag" href="[^"]*">([^<]*)</a>\s*<span class="count">(\d+) pages?</span>', html)}


@pytest.mark.parametrize("role", list(ROLES))
def test_label_index_counts_only_readable_pages(client, auth, labelled, role):
    sign_in(client, auth, role)
    assert counts(client.get("/labels").text) == ROLES[role]


@pytest.mark.parametrize("role", list(ROLES))
def test_pages_by_label_show_only_readable_pages(client, auth, labelled, role):
    sign_in(client, auth, role)
    shared = client.get("/labels/shared").text
    assert "Soil Workshop" in shared
    assert ("Board Minutes" in shared) == (role is not None)
    secret = client.get("/labels/secret-label")
    assert secret.status_code == 200  # an unknown label looks the same: nothing leaks
    assert ("Board Minutes" in secret.text) == (role is not None)
    if role is None:
        assert "No pages have the label “secret-label”" in secret.text
        assert "secret-label" not in client.get("/wiki/soil-workshop").text


@pytest.mark.parametrize("role", list(ROLES))
def test_suggestions_show_only_readable_labels(client, auth, labelled, role):
    sign_in(client, auth, role)
    data = client.get("/labels.json?prefix=S").get_json()
    assert data["prefix"] == "s"
    expected = sorted(((n, c) for n, c in ROLES[role].items()), key=lambda nc: (-nc[1], nc[0]))
    assert [(label["name"], label["pages"]) for label in data["labels"]] == expected


def test_index_sorts_by_name_or_by_count(client, make_page, editor):
    for title, names in (("One", ["zebra", "apple"]), ("Two", ["zebra"]), ("Three", ["mango", "église"])):
        set_labels(make_page(title), names, editor)
    # Accented labels sort with their letter, not after z.
    assert labels_shown(client.get("/labels").text) == ["apple", "église", "mango", "zebra"]
    assert labels_shown(client.get("/labels?sort=count").text) == ["zebra", "apple", "église", "mango"]


def test_labels_of_deleted_pages_do_not_count(client, make_page, editor):
    page = make_page("Gone")
    set_labels(page, ["orphan"], editor)
    services.delete_page(page, editor)
    assert "orphan" not in client.get("/labels").text
    assert client.get("/labels.json?prefix=or").get_json()["labels"] == []


def test_combined_labels_give_pages_with_all_of_them_newest_first(client, make_page, editor):
    for title, names in (("Old", ["a", "b"]), ("Only A", ["a"]), ("New", ["a", "b", "c"])):
        set_labels(make_page(title), names, editor)
    html = client.get("/labels/a+b").text
    assert "Pages labelled “a” and “b”" in html
    titles = re.findall(r'<a class="title" href="[^"]*">([^<]*)</a>', html)
    assert titles == ["New", "Old"]
    assert 'href="/labels/a+b+c"' in html  # narrow down further
    assert "No pages have all the labels" in client.get("/labels/a+nothing").text


def test_label_addresses_are_normalised(client):
    response = client.get("/labels/Soil Carbon+soil-carbon?page=2&names=x")
    assert response.status_code == 301
    # Query arguments are kept as sent: a "names" one cannot change where it goes.
    assert response.headers["Location"].endswith("/labels/soil-carbon?page=2&names=x")
    assert client.get("/labels/%3Cscript%3E").status_code == 404


def test_pages_by_label_are_paginated(client, make_page, editor):
    for n in range(23):
        set_labels(make_page(f"Page {n:02}"), ["many"], editor)
    first = client.get("/labels/many").text
    titles = re.findall(r'<a class="title" href="[^"]*">([^<]*)</a>', first)
    assert len(titles) == 20 and titles[0] == "Page 22"  # newest first
    assert "Page 1 of 2" in first and 'href="/labels/many?page=2"' in first
    second = re.findall(r'<a class="title" href="[^"]*">([^<]*)</a>',
                        client.get("/labels/many?page=2").text)
    assert second == ["Page 02", "Page 01", "Page 00"]


def test_suggestions_match_the_prefix_literally(client, make_page, editor):
    set_labels(make_page("One"), ["a_b", "axb", "soil-carbon"], editor)
    assert [x["name"] for x in client.get("/labels.json?prefix=a_").get_json()["labels"]] == ["a_b"]
    assert [x["name"] for x in client.get("/labels.json?prefix=Soil C").get_json()["labels"]] == [
        "soil-carbon"]
    assert client.get("/labels.json?prefix=%25").get_json()["labels"] == []
    assert len(client.get("/labels.json").get_json()["labels"]) == 3  # no prefix: most used


# -- for other plugins, and without the plugin ---------------------------------------


def test_page_labels_hook_answers_for_other_plugins(app, make_page, editor):
    page = make_page("Tagged")
    assert hook().page_labels(page=page) == []
    set_labels(page, ["workshop", "soil-carbon"], editor)
    assert hook().page_labels(page=page) == ["soil-carbon", "workshop"]



def test_a_batch_of_pages_gets_its_labels_in_one_commit(app, make_page, editor, recorder):
    kept, changed, fresh, refused = (make_page(title) for title in ("Kept", "Changed", "Fresh", "Refused"))
    set_labels(kept, ["soil"], editor)
    set_labels(changed, ["old", "soil"], editor)
    set_labels(refused, ["before"], editor)
    recorder.calls.clear()
    commits = []

    def count(connection):
        commits.append(connection)

    sa.event.listen(db.engine, "commit", count)
    try:
        result = hook().set_pages_labels(labels={
            kept: ["Soil"], changed: ["soil", "New One"], fresh: ["Atelier", "atelier"],
            refused: ["fine", "not ok!"]}, user=editor)
    finally:
        sa.event.remove(db.engine, "commit", count)
    assert len(commits) == 1
    assert result == {refused.id: "“not ok!” is not a valid label: use letters, digits, "
                                  "hyphens and underscores only (not !)."}
    assert [hook().page_labels(page=p) for p in (kept, changed, fresh, refused)] == [
        ["soil"], ["new-one", "soil"], ["atelier"], ["before"]]
    assert recorder.called("labels_changed") == [
        {"slug": "changed", "added": ["new-one"], "removed": ["old"]},
        {"slug": "fresh", "added": ["atelier"], "removed": []}]
    assert [e.detail for e in label_events(changed)][-1] == "added new-one; removed old"
    assert len(label_events(kept)) == 1 and len(label_events(refused)) == 1


def test_a_batch_is_read_again_when_another_writer_added_a_label_first(app, make_page, editor,
                                                                       recorder, monkeypatch):
    from plugins.labels import service

    first, second = make_page("First"), make_page("Second")
    read, raced = service._labels_by_page, []

    def read_then_race(page_ids):
        found = read(page_ids)
        if not raced:  # another writer commits the same row between our read and our write
            with db.engine.begin() as other:
                other.execute(sa.insert(service.PageLabel).values(page_id=first.id, name="soil"))
            raced.append(True)
        return found

    monkeypatch.setattr(service, "_labels_by_page", read_then_race)
    assert hook().set_pages_labels(labels={first: ["soil"], second: ["soil"]}, user=editor) == {}
    assert raced and [hook().page_labels(page=p) for p in (first, second)] == [["soil"], ["soil"]]
    # Only our own change is ours to record: the other writer's label is not.
    assert recorder.called("labels_changed") == [{"slug": "second", "added": ["soil"], "removed": []}]
    assert label_events(first) == [] and len(label_events(second)) == 1

def test_the_labels_macro_shows_them(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "with-macros"))
    app = app_factory(PLUGINS=["labels", "macros"])
    with app.app_context():
        page = services.create_page("Tagged", "Text.\n\n{{labels}}\n", None)
        set_labels(page, ["soil-carbon"], None)
    assert "<li>soil-carbon</li>" in app.test_client().get("/wiki/tagged").text


def test_assets_are_served_by_the_plugin(client, as_editor):
    html = as_editor.get("/").text
    assert '<script src="/plugins/labels/static/labels.js" defer>' in html
    with client.get("/plugins/labels/static/labels.js") as script:  # closes the file
        assert script.status_code == 200
        assert "innerHTML" not in script.text  # suggestions are added as text, never as HTML


def test_the_wiki_runs_without_the_labels_plugin(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "without-labels"))
    # DISABLED_PLUGINS wins over PLUGINS; naming only labels keeps other plugins out of this test.
    app = app_factory(PLUGINS=["labels"], DISABLED_PLUGINS=["labels"])
    with app.app_context():
        page = services.create_page("Plain", "text\n", None)
        assert hook().page_labels(page=page) is None
        assert not sa.inspect(db.engine).has_table("labels_page_label")
    client = app.test_client()
    assert "No labels" not in client.get("/wiki/plain").text
    assert client.get("/labels").status_code == 404
    assert "--label" not in app.test_cli_runner().invoke(args=["pages", "put", "--help"]).output


def test_the_labels_table_can_be_dropped_before_disabling(app, runner):
    assert sa.inspect(db.engine).has_table("labels_page_label")
    result = runner.invoke(args=["db", "downgrade", "labels@base"])
    assert result.exit_code == 0, result.output
    assert not sa.inspect(db.engine).has_table("labels_page_label")


# -- CSRF -------------------------------------------------------------------------------


def test_label_changes_need_the_csrf_token(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "csrf"))
    app = app_factory(PLUGINS=["labels"], WTF_CSRF_ENABLED=True)
    with app.app_context():
        from wiki.accounts import create_user

        editor = create_user("editor", PASSWORD, "editor")
        set_labels(services.create_page("Target", "text\n", editor), ["kept"], editor)
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token})

    for url in ("/wiki/target/labels", "/wiki/target/labels/remove"):
        response = client.post(url, data={"label": "kept"})
        assert response.status_code == 400 and "security token" in response.text
    assert labels_shown(client.get("/wiki/target").text) == ["kept"]

    token = csrf_token(client.get("/wiki/target").text)
    assert client.post("/wiki/target/labels", data={"label": "new", "csrf_token": token}).status_code == 302
    assert labels_shown(client.get("/wiki/target").text) == ["kept", "new"]


# -- in French ------------------------------------------------------------------------


def test_a_french_reader_reads_labels_in_french(client, auth, make_page, editor):
    french = {"Accept-Language": "fr"}
    for title, names in (("Old", ["a", "b"]), ("New", ["a"])):
        set_labels(make_page(title), names, editor)
    html = client.get("/labels", headers=french).text
    assert "<h1>Étiquettes</h1>" in html and "Trier par" in html and "2 pages</span>" in html
    assert "Pages avec les étiquettes « a » et « b »" in client.get("/labels/a+b", headers=french).text
    assert "Aucune page n’a l’étiquette « zz »." in client.get("/labels/zz", headers=french).text
    data = client.get("/labels.json?prefix=a", headers=french).get_json()
    assert data["labels"] == [{"name": "a", "pages": 2, "text": "2 pages"}]
    auth.login("editor")
    response = client.post("/wiki/old/labels", data={"label": "a<b"}, headers=french)
    assert response.status_code == 400
    assert "« a&lt;b » n’est pas une étiquette valide" in response.text
    response = client.post("/wiki/old/labels", data={"label": "c, d"}, headers=french, follow_redirects=True)
    assert "Étiquettes c, d ajoutées." in response.text
