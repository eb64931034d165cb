"""The search endpoint: the query language, filters, facets, snippets and
"did you mean" of /search, for every role; members-only pages, comments and
labels never count for anonymous callers (results, totals, facets,
suggestions); a broken query is answered as the search page answers it;
changes made through the API are found right after. Every answer is checked
against the OpenAPI document by ``ApiClient``."""

import html
import re

import pytest

from plugins.comments.service import post_comment
from plugins.labels.service import set_labels
from wiki.extensions import db
from wiki.models import User

from .conftest import problem

READERS = ("member", "editor", "admin", "reader")  # reader: the admin's read-only token


@pytest.fixture
def app(app_factory):
    app = app_factory(COMMENTS_MIN_SECONDS=0, COMMENTS_RATE_LIMIT=(1000, 60), SEARCH_BUILD_WAIT=30)
    with app.app_context():
        yield app
        db.session.remove()


def sync(app):
    """What a request does after a change (as tests/plugins/test_search.py):
    pages made through the services, outside a request, are applied here."""
    app.extensions["wiki.search"].indexer.catch_up()


def found(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def slugs(body):
    return sorted(item["page"]["slug"] for item in body["items"])


@pytest.fixture
def secret(app, make_page, users):
    """Public: "Public page" (label field-trip) with a comment; members only:
    "Secret page" (label budget) with a comment, and a word no public page has."""
    editor, member = (db.session.get(User, users[r]) for r in ("editor", "member"))
    public = make_page("Public page", "Open permafrost notes.")
    hidden = make_page("Secret page", "Members permafrost notes. Xylophone.", visibility="members")
    set_labels(public, ["field-trip"], editor)
    set_labels(hidden, ["budget"], editor)
    post_comment(public, member, "A public permafrost remark.")
    post_comment(hidden, member, "Secret permafrost comment.")
    sync(app)
    return {"public": public, "hidden": hidden}


def facet(body, name):
    return {f["value"]: f["count"] for f in body["facets"][name]}


# -- visibility ------------------------------------------------------------------------------


def test_anonymous_callers_never_see_members_only_results_counts_facets_or_suggestions(api_as, secret):
    anonymous = api_as("anonymous")
    body = found(anonymous.get("/search?q=permafrost"))
    assert body["total"] == 2 and slugs(body) == ["public-page", "public-page"]
    assert "Secret" not in str(body)
    assert facet(body, "type") == {"comment": 1, "page": 1}
    assert facet(body, "label") == {"field-trip": 1}  # not budget (comments carry no label)
    assert found(anonymous.get("/search?q=type:comment"))["total"] == 1
    assert found(anonymous.get("/search?q=label:budget"))["total"] == 0
    # No suggestion built from a word only a members-only page has.
    body = found(anonymous.get("/search?q=xylophon"))
    assert body["total"] == 0 and body["suggestion"] is None and body["items"] == []


@pytest.mark.parametrize("role", READERS)
def test_every_role_with_an_account_finds_members_only_documents(api_as, secret, role):
    client = api_as(role)
    body = found(client.get("/search?q=permafrost"))
    assert body["total"] == 4 and slugs(body) == ["public-page", "public-page", "secret-page", "secret-page"]
    assert facet(body, "type") == {"comment": 2, "page": 2}
    assert facet(body, "label") == {"budget": 1, "field-trip": 1}
    assert found(client.get("/search?q=xylophone"))["total"] == 1


# -- what a hit says ---------------------------------------------------------------------------


def test_a_hit_carries_the_snippet_the_search_page_shows(api_as, app, make_page, client):
    make_page("Soil & carbon", "Measuring soil `<carbon>` & nitrogen in the field.")
    sync(app)
    body = found(api_as("anonymous").get("/search?q=nitrogen"))
    (hit,) = body["items"]
    assert hit["kind"] == "page" and hit["page"] == {"slug": "soil-carbon", "title": "Soil & carbon"}
    assert hit["title"] == "Soil & carbon" and hit["title_html"] == "Soil &amp; carbon"
    assert "<mark>nitrogen</mark>" in hit["snippet_html"] and "&lt;carbon&gt; &amp;" in hit["snippet_html"]
    assert hit["snippet_text"] == html.unescape(re.sub(r"</?mark>", "", hit["snippet_html"]))
    assert "<carbon> & nitrogen" in hit["snippet_text"]
    page = client.get("/search", query_string={"q": "nitrogen"}).get_data(as_text=True)
    assert f'<p class="snippet">{hit["snippet_html"]}</p>' in page  # the very same, sanitized
    assert hit["url"] == "http://localhost/wiki/soil-carbon" and hit["updated_at"].endswith("Z")
    assert hit["author"] is None and hit["comment_id"] is None and hit["labels"] == []


def test_a_comment_hit_names_its_page_and_links_to_the_comment(api_as, secret):
    body = found(api_as("anonymous").get("/search?q=remark"))
    (hit,) = body["items"]
    assert hit["kind"] == "comment" and hit["page"]["slug"] == "public-page"
    assert hit["title"] == "Comment on “Public page”" and hit["author"] == "Member Person"
    assert hit["url"] == f"http://localhost/wiki/public-page#comment-{hit['comment_id']}"


def test_filters_and_facets_follow_the_query_language(api_as, secret):
    client = api_as("member")
    body = found(client.get("/search", query_string={"q": "permafrost étiquette:budget"}))
    assert body["total"] == 1 and slugs(body) == ["secret-page"] and body["items"][0]["labels"] == ["budget"]
    applied = {f["value"]: f for f in body["facets"]["label"]}["budget"]
    assert applied["applied"] and applied["query"] == "permafrost"  # the filter taken out
    body = found(client.get("/search", query_string={"q": "permafrost type:page"}))
    assert body["total"] == 2 and {i["kind"] for i in body["items"]} == {"page"}
    narrowing = {f["value"]: f for f in found(client.get("/search?q=permafrost"))["facets"]["type"]}
    assert narrowing["comment"] == {"value": "comment", "count": 2, "applied": False,
                                    "query": "permafrost type:comment"}
    body = found(client.get("/search", query_string={"q": "permafrost in:public-page -type:comment"}))
    assert slugs(body) == ["public-page"]


def test_did_you_mean(api_as, app, make_page):
    make_page("Compost", "Compost and mulch.")
    sync(app)
    body = found(api_as("anonymous").get("/search?q=compots"))
    assert body["total"] == 0 and body["suggestion"] == "compost"
    assert found(api_as("anonymous").get("/search?q=compost"))["suggestion"] is None


# -- pages of results ----------------------------------------------------------------------------


@pytest.fixture
def many(app, make_page):
    for number in range(1, 13):
        make_page(f"Trial {number}", f"Tillage trial number {number}.")
    sync(app)


def test_pages_of_any_size_cover_every_result_once(api_as, many):
    client = api_as("anonymous")
    seen = []
    for page in (1, 2, 3):
        # Page 3 of 4 spans two of the service's pages of 10: results 9 to 12.
        response = client.get(f"/search?q=tillage&per_page=4&page={page}")
        body = found(response)
        assert body["total"] == 12 and body["page"] == page and body["per_page"] == 4
        assert len(body["items"]) == 4
        seen += [item["page"]["slug"] for item in body["items"]]
        assert 'rel="last"' in response.headers["Link"] and "page=3" in response.headers["Link"]
    assert sorted(seen) == sorted(f"trial-{n}" for n in range(1, 13))
    default = found(client.get("/search?q=tillage"))
    assert default["per_page"] == 10 and len(default["items"]) == 10
    assert [i["page"]["slug"] for i in default["items"]] == seen[:10]  # the same order


def test_a_page_past_the_last_is_empty(api_as, many):
    body = found(api_as("anonymous").get("/search?q=tillage&page=4&per_page=4"))
    assert body["items"] == [] and body["total"] == 12


@pytest.mark.parametrize("query", ["", "?page=1", "?q=x&page=0", "?q=x&per_page=0", "?q=x&per_page=51",
                                   "?q=x&page=two", "?q=x&sort=date"])
def test_wrong_parameters_are_a_400(api_as, query):
    problem(api_as("anonymous").get(f"/search{query}"), 400, "urn:wiki:problem:validation")


# -- broken queries: answered as /search answers them ------------------------------------------------


@pytest.mark.parametrize("query", [
    '"unbalanced', "((soil", "OR", "-", "label:", "nosuch:field", "in:", "updated:yesterday",
    "type:thing", "a" * 10_000, "soil\x00\x07\x1b", "*", '""', "-soil", "%", "\\", "title:soil^2", "",
])
def test_broken_queries_are_searched_as_well_as_they_can_be(api_as, app, make_page, query):
    make_page("Soil", "Soil text.")
    sync(app)
    body = found(api_as("anonymous").get("/search", query_string={"q": query}))
    assert isinstance(body["notices"], list) and body["total"] >= 0


def test_notices_say_what_was_done_with_a_broken_query(api_as):
    client = api_as("anonymous")
    assert "A quote was not closed" in found(client.get('/search?q="unclosed phrase'))["notices"][0]
    body = found(client.get("/search?q=nosuch:thing"))
    assert body["notices"] == ["There is no filter “nosuch:”; searched for the words instead."]
    body = found(client.get("/search", query_string={"q": "x" * 10_000}))
    assert "cut to its first 500 characters" in body["notices"][0] and len(body["query"]) == 500
    french = client.get("/search?q=nosuch:thing", headers={"Accept-Language": "fr"})
    assert "nosuch:" in found(french)["notices"][0] and "There is no" not in found(french)["notices"][0]


def test_notices_say_an_unknown_page_to_search_in_without_telling_a_members_only_one(api_as, secret):
    body = found(api_as("anonymous").get("/search?q=permafrost in:secret-page"))
    assert body["notices"] == ["There is no page “secret-page” to search in."]
    assert found(api_as("member").get("/search?q=permafrost in:secret-page"))["notices"] == []


# -- fresh after a change through the API -------------------------------------------------------------


def test_a_change_through_the_api_is_found_right_after(api_as):
    editor, anonymous = api_as("editor"), api_as("anonymous")
    created = editor.post("/pages", json={"title": "Hedgerows", "markdown": "Hedgerow survey."})
    assert created.status_code == 201
    assert slugs(found(anonymous.get("/search?q=hedgerow"))) == ["hedgerows"]
    saved = editor.put("/pages/hedgerows", json={"markdown": "Pollinator survey."},
                       headers={"If-Match": created.headers["ETag"]})
    assert saved.status_code == 200
    assert found(anonymous.get("/search?q=hedgerow"))["total"] == 1  # still by its title
    assert found(anonymous.get("/search?q=pollinator"))["total"] == 1
    assert editor.patch("/pages/hedgerows", json={"visibility": "members"},
                        headers={"If-Match": saved.headers["ETag"]}).status_code == 200
    assert found(anonymous.get("/search?q=pollinator"))["total"] == 0
    assert found(api_as("member").get("/search?q=pollinator"))["total"] == 1
    assert editor.delete("/pages/hedgerows").status_code == 204
    assert found(api_as("member").get("/search?q=pollinator"))["total"] == 0
