"""Updates carry the revision they started from (If-Match): a stale one is
merged like the editor merges, or refused with the conflicting parts; none
overwrites a change saved meanwhile."""

import threading

import pytest

from wiki.extensions import db
from wiki.models import Page, Revision

TEXT = "".join(f"line {i}\n" for i in range(8))


@pytest.fixture
def plan(make_page):
    return make_page("Plan", TEXT)


def revisions(page):
    return db.session.scalar(db.select(db.func.count(Revision.id)).where(Revision.page_id == page.id))


def stale_etag(api_as, slug, text):
    """The ETag of the page before the admin saves ``text`` over it."""
    admin = api_as("admin")
    tag = admin.get(f"/pages/{slug}").headers["ETag"]
    assert admin.put(f"/pages/{slug}", json={"markdown": text}, headers={"If-Match": tag}).status_code == 200
    return tag


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_stale_change_of_other_lines_is_merged(api_as, plan, method):
    tag = stale_etag(api_as, "plan", TEXT.replace("line 1\n", "line 1 by admin\n"))
    mine = TEXT.replace("line 6\n", "line 6 by editor\n")
    response = getattr(api_as("editor"), method)("/pages/plan", json={"markdown": mine},
                                                 headers={"If-Match": tag})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["merged"] is True and data["changed"] is True and data["revision"] == 3
    assert "line 1 by admin\n" in data["markdown"] and "line 6 by editor\n" in data["markdown"]
    assert response.headers["ETag"] == f'"{plan.id}-3"'


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_overlapping_stale_change_is_a_409_and_saves_nothing(api_as, plan, method):
    tag = stale_etag(api_as, "plan", TEXT.replace("line 3\n", "line 3 by admin\n"))
    mine = TEXT.replace("line 3\n", "line 3 by editor\n")
    response = getattr(api_as("editor"), method)("/pages/plan", json={"markdown": mine, "title": "Plan B"},
                                                 headers={"If-Match": tag})
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["type"] == "urn:wiki:problem:edit-conflict"
    assert problem["current_revision"] == 2 and response.headers["ETag"] == f'"{plan.id}-2"'
    assert problem["current_markdown"] == TEXT.replace("line 3\n", "line 3 by admin\n")
    [conflict] = problem["conflicts"]
    assert "line 3 by admin" in "".join(conflict["current"])
    assert "line 3 by editor" in "".join(conflict["yours"])
    assert "line 3" in "".join(conflict["base"])
    db.session.expire_all()
    assert revisions(plan) == 2 and plan.title == "Plan"
    assert "by editor" not in plan.current_revision.body


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_change_without_if_match_is_a_428(api, plan, method):
    response = getattr(api, method)("/pages/plan", json={"markdown": "Gone.\n"})
    assert response.status_code == 428
    assert response.get_json()["type"] == "urn:wiki:problem:if-match-required"
    assert revisions(plan) == 1


def test_if_match_star_applies_on_top(api_as, plan):
    stale_etag(api_as, "plan", "The admin's text.\n")
    response = api_as("editor").put("/pages/plan", json={"markdown": "Mine.\n"}, headers={"If-Match": "*"})
    assert response.status_code == 200
    assert response.get_json()["markdown"] == "Mine.\n" and response.get_json()["merged"] is False
    assert response.get_json()["revision"] == 3


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_an_etag_of_another_page_or_a_future_revision_is_a_412(api, plan, make_page, method):
    other = make_page("Other")
    for tag in (f'"{other.id}-1"', f'"{plan.id}-2"', f'"{plan.id}-0"', f'W/"{plan.id}-1"', "nonsense"):
        kwargs = {} if method == "delete" else {"json": {"markdown": "Lost.\n"}}
        response = getattr(api, method)("/pages/plan", headers={"If-Match": tag}, **kwargs)
        assert response.status_code == 412, tag
        assert response.get_json()["type"] == "urn:wiki:problem:stale"
        assert response.headers["ETag"] == f'"{plan.id}-1"'
    db.session.expire_all()
    assert revisions(plan) == 1 and not plan.is_deleted


def test_one_of_several_etags_may_match(api, plan):
    response = api.put("/pages/plan", json={"markdown": "Kept.\n"},
                       headers={"If-Match": f'"999-1", "{plan.id}-1"'})
    assert response.status_code == 200 and response.get_json()["merged"] is False


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_title_changed_meanwhile_is_a_409(api_as, plan, method):
    admin = api_as("admin")
    tag = admin.get("/pages/plan").headers["ETag"]
    admin.patch("/pages/plan", json={"title": "Master plan"}, headers={"If-Match": tag})
    response = getattr(api_as("editor"), method)("/pages/plan", json={"markdown": TEXT, "title": "Plan B"},
                                                 headers={"If-Match": tag})
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["conflicts"] == [{"field": "title", "base": "Plan", "current": "Master plan",
                                     "yours": "Plan B"}]
    assert response.headers["ETag"] == f'"{plan.id}-2"'
    db.session.expire_all()
    assert plan.title == "Master plan" and revisions(plan) == 2
    # The same title is no conflict: both wanted it.
    same = getattr(api_as("editor"), method)("/pages/plan", json={"markdown": TEXT, "title": "Master plan"},
                                             headers={"If-Match": tag})
    assert same.status_code == 200


def test_a_stale_patch_of_settings_alone_needs_no_merge(api_as, plan):
    tag = stale_etag(api_as, "plan", TEXT + "more\n")
    response = api_as("editor").patch("/pages/plan", json={"visibility": "members"},
                                      headers={"If-Match": tag})
    assert response.status_code == 200
    data = response.get_json()
    assert data["visibility"] == "members" and data["markdown"] == TEXT + "more\n"


def test_concurrent_saves_from_one_revision_all_land(app, api_as, plan):
    """Four scripts save different lines, all from revision 1, at once: every
    change is merged in, none lost."""
    tag = api_as("editor").get("/pages/plan").headers["ETag"]
    clients = [api_as("editor") for _ in range(4)]
    results, errors = [None] * 4, []

    def save(i):
        try:
            text = TEXT.replace(f"line {2 * i}\n", f"line {2 * i} by script {i}\n")
            response = clients[i].put("/pages/plan", json={"markdown": text}, headers={"If-Match": tag})
            results[i] = (response.status_code, response.get_json()["merged"])
        except Exception as e:  # asserted below, in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [(200, False)] + [(200, True)] * 3
    db.session.expire_all()
    page = db.session.get(Page, plan.id)
    assert page.current_revision.number == 5
    for i in range(4):
        assert f"line {2 * i} by script {i}\n" in page.current_revision.body
