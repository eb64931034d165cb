"""A page view does not grow with the wiki: the sidebar and the home page show
at most 50 pages of a level (the page being read always among them),
folded branches open in place, and "All pages" lists the rest, A to Z."""

import re

import pytest

from wiki.extensions import db
from wiki.models import Page, Revision
from wiki.tree import LEVEL_LIMIT


def bulk_pages(titles, parent=None, visibility="public"):
    """Pages without the page services (thousands of them, quickly)."""
    made = []
    for title in titles:
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        page = Page(slug=slug, title=title, parent=parent, visibility=visibility,
                    members_only=visibility == "members" or bool(parent and parent.members_only))
        rev = Revision(page=page, number=1, title=title, body="Text.", html="<p>Text.</p>")
        page.current_revision = rev
        db.session.add_all([page, rev])
        made.append(page)
    db.session.commit()
    return made


def sidebar(html):
    return html.split('class="sidebar"')[1].split("</aside>")[0]


def test_a_page_view_stays_small_in_a_wiki_of_2000_top_level_pages(client, make_page):
    bulk_pages(f"Page {i:04d}" for i in range(2000))
    page = make_page("Zz last alphabetically", "A page of about three kilobytes. " * 90)
    response = client.get(f"/wiki/{page.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(response.data) < 40_000, len(response.data)
    tree = sidebar(html)
    assert tree.count("<li") == LEVEL_LIMIT + 1  # the first 49, the page being read, "All pages…"
    assert 'aria-current="page">Zz last alphabetically</a>' in tree
    assert "Page 0000" in tree and "Page 0049" not in tree
    assert 'href="/pages">All pages… (1951 more)</a>' in tree
    home = client.get("/")
    assert len(home.data) < 40_000 and "All pages… (1951 more)" in home.get_data(as_text=True)


def test_the_path_to_the_page_is_always_open(client, make_page):
    top = make_page("Workshops")
    bulk_pages((f"Session {i:03d}" for i in range(120)), parent=top)
    deep = make_page("Session zz", "Deep.", parent=db.session.scalar(
        db.select(Page).where(Page.slug == "session-119")))
    tree = sidebar(client.get(f"/wiki/{deep.slug}").get_data(as_text=True))
    assert 'aria-current="page">Session zz</a>' in tree
    assert ">Session 119</a>" in tree  # its parent, beyond the first 50 of its level
    assert 'href="/pages?parent=workshops">70 more…</a>' in tree  # 120, 50 of them shown


def test_a_folded_branch_opens_with_its_children_as_the_reader_may_see_them(client, auth, make_page):
    top = make_page("Projects")
    bulk_pages((f"Project {i:02d}" for i in range(60)), parent=top)
    make_page("Board", "Members only.", parent=top, visibility="members")
    fragment = client.get("/wiki/projects/children")
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.startswith('<ul class="tree">')
    assert html.count("<li") == LEVEL_LIMIT + 1 and 'href="/pages?parent=projects">10 more…</a>' in html
    assert "Board" not in html
    secret = make_page("Secret", "x", visibility="members")
    bulk_pages(["Hidden child"], parent=secret)
    assert client.get("/wiki/secret/children").status_code == 404
    auth.login("member")
    assert "Hidden child" in client.get("/wiki/secret/children").get_data(as_text=True)
    assert "Board" in client.get("/wiki/projects/children?x=1").get_data(as_text=True)
    # The page of a folded branch shows a way to open it; without the script, a link.
    home = client.get("/").get_data(as_text=True)
    assert 'data-children="/wiki/projects/children"' in home and 'href="/wiki/projects"' in home


def index(client, **args):
    html = client.get("/pages", query_string=args).get_data(as_text=True)
    listed = html.split('class="page-index"')[1].split("</ul>")[0] if 'class="page-index"' in html else ""
    return re.findall(r'<li><a href="/wiki/[^"]+"[^>]*>([^<]+)</a>', listed), html


def test_all_pages_are_listed_a_to_z_a_page_at_a_time(client, make_page):
    bulk_pages(["banana", "Apple", "cherry"])
    make_page("Été indien")
    make_page("Zebra crossing")
    titles, html = index(client)
    assert titles == ["Apple", "banana", "cherry", "Été indien", "Zebra crossing"]  # case and accents aside
    bulk_pages(f"Note {i:03d}" for i in range(100))
    titles, html = index(client)
    assert len(titles) == 50 and "page 1 of 3" in html and 'rel="next"' in html
    titles, html = index(client, page=3)
    assert titles == [f"Note {i:03d}" for i in range(96, 100)] + ["Zebra crossing"]
    assert index(client, page=99)[0] == titles  # past the end: the last page


@pytest.mark.parametrize(("q", "expected"), [
    ("note 00", [f"Note 00{i}" for i in range(10)]),
    ("ETE", ["Été indien"]),
    ("%", []),
    ("_", []),
    ("", ["Été indien", *[f"Note {i:03d}" for i in range(49)]]),
])
def test_the_index_filters_by_title(client, make_page, q, expected):
    make_page("Été indien")
    bulk_pages(f"Note {i:03d}" for i in range(100))
    assert index(client, q=q)[0] == expected


def test_the_index_shows_only_what_the_reader_may_see(client, auth, make_page):
    make_page("Open notes")
    make_page("Board minutes", "x", visibility="members")
    assert index(client)[0] == ["Open notes"]
    assert index(client, q="board")[0] == []
    auth.login("member")
    assert index(client)[0] == ["Board minutes", "Open notes"]


def test_the_index_lists_the_children_of_a_page(client, make_page):
    top = make_page("Workshop")
    make_page("Session B", parent=top)
    make_page("Session A", parent=top)
    make_page("Elsewhere")
    titles, html = index(client, parent="workshop")
    assert titles == ["Session A", "Session B"] and "Pages under “Workshop”" in html
    assert client.get("/pages?parent=no-such-page").status_code == 404
