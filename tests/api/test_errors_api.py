"""Bad input gets a problem document with the right status and a clear
``detail``: never a 500, never a partial write."""

import pytest

from wiki.extensions import db
from wiki.models import Page

from .conftest import ApiClient, problem


@pytest.fixture
def agenda(make_page):
    return make_page("Agenda", "The agenda.\n")


def assert_unchanged(page):
    db.session.expire_all()
    assert (page.title, page.slug, page.visibility, page.current_revision.number, page.parent_id) == \
        ("Agenda", "agenda", "public", 1, None)


@pytest.mark.parametrize("raw", [b"{", b'{"title": "x",}', b"\xff\xfe", b"", b"title=x"])
def test_malformed_json_is_a_400(api, agenda, raw):
    for method, path in (("POST", "/pages"), ("PUT", "/pages/agenda"), ("PATCH", "/pages/agenda")):
        response = api.request(method, path, data=raw, content_type="application/json",
                               headers={"If-Match": "*"})
        assert "JSON" in problem(response, 400)["detail"]
    assert_unchanged(agenda)


@pytest.mark.parametrize(("body", "fields"), [
    ({"title": 5}, ["title"]),
    ({"title": "X", "markdown": ["a"]}, ["markdown"]),
    ({"title": "X", "visibility": True}, ["visibility"]),
    ({"markdown": "no title"}, ["title"]),
    ({"title": "X", "colour": "red"}, ["colour"]),
    ({"title": "X" * 201}, ["title"]),
    ({"title": None}, ["title"]),
])
def test_wrong_missing_or_unknown_fields_are_a_422_naming_them(api, body, fields):
    data = problem(api.post("/pages", json=body), 422)
    assert data["type"] == "urn:wiki:problem:validation"
    assert [e["field"] for e in data["errors"]] == fields
    assert all(e["message"] for e in data["errors"])
    assert db.session.scalar(db.select(db.func.count()).select_from(Page)) == 0


@pytest.mark.parametrize("body", ['[{"title": "X"}]', '"X"', "5", "null"])
def test_a_body_that_is_not_an_object_is_a_422(api, agenda, body):
    json = {"data": body, "content_type": "application/json"}
    assert problem(api.post("/pages", **json), 422)["errors"]
    assert problem(api.patch("/pages/agenda", headers={"If-Match": "*"}, **json), 422)["errors"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Page)) == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
def test_a_wrong_content_type_is_a_415(api, agenda, content_type):
    kwargs = {"data": '{"title": "X"}'}
    if content_type:
        kwargs["content_type"] = content_type
    response = api.post("/pages", **kwargs)
    problem(response, 415)
    assert response.headers["Accept"] == "application/json"
    problem(api.put("/pages/agenda", headers={"If-Match": "*"}, **kwargs), 415)
    assert_unchanged(agenda)


def test_a_body_over_the_size_limit_is_a_413(app_factory, app, spec, tokens):
    small = ApiClient(app_factory(MAX_CONTENT_LENGTH=1000).test_client(), spec, tokens["editor"])
    response = small.post("/pages", json={"title": "Big", "markdown": "x" * 2000})
    problem(response, 413)
    assert small.post("/pages", json={"title": "Small", "markdown": "x" * 100}).status_code == 201
    assert [p.slug for p in db.session.scalars(db.select(Page))] == ["small"]


def test_a_text_over_the_page_limit_is_a_413(app_factory, app, spec, tokens, agenda):
    short = ApiClient(app_factory(MAX_PAGE_CHARS=50).test_client(), spec, tokens["editor"])
    problem(short.post("/pages", json={"title": "Long", "markdown": "y" * 51}), 413)
    problem(short.put("/pages/agenda", json={"markdown": "y" * 51}, headers={"If-Match": "*"}), 413)
    assert_unchanged(agenda)


def test_unknown_pages_and_addresses_are_404_problems(api_as, agenda):
    for role in ("anonymous", "editor"):
        client = api_as(role)
        for path in ("/pages/nothing", "/pages/nothing/revisions", "/pages/nothing/diff",
                     "/pages/agenda/revisions/99", "/pages/agenda/revisions/abc", "/nothing",
                     "/pages/agenda/nothing", "/v2/pages"):
            problem(client.get(path), 404)
    editor = api_as("editor")
    for response in (editor.put("/pages/nothing", json={"markdown": "x"}, headers={"If-Match": "*"}),
                     editor.patch("/pages/nothing", json={"title": "X"}, headers={"If-Match": "*"}),
                     editor.delete("/pages/nothing")):
        problem(response, 404)


def test_huge_revision_numbers_are_404s_not_500s(api, agenda):
    huge = "99999999999999999999"
    for path in (f"/pages/agenda/revisions/{huge}", f"/pages/agenda/diff?from={huge}",
                 f"/pages/agenda/diff?to={huge}"):
        problem(api.get(path), 404)


def test_a_huge_list_page_number_is_a_400_not_a_500(api, agenda):
    for path in ("/pages?page=100000000000000000000", "/pages/agenda/revisions?page=100000000000000000000"):
        problem(api.get(path), 400)


def test_nul_characters_are_refused_by_field(api, agenda):
    """PostgreSQL keeps no NUL in text: refused before any write, on both databases."""
    created = api.post("/pages", json={"title": "Notes", "markdown": "a\x00b"})
    assert problem(created, 422)["errors"][0]["field"] == "markdown"
    titled = api.post("/pages", json={"title": "No\x00tes", "markdown": "ab"})
    assert problem(titled, 422)["errors"][0]["field"] == "title"
    saved = api.put("/pages/agenda", json={"markdown": "x\x00"}, headers={"If-Match": "*"})
    assert "NUL" in problem(saved, 422)["detail"]
    assert_unchanged(agenda)
    assert api.get("/pages").get_json()["total"] == 1


def test_a_wrong_method_is_a_405_with_allow(api, agenda):
    for method, path, allowed in (("DELETE", "/pages", {"GET", "POST"}),
                                  ("POST", "/pages/agenda", {"GET", "PUT", "PATCH", "DELETE"}),
                                  ("PUT", "/pages/agenda/revisions", {"GET"}),
                                  ("POST", "/openapi.json", {"GET"})):
        response = api.client.open(f"/api/v1{path}", method=method, headers={"Authorization": "Bearer x"})
        problem(response, 405)
        assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}, path


@pytest.mark.parametrize("path", ["/pages/agenda?fields=title", "/pages/agenda/revisions/1?x=1",
                                  "/pages?parent=agenda&color=red", "/?debug=1"])
def test_an_unknown_query_parameter_is_a_400(api, agenda, path):
    assert path.split("&")[-1].split("?")[-1].split("=")[0] in problem(api.get(path), 400)["detail"]


def test_a_query_parameter_on_a_write_is_a_400_and_writes_nothing(api, agenda):
    problem(api.patch("/pages/agenda?force=1", json={"title": "New"}, headers={"If-Match": "*"}), 400)
    assert_unchanged(agenda)


@pytest.mark.parametrize("body", [
    {"title": "Good new title", "slug": "taken"},
    {"title": "Good new title", "slug": "Bad Slug"},
    {"markdown": "New text.\n", "parent": "agenda"},
    {"markdown": "New text.\n", "visibility": "members", "language": "xx-not-a-tag-at-all"},
    {"title": "Good new title", "markdown": "New.\n", "summary": "s" * 301},
    {"title": "Good new title", "visibility": "hidden"},
])
def test_a_patch_refused_in_part_changes_nothing(api, agenda, make_page, body):
    make_page("Taken")
    response = api.patch("/pages/agenda", json=body, headers={"If-Match": "*"})
    assert response.status_code in (409, 422)
    problem(response, response.status_code)
    assert_unchanged(agenda)
    assert agenda.current_revision.body == "The agenda.\n"
    assert api.get("/pages/agenda").get_json()["title"] == "Agenda"


def test_problems_speak_the_callers_language(api):
    response = api.get("/pages/nothing", headers={"Accept-Language": "fr"})
    assert "nothing" in problem(response, 404)["detail"]
    assert "There is no page" not in response.get_json()["detail"]
