"""The comments endpoints: a page's thread as the page shows it to each
caller, posting and replying, editing and deleting, moderation, for every
role; the form's rules (length, rate limit, closed pages) hold; a comment on
a page the caller may not see is a 404. Every answer is checked against the
OpenAPI document by ``ApiClient``."""

from urllib.parse import urlsplit

import pytest

from plugins.comments import service
from plugins.comments.models import Comment
from wiki.accounts import create_user
from wiki.extensions import db
from wiki.models import AnonymousUser, User
from wiki.rest.tokens import create_token

from .conftest import problem

MODERATORS = ("editor", "admin", "reader")  # reader: the admin's read-only token
NOT_SIGNED_WRITERS = {"anonymous": (401, None), "reader": (403, "urn:wiki:problem:insufficient-scope")}


@pytest.fixture
def app(app_factory):
    """The comment rate limit out of the way, except where it is under test."""
    app = app_factory(COMMENTS_RATE_LIMIT=(1000, 60))
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def person(users):
    return lambda role: db.session.get(User, users[role])


def comment(page, user, body, parent=None, status="visible", name=""):
    """A comment written through the service, put in ``status``."""
    made = service.post_comment(page, user, body, parent, anon_name=name).comment
    if status != "visible":
        made.status = status
        db.session.commit()
    return made


@pytest.fixture
def thread(make_page, person):
    """On Agenda: 1 by the member; 1.1 a reply by the visitor Ada; 2 held, by
    the member; 3 hidden, with 3.1 a visible reply; 4 deleted, without
    replies. On Budget (members only): one comment."""
    agenda, budget = make_page("Agenda"), make_page("Budget", visibility="members")
    first = comment(agenda, person("member"), "First *point*.")
    reply = comment(agenda, AnonymousUser(), "A reply.", first, name="Ada")
    held = comment(agenda, person("member"), "Held back.", status="held")
    hidden = comment(agenda, person("editor"), "Hidden away.", status="hidden")
    under_hidden = comment(agenda, person("admin"), "Under the hidden one.", hidden)
    deleted = comment(agenda, person("editor"), "Gone.")
    service.delete_comment(deleted)
    secret = comment(budget, person("member"), "Members' secret.")
    return {"agenda": agenda, "budget": budget, "first": first.id, "reply": reply.id,
            "held": held.id, "hidden": hidden.id, "under_hidden": under_hidden.id,
            "deleted": deleted.id, "secret": secret.id}


def items(response):
    assert response.status_code == 200, response.get_json()
    return {item["id"]: item for item in response.get_json()["items"]}


def count():
    return db.session.scalar(db.select(db.func.count(Comment.id)))


# -- reading a thread -------------------------------------------------------------------


def test_visitors_read_published_comments_and_placeholders_that_keep_replies_attached(api_as, thread):
    response = api_as("anonymous").get("/pages/agenda/comments")
    found = items(response)
    order = [item["id"] for item in response.get_json()["items"]]
    assert order == [thread["first"], thread["reply"], thread["hidden"], thread["under_hidden"]]
    first = found[thread["first"]]
    assert first["markdown"] == "First *point*." and "<em>point</em>" in first["html"]
    assert first["author"] == {"username": "member", "display_name": "Member Person"}
    assert first["number"] == "1" and first["parent"] is None and first["status"] == "visible"
    reply = found[thread["reply"]]
    assert reply["parent"] == thread["first"] and reply["number"] == "1.1"
    assert reply["author"] == {"username": None, "display_name": "Ada"}
    placeholder = found[thread["hidden"]]
    assert placeholder["readable"] is False and placeholder["status"] == "hidden"
    assert placeholder["markdown"] is None and placeholder["html"] is None and placeholder["author"] is None
    assert "Hidden away" not in response.get_data(as_text=True)
    assert response.get_json()["total"] == 4 and response.get_json()["closed"] is False


def test_a_member_sees_its_own_held_comment_but_not_the_hidden_one(api_as, thread):
    found = items(api_as("member").get("/pages/agenda/comments"))
    assert found[thread["held"]]["status"] == "held" and found[thread["held"]]["may_change"] is True
    assert found[thread["hidden"]]["readable"] is False
    assert found[thread["first"]]["may_change"] is True and found[thread["reply"]]["may_change"] is False


def test_moderators_see_held_and_hidden_comments_but_no_deleted_text(api_as, thread):
    for role in MODERATORS:
        found = items(api_as(role).get("/pages/agenda/comments"))
        assert found[thread["held"]]["markdown"] == "Held back.", role
        assert found[thread["hidden"]]["readable"] is True and found[thread["hidden"]]["status"] == "hidden"
        assert thread["deleted"] not in found
        assert found[thread["reply"]]["may_change"] is True


def test_the_thread_comes_in_pages_with_links(api_as, thread):
    response = api_as("editor").get("/pages/agenda/comments?per_page=2&page=2")
    body = response.get_json()
    assert [item["id"] for item in body["items"]] == [thread["held"], thread["hidden"]]
    assert body["total"] == 5 and 'rel="prev"' in response.headers["Link"]
    problem(api_as("editor").get("/pages/agenda/comments?per_page=0"), 400)


def test_the_thread_of_a_members_only_page_is_not_found_by_anonymous_callers(api_as, thread):
    body = problem(api_as("anonymous").get("/pages/budget/comments"), 404)
    assert "secret" not in str(body).lower()
    assert list(items(api_as("member").get("/pages/budget/comments"))) == [thread["secret"]]
    problem(api_as("member").get("/pages/no-such-page/comments"), 404)


# -- one comment ----------------------------------------------------------------------


def test_a_comment_is_read_by_those_who_may_read_it(api_as, thread):
    for role in ("anonymous", "member", *MODERATORS):
        body = api_as(role).get(f"/comments/{thread['reply']}").get_json()
        assert body["number"] == "1.1" and body["page"] == {"slug": "agenda", "title": "Agenda"}, role
    problem(api_as("anonymous").get(f"/comments/{thread['held']}"), 404)
    assert api_as("member").get(f"/comments/{thread['held']}").status_code == 200  # its author
    assert api_as("editor").get(f"/comments/{thread['held']}").status_code == 200
    problem(api_as("admin").get(f"/comments/{thread['deleted']}"), 404)
    problem(api_as("admin").get("/comments/999999"), 404)


def test_a_comment_on_a_members_only_page_is_a_404_never_a_403(api_as, thread):
    body = problem(api_as("anonymous").get(f"/comments/{thread['secret']}"), 404)
    assert "secret" not in str(body).lower()
    assert api_as("member").get(f"/comments/{thread['secret']}").get_json()["markdown"] == "Members' secret."


# -- posting ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "editor", "admin"])
def test_signed_in_callers_post_a_comment(api_as, thread, role):
    client = api_as(role)
    response = client.post("/pages/agenda/comments", json={"body": "Count me **in**."})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["author"]["username"] == role and body["status"] == "visible" and body["number"] == "5"
    assert "<strong>in</strong>" in body["html"] and body["lang"] == "en"
    location = response.headers["Location"]
    assert location.endswith(f"/api/v1/comments/{body['id']}")
    assert client.get(urlsplit(location).path).get_json() == body
    assert body["id"] in items(api_as("anonymous").get("/pages/agenda/comments"))


def test_a_reply_names_its_parent(api_as, thread):
    response = api_as("member").post("/pages/agenda/comments",
                                     json={"body": "Agreed.", "parent": thread["reply"]})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["parent"] == thread["reply"] and response.get_json()["number"] == "1.1.1"


@pytest.mark.parametrize("role", sorted(NOT_SIGNED_WRITERS))
def test_callers_without_a_signed_write_cannot_post(api_as, thread, role):
    status, kind = NOT_SIGNED_WRITERS[role]
    before = count()
    problem(api_as(role).post("/pages/agenda/comments", json={"body": "Hello"}), status, kind)
    assert count() == before


@pytest.mark.parametrize("payload, field", [
    ({"body": "   \n "}, "body"),  # empty
    ({"body": 5}, "body"),  # not text
    ({"body": "Hi", "parent": "1"}, "parent"),  # not a number
    ({"body": "Hi", "signature": "me"}, "signature"),  # unknown field
    ({}, "body"),  # missing
    ({"body": "Hi", "parent": 999999}, "parent"),  # no such comment
])
def test_a_wrong_body_is_refused_and_nothing_posted(api, thread, payload, field):
    before = count()
    body = problem(api.post("/pages/agenda/comments", json=payload), 422, "urn:wiki:problem:validation")
    assert [error["field"] for error in body["errors"]] == [field]
    assert count() == before


def test_a_reply_to_a_comment_of_another_page_or_one_hidden_from_the_caller_is_refused(api_as, thread):
    before = count()
    body = problem(api_as("member").post("/pages/agenda/comments",
                                         json={"body": "Hi", "parent": thread["secret"]}), 422)
    assert body["errors"][0]["field"] == "parent"
    problem(api_as("member").post("/pages/agenda/comments",
                                  json={"body": "Hi", "parent": thread["hidden"]}), 422)
    problem(api_as("member").post("/pages/agenda/comments",
                                  json={"body": "Hi", "parent": thread["deleted"]}), 422)
    assert count() == before


def test_a_comment_over_the_length_limit_is_refused(app, api, thread):
    app.config["COMMENTS_MAX_CHARS"] = 20
    before = count()
    body = problem(api.post("/pages/agenda/comments", json={"body": "x" * 21}), 413)
    assert "20" in body["detail"]
    assert count() == before


def test_an_empty_or_non_json_body_or_an_unknown_page_is_refused(api, thread):
    problem(api.post("/pages/agenda/comments", data="", content_type="application/json"), 400)
    problem(api.post("/pages/agenda/comments", data="body=hi",
                     content_type="application/x-www-form-urlencoded"), 415)
    problem(api.post("/pages/no-such-page/comments", json={"body": "Hi"}), 404)


def test_the_comment_rate_limit_of_the_form_applies_except_to_moderators(app, api_as, thread):
    app.config["COMMENTS_RATE_LIMIT"] = (2, 60)
    member = api_as("member")
    for n in range(2):
        assert member.post("/pages/agenda/comments", json={"body": f"Post {n}"}).status_code == 201
    before = count()
    response = member.post("/pages/agenda/comments", json={"body": "One too many"})
    problem(response, 429, "urn:wiki:problem:rate-limited")
    assert int(response.headers["Retry-After"]) > 0
    assert count() == before
    assert api_as("editor").post("/pages/agenda/comments", json={"body": "Moderator"}).status_code == 201


def test_a_closed_page_takes_comments_from_moderators_only(api_as, thread):
    response = api_as("editor").put("/pages/agenda/comments/closed", json={"closed": True})
    assert response.get_json() == {"page": {"slug": "agenda", "title": "Agenda"}, "closed": True}
    assert api_as("anonymous").get("/pages/agenda/comments").get_json()["closed"] is True
    before = count()
    problem(api_as("member").post("/pages/agenda/comments", json={"body": "Hi"}), 403)
    problem(api_as("member").post("/pages/agenda/comments",
                                  json={"body": "Hi", "parent": thread["first"]}), 403)
    assert count() == before
    assert api_as("admin").post("/pages/agenda/comments", json={"body": "Closing note"}).status_code == 201
    reopened = api_as("admin").put("/pages/agenda/comments/closed", json={"closed": False})
    assert reopened.get_json()["closed"] is False
    assert api_as("member").post("/pages/agenda/comments", json={"body": "Hi"}).status_code == 201


@pytest.mark.parametrize("role, status", [("anonymous", 401), ("member", 403), ("reader", 403)])
def test_only_moderators_close_a_page(api_as, thread, role, status):
    problem(api_as(role).put("/pages/agenda/comments/closed", json={"closed": True}), status)
    assert api_as("anonymous").get("/pages/agenda/comments").get_json()["closed"] is False


def test_members_post_on_a_members_only_page(api_as, thread):
    response = api_as("member").post("/pages/budget/comments", json={"body": "Inside."})
    assert response.status_code == 201
    problem(api_as("anonymous").get(f"/comments/{response.get_json()['id']}"), 404)


# -- editing and deleting -----------------------------------------------------------------


def test_the_author_edits_its_comment(api_as, thread):
    response = api_as("member").patch(f"/comments/{thread['first']}", json={"body": "First, _edited_."})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["markdown"] == "First, _edited_." and "<em>edited</em>" in body["html"]
    assert body["edited_at"] is not None
    again = api_as("anonymous").get(f"/comments/{thread['first']}")
    assert again.get_json()["markdown"] == "First, _edited_."


@pytest.mark.parametrize("role", MODERATORS[:2])
def test_moderators_edit_any_comment(api_as, thread, role):
    response = api_as(role).patch(f"/comments/{thread['reply']}", json={"body": "Tidied."})
    assert response.get_json()["markdown"] == "Tidied."


def test_others_cannot_edit_or_delete_a_comment(api_as, thread):
    other = api_as("member")
    editor_comment = thread["under_hidden"]  # the admin's
    problem(other.patch(f"/comments/{editor_comment}", json={"body": "Mine now"}), 403)
    problem(other.delete(f"/comments/{editor_comment}"), 403)
    problem(api_as("member").patch(f"/comments/{thread['reply']}", json={"body": "Ada's?"}), 403)
    for role, (status, kind) in NOT_SIGNED_WRITERS.items():
        problem(api_as(role).patch(f"/comments/{thread['first']}", json={"body": "x"}), status, kind)
        problem(api_as(role).delete(f"/comments/{thread['first']}"), status, kind)
    assert db.session.get(Comment, thread["first"]).body == "First *point*."
    assert db.session.get(Comment, editor_comment).status == "visible"


def test_another_members_held_comment_is_not_found(api_as, thread):
    token = create_token(create_user("other", "correct horse battery", "member"), "script", "write")[1]
    client = api_as("anonymous")
    client.token = token
    problem(client.patch(f"/comments/{thread['held']}", json={"body": "x"}), 404)
    problem(client.delete(f"/comments/{thread['held']}"), 404)
    problem(client.patch(f"/comments/{thread['first']}", json={"body": "x"}), 403)


@pytest.mark.parametrize("payload, status", [
    ({"body": ""}, 422), ({"body": None}, 422), ({"text": "x"}, 422), ({"body": "x", "parent": 1}, 422),
])
def test_a_wrong_edit_is_refused_and_the_text_kept(api_as, thread, payload, status):
    problem(api_as("member").patch(f"/comments/{thread['first']}", json=payload), status)
    assert db.session.get(Comment, thread["first"]).body == "First *point*."


def test_an_edit_over_the_length_limit_is_refused(app, api_as, thread):
    app.config["COMMENTS_MAX_CHARS"] = 20
    problem(api_as("member").patch(f"/comments/{thread['first']}", json={"body": "y" * 30}), 413)
    assert db.session.get(Comment, thread["first"]).body == "First *point*."
    problem(api_as("member").patch("/comments/999999", json={"body": "x"}), 404)


def test_the_author_deletes_its_comment_and_replies_stay_under_a_placeholder(api_as, thread):
    assert api_as("member").delete(f"/comments/{thread['first']}").status_code == 204
    problem(api_as("member").get(f"/comments/{thread['first']}"), 404)
    problem(api_as("member").delete(f"/comments/{thread['first']}"), 404)
    found = items(api_as("anonymous").get("/pages/agenda/comments"))
    assert found[thread["first"]]["readable"] is False and found[thread["first"]]["status"] == "deleted"
    assert found[thread["reply"]]["parent"] == thread["first"]
    assert db.session.get(Comment, thread["first"]).body == ""


@pytest.mark.parametrize("role", MODERATORS[:2])
def test_moderators_delete_any_comment(api_as, thread, role):
    assert api_as(role).delete(f"/comments/{thread['reply']}").status_code == 204
    assert thread["reply"] not in items(api_as("anonymous").get("/pages/agenda/comments"))


# -- moderation ---------------------------------------------------------------------------


def test_a_moderator_approves_a_held_comment(api_as, thread):
    response = api_as("editor").post(f"/comments/{thread['held']}/moderation", json={"action": "approve"})
    assert response.status_code == 200 and response.get_json()["status"] == "visible"
    assert thread["held"] in items(api_as("anonymous").get("/pages/agenda/comments"))


def test_a_moderator_hides_and_unhides_a_comment(api_as, thread):
    admin = api_as("admin")
    hidden = admin.post(f"/comments/{thread['first']}/moderation", json={"action": "hide"}).get_json()
    assert hidden["status"] == "hidden"
    placeholder = items(api_as("anonymous").get("/pages/agenda/comments"))[thread["first"]]
    assert placeholder["readable"] is False  # its visible reply keeps it as a placeholder
    problem(api_as("anonymous").get(f"/comments/{thread['first']}"), 404)
    shown = admin.post(f"/comments/{thread['first']}/moderation", json={"action": "unhide"}).get_json()
    assert shown["status"] == "visible"
    assert api_as("anonymous").get(f"/comments/{thread['first']}").status_code == 200


@pytest.mark.parametrize("key, action", [("first", "approve"), ("first", "unhide"), ("hidden", "hide"),
                                         ("held", "unhide")])
def test_an_action_for_another_state_is_a_conflict(api_as, thread, key, action):
    before = db.session.get(Comment, thread[key]).status
    problem(api_as("editor").post(f"/comments/{thread[key]}/moderation", json={"action": action}), 409)
    assert db.session.get(Comment, thread[key]).status == before


@pytest.mark.parametrize("role, status", [("anonymous", 401), ("member", 403), ("reader", 403)])
def test_only_moderators_moderate(api_as, thread, role, status):
    problem(api_as(role).post(f"/comments/{thread['held']}/moderation", json={"action": "approve"}), status)
    assert db.session.get(Comment, thread["held"]).status == "held"


def test_a_wrong_moderation_is_refused(api, thread):
    problem(api.post(f"/comments/{thread['held']}/moderation", json={"action": "delete"}), 422)
    problem(api.post(f"/comments/{thread['held']}/moderation", json={}), 422)
    problem(api.post(f"/comments/{thread['deleted']}/moderation", json={"action": "hide"}), 404)
    problem(api.post("/comments/999999/moderation", json={"action": "hide"}), 404)


def test_the_moderation_queue_lists_held_then_hidden_comments_for_moderators(api_as, thread):
    for role in MODERATORS:
        response = api_as(role).get("/comments/moderation")
        assert [item["id"] for item in response.get_json()["items"]] == [thread["held"], thread["hidden"]]
        assert response.get_json()["items"][0]["number"] == "2"
    problem(api_as("member").get("/comments/moderation"), 403)
    problem(api_as("anonymous").get("/comments/moderation"), 401)


def test_a_refusal_speaks_the_callers_language(api, thread):
    french = {"Accept-Language": "fr"}
    response = api.post(f"/comments/{thread['first']}/moderation", json={"action": "approve"}, headers=french)
    assert "n’attend pas" in problem(response, 409)["detail"]
    response = api.get("/comments/999999", headers=french)
    assert "Il n’y a pas de commentaire" in problem(response, 404)["detail"]
    nameless = comment(thread["agenda"], AnonymousUser(), "No name given.")
    author = api.get(f"/comments/{nameless.id}", headers=french).get_json()["author"]
    assert author == {"username": None, "display_name": "Anonyme"}
