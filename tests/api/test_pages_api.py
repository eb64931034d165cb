"""The page endpoints: list, read, create, change (PUT/PATCH), delete,
revisions and diffs, for every role; members-only pages never show to
those who may not see them. Every answer is checked against the OpenAPI
document by ``ApiClient``."""

import re

import pytest

from wiki.extensions import db
from wiki.models import Page

WRITERS = ("editor", "admin")
NOT_WRITERS = {"anonymous": (401, None), "member": (403, None),
               "reader": (403, "urn:wiki:problem:insufficient-scope")}


def etag(client, slug):
    response = client.get(f"/pages/{slug}")
    assert response.status_code == 200, response.get_json()
    return response.headers["ETag"]


def slugs(response):
    return [item["slug"] for item in response.get_json()["items"]]


def links(response):
    """The Link header as {rel: (page, per_page)}."""
    found = {}
    for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"]):
        page = int(re.search(r"[?&]page=(\d+)", url).group(1))
        per_page = int(re.search(r"[?&]per_page=(\d+)", url).group(1))
        found[rel] = (page, per_page)
    return found


@pytest.fixture
def tree(make_page):
    """Agenda > (Day one, Day two > Session); Budget (members) > Accounts;
    Zebra at the top."""
    agenda = make_page("Agenda", "The agenda.\n")
    make_page("Day one", "First day.\n", parent=agenda)
    day_two = make_page("Day two", "Second day.\n", parent=agenda)
    make_page("Session", "A session.\n", parent=day_two)
    budget = make_page("Budget", "Money.\n", visibility="members")
    make_page("Accounts", "Numbers.\n", parent=budget)
    make_page("Zebra", "Stripes.\n")
    return agenda


# -- list ---------------------------------------------------------------------------


def test_the_list_is_a_to_z_and_hides_members_only_pages_and_their_children(api_as, tree):
    everything = ["accounts", "agenda", "budget", "day-one", "day-two", "session", "zebra"]
    for role in ("member", "editor", "admin", "reader"):
        response = api_as(role).get("/pages")
        assert slugs(response) == everything, role
        assert response.get_json()["total"] == 7
    anonymous = api_as("anonymous").get("/pages")
    assert slugs(anonymous) == ["agenda", "day-one", "day-two", "session", "zebra"]
    assert anonymous.get_json()["total"] == 5


def test_the_list_of_the_top_level_and_of_a_parent_count_visible_children(api_as, tree, make_page):
    member, anonymous = api_as("member"), api_as("anonymous")
    make_page("Secret plan", "Shh.\n", parent=tree, visibility="members")
    top = {p["slug"]: p for p in member.get("/pages?top=true").get_json()["items"]}
    assert list(top) == ["agenda", "budget", "zebra"]
    assert top["agenda"]["children"] == 3 and top["budget"]["children"] == 1
    assert top["budget"]["members_only"] is True and top["budget"]["visibility"] == "members"
    top = {p["slug"]: p for p in anonymous.get("/pages?top=true").get_json()["items"]}
    assert list(top) == ["agenda", "zebra"]
    assert top["agenda"]["children"] == 2  # the members-only child is not counted
    children = anonymous.get("/pages?parent=agenda")
    assert slugs(children) == ["day-one", "day-two"] and children.get_json()["total"] == 2
    assert [p["parent"] for p in children.get_json()["items"]] == ["agenda", "agenda"]
    assert slugs(member.get("/pages?parent=agenda")) == ["day-one", "day-two", "secret-plan"]
    assert slugs(member.get("/pages?parent=budget")) == ["accounts"]
    assert anonymous.get("/pages?parent=budget").status_code == 404
    assert anonymous.get("/pages?parent=no-such-page").status_code == 404


def test_the_list_of_a_parent_at_its_old_address_follows_it(api, tree):
    api.patch("/pages/agenda", json={"slug": "programme"}, headers={"If-Match": "*"})
    response = api.get("/pages?parent=agenda")
    assert response.status_code == 200
    assert slugs(response) == ["day-one", "day-two"]


def test_the_list_is_paginated_with_link_headers(api, make_page):
    for n in range(7):
        make_page(f"Page {n}")
    first = api.get("/pages?per_page=3")
    assert slugs(first) == ["page-0", "page-1", "page-2"]
    assert first.get_json() | {"items": None} == {"items": None, "total": 7, "page": 1, "per_page": 3}
    assert links(first) == {"first": (1, 3), "last": (3, 3), "next": (2, 3)}
    second = api.get("/pages?per_page=3&page=2")
    assert slugs(second) == ["page-3", "page-4", "page-5"]
    assert links(second) == {"first": (1, 3), "last": (3, 3), "prev": (1, 3), "next": (3, 3)}
    last = api.get("/pages?per_page=3&page=3")
    assert slugs(last) == ["page-6"] and "next" not in links(last)
    beyond = api.get("/pages?per_page=3&page=9")
    assert slugs(beyond) == [] and beyond.get_json()["total"] == 7
    assert links(beyond)["prev"] == (3, 3)
    assert len(api.get("/pages").get_json()["items"]) == 7  # 50 by default


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "page=0", "page=x", "top=maybe",
                                   "sort=title"])
def test_a_wrong_list_parameter_is_a_400(api, query):
    response = api.get(f"/pages?{query}")
    assert response.status_code == 400
    assert response.get_json()["detail"]


def test_per_page_up_to_100(api):
    assert api.get("/pages?per_page=100").status_code == 200


# -- read ---------------------------------------------------------------------------


def test_a_page_has_every_field(api, tree, make_page, app):
    page = make_page("Keynote", "# Welcome\n\nSee [[Agenda]].\n", parent=db.session.scalar(
        db.select(Page).where(Page.slug == "day-two")))
    response = api.get("/pages/keynote")
    data = response.get_json()
    assert response.headers["ETag"] == f'"{page.id}-1"'
    assert data["slug"] == "keynote" and data["title"] == "Keynote"
    assert data["url"] == "http://localhost/wiki/keynote"
    assert data["parent"] == {"slug": "day-two", "title": "Day two"}
    assert data["ancestors"] == [{"slug": "agenda", "title": "Agenda"},
                                 {"slug": "day-two", "title": "Day two"}]
    assert data["children"] == []
    assert data["visibility"] == "public" and data["members_only"] is False
    assert data["language"] == app.config["DEFAULT_LANGUAGE"]
    assert data["revision"] == 1
    assert data["author"] == {"username": "editor", "display_name": "Editor Person"}
    assert data["markdown"] == "# Welcome\n\nSee [[Agenda]].\n"
    assert "<h1" in data["html"] and "Welcome" in data["html"] and "/agenda" in data["html"]
    assert data["labels"] == []
    assert data["created_at"].endswith("Z") and data["updated_at"].endswith("Z")


def test_the_children_of_a_page_hide_members_only_ones(api_as, tree, make_page):
    make_page("Secret plan", parent=tree, visibility="members")
    assert [c["slug"] for c in api_as("anonymous").get("/pages/agenda").get_json()["children"]] == \
        ["day-one", "day-two"]
    assert [c["slug"] for c in api_as("member").get("/pages/agenda").get_json()["children"]] == \
        ["day-one", "day-two", "secret-plan"]


def test_the_html_is_sanitized(api, make_page):
    make_page("Trap", 'Hello <script>alert(1)</script> <a href="javascript:alert(2)">x</a> '
                      '<img src=x onerror="alert(3)">\n')
    html = api.get("/pages/trap").get_json()["html"]
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "Hello" in html


def test_members_only_pages_are_404_for_anonymous(api_as, tree):
    for path in ("/pages/budget", "/pages/accounts", "/pages/budget/revisions",
                 "/pages/budget/revisions/1", "/pages/accounts/diff"):
        response = api_as("anonymous").get(path)
        assert response.status_code == 404, path
        assert "Money" not in response.get_data(as_text=True)
        assert api_as("member").get(path).status_code == 200, path


def test_an_unknown_page_is_a_404_problem(api):
    response = api.get("/pages/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "no-such-page" in response.get_json()["detail"]


# -- create -------------------------------------------------------------------------


def test_editors_and_admins_create_pages(api_as, tree):
    for role in WRITERS:
        response = api_as(role).post("/pages", json={"title": f"Notes of {role}", "markdown": "Hi.\n"})
        assert response.status_code == 201, response.get_json()
        data = response.get_json()
        assert data["slug"] == f"notes-of-{role}" and data["revision"] == 1
        assert response.headers["Location"].endswith(f"/api/v1/pages/notes-of-{role}")
        assert response.headers["ETag"] == etag(api_as(role), data["slug"])
        assert data["author"]["username"] == ("admin" if role == "admin" else "editor")


@pytest.mark.parametrize("role", NOT_WRITERS)
def test_others_cannot_create_pages(api_as, role):
    response = api_as(role).post("/pages", json={"title": "Nope"})
    status, kind = NOT_WRITERS[role]
    assert response.status_code == status
    if kind:
        assert response.get_json()["type"] == kind
    assert db.session.scalar(db.select(Page).where(Page.slug == "nope")) is None


def test_a_page_is_created_with_an_address_a_parent_a_visibility_and_a_language(api_as, tree):
    response = api_as("editor").post("/pages", json={
        "title": "Plan B", "slug": "plan-b-2027", "parent": "budget", "visibility": "members",
        "language": "fr", "markdown": "Bonjour.\n", "summary": "first draft"})
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert (data["slug"], data["parent"]["slug"], data["visibility"], data["language"]) == \
        ("plan-b-2027", "budget", "members", "fr")
    assert data["summary"] == "first draft"
    assert api_as("anonymous").get("/pages/plan-b-2027").status_code == 404
    assert "plan-b-2027" not in slugs(api_as("anonymous").get("/pages"))
    # A public page under a members-only parent is members-only too.
    api_as("editor").post("/pages", json={"title": "Costs", "parent": "budget"})
    assert api_as("anonymous").get("/pages/costs").status_code == 404
    assert api_as("member").get("/pages/costs").get_json()["members_only"] is True


@pytest.mark.parametrize("body", [{"title": "agenda"}, {"title": "Another", "slug": "agenda"}])
def test_a_taken_title_or_address_is_a_409(api, tree, body):
    response = api.post("/pages", json=body)
    assert response.status_code == 409
    assert "Agenda" in response.get_json()["detail"] or "agenda" in response.get_json()["detail"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Page)) == 7


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "Bad", "slug": "Not An Address"}, "slug"),
    ({"title": "Bad", "slug": "search"}, "slug"),
    ({"title": "Bad", "language": "not a language"}, "language"),
    ({"title": "Bad", "visibility": "secret"}, "visibility"),
    ({"title": "Bad", "parent": "no-such-page"}, "parent"),
    ({"title": "!!!"}, "title"),
])
def test_a_refused_field_is_a_422_naming_it(api, tree, body, field):
    response = api.post("/pages", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert db.session.scalar(db.select(db.func.count()).select_from(Page)) == 7


# -- PUT and PATCH ------------------------------------------------------------------


def test_put_saves_the_text_and_the_title(api_as, tree):
    for role in WRITERS:
        client = api_as(role)
        tag = etag(client, "zebra")
        response = client.put("/pages/zebra", json={"markdown": f"Stripes by {role}.\n", "summary": "s"},
                              headers={"If-Match": tag})
        assert response.status_code == 200, response.get_json()
        data = response.get_json()
        assert data["markdown"] == f"Stripes by {role}.\n" and data["changed"] is True
        assert data["merged"] is False
        assert response.headers["ETag"] != tag and response.headers["ETag"] == etag(client, "zebra")
    response = api_as("editor").put("/pages/zebra", json={"markdown": "Stripes by admin.\n"},
                                    headers={"If-Match": etag(api_as("editor"), "zebra")})
    assert response.get_json()["changed"] is False and response.get_json()["revision"] == 3


@pytest.mark.parametrize("role", NOT_WRITERS)
def test_others_cannot_change_or_delete_pages(api_as, tree, role):
    client = api_as(role)
    status, kind = NOT_WRITERS[role]
    for response in (client.put("/pages/zebra", json={"markdown": "x"}, headers={"If-Match": "*"}),
                     client.patch("/pages/zebra", json={"title": "Horse"}, headers={"If-Match": "*"}),
                     client.delete("/pages/zebra")):
        assert response.status_code == status
        if kind:
            assert response.get_json()["type"] == kind
    page = db.session.scalar(db.select(Page).where(Page.slug == "zebra"))
    assert page.title == "Zebra" and page.current_revision.number == 1 and not page.is_deleted


def test_patch_renames_and_moves_the_address_the_old_one_redirects(api_as, tree):
    editor = api_as("editor")
    response = editor.patch("/pages/agenda", json={"title": "Programme", "slug": "programme"},
                            headers={"If-Match": etag(editor, "agenda")})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["title"], response.get_json()["slug"]) == ("Programme", "programme")
    old = editor.get("/pages/agenda")
    assert old.status_code == 301 and old.headers["Location"].endswith("/api/v1/pages/programme")
    moved = editor.get("/pages/agenda/revisions?per_page=1")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(
        "/api/v1/pages/programme/revisions?per_page=1")
    put = editor.put("/pages/agenda", json={"markdown": "x"}, headers={"If-Match": "*"})
    assert put.status_code == 308 and put.headers["Location"].endswith("/api/v1/pages/programme")
    assert [r["title"] for r in editor.get("/pages/programme/revisions").get_json()["items"]] == \
        ["Programme", "Agenda"]


def test_the_old_address_of_a_members_only_page_is_unknown_to_anonymous(api_as, tree):
    api_as("editor").patch("/pages/budget", json={"slug": "money"}, headers={"If-Match": "*"})
    assert api_as("member").get("/pages/budget").status_code == 301
    response = api_as("anonymous").get("/pages/budget")
    assert response.status_code == 404 and "money" not in response.get_data(as_text=True)
    assert api_as("anonymous").get("/pages?parent=budget").status_code == 404


def test_patch_moves_a_page_and_back_to_the_top(api, tree):
    response = api.patch("/pages/zebra", json={"parent": "day-one"}, headers={"If-Match": "*"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["parent"]["slug"] == "day-one" and response.get_json()["changed"] is True
    assert slugs(api.get("/pages?parent=day-one")) == ["zebra"]
    response = api.patch("/pages/zebra", json={"parent": None}, headers={"If-Match": "*"})
    assert response.get_json()["parent"] is None
    assert "zebra" in slugs(api.get("/pages?top=true"))


def test_a_parent_at_its_old_address_is_the_same_page(api, tree):
    api.patch("/pages/day-one", json={"slug": "first-day"}, headers={"If-Match": "*"})
    created = api.post("/pages", json={"title": "Breakfast", "parent": "day-one"})
    assert created.status_code == 201 and created.get_json()["parent"]["slug"] == "first-day"
    moved = api.patch("/pages/zebra", json={"parent": "day-one"}, headers={"If-Match": "*"})
    assert moved.get_json()["parent"]["slug"] == "first-day"
    refused = api.patch("/pages/first-day", json={"parent": "day-one"}, headers={"If-Match": "*"})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "parent"


def test_a_new_language_alone_is_a_change(api, tree):
    response = api.put("/pages/zebra", json={"markdown": "Stripes.\n", "language": "fr"},
                       headers={"If-Match": etag(api, "zebra")})
    data = response.get_json()
    assert (data["language"], data["changed"], data["revision"]) == ("fr", True, 1)
    again = api.put("/pages/zebra", json={"markdown": "Stripes.\n", "language": "fr"},
                    headers={"If-Match": response.headers["ETag"]})
    assert again.get_json()["changed"] is False


@pytest.mark.parametrize("parent", ["agenda", "day-two", "session"])
def test_a_page_cannot_move_under_itself_or_its_children(api, tree, parent):
    response = api.patch("/pages/agenda", json={"parent": parent, "title": "Moved agenda"},
                         headers={"If-Match": "*"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "parent"
    assert api.get("/pages/agenda").get_json()["parent"] is None
    assert api.get("/pages/agenda").get_json()["title"] == "Agenda"


def test_patch_changes_the_visibility_and_the_language(api_as, tree):
    editor = api_as("editor")
    response = editor.patch("/pages/agenda", json={"visibility": "members", "language": "fr"},
                            headers={"If-Match": etag(editor, "agenda")})
    data = response.get_json()
    assert (data["visibility"], data["members_only"], data["language"]) == ("members", True, "fr")
    anonymous = api_as("anonymous")
    assert anonymous.get("/pages/agenda").status_code == 404
    assert anonymous.get("/pages/session").status_code == 404  # the subtree follows
    assert slugs(anonymous.get("/pages")) == ["zebra"]
    editor.patch("/pages/agenda", json={"visibility": "public"}, headers={"If-Match": "*"})
    assert anonymous.get("/pages/session").status_code == 200


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"title": "Budget"}, 409, None),
    ({"slug": "zebra"}, 409, None),
    ({"slug": "Bad Address"}, 422, "slug"),
    ({"language": "??"}, 422, "language"),
    ({"title": "!!!"}, 422, "title"),
    ({"parent": "no-such-page"}, 422, "parent"),
])
def test_a_refused_change_changes_nothing(api, tree, body, status, field):
    """Every part of a PATCH is checked before any is saved."""
    full = {"markdown": "New agenda.\n", "title": "New agenda", "visibility": "members", **body}
    response = api.patch("/pages/agenda", json=full, headers={"If-Match": "*"})
    assert response.status_code == status, response.get_json()
    if field:
        assert [e["field"] for e in response.get_json()["errors"]] == [field]
    data = api.get("/pages/agenda").get_json()
    assert (data["title"], data["markdown"], data["visibility"], data["revision"]) == \
        ("Agenda", "The agenda.\n", "public", 1)


@pytest.mark.parametrize(("body", "field"), [({"markdown": "x", "title": "!!!"}, "title"),
                                             ({"markdown": "x", "language": "??"}, "language")])
def test_a_refused_put_names_the_field(api, tree, body, field):
    response = api.put("/pages/agenda", json=body, headers={"If-Match": "*"})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == [field]
    assert api.get("/pages/agenda").get_json()["revision"] == 1


# -- DELETE -------------------------------------------------------------------------


def test_delete_is_soft_children_move_up_and_the_trash_restores(api_as, tree, app, users, client, auth):
    editor = api_as("editor")
    response = editor.delete("/pages/day-two", headers={"If-Match": etag(editor, "day-two")})
    assert response.status_code == 204 and response.data == b""
    assert editor.get("/pages/day-two").status_code == 404
    assert "day-two" not in slugs(editor.get("/pages"))
    assert editor.get("/pages/session").get_json()["parent"]["slug"] == "agenda"
    assert client.get("/wiki/day-two").status_code == 404
    page = db.session.scalar(db.select(Page).where(Page.slug == "day-two"))
    assert page.is_deleted  # kept, for the trash
    auth.login("admin")
    assert client.post(f"/admin/trash/{page.id}/restore").status_code == 302
    assert editor.get("/pages/day-two").status_code == 200


def test_a_stale_if_match_keeps_the_page(api, tree):
    tag = etag(api, "zebra")
    api.put("/pages/zebra", json={"markdown": "Changed.\n"}, headers={"If-Match": tag})
    response = api.delete("/pages/zebra", headers={"If-Match": tag})
    assert response.status_code == 412
    assert response.headers["ETag"] == etag(api, "zebra")
    assert api.delete("/pages/zebra", headers={"If-Match": "*"}).status_code == 204


def test_a_deleted_members_only_page_is_404_for_everyone(api_as, tree):
    assert api_as("admin").delete("/pages/accounts").status_code == 204
    assert api_as("anonymous").delete("/pages/accounts").status_code == 401
    assert api_as("editor").delete("/pages/accounts").status_code == 404


# -- revisions and diffs ------------------------------------------------------------


@pytest.fixture
def history(api, make_page):
    make_page("Minutes", "one\ntwo\nthree\n")
    for text in ("one\n2\nthree\n", "one\n2\nthree\nfour\nfive\n"):
        api.put("/pages/minutes", json={"markdown": text, "summary": f"{len(text)} characters"},
                headers={"If-Match": etag(api, "minutes")})


def test_revisions_newest_first_and_one_revision(api_as, history):
    for role in ("anonymous", "member", "editor", "admin", "reader"):
        client = api_as(role)
        items = client.get("/pages/minutes/revisions").get_json()["items"]
        assert [r["number"] for r in items] == [3, 2, 1], role
        assert items[0]["author"]["username"] == "editor" and items[0]["summary"] == "22 characters"
        one = client.get("/pages/minutes/revisions/2").get_json()
        assert one["number"] == 2 and one["markdown"] == "one\n2\nthree\n" and "<p>" in one["html"]
    paged = api_as("editor").get("/pages/minutes/revisions?per_page=2&page=2")
    assert [r["number"] for r in paged.get_json()["items"]] == [1] and links(paged)["prev"] == (1, 2)


def test_an_unknown_revision_is_a_404(api, history):
    for path in ("/pages/minutes/revisions/4", "/pages/minutes/revisions/0",
                 "/pages/minutes/diff?from=9", "/pages/minutes/diff?to=7"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"


def test_the_diff_defaults_to_the_last_change_and_counts_lines(api_as, history):
    diff = api_as("anonymous").get("/pages/minutes/diff").get_json()
    assert (diff["from_revision"], diff["to_revision"], diff["added"], diff["removed"]) == (2, 3, 2, 0)
    assert "+four\n+five\n" in diff["unified"] and diff["page"]["slug"] == "minutes"
    diff = api_as("member").get("/pages/minutes/diff?from=1&to=3").get_json()
    assert (diff["added"], diff["removed"]) == (3, 1)
    assert "-two\n" in diff["unified"] and "+2\n" in diff["unified"]
    diff = api_as("reader").get("/pages/minutes/diff?to=2").get_json()
    assert (diff["from_revision"], diff["to_revision"], diff["added"], diff["removed"]) == (1, 2, 1, 1)


def test_a_wrong_diff_parameter_is_a_400(api, history):
    for query in ("from=0", "from=x", "old=1"):
        assert api.get(f"/pages/minutes/diff?{query}").status_code == 400, query


def test_members_only_history_is_hidden_from_anonymous(api_as, tree):
    editor = api_as("editor")
    editor.put("/pages/budget", json={"markdown": "More money.\n"}, headers={"If-Match": "*"})
    anonymous = api_as("anonymous")
    for path in ("/pages/budget/revisions", "/pages/budget/revisions/2", "/pages/budget/diff",
                 "/pages/budget/diff?from=1&to=2"):
        response = anonymous.get(path)
        assert response.status_code == 404 and "money" not in response.get_data(as_text=True).lower()



@pytest.mark.parametrize("role", ["anonymous", "member", "editor", "admin", "reader"])
def test_every_page_endpoint_for_every_role(api_as, make_page, role):
    """Reads work for everyone on a public page; writes for editors and admins
    only, each refused with the status its caller needs to hear."""
    make_page("Public", "one\n")
    client = api_as(role)
    for path in ("/pages", "/pages/public", "/pages/public/revisions", "/pages/public/revisions/1",
                 "/pages/public/diff"):
        assert client.get(path).status_code == 200, path
    writes = [lambda: client.post("/pages", json={"title": f"New by {role}"}),
              lambda: client.put("/pages/public", json={"markdown": "two\n"}, headers={"If-Match": "*"}),
              lambda: client.patch("/pages/public", json={"title": f"Public {role}"},
                                   headers={"If-Match": "*"}),
              lambda: client.delete("/pages/public", headers={"If-Match": "*"})]
    expected = [201, 200, 200, 204] if role in WRITERS else [NOT_WRITERS[role][0]] * 4
    assert [write().status_code for write in writes] == expected


def test_titles_containing_the_words_typed_come_first_when_they_start_with_them(api_as, make_page):
    """The editor's wiki-link suggestions: case, accents and punctuation aside."""
    for title in ("Soil carbon workshop", "Carbon markets", "Café des sols", "Agenda"):
        make_page(title)
    make_page("Carbon board", visibility="members")
    titles = [p["title"] for p in api_as("editor").get("/pages?q=CARBON&per_page=8").get_json()["items"]]
    assert titles == ["Carbon board", "Carbon markets", "Soil carbon workshop"]
    anonymous = api_as("anonymous").get("/pages?q=carbon").get_json()
    assert [p["title"] for p in anonymous["items"]] == ["Carbon markets", "Soil carbon workshop"]
    assert anonymous["total"] == 2
    cafe = api_as("member").get("/pages?q=cafe").get_json()
    assert [p["title"] for p in cafe["items"]] == ["Café des sols"]
    assert api_as("member").get("/pages?q=%20!%20").get_json()["total"] == 0
    assert api_as("member").get("/pages?q=" + "x" * 201).status_code == 400
