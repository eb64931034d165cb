"""The labels endpoints: every label with its count, the pages of a label, a
page's labels and setting them, for every role; a label only members-only
pages carry never shows to anonymous callers, in lists or counts. Every
answer is checked against the OpenAPI document by ``ApiClient``."""

import re

import pytest

from plugins.labels.service import labels_of, set_labels
from wiki.extensions import db
from wiki.models import PageEvent, User

from .conftest import problem

READERS = ("member", "editor", "admin", "reader")
NOT_WRITERS = {"anonymous": (401, None), "member": (403, None),
               "reader": (403, "urn:wiki:problem:insufficient-scope")}


@pytest.fixture
def labelled(make_page, users):
    """Agenda (workshop, soil-carbon), Notes (workshop, évaluation), Budget
    (members only: workshop, finance), Plain (no label)."""
    editor = db.session.get(User, users["editor"])
    pages = {"agenda": make_page("Agenda"), "notes": make_page("Notes"),
             "budget": make_page("Budget", visibility="members"), "plain": make_page("Plain")}
    set_labels(pages["agenda"], ["workshop", "soil-carbon"], editor)
    set_labels(pages["notes"], ["workshop", "évaluation"], editor)
    set_labels(pages["budget"], ["workshop", "finance"], editor)
    return pages


def counts(response):
    assert response.status_code == 200, response.get_json()
    return [(item["name"], item["pages"]) for item in response.get_json()["items"]]


def slugs(response):
    assert response.status_code == 200, response.get_json()
    return [item["slug"] for item in response.get_json()["items"]]


# -- every label ----------------------------------------------------------------------


def test_anonymous_callers_count_only_public_pages_and_never_see_a_members_only_label(api_as, labelled):
    assert counts(api_as("anonymous").get("/labels")) == [
        ("évaluation", 1), ("soil-carbon", 1), ("workshop", 2)]


def test_readers_with_an_account_count_members_only_pages_too(api_as, labelled):
    for role in READERS:
        assert counts(api_as(role).get("/labels")) == [
            ("évaluation", 1), ("finance", 1), ("soil-carbon", 1), ("workshop", 3)], role


def test_labels_sort_by_use(api_as, labelled):
    assert counts(api_as("member").get("/labels?sort=count")) == [
        ("workshop", 3), ("évaluation", 1), ("finance", 1), ("soil-carbon", 1)]


def test_a_wrong_sort_or_an_unknown_parameter_is_refused(api_as, labelled):
    problem(api_as("member").get("/labels?sort=size"), 400, "urn:wiki:problem:validation")
    problem(api_as("member").get("/labels?limit=3"), 400, "urn:wiki:problem:validation")


# -- the pages of a label -----------------------------------------------------------


def test_the_pages_of_a_label_are_those_the_caller_may_see(api_as, labelled):
    anonymous = api_as("anonymous").get("/labels/workshop/pages")
    assert sorted(slugs(anonymous)) == ["agenda", "notes"]
    assert anonymous.get_json()["total"] == 2
    for role in READERS:
        response = api_as(role).get("/labels/workshop/pages")
        assert sorted(slugs(response)) == ["agenda", "budget", "notes"], role
        assert response.get_json()["total"] == 3


def test_a_label_only_members_only_pages_carry_is_not_found_by_anonymous_callers(api_as, labelled):
    body = problem(api_as("anonymous").get("/labels/finance/pages"), 404)
    assert "budget" not in str(body).lower()
    assert slugs(api_as("member").get("/labels/finance/pages")) == ["budget"]


def test_an_unknown_or_impossible_label_is_not_found(api_as, labelled):
    problem(api_as("editor").get("/labels/nothing-here/pages"), 404)
    problem(api_as("editor").get("/labels/a!b/pages"), 404)


def test_a_label_is_read_as_the_editor_reads_it_and_labels_combine_with_plus(api_as, labelled):
    client = api_as("anonymous")
    assert slugs(client.get("/labels/Soil Carbon/pages")) == ["agenda"]
    assert slugs(client.get("/labels/workshop+soil-carbon/pages")) == ["agenda"]
    problem(client.get("/labels/finance+workshop/pages"), 404)


def test_the_pages_of_a_label_come_in_pages_with_links(api_as, labelled):
    response = api_as("editor").get("/labels/workshop/pages?per_page=2")
    first = slugs(response)
    assert len(first) == 2 and response.get_json()["total"] == 3
    rels = dict((rel, int(page)) for page, rel in
                re.findall(r'[?&]page=(\d+)[^>]*>; rel="(\w+)"', response.headers["Link"]))
    assert rels["next"] == 2 and rels["last"] == 2
    second = slugs(api_as("editor").get("/labels/workshop/pages?per_page=2&page=2"))
    assert len(second) == 1 and not set(first) & set(second)
    problem(api_as("editor").get("/labels/workshop/pages?per_page=500"), 400)


def test_a_page_summary_counts_only_the_children_the_caller_may_see(api_as, labelled, make_page, users):
    make_page("Public child", parent=labelled["agenda"])
    make_page("Members child", parent=labelled["agenda"], visibility="members")
    summaries = {item["slug"]: item for item in
                 api_as("anonymous").get("/labels/workshop/pages").get_json()["items"]}
    assert summaries["agenda"]["children"] == 1
    summaries = {item["slug"]: item for item in
                 api_as("member").get("/labels/workshop/pages").get_json()["items"]}
    assert summaries["agenda"]["children"] == 2


# -- a page's labels -----------------------------------------------------------------


def test_every_role_reads_the_labels_of_a_page_it_may_see(api_as, labelled):
    for role in ("anonymous", *READERS):
        body = api_as(role).get("/pages/agenda/labels").get_json()
        assert body == {"page": {"slug": "agenda", "title": "Agenda"},
                        "labels": ["soil-carbon", "workshop"]}, role


def test_the_labels_of_a_members_only_page_are_not_found_by_anonymous_callers(api_as, labelled):
    problem(api_as("anonymous").get("/pages/budget/labels"), 404)
    assert api_as("member").get("/pages/budget/labels").get_json()["labels"] == ["finance", "workshop"]
    problem(api_as("editor").get("/pages/no-such-page/labels"), 404)


# -- setting a page's labels ---------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_set_exactly_the_labels_sent_normalised(api_as, labelled, role):
    response = api_as(role).put("/pages/agenda/labels",
                                json={"labels": ["Workshop", "Field Trip", "field-trip", " Évaluation "]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["labels"] == ["évaluation", "field-trip", "workshop"]
    assert body["added"] == ["évaluation", "field-trip"]
    assert body["removed"] == ["soil-carbon"]
    assert labels_of(labelled["agenda"]) == ["évaluation", "field-trip", "workshop"]
    assert api_as("anonymous").get("/pages/agenda/labels").get_json()["labels"] == body["labels"]
    history = db.session.scalars(db.select(PageEvent.detail).where(
        PageEvent.page_id == labelled["agenda"].id, PageEvent.kind == "labels")).all()
    assert any("field-trip" in line and "removed soil-carbon" in line for line in history)


def test_an_empty_list_removes_every_label(api, labelled):
    body = api.put("/pages/notes/labels", json={"labels": []}).get_json()
    assert body["labels"] == [] and body["removed"] == ["évaluation", "workshop"]
    assert labels_of(labelled["notes"]) == []


@pytest.mark.parametrize("role", sorted(NOT_WRITERS))
def test_callers_who_may_not_edit_cannot_set_labels(api_as, labelled, role):
    status, kind = NOT_WRITERS[role]
    problem(api_as(role).put("/pages/agenda/labels", json={"labels": ["spam"]}), status, kind)
    assert labels_of(labelled["agenda"]) == ["soil-carbon", "workshop"]


@pytest.mark.parametrize("labels, field", [
    (["fine", "not valid!"], "labels.1"),
    (["x" * 65], "labels.0"),
    (["ok", "  "], "labels.1"),
])
def test_a_refused_label_refuses_the_whole_change(api, labelled, labels, field):
    body = problem(api.put("/pages/agenda/labels", json={"labels": labels}), 422,
                   "urn:wiki:problem:validation")
    assert [error["field"] for error in body["errors"]] == [field]
    assert labels_of(labelled["agenda"]) == ["soil-carbon", "workshop"]


def test_every_refused_label_is_named(api, labelled):
    body = problem(api.put("/pages/agenda/labels", json={"labels": ["a!", "good", "b?"]}), 422)
    assert [error["field"] for error in body["errors"]] == ["labels.0", "labels.2"]
    assert "2 labels" in body["detail"]


@pytest.mark.parametrize("payload", [
    {"labels": "workshop"},  # not a list
    {"labels": [1, 2]},  # not text
    {"labels": ["a"], "colour": "red"},  # unknown field
    {},  # missing
])
def test_a_body_of_the_wrong_shape_is_refused(api, labelled, payload):
    problem(api.put("/pages/agenda/labels", json=payload), 422, "urn:wiki:problem:validation")
    assert labels_of(labelled["agenda"]) == ["soil-carbon", "workshop"]


def test_an_empty_or_non_json_body_is_refused(api, labelled):
    problem(api.put("/pages/agenda/labels", data="", content_type="application/json"), 400)
    problem(api.put("/pages/agenda/labels", data="labels=a", content_type="text/plain"), 415)
    assert labels_of(labelled["agenda"]) == ["soil-carbon", "workshop"]


def test_setting_the_labels_of_an_unknown_page_is_not_found(api, labelled):
    problem(api.put("/pages/no-such-page/labels", json={"labels": ["a"]}), 404)


def test_the_api_rate_limit_applies(app, api_as, labelled):
    app.config["API_RATE_LIMIT"] = (2, 60)
    client = api_as("editor")
    assert client.get("/labels").status_code == 200
    assert client.put("/pages/agenda/labels", json={"labels": ["a"]}).status_code == 200
    response = client.put("/pages/agenda/labels", json={"labels": ["b"]})
    problem(response, 429, "urn:wiki:problem:rate-limited")
    assert int(response.headers["Retry-After"]) > 0
    assert labels_of(labelled["agenda"]) == ["a"]


def test_a_refusal_speaks_the_callers_language(api, labelled):
    response = api.put("/pages/agenda/labels", json={"labels": ["a!"]}, headers={"Accept-Language": "fr"})
    assert "étiquette a été refusée" in problem(response, 422)["detail"]
    response = api.get("/labels/nothing-here/pages", headers={"Accept-Language": "fr"})
    assert "Aucune page" in problem(response, 404)["detail"]
