"""A page's children are listed in one order everywhere: the pages with a
place among their siblings (``Page.position``, which an import from
Confluence sets) first, in that order, then the others alphabetically; a page
moved to another parent leaves its place."""

import html

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from wiki import services
from wiki.extensions import db
from wiki.models import Page, User


def order_in(text, titles):
    """``titles`` in the order they first appear in ``text``; each must appear."""
    found = {t: text.find(f">{html.escape(t)}</a>") for t in titles}
    assert all(n >= 0 for n in found.values()), found
    return sorted(titles, key=found.get)


def part(text, start, end):
    return text.split(start, 1)[1].split(end, 1)[0]


@pytest.fixture
def family(app, make_page):
    """"Parent" with four children, two of them placed (as an import places them)."""
    parent = make_page("Parent", "Plain text.\n")
    for title in ("Delta", "alpha", "Charlie", "Bravo"):
        make_page(title, parent=parent)
    for title, position in (("Delta", 0), ("Charlie", 1)):
        page(title).position = position
    db.session.commit()
    return parent


def page(title):
    return db.session.scalar(db.select(Page).where(Page.title == title))


def editor():
    return db.session.scalar(db.select(User).where(User.username == "editor"))


PLACED_FIRST = ["Delta", "Charlie", "alpha", "Bravo"]  # by position, then A to Z (case aside)


def test_placed_children_come_first_in_every_listing_the_others_alphabetically(client, family, make_page):
    view = client.get("/wiki/parent").get_data(as_text=True)
    assert order_in(part(view, 'class="sidebar"', "</aside>"), PLACED_FIRST) == PLACED_FIRST
    assert order_in(part(view, 'id="children-title"', "</section>"), PLACED_FIRST) == PLACED_FIRST
    fragment = client.get("/wiki/parent/children").get_data(as_text=True)
    assert order_in(fragment, PLACED_FIRST) == PLACED_FIRST
    listing = client.get("/pages?parent=parent").get_data(as_text=True)
    assert order_in(part(listing, 'class="page-index"', "</ul>"), PLACED_FIRST) == PLACED_FIRST
    # The macro, two levels down: each level in the same order.
    make_page("Top", "{{children depth=2}}\n")
    services.move_page(family, page("Top"), editor())
    macro = part(client.get("/wiki/top").get_data(as_text=True), 'class="macro-children"', "</main>")
    assert order_in(macro, ["Parent", *PLACED_FIRST]) == ["Parent", *PLACED_FIRST]


def test_pages_without_a_place_stay_alphabetical(client, make_page):
    parent = make_page("Plain parent", "{{children}}\n")
    titles = ["Zulu", "echo", "Écho 2", "Mike"]
    for title in titles:
        make_page(title, parent=parent)
    expected = ["echo", "Écho 2", "Mike", "Zulu"]  # as titles compare: case and accents aside
    view = client.get("/wiki/plain-parent").get_data(as_text=True)
    assert order_in(part(view, 'class="macro-children"', "</main>"), titles) == expected
    assert order_in(part(view, 'class="sidebar"', "</aside>"), titles) == expected
    assert order_in(client.get("/wiki/plain-parent/children").get_data(as_text=True), titles) == expected


def test_two_pages_at_the_same_place_go_by_title(client, family):
    page("Bravo").position = 0
    db.session.commit()
    fragment = client.get("/wiki/parent/children").get_data(as_text=True)
    assert order_in(fragment, PLACED_FIRST) == ["Bravo", "Delta", "Charlie", "alpha"]


def test_a_page_moved_to_another_parent_leaves_its_place(as_editor, family, make_page):
    make_page("Elsewhere")
    moved = as_editor.post("/wiki/delta/settings", data={"title": "Delta", "parent": "elsewhere",
                                                          "visibility": "public"})
    assert moved.status_code == 302 and page("Delta").position is None
    as_editor.post("/wiki/delta/settings", data={"title": "Delta", "parent": "parent",
                                                  "visibility": "public"})
    fragment = as_editor.get("/wiki/parent/children").get_data(as_text=True)
    assert order_in(fragment, PLACED_FIRST) == ["Charlie", "alpha", "Bravo", "Delta"]  # by title now


def test_settings_that_do_not_move_a_page_keep_its_place(as_editor, family):
    renamed = as_editor.post("/wiki/charlie/settings", data={"title": "Charlie 2", "parent": "parent",
                                                              "visibility": "members"})
    assert renamed.status_code == 302
    assert (page("Charlie 2").position, page("Charlie 2").parent.title) == (1, "Parent")


def test_children_moved_up_by_a_deletion_leave_their_place(app, family, make_page):
    grand = make_page("Grandparent")
    services.move_page(family, grand, editor())
    services.delete_page(family, editor())
    assert {p.title: p.position for p in grand.children if not p.is_deleted} == dict.fromkeys(PLACED_FIRST)


def test_a_level_is_read_in_order_from_the_index(app, family):
    """The tree reads the first 50 of a level without sorting the whole level:
    the order has an index (checked on SQLite, where the plan is stable)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the query plan is SQLite's")
    from wiki.models import AnonymousUser, visible_pages

    for parent in (Page.parent_id == family.id, Page.parent_id.is_(None)):
        query = visible_pages(AnonymousUser()).with_only_columns(Page.id).where(parent) \
            .order_by(*Page.sibling_order()).limit(50)
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = " | ".join(row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "ix_page_sibling_order" in plan and "TEMP B-TREE" not in plan, plan


def test_the_migration_keeps_every_page_and_goes_back(app, family):
    downgrade(revision="0005_confluence_import")
    assert "position" not in {c["name"] for c in sa.inspect(db.engine).get_columns("page")}
    upgrade(revision="heads")
    db.session.expire_all()
    assert [p.position for p in db.session.scalars(db.select(Page).order_by(Page.id))] == [None] * 5
    assert "ix_page_sibling_order" in {i["name"] for i in sa.inspect(db.engine).get_indexes("page")}
