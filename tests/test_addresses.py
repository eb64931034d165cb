"""A page's address is its own: chosen at creation (browser and command line),
changed in its settings (the old one redirects), kept when the title changes;
links find a page by title or by address; bad addresses are refused with a
suggestion and nothing saved."""

import re

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from flask_migrate import downgrade, upgrade

from wiki import services
from wiki.extensions import db
from wiki.models import Page, User

LONG_TITLE = "Monitoring Climate Benefits of Sustainable Land Management"


def page_at(slug):
    return db.session.scalar(db.select(Page).where(Page.slug == slug))


@pytest.fixture
def app(app_factory):
    app = app_factory(COMMENTS_MIN_SECONDS=0)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def editor(users):
    return db.session.get(User, users["editor"])


def new_page(client, **fields):
    data = {"title": "", "slug": "", "body": "Text.", "parent": "", "visibility": "public", **fields}
    return client.post("/new", data=data)


# -- choosing an address ---------------------------------------------------------------


def test_pages_put_creates_the_page_at_the_address_given(app, runner):
    result = runner.invoke(args=["pages", "put", "workshop-2021", "--title", LONG_TITLE], input="Text.")
    assert result.exit_code == 0, result.output
    page = page_at("workshop-2021")
    assert page.title == LONG_TITLE
    # Again with a new title: renamed, the address stays.
    result = runner.invoke(args=["pages", "put", "workshop-2021", "--title", "Workshop 2021"],
                           input="Text.")
    assert result.exit_code == 0 and page_at("workshop-2021").title == "Workshop 2021"


def test_the_new_page_form_takes_an_address_or_makes_one_from_the_title(as_editor):
    assert new_page(as_editor, title=LONG_TITLE, slug="mcb-2021").status_code == 302
    assert page_at("mcb-2021").title == LONG_TITLE
    assert new_page(as_editor, title="Événements à venir").status_code == 302
    assert page_at("événements-à-venir") is not None  # from the title, accents kept
    form = as_editor.get("/new").get_data(as_text=True)
    assert 'name="slug"' in form and 'data-address-from="title"' in form
    assert "/static/address.js" in form


@pytest.mark.parametrize(("slug", "message"), [
    ("Workshop 2021!", "“Workshop 2021!” cannot be an address: use lower-case letters, digits and "
                       "hyphens, for example “workshop-2021”."),
    ("---", "“---” cannot be an address: it needs at least one letter or digit."),
    ("a" * 201, "Addresses are at most 200 characters."),
    ("search", "“search” is one of the wiki's own addresses: choose another, for example "
               "“search-page”."),
    ("new", "“new” is one of the wiki's own addresses"),
    ("admin", "“admin” is one of the wiki's own addresses"),
    ("taken", "The address “taken” is taken by “Taken page”."),
    ("under_score", "for example “under-score”"),
])
def test_a_bad_address_is_refused_and_the_form_kept(as_editor, make_page, slug, message):
    make_page("Taken page")
    services.change_settings(page_at("taken-page"), None, slug="taken")
    before = db.session.scalar(db.select(sa.func.count(Page.id)))
    response = new_page(as_editor, title="Fresh title", slug=slug, body="My typed text.")
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 409)
    assert message in html.replace("&#39;", "'")
    assert "My typed text." in html and 'value="Fresh title"' in html  # nothing lost
    assert db.session.scalar(db.select(sa.func.count(Page.id))) == before


def test_titles_stay_unique_whatever_the_address(as_editor, make_page):
    make_page("Événements 2021")
    for title in ("événements 2021", "Evenements, 2021"):
        response = new_page(as_editor, title=title, slug="another-address")
        assert response.status_code == 409
        assert "A page called “Événements 2021” already exists." in response.get_data(as_text=True)


def test_a_reserved_title_gets_an_address_beside_it(as_editor):
    assert new_page(as_editor, title="Search").status_code == 302
    assert page_at("search-page").title == "Search"


# -- changing it -----------------------------------------------------------------------------


def test_settings_change_the_address_and_the_old_one_redirects(as_editor, make_page):
    make_page(LONG_TITLE)
    old = "monitoring-climate-benefits-of-sustainable-land-management"
    response = as_editor.post(f"/wiki/{old}/settings", data={
        "title": LONG_TITLE, "slug": "mcb", "parent": "", "visibility": "public"})
    assert response.status_code == 302
    assert as_editor.get("/wiki/mcb").status_code == 200
    assert as_editor.get(f"/wiki/{old}").headers["Location"].endswith("/wiki/mcb")
    settings = as_editor.get("/wiki/mcb/settings").get_data(as_text=True)
    assert 'name="slug"' in settings and 'value="mcb"' in settings
    # A bad one changes nothing, the title typed with it included.
    response = as_editor.post("/wiki/mcb/settings", data={
        "title": "Other title", "slug": "Not an address", "parent": "", "visibility": "public"})
    assert response.status_code == 400 and "for example “not-an-address”" in response.get_data(as_text=True)
    assert page_at("mcb").title == LONG_TITLE


def test_a_new_title_keeps_the_address(as_editor, make_page):
    make_page("Draft plan")
    as_editor.post("/wiki/draft-plan/edit", data={"title": "Final plan", "body": "Text.",
                                                  "base_revision": 1})
    as_editor.post("/wiki/draft-plan/settings", data={"title": "Plan", "parent": "",
                                                      "visibility": "public"})
    assert page_at("draft-plan").title == "Plan"
    assert page_at("final-plan") is None and page_at("plan") is None


# -- links ------------------------------------------------------------------------------------


def test_links_find_a_page_by_title_or_by_address(client, make_page, editor):
    target = services.create_page(LONG_TITLE, "Text.", editor, slug="mcb")
    make_page("Links", "[[monitoring climate benefits of sustainable land management]], "
                       "[[MCB|short]], [[Monitoring Climate Benefits of Sustainable Land Mánagement]] "
                       "and [[Nowhere]].")
    html = client.get("/wiki/links").get_data(as_text=True)
    assert len(re.findall(r'<a class="wikilink" href="/wiki/mcb">', html)) == 3
    assert 'class="wikilink missing"' in html  # [[Nowhere]]
    # The link status follows a new title: by the old title, a link is now missing.
    services.change_settings(target, editor, title="Climate benefits")
    html = client.get("/wiki/links").get_data(as_text=True)
    assert len(re.findall(r'<a class="wikilink" href="/wiki/mcb">', html)) == 1  # [[MCB|short]]


# -- plugins work with any address ------------------------------------------------------------


def test_search_labels_comments_and_macros_follow_a_page_to_its_own_address(app, as_editor, make_page,
                                                                              editor):
    parent = make_page("Workshop with a long title", "{{children}}")
    services.change_settings(parent, editor, slug="ws")
    child = make_page("Session one", "Biochar session.", parent=parent)
    services.change_settings(child, editor, slug="s1")
    app.extensions["wiki.search"].indexer.catch_up()
    found = as_editor.get("/search?q=biochar").get_data(as_text=True)
    assert 'class="hit-title" href="/wiki/s1"' in found
    assert as_editor.get("/search?q=biochar+in:ws").get_data(as_text=True).count('class="hit-title"') == 1
    assert as_editor.post("/wiki/s1/labels", data={"label": "biochar"}).status_code in (302, 303)
    assert 'href="/wiki/s1"' in as_editor.get("/labels/biochar").get_data(as_text=True)
    view = as_editor.get("/wiki/s1").get_data(as_text=True)
    stamp = re.search(r'name="comment-stamp" type="hidden" value="([^"]+)"', view).group(1)
    posted = as_editor.post("/comments/page/s1", data={"comment-body": "On its own address.",
                                                       "comment-stamp": stamp,
                                                       "csrf_token": csrf_token(view)})
    assert posted.status_code == 303 and "/wiki/s1#comment-" in posted.headers["Location"]
    assert 'href="/wiki/s1"' in as_editor.get("/wiki/ws").get_data(as_text=True)  # {{children}}


# -- an existing wiki -------------------------------------------------------------------------


def test_an_existing_wiki_keeps_its_addresses_and_gets_title_keys(app):
    downgrade(revision="0003_content_version")
    db.session.execute(sa.text(
        "INSERT INTO page (slug, title, visibility, members_only, created_at, updated_at) "
        "VALUES ('old-style', 'Événements, 2021', 'public', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    db.session.commit()
    upgrade(revision="heads")
    row = db.session.execute(sa.text("SELECT slug, title_key FROM page")).one()
    assert tuple(row) == ("old-style", "evenements-2021")
