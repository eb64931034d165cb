"""An imported Confluence space shows its child pages in Confluence's order
(the sidebar, the ``{{children}}`` macro, a branch opened in place, a page's
child list, a branch's listing), while the wiki's own pages stay
alphabetical; importing again follows Confluence when it reorders pages, and
a page someone moved keeps the order of its new siblings."""

import html
from datetime import datetime

import pytest

from wiki import services
from wiki.cli import _CliUser
from wiki.extensions import db
from wiki.models import ConfluencePage, Page, User
from wiki.transfer.confluence import writer
from wiki.transfer.confluence.model import Page as SourcePage
from wiki.transfer.confluence.model import Space, Version

from .confluence_fixtures import SESSION_TITLES, WORKSHOP_TITLE, workshop_space, write_xml_export

HOME_TITLE = "Climate-Soil CoP Home"
# Confluence's order under the home page and under the workshop; alphabetically
# "About" would come first in one and "Follow up" in the other.
HOME_CHILDREN = [WORKSHOP_TITLE, "Soil Carbon Toolkit", "About"]
WORKSHOP_CHILDREN = [*SESSION_TITLES, "Follow up"]


def order_in(text, titles):
    """``titles`` in the order they first appear in ``text`` (each must)."""
    found = {t: text.find(f">{html.escape(t)}</a>") for t in titles}
    assert all(n >= 0 for n in found.values()), found
    return sorted(titles, key=found.get)


def after(text, start, end):
    return text.split(start, 1)[1].split(end, 1)[0]


def page(title):
    return db.session.scalar(db.select(Page).where(Page.title == title))


@pytest.fixture
def imported(app, runner, tmp_path):
    export = write_xml_export(workshop_space(), tmp_path / "xml")
    result = runner.invoke(args=["pages", "import", str(export)])
    assert result.exit_code == 0, result.output
    return page(HOME_TITLE)


def test_an_imported_space_shows_its_children_in_confluences_order(client, imported, make_page):
    home = client.get(f"/wiki/{imported.slug}").get_data(as_text=True)
    assert order_in(after(home, 'class="sidebar"', "</aside>"), HOME_CHILDREN) == HOME_CHILDREN
    # The home page lists its children with Confluence's children macro, now the wiki's.
    assert order_in(after(home, 'class="macro-children"', "</main>"), HOME_CHILDREN) == HOME_CHILDREN
    fragment = client.get(f"/wiki/{imported.slug}/children").get_data(as_text=True)
    assert order_in(fragment, HOME_CHILDREN) == HOME_CHILDREN
    listing = client.get(f"/pages?parent={imported.slug}").get_data(as_text=True)
    assert order_in(after(listing, 'class="page-index"', "</ul>"), HOME_CHILDREN) == HOME_CHILDREN
    workshop = client.get(f"/wiki/{page(WORKSHOP_TITLE).slug}").get_data(as_text=True)
    for start, end in (('id="children-title"', "</section>"), ('class="sidebar"', "</aside>")):
        assert order_in(after(workshop, start, end), WORKSHOP_CHILDREN) == WORKSHOP_CHILDREN


def test_a_page_added_in_the_wiki_comes_after_the_imported_ones_and_the_wikis_own_stay_alphabetical(
        client, imported, make_page):
    make_page("Aardvark notes", parent=imported)
    for title in ("Zebra", "Antelope"):
        make_page(title)
    fragment = client.get(f"/wiki/{imported.slug}/children").get_data(as_text=True)
    assert order_in(fragment, [*HOME_CHILDREN, "Aardvark notes"]) == [*HOME_CHILDREN, "Aardvark notes"]
    top = client.get("/").get_data(as_text=True)  # the top level: the home page has its place (0)
    assert order_in(after(top, 'id="tree-title"', "</section>"), ["Zebra", "Antelope", HOME_TITLE]) == [
        HOME_TITLE, "Antelope", "Zebra"]


# -- importing again ---------------------------------------------------------------------------


def space(order):
    """A space whose home page has the children ``order`` (titles), in that order."""
    def made(page_id, title, parent, position):
        return SourcePage(page_id, title, parent, position, versions=[
            Version(1, lambda: f"<p>{title}.</p>", None, datetime(2021, 4, 1))])
    ids = {"One": "11", "Two": "12", "Three": "13"}
    return Space("ORD", "Order", "storage", home_page_id="10", pages=[
        made("10", "Start", None, 0), *[made(ids[t], t, "10", n) for n, t in enumerate(order)]])


def run(order, **options):
    return writer.import_space(space(order), _CliUser(), jobs=1, **options)


def children_of(title):
    return [p.title for p in page(title).children if not p.is_deleted]


def test_importing_again_follows_confluence_when_it_reorders_pages(app):
    run(["One", "Two", "Three"])
    assert children_of("Start") == ["One", "Two", "Three"]  # alphabetically: One, Three, Two
    dry = run(["Three", "One", "Two"], dry_run=True)
    assert (dry.pages.updated, dry.pages.unchanged) == (3, 1)
    db.session.expire_all()
    assert children_of("Start") == ["One", "Two", "Three"]  # a dry run writes nothing
    report = run(["Three", "One", "Two"])
    assert (report.pages.updated, report.pages.unchanged) == (3, 1)
    db.session.expire_all()
    assert children_of("Start") == ["Three", "One", "Two"]
    assert run(["Three", "One", "Two"]).pages.unchanged == 4


def test_a_page_moved_away_leaves_its_place_until_the_import_puts_it_back(app, make_page):
    run(["One", "Two", "Three"])
    elsewhere = make_page("Elsewhere")
    editor = db.session.scalar(db.select(User).where(User.username == "editor"))
    services.move_page(page("One"), elsewhere, editor)
    assert page("One").position is None
    services.move_page(page("One"), page("Start"), editor)
    db.session.expire_all()
    assert children_of("Start") == ["Two", "Three", "One"]  # back by hand: by title, after the placed
    assert run(["One", "Two", "Three"]).pages.updated == 1  # the import gives its place back
    db.session.expire_all()
    assert children_of("Start") == ["One", "Two", "Three"]


def test_a_top_page_someone_moved_keeps_the_order_of_its_new_siblings(app, make_page):
    run(["One", "Two", "Three"])
    elsewhere = make_page("Elsewhere")
    make_page("Aaron", parent=elsewhere)
    editor = db.session.scalar(db.select(User).where(User.username == "editor"))
    services.move_page(page("Start"), elsewhere, editor)  # a top page: the import leaves it there
    run(["One", "Two", "Three"])
    db.session.expire_all()
    assert page("Start").parent.title == "Elsewhere" and page("Start").position is None
    assert children_of("Elsewhere") == ["Aaron", "Start"]
    mapping = db.session.scalar(db.select(ConfluencePage).where(ConfluencePage.content_id == "10"))
    assert mapping.position == 0  # where it was in Confluence stays known
