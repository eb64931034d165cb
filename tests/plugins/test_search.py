"""Search: languages, query syntax, filters, visibility, sync with every change,
crash recovery, concurrent writers, reindex and check, bad queries.

The conformance suite of the search engines: every test runs once per engine
(``ENGINES``), so a search behaves the same whichever engine answers it.
"""

import re
from datetime import datetime
from pathlib import Path

import pytest

from plugins.search.engine import Cursor, Document
from wiki import services
from wiki.extensions import db
from wiki.models import AnonymousUser, User

QUIET = {"COMMENTS_MIN_SECONDS": 0, "COMMENTS_RATE_LIMIT": [1000, 60], "SEARCH_BUILD_WAIT": 30}
ENGINES = ["whoosh", "sqlite"]


@pytest.fixture(params=ENGINES)
def engine_name(request):
    return request.param


@pytest.fixture
def settings(engine_name):
    """The app settings of these tests, on the engine under test."""
    return {**QUIET, "SEARCH_ENGINE": engine_name}


@pytest.fixture
def app(app_factory, settings):
    app = app_factory(**settings)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def editor(users):
    return db.session.get(User, users["editor"])


def search(client, q, **params):
    """(total, hit links, html) of /search?q=..."""
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    total = int(re.search(r'id="results-title">(\d+) result', html).group(1)) if \
        'id="results-title"' in html else 0
    links = re.findall(r'class="hit-title" href="([^"]+)"', html)
    return total, links, html


def slugs(links):
    return [link.split("/wiki/")[1].split("#")[0] for link in links]


def sync(app):
    """What a request does after changing something (tests that call the
    services directly, outside a request, apply the queue themselves)."""
    app.extensions["wiki.search"].indexer.catch_up()


# -- languages -------------------------------------------------------------------


@pytest.fixture
def corpus(app, make_page):
    make_page("Soil notes", "Les carbones du sol sont mesurés chaque année.")
    make_page("Carbone", "Le carbone organique.")
    make_page("Agenda", "Un événement de formation au Burkina Faso.")
    make_page("Methods", "Carbon stocks were monitored in 2021 by remote sensing.")
    make_page("Phrases", "We sample soil organic carbon. Organic soil is different.")
    sync(app)


@pytest.mark.parametrize(("query", "expected"), [
    # French stemming finds "carbones"; the English stem of "carbone" is
    # "carbon", so English pages about carbon come too (wanted: same topic).
    ("carbone", {"soil-notes", "carbone", "methods", "phrases"}),
    ("carbones", {"soil-notes", "carbone", "methods", "phrases"}),
    ("evenement", {"agenda"}),                       # accents folded
    ("événement", {"agenda"}),
    ("monitoring", {"methods"}),                     # English stemming: monitored
    ('"soil organic carbon"', {"phrases"}),          # exact phrase only
    ('"organic soil"', {"phrases"}),
    ('"soil carbon"', set()),                        # the words, but not in that order
    ("monitor*", {"methods"}),                       # prefix
    ("formation OR monitoring", {"agenda", "methods"}),
    ("carbone -organique", {"soil-notes", "methods"}),  # exclusion; "organic" shares the stem
    ("formation burkina", {"agenda"}),               # all words must match
    ("formation remote", set()),
])
def test_languages_phrases_and_operators(client, corpus, query, expected):
    total, links, _ = search(client, query)
    assert set(slugs(links)) == expected
    assert total == len(expected)


def test_title_weighs_more_than_body(client, app, make_page):
    make_page("Mulching", "Notes about cover crops.")
    make_page("Cover crops", "Something about mulching, once.")
    sync(app)
    _, links, _ = search(client, "mulching")
    assert slugs(links) == ["mulching", "cover-crops"]


def test_a_word_found_in_a_title_is_marked_there(client, app, make_page):
    make_page("Mulching <trials>", "Notes about cover crops.")
    sync(app)
    _, _, html = search(client, "mulch")
    title = re.search(r'class="hit-title" href="[^"]+">(.*?)</a>', html).group(1)
    assert title == "<mark>Mulching</mark> &lt;trials&gt;"


def test_a_hit_found_by_its_title_only_shows_the_beginning_of_its_text(client, app, make_page):
    words = " ".join(f"word{i}" for i in range(80))
    make_page("Biochar", f"Intro text without the word. {words}\n\n??? \"Later\"\n    Folded text.\n")
    sync(app)
    _, links, html = search(client, "biochar")
    assert links == ["/wiki/biochar"]  # the page, not a section
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert "<mark>" not in snippet
    assert snippet.startswith("Intro text without the word. word0 word1")
    assert snippet.endswith("…") and len(snippet) <= 241
    assert re.search(r"word\d+…$", snippet), "cut at a word"


def test_snippets_are_escaped_and_highlighted(client, app, make_page):
    make_page("Hostile", "Watch out: `<script>alert('carbon')</script>` and <b>carbon</b> text.")
    sync(app)
    _, _, html = search(client, "carbon")
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert "<script" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>carbon</mark>" in snippet
    assert "<b>" not in snippet


# -- filters and facets ------------------------------------------------------------


def test_filters_type_author_in_and_updated(client, app, make_page, users):
    from plugins.comments.service import post_comment

    workshop = make_page("Workshop 2021", "Soil workshop.")
    child = make_page("Session one", "Soil session.", parent=workshop)
    make_page("Elsewhere", "Soil elsewhere.")
    member = db.session.get(User, users["member"])
    post_comment(child, member, "A soil question from a member.")
    post_comment(child, AnonymousUser(), "Anonymous soil remark.", anon_name="Jeanne")
    sync(app)

    assert search(client, "soil type:comment")[0] == 2
    assert search(client, "soil type:page")[0] == 3
    assert search(client, "soil author:member")[0] == 1
    assert search(client, "soil author:jeanne")[0] == 1
    assert set(slugs(search(client, "soil in:workshop-2021")[1])) == {"workshop-2021", "session-one"}
    assert search(client, "soil in:no-such-page")[0] == 0
    today = datetime.now().date().isoformat()
    assert search(client, f"soil updated:>={today}")[0] == 5
    assert search(client, "soil updated:<2000-01-01")[0] == 0
    assert search(client, "soil updated:>2000-01-01 type:page")[0] == 3
    # Each filter can exclude too.
    assert search(client, "soil -type:comment")[0] == 3
    assert search(client, "soil -author:member")[0] == 4
    assert slugs(search(client, "soil -in:workshop-2021")[1]) == ["elsewhere"]  # and its comments
    assert search(client, "type:comment -author:jeanne")[0] == 1  # filters only, no words
    assert search(client, "author:jeanne")[0] == 1


def test_an_exclusion_also_removes_the_first_match(client, app, make_page, users):
    """The first document a query matches is excluded like the others, also
    when the excluded word's documents start earlier (Whoosh's own "and not"
    kept it)."""
    from plugins.comments.service import post_comment

    page = make_page("Soil", "Soil text.")
    member = db.session.get(User, users["member"])
    post_comment(page, member, "A soil question.")
    post_comment(page, member, "Another question.")
    sync(app)
    assert search(client, "type:comment -soil")[0] == 1
    assert search(client, "question -soil")[0] == 1
    assert search(client, "question -another")[0] == 1


def test_label_filters_include_and_exclude(client, app, auth, make_page):
    for title, label in (("Plot one", "grazing"), ("Plot two", "compost"), ("Plot three", None)):
        make_page(title, "Plot notes.")
        if label:
            auth.login("editor")
            client.post(f"/wiki/{title.lower().replace(' ', '-')}/labels", data={"label": label})
            auth.logout()
    sync(app)
    assert slugs(search(client, "plot label:grazing")[1]) == ["plot-one"]
    assert set(slugs(search(client, "plot -label:grazing")[1])) == {"plot-two", "plot-three"}
    assert search(client, "plot label:grazing label:compost")[0] == 0
    assert slugs(search(client, "label:compost")[1]) == ["plot-two"]  # a filter alone
    assert search(client, "plot label:nothing-has-this")[0] == 0


def test_facets_count_types_of_the_result_set(client, app, make_page, users):
    from plugins.comments.service import post_comment

    page = make_page("Facets", "Compost compost.")
    post_comment(page, db.session.get(User, users["member"]), "Compost too.")
    sync(app)
    _, _, html = search(client, "compost")
    facets = html.split('class="facets"')[1]
    assert re.search(r">pages</a> <span class=\"count\">1<", facets)
    assert re.search(r">comments</a> <span class=\"count\">1<", facets)


def test_a_facet_never_adds_a_filter_the_query_has(client, app, auth, make_page):
    make_page("Paddock notes", "Rotational grazing.")
    make_page("Paddock plan", "Rotational plan.")
    auth.login("editor")
    client.post("/wiki/paddock-notes/labels", data={"label": "grazing"})
    client.post("/wiki/paddock-plan/labels", data={"label": "grazing"})
    _, _, html = search(client, "rotational label:grazing")
    facets = html.split('class="facets"')[1]
    assert "label:grazing+label:grazing" not in html and "label:grazing label:grazing" not in html
    # The applied filter shows as applied, with a link that removes it.
    assert re.search(r'<span class="facet-applied" aria-current="true">grazing</span> <span class="count">2'
                     r'</span> <a class="facet-remove" href="/search\?q=rotational"', facets)
    # The labels of each hit do not add it twice either.
    assert re.findall(r'class="label" href="([^"]+)"', html) == ["/search?q=rotational+label:grazing"] * 2
    _, _, html = search(client, "rotational")
    assert '<a href="/search?q=rotational+label:grazing">grazing</a> <span class="count">2</span>' in html


def test_pagination(client, app, make_page):
    for i in range(13):
        make_page(f"Biochar note {i}", "biochar")
    sync(app)
    total, first, html = search(client, "biochar")
    assert total == 13 and len(first) == 10 and "page 1 of 2" in html
    _, second, _ = search(client, "biochar", page=2)
    assert len(second) == 3 and not set(first) & set(second)


# -- links to comments and folded sections ---------------------------------------------


def test_comment_hit_links_to_the_comment(client, app, make_page, users):
    from plugins.comments.service import post_comment

    page = make_page("Questions", "Ask here.")
    comment = post_comment(page, db.session.get(User, users["member"]),
                           "Quelle profondeur d'échantillonnage ?").comment
    sync(app)
    _, links, html = search(client, "echantillonnage")
    assert links == [f"/wiki/questions#comment-{comment.id}"]
    assert "Comment on “Questions”" in html


def test_hit_inside_a_folded_section_links_to_it(client, app, make_page):
    make_page("Folded", "Intro text.\n\n??? \"Background\"\n    The agroforestry history.\n")
    sync(app)
    _, links, html = search(client, "agroforestry")
    assert links == ["/wiki/folded#section-background"]
    assert "in the section “Background”" in html
    # The anchor is a <details> the expand plugin's script opens on arrival.
    page_html = client.get("/wiki/folded").get_data(as_text=True)
    assert '<details id="section-background"' in page_html


# -- visibility --------------------------------------------------------------------------


@pytest.fixture
def secret(app, make_page, users):
    from plugins.comments.service import post_comment

    make_page("Public page", "Open permafrost notes.")
    hidden = make_page("Secret page", "Members permafrost notes. Xylophone.", visibility="members")
    post_comment(hidden, db.session.get(User, users["member"]), "Secret permafrost comment.")
    sync(app)


def test_members_only_pages_and_comments_stay_hidden_from_anonymous(client, secret):
    total, links, html = search(client, "permafrost")
    assert total == 1 and slugs(links) == ["public-page"]
    assert "Secret" not in html
    assert ">comments</a>" not in html  # not even in the facets
    # No suggestion built from a members-only word either.
    total, _, html = search(client, "xylophon")
    assert total == 0 and "Did you mean" not in html
    # Queries of filters and exclusions only are held to the same rule.
    assert search(client, "type:comment")[0] == 0
    total, links, _ = search(client, "type:page -xylophone")
    assert total == 1 and slugs(links) == ["public-page"]
    assert search(client, "type:page -open")[0] == 0


@pytest.mark.parametrize("role", ["member", "editor", "admin"])
def test_every_signed_in_role_sees_members_only_documents(client, auth, secret, role):
    auth.login(role)
    total, links, html = search(client, "permafrost")
    assert total == 3 and "Secret page" in html
    assert search(client, "xylophone")[0] == 1
    assert search(client, "type:comment")[0] == 1
    auth.logout()
    assert search(client, "permafrost")[0] == 1


def test_members_see_everything(client, auth, secret):
    auth.login("member")
    total, links, _ = search(client, "permafrost")
    assert total == 3
    assert search(client, "xylophone")[0] == 1


def test_did_you_mean(client, app, make_page):
    make_page("Compost", "Compost and mulch.")
    sync(app)
    total, _, html = search(client, "compots")
    assert total == 0
    assert re.search(r'Did you mean <a href="/search\?q=compost">compost</a>', html)


# -- sync: every kind of change shows right after its request ------------------------------


def test_sync_after_page_changes_through_the_browser(client, auth, make_page, app):
    auth.login("editor")
    client.post("/new", data={"title": "Tillage", "body": "Zero tillage trial.", "visibility": "public"})
    assert slugs(search(client, "tillage")[1]) == ["tillage"]
    client.post("/wiki/tillage/edit", data={"title": "Tillage", "body": "Reduced ploughing.",
                                            "base_revision": 1})
    assert search(client, "zero")[0] == 0 and search(client, "ploughing")[0] == 1
    client.post("/wiki/tillage/settings", data={"title": "Ploughing", "slug": "ploughing", "parent": "",
                                                "visibility": "public"})
    assert slugs(search(client, "ploughing")[1]) == ["ploughing"]
    make_page("Trials")
    client.post("/wiki/ploughing/settings", data={"title": "Ploughing", "parent": "trials",
                                                  "visibility": "public"})
    assert slugs(search(client, "ploughing in:trials")[1]) == ["ploughing"]
    client.post("/wiki/trials/settings", data={"title": "Trials", "parent": "", "visibility": "members"})
    auth.logout()
    assert search(client, "ploughing")[0] == 0  # the child became members-only with its parent
    auth.login("editor")
    client.post("/wiki/ploughing/delete")
    assert search(client, "ploughing")[0] == 0
    auth.logout()
    auth.login("admin")
    page_id = db.session.scalar(db.select(db.text("id FROM page WHERE slug = 'ploughing'")))
    client.post(f"/admin/trash/{page_id}/restore")
    assert search(client, "ploughing")[0] == 1
    client.post("/wiki/ploughing/revert/1")
    assert search(client, "tillage")[0] == 1


def test_sync_after_comment_changes(client, auth, app, make_page):
    from test_comments import posted

    page = make_page("Thread", "A page.")
    auth.login("member")
    comment = posted(client, page, "Vermicompost question.")
    total, links, _ = search(client, "vermicompost")
    assert links == [f"/wiki/thread#comment-{comment.id}"]
    client.post(f"/comments/{comment.id}/edit", data={"comment-body": "Biochar question."})
    assert search(client, "vermicompost")[0] == 0 and search(client, "biochar")[0] == 1
    auth.logout()
    auth.login("editor")
    client.post(f"/comments/{comment.id}/hide")
    assert search(client, "biochar")[0] == 0
    client.post(f"/comments/{comment.id}/show")
    assert search(client, "biochar")[0] == 1
    client.post(f"/comments/{comment.id}/delete")
    assert search(client, "biochar")[0] == 0


def test_comments_follow_their_page_renamed_moved_and_hidden(client, auth, app, make_page):
    from test_comments import posted

    page = make_page("Field day", "A page.")
    make_page("Archive")
    auth.login("member")
    posted(client, page, "Quinoa question.")
    auth.logout()
    auth.login("editor")
    client.post("/wiki/field-day/settings", data={"title": "Field trip", "parent": "archive",
                                                 "visibility": "public"})
    _, _, html = search(client, "quinoa in:archive")
    assert "Comment on “Field trip”" in html and 'href="/wiki/archive">Archive</a>' in html
    client.post("/wiki/archive/settings", data={"title": "Archive", "parent": "", "visibility": "members"})
    auth.logout()
    assert search(client, "quinoa")[0] == 0  # the comment's page became members-only


# -- durability ---------------------------------------------------------------------------


def test_changes_left_by_a_crash_are_applied_on_the_next_start(app_factory, settings, monkeypatch):
    app = app_factory(**settings)
    with app.app_context():
        from wiki.accounts import create_user
        from wiki.models import Page

        editor = create_user("ed", "password123", "editor")
        services.create_page("Before", "Peat bogs.", editor)
        sync(app)
        # The process dies after the commit, before it writes the index.
        with monkeypatch.context() as crash:
            crash.setattr(type(app.extensions["wiki.search"].indexer), "catch_up",
                          lambda self, wait=None: None)
            services.create_page("Lost in flight", "Peat moss.", editor)
        assert db.session.scalar(db.select(db.func.count(Page.id))) == 2
        db.session.info.pop("search_dirty", None)
    # A new process (same instance folder) starts and answers a search.
    restarted = app_factory(**settings)
    total, links, _ = search(restarted.test_client(), "peat")
    assert total == 2 and "/wiki/lost-in-flight" in links


def test_missing_or_damaged_index_is_rebuilt(client, app, make_page, caplog):
    import shutil

    make_page("Humus", "Humus layer.")
    sync(app)
    root = Path(app.extensions["wiki.search"].engine.folder.root)
    shutil.rmtree(root)
    assert search(client, "humus")[0] == 1
    assert "indexing the database" in caplog.text
    current = root / (root / "CURRENT").read_text().strip()
    for path in current.iterdir():
        path.write_bytes(b"garbage" * 1000)
    app.extensions["wiki.search"].engine.forget()  # as a freshly started process
    caplog.clear()
    assert search(client, "humus")[0] == 1
    assert "missing or damaged; indexing the database" in caplog.text


def test_reindex_and_check(app, runner, make_page):
    make_page("Loess", "Loess soils.")
    sync(app)
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 1 documents." in result.output
    check = runner.invoke(args=["reindex", "--check"])
    assert check.exit_code == 0, check.output
    assert "0 missing, 0 stale, 0 extra" in check.output

    engine = app.extensions["wiki.search"].engine
    page = make_page("Clay", "Clay soils.")
    sync(app)
    with engine.writing(timeout=5) as batch:  # damage the index behind the log's back
        batch.write([(f"page:{page.id}", None), ("page:999", _fake_doc())])
    check = runner.invoke(args=["reindex", "--check"])
    assert check.exit_code == 1
    assert f"missing: page:{page.id}" in check.output and "extra: page:999" in check.output
    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert runner.invoke(args=["reindex", "--check"]).exit_code == 0


def _fake_doc():
    return Document(id="page:999", type="page", page_id=999, slug="ghost", title="Ghost", body="boo",
                    updated=datetime(2020, 1, 1), members_only=False, version="x")


# -- bad queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    '"unbalanced', "((soil", "soil)", "OR", "-", "AND OR -", "label:", "nosuch:field", "in:",
    "updated:yesterday", "type:thing", "a" * 10_000, "soil\x00\x07\x1b", "*", "**soil", '""',
    "\u202e\ufeff", "soil:*", "-soil", "%", "\\", "NOT", "title:soil^2",
])
def test_bad_queries_never_fail(client, app, make_page, query):
    make_page("Soil", "Soil text.")
    sync(app)
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200


def test_bad_queries_explain_what_was_done(client, app):
    _, _, html = search(client, '"unclosed phrase')
    assert "A quote was not closed" in html
    _, _, html = search(client, "nosuch:thing")
    assert "There is no filter “nosuch:”" in html
    _, _, html = search(client, "x" * 10_000)
    assert "cut to its first 500 characters" in html


def test_empty_search_page(client):
    response = client.get("/search")
    assert response.status_code == 200 and "How to search" in response.get_data(as_text=True)


def test_search_box_on_every_page(client, make_page):
    make_page("Anywhere")
    for url in ("/", "/wiki/anywhere", "/login"):
        assert 'role="search"' in client.get(url).get_data(as_text=True)


# -- labels ---------------------------------------------------------------------------------


def test_labels_are_searched_filtered_faceted_and_synced(client, auth, app, make_page):
    make_page("Grazing trial", "Rotational paddocks.")
    make_page("Paddock notes", "Rotational grazing once.")
    auth.login("editor")
    client.post("/wiki/paddock-notes/labels", data={"label": "Soil Carbon"})
    # The label shows in search right after the request, as a filter and a facet.
    total, links, html = search(client, "rotational label:soil-carbon")
    assert slugs(links) == ["paddock-notes"]
    facets = html.split('class="facets"')[1]
    assert re.search(r'aria-current="true">soil-carbon</span> <span class="count">1<', facets)
    # A word of a label matches, and weighs more than the body.
    assert slugs(search(client, "carbon")[1]) == ["paddock-notes"]
    client.post("/wiki/paddock-notes/labels/remove", data={"label": "soil-carbon"})
    assert search(client, "label:soil-carbon")[0] == 0


def test_a_rebuild_covers_the_recent_log(app, make_page, monkeypatch):
    """Right after a rebuild, nothing is applied again (a big import would
    otherwise be re-indexed by the next request)."""
    for i in range(5):
        make_page(f"Recent {i}", "Fresh text.")
    indexer = app.extensions["wiki.search"].indexer
    indexer.rebuild()
    applied = []
    monkeypatch.setattr("plugins.search.changes.resolve", lambda keys: applied.append(keys) or [])
    indexer.catch_up()
    assert applied == []


def test_old_log_rows_are_pruned_and_a_stale_index_rebuilt(app, make_page, caplog):
    from datetime import timedelta

    from plugins.search.changes import prune, pruned_through
    from plugins.search.models import SearchChange
    from wiki.models import utcnow

    make_page("Tundra", "Permafrost thaw.")
    sync(app)
    indexer = app.extensions["wiki.search"].indexer
    db.session.execute(db.update(SearchChange).values(created_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    cut = prune(utcnow() - timedelta(days=7))
    assert cut > 0 and pruned_through() == cut
    assert db.session.scalar(db.select(db.func.count(SearchChange.id))) == 0
    # An index that had not applied those rows (a server back from a long
    # absence) cannot catch up from the log any more: it is rebuilt.
    with indexer.engine.writing(timeout=5) as batch:
        batch.cursor = Cursor()
    indexer.catch_up()
    assert "older than the change log" in caplog.text
    assert indexer.engine.cursor().applied >= cut


@pytest.mark.parametrize("query", ["updated:>9999-12-31", "updated:<0001-01-01"])
def test_dates_at_the_edge_of_the_calendar(client, query):
    _, _, html = search(client, query)
    assert "outside the calendar" in html
