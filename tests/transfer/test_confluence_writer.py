"""Writing an imported Confluence space: pages in their tree with their
history, titles and addresses, labels, authors as accounts, comments and
files handed to the plugins that keep them, the mapping that old addresses
and links go through; importing again; a bad page left out, never half there.

The spaces are built here as the export readers build them (``model.Space``),
and a stand-in converter takes their bodies, which are Markdown with three
markers a real converter would turn into wiki text: ``{link:Title}``,
``{user:key}`` and ``{macro:name}``."""

import re
from collections import Counter
from datetime import datetime
from typing import NamedTuple

import pytest
from conftest import PASSWORD

from wiki import services
from wiki.accounts import create_user
from wiki.cli import _CliUser
from wiki.extensions import db
from wiki.hookspecs import hookimpl
from wiki.models import ConfluenceAccount, ConfluencePage, Page, PageEvent, Revision, User
from wiki.plugins import hook
from wiki.transfer.confluence import writer
from wiki.transfer.confluence.model import (
    Attachment,
    Comment,
    FileVersion,
    MissingData,
    Person,
    Problem,
    Space,
)
from wiki.transfer.confluence.model import Page as SourcePage
from wiki.transfer.confluence.model import Version as SourceVersion


class Converted(NamedTuple):
    markdown: str
    placeholders: Counter
    notes: list


def convert(text, context):
    """A stand-in for the converters: resolves the markers through ``context``."""
    placeholders = Counter(re.findall(r"\{macro:(\w+)\}", text))
    text = re.sub(r"\{macro:(\w+)\}", r"[macro \1]", text)
    text = re.sub(r"\{link:([^}]*)\}", lambda m: f"[[{context.page_title_for(title=m[1]) or m[1]}]]", text)
    text = re.sub(r"\{user:([^}]*)\}", lambda m: context.user_name(key=m[1]) or "someone", text)
    notes = ["a table was flattened"] if "<table>" in text else []
    return Converted(text, placeholders, notes)


def when(day, hour=12):
    return datetime(2021, 4, day, hour)


def version(number, text, author="jane", day=1, message=""):
    return SourceVersion(number, lambda: text, author, when(day), message)


def missing(what):
    def read():
        raise MissingData(f"{what} is missing from the export")
    return read


def comment(cid, text, author="jane", parent=None, day=10, modified=None):
    return Comment(cid, parent, author, when(day), modified, lambda: text)


def people():
    return {
        "jane": Person("jane", "jane", "jane@example.org", "Jane Doe"),
        "k-paul": Person("k-paul", "paul.luu@example.org", None, "Paul Luu"),
        "organiser": Person("organiser", "organiser", None, "CoP Organiser"),
    }


def workshop_space():
    """A workshop page with history, two sessions under it, labels, a thread, a file."""
    home = SourcePage("100", "Workshop 2021", None, 0, versions=[
        version(1, "## Agenda\n", day=1),
        version(2, "## Agenda\n\nSessions: {link:Session 1 - Topic 1}.\n", author="k-paul", day=2,
                message="Added the sessions"),
        version(3, "## Agenda\n\nSessions: {link:Session 1 - Topic 1}. {macro:jira} {macro:jira}\n"
                   "Ask {user:organiser}.\n", day=3),
    ], labels=["workshop", "Soil Carbon"], comments=[
        comment("c1", "Where are the slides?", author=None, day=10),
        comment("c2", "Attached to the session pages.", author="organiser", parent="c1", day=11),
        comment("c3", "Me too. I am getting this error", author="k-paul", parent="c1", day=12,
                modified=when(13)),
        comment("c4", "Merci pour l'atelier !", author=None, day=14),
    ], attachments=[Attachment("a1", "agenda.pdf", versions=[
        FileVersion(1, lambda: _bytes(b"%PDF-1 v1"), 9, "jane", when(1)),
        FileVersion(2, lambda: _bytes(b"%PDF-1 v2"), 9, "k-paul", when(2), "new times"),
    ])])
    s2 = SourcePage("102", "Session 2 - Topic 1", "100", 1, versions=[version(1, "Session two.\n", day=4)])
    s1 = SourcePage("101", "Session 1 - Topic 1", "100", 0, versions=[version(1, "Session one.\n", day=4)])
    return Space("COP", "Climate-Soil CoP", "storage", home_page_id="100", pages=[home, s2, s1],
                 people=people(), problems=[Problem("entities.xml", "object 999 refers to a missing page")])


def _bytes(data):
    import io

    return io.BytesIO(data)


class Keeper:
    """Keeps what the comments and attachments hooks are given, as those plugins would:
    a comment once per key (updated when its text changes), a file version once."""

    def __init__(self):
        self.comments, self.files, self.calls = {}, {}, []

    @hookimpl
    def import_page_comments(self, page, comments, note):
        self.calls.append(("comments", page.slug, [c.key for c in comments]))
        counts = [0, 0, 0]
        for record in comments:
            if record.markdown.startswith("REFUSE"):
                note(f"{record.key} refused")
                continue
            old = self.comments.get(record.key)
            counts[0 if old is None else 1 if old.markdown != record.markdown else 2] += 1
            self.comments[record.key] = record
        return tuple(counts)

    @hookimpl
    def import_file_versions(self, page, name, versions, note):
        created = unchanged = 0
        for record in versions:
            key = (page.slug, name, record.number)
            try:
                data = record.open().read()
            except MissingData as e:
                note(str(e))
                continue
            if key in self.files:
                unchanged += 1
            else:
                created += 1
                self.files[key] = (data, record.uploader.username if record.uploader else None)
        return created, unchanged


@pytest.fixture
def keeper():
    return Keeper()


@pytest.fixture
def wiki(app_factory, keeper):
    app = app_factory(EXTRA_PLUGINS=[keeper])
    with app.app_context():
        yield app
        db.session.remove()


def run(space, **options):
    return writer.import_space(space, _CliUser(), jobs=1, convert=convert, **options)


def page(title):
    return db.session.scalar(db.select(Page).where(Page.title == title))


def revisions(title):
    return db.session.scalars(db.select(Revision).where(Revision.page_id == page(title).id)
                              .order_by(Revision.number)).all()


def user(username):
    return db.session.scalar(db.select(User).where(User.username == username))


# -- pages, tree, history ------------------------------------------------------------


def test_pages_come_with_their_tree_and_every_version_as_a_revision(wiki):
    report = run(workshop_space())
    assert (report.pages.created, report.pages.skipped) == (3, 0)
    home = page("Workshop 2021")
    assert home.slug == "workshop-2021" and home.parent_id is None
    assert {p.title for p in home.children} == {"Session 1 - Topic 1", "Session 2 - Topic 1"}
    history = [(r.number, r.author.username if r.author else None, r.created_at, r.summary)
               for r in revisions("Workshop 2021")]
    assert history == [(1, "jane", when(1), "Confluence version 1"),
                       (2, "paul.luu", when(2), "Added the sessions"),
                       (3, "jane", when(3), "Confluence version 3")]
    assert home.current_revision.number == 3 and home.created_at == when(1) and home.updated_at == when(3)
    # Rendered through the wiki's pipeline, as any revision.
    assert "<h2" in revisions("Workshop 2021")[0].html and "Agenda" in revisions("Workshop 2021")[0].html
    events = db.session.scalars(db.select(PageEvent).where(PageEvent.page_id == home.id,
                                                           PageEvent.revision_id.is_not(None))
                                .order_by(PageEvent.id)).all()
    assert [(e.kind, e.created_at, e.detail) for e in events] == [
        ("created", when(1), "Confluence version 1"), ("edited", when(2), "Added the sessions"),
        ("edited", when(3), "Confluence version 3")]


def test_links_and_mentions_resolve_and_the_mapping_keeps_where_pages_were(wiki):
    run(workshop_space())
    body = page("Workshop 2021").current_revision.body
    assert "Sessions: [[Session 1 - Topic 1]]." in body and "Ask CoP Organiser." in body
    rows = {r.content_id: (r.space_key, r.title, r.page.title, r.version, r.position, r.home)
            for r in db.session.scalars(db.select(ConfluencePage))}
    assert rows == {"100": ("COP", "Workshop 2021", "Workshop 2021", 3, 0, True),
                    "101": ("COP", "Session 1 - Topic 1", "Session 1 - Topic 1", 1, 0, False),
                    "102": ("COP", "Session 2 - Topic 1", "Session 2 - Topic 1", 1, 1, False)}


def test_siblings_are_written_in_confluence_order_under_the_parent_option(wiki, make_page):
    top = make_page("Past workshops")
    run(workshop_space(), parent=top)
    home = page("Workshop 2021")
    assert home.parent_id == top.id
    # Confluence's order (position), not the export's: session 1 gets the lower id.
    assert page("Session 1 - Topic 1").id < page("Session 2 - Topic 1").id


def test_a_title_another_wiki_page_has_gets_the_space_key_and_links_follow(wiki, make_page):
    mine = make_page("Session 1 - Topic 1", "Not from Confluence.\n")
    report = run(workshop_space())
    imported = page("Session 1 - Topic 1 (COP)")
    assert imported is not None and imported.slug == "session-1-topic-1-cop"
    assert mine.current_revision.body == "Not from Confluence.\n"
    assert "Sessions: [[Session 1 - Topic 1 (COP)]]." in page("Workshop 2021").current_revision.body
    assert Problem("page 101 “Session 1 - Topic 1”", "another page of the wiki is called “Session 1 - "
                   "Topic 1”: imported as “Session 1 - Topic 1 (COP)”") in report.problems
    # The same title again next time: nothing changes.
    again = run(workshop_space())
    assert (again.pages.created, again.pages.updated, again.pages.unchanged) == (0, 0, 3)


def test_an_address_taken_by_another_page_gets_a_number(wiki, make_page):
    services.create_page("Anything", "x\n", None, slug="workshop-2021")
    run(workshop_space())
    assert page("Workshop 2021").slug == "workshop-2021-2"


def test_members_only_visibility_applies_to_the_whole_import(wiki):
    run(workshop_space(), visibility="members")
    assert all(p.members_only and p.visibility == "members" for p in db.session.scalars(db.select(Page)))


# -- people --------------------------------------------------------------------------


def test_authors_become_accounts_without_a_password_or_are_matched(wiki):
    existing = User(username="Organiser", display_name="Org in the wiki", password_hash=None)
    existing.set_password("a good password")
    db.session.add(existing)
    db.session.commit()
    report = run(workshop_space())
    jane, paul = user("jane"), user("paul.luu")
    assert (jane.display_name, jane.email, jane.has_password) == ("Jane Doe", "jane@example.org", False)
    assert not jane.check_password("") and not jane.check_password("anything")
    assert (paul.display_name, paul.role) == ("Paul Luu", "member")  # an email as username: its first part
    assert report.accounts_created == 2 and report.accounts_matched == 1
    # Matched by username (case aside): the existing account keeps its name and password.
    organiser = db.session.get(User, existing.id)
    assert organiser.display_name == "Org in the wiki" and organiser.check_password("a good password")
    assert keeper_comment(wiki, "c2").author.id == existing.id
    # Importing again makes no account.
    before = db.session.scalar(db.select(db.func.count(User.id)))
    run(workshop_space())
    assert db.session.scalar(db.select(db.func.count(User.id))) == before
    assert db.session.scalar(db.select(db.func.count(ConfluenceAccount.person_key))) == 3


def test_an_author_is_matched_by_email_before_username(wiki):
    other = User(username="jdoe", display_name="J. Doe", email="Jane@Example.org", password_hash=None)
    homonym = User(username="jane", display_name="Another Jane", password_hash=None)
    db.session.add_all([other, homonym])
    db.session.commit()
    run(workshop_space())
    assert revisions("Workshop 2021")[0].author_id == other.id


def test_a_new_account_never_takes_a_username_that_is_taken(wiki):
    space = workshop_space()
    space.people["jane"] = Person("jane", "jane", None, "Jane Doe")
    db.session.add(User(username="Jane-Doe", display_name="x", password_hash=None))
    db.session.commit()
    space.people["jane"].username = "Jane Doe"  # not a valid wiki username: tidied, then numbered
    run(space)
    assert revisions("Workshop 2021")[0].author.username == "Jane-Doe-2"


def test_an_author_missing_from_the_export_is_reported_and_nothing_is_lost(wiki):
    space = workshop_space()
    del space.people["k-paul"]
    report = run(space)
    assert revisions("Workshop 2021")[1].author_id is None
    assert any(p.where == "person “k-paul”" for p in report.problems)
    assert report.pages.created == 3


# -- labels, comments, files ---------------------------------------------------------------


def keeper_comment(app, cid):
    keeper = app.config["EXTRA_PLUGINS"][0]
    return keeper.comments[f"confluence:COP:{cid}"]


def test_labels_with_the_label_option(wiki):
    run(workshop_space(), labels=["imported"])
    assert hook().page_labels(page=page("Workshop 2021")) == ["imported", "soil-carbon", "workshop"]
    assert hook().page_labels(page=page("Session 1 - Topic 1")) == ["imported"]


def test_comments_go_to_the_plugin_threaded_with_authors_and_dates(wiki, keeper):
    report = run(workshop_space())
    assert keeper.calls == [("comments", "workshop-2021", ["confluence:COP:c1", "confluence:COP:c2",
                                                           "confluence:COP:c3", "confluence:COP:c4"])]
    c1, c2, c3, c4 = (keeper_comment(wiki, c) for c in ("c1", "c2", "c3", "c4"))
    assert (c1.author, c1.author_name, c1.parent_key, c1.created) == (None, None, None, when(10))
    assert (c2.author.username, c2.parent_key) == ("organiser", "confluence:COP:c1")
    assert (c3.parent_key, c3.edited, c3.markdown) == ("confluence:COP:c1", when(13),
                                                       "Me too. I am getting this error\n")
    assert c4.markdown == "Merci pour l'atelier !\n"
    assert (report.comments.created, report.comments.unchanged) == (4, 0)


def test_a_reply_posted_before_its_parent_and_a_comment_that_cannot_be_read(wiki, keeper):
    space = workshop_space()
    home = space.pages[0]
    home.comments = [comment("r", "A reply first", parent="p"), comment("p", "The question"),
                     Comment("gone", None, None, when(10), None, missing("comment gone")),
                     comment("r2", "Answers the unreadable one", parent="gone")]
    report = run(space)
    assert keeper.calls[0][2] == ["confluence:COP:p", "confluence:COP:r", "confluence:COP:r2"]
    assert keeper_comment(wiki, "r2").parent_key is None  # it answered the unreadable one: top level
    assert Problem("page 100 “Workshop 2021”", "comment gone not imported: comment gone is missing from "
                   "the export") in report.problems
    assert report.comments.skipped == 1


def test_files_go_to_the_plugin_with_their_versions_and_uploaders(wiki, keeper):
    report = run(workshop_space())
    assert keeper.files == {("workshop-2021", "agenda.pdf", 1): (b"%PDF-1 v1", "jane"),
                            ("workshop-2021", "agenda.pdf", 2): (b"%PDF-1 v2", "paul.luu")}
    assert (report.files.created, report.files.unchanged) == (2, 0)


def test_a_missing_file_is_reported_by_the_plugin_and_the_rest_imports(wiki, keeper):
    space = workshop_space()
    space.pages[0].attachments[0].versions[1].open = missing("attachments/100/a1/2")
    report = run(space)
    assert (report.files.created, report.files.skipped) == (1, 1)
    assert Problem("page 100 “Workshop 2021”, file “agenda.pdf”",
                   "attachments/100/a1/2 is missing from the export") in report.problems


def test_without_plugins_for_comments_and_files_the_import_says_so(app_factory):
    app = app_factory(PLUGINS=[])
    with app.app_context():
        report = run(workshop_space(), labels=["x"])
        assert report.comments_ignored == 4 and report.files_ignored == 2 and report.labels_ignored
        assert report.pages.created == 3


# -- the report ------------------------------------------------------------------------------


def test_the_report_names_each_placeholder_macro_and_its_pages(wiki):
    space = workshop_space()
    space.pages[1].versions[0] = version(1, "{macro:jira} <table>\n")
    report = run(space)
    assert report.approximations() == [
        "macro “jira”: 3 times on 2 pages: Workshop 2021 (2), Session 2 - Topic 1",
        "Session 2 - Topic 1: a table was flattened"]
    assert Problem("entities.xml", "object 999 refers to a missing page") in report.problems
    assert report.summary().splitlines()[1:4] == ["  pages: 3 created, 0 updated, 0 unchanged, 0 skipped",
                                                  "  comments: 4 created, 0 updated, 0 unchanged, 0 skipped",
                                                  "  files: 2 created, 0 unchanged, 0 skipped (versions)"]


# -- importing again -----------------------------------------------------------------------


def test_importing_again_changes_nothing_and_duplicates_nothing(wiki, keeper):
    run(workshop_space())
    counts = {m: db.session.scalar(db.select(db.func.count()).select_from(m))
              for m in (Page, Revision, PageEvent, ConfluencePage, User)}
    report = run(workshop_space())
    assert (report.pages.created, report.pages.updated, report.pages.unchanged) == (0, 0, 3)
    assert (report.comments.created, report.comments.unchanged) == (0, 4)
    assert (report.files.created, report.files.unchanged) == (0, 2)
    assert counts == {m: db.session.scalar(db.select(db.func.count()).select_from(m)) for m in counts}


def test_importing_again_adds_new_versions_titles_comments_and_moves(wiki, keeper):
    run(workshop_space())
    space = workshop_space()
    home, s2, s1 = space.pages
    home.versions.append(version(4, "## Agenda\n\nFinal.\n", author="organiser", day=20, message="Final"))
    s1.title = "Session 1 - Carbon Benefits"
    s2.parent_id = "101"
    home.comments.append(comment("c5", "A late question", day=21))
    home.labels = ["workshop"]
    report = run(space)
    assert (report.pages.created, report.pages.updated, report.pages.unchanged) == (0, 3, 0)
    assert [(r.number, r.summary, r.author.username) for r in revisions("Workshop 2021")][3:] == [
        (4, "Final", "organiser")]
    renamed = page("Session 1 - Carbon Benefits")
    assert renamed.slug == "session-1-topic-1"  # a new title keeps the address
    assert renamed.current_revision.summary == writer.AGAIN and renamed.current_revision.number == 2
    assert page("Session 2 - Topic 1").parent_id == renamed.id
    assert hook().page_labels(page=page("Workshop 2021")) == ["workshop"]
    assert (report.comments.created, report.comments.unchanged) == (1, 4)
    row = db.session.scalar(db.select(ConfluencePage).where(ConfluencePage.content_id == "101"))
    assert row.title == "Session 1 - Carbon Benefits"


def test_a_page_edited_in_the_wiki_gets_confluences_text_back_as_a_new_revision(wiki):
    run(workshop_space())
    services.save_page(page("Session 1 - Topic 1"), "Edited in the wiki.\n", None)
    report = run(workshop_space())
    assert report.pages.updated == 1
    assert [r.body for r in revisions("Session 1 - Topic 1")] == ["Session one.\n", "Edited in the wiki.\n",
                                                                  "Session one.\n"]


def test_a_page_deleted_in_the_wiki_is_left_alone(wiki):
    run(workshop_space())
    services.delete_page(page("Session 2 - Topic 1"), None)
    report = run(workshop_space())
    assert report.pages.skipped == 1 and page("Session 2 - Topic 1").is_deleted
    assert any("is deleted" in p.reason for p in report.problems)


def test_a_top_level_page_stays_where_it_was_moved_unless_parent_is_given(wiki, make_page):
    run(workshop_space())
    elsewhere = make_page("Archive")
    services.move_page(page("Workshop 2021"), elsewhere, None)
    assert run(workshop_space()).pages.unchanged == 3
    assert page("Workshop 2021").parent_id == elsewhere.id


# -- bad input, failures -----------------------------------------------------------------------


def test_a_page_whose_text_is_missing_is_skipped_and_its_children_go_up(wiki):
    space = workshop_space()
    space.pages[0].versions[-1] = SourceVersion(3, missing("body of page 100"), "jane", when(3))
    report = run(space)
    assert page("Workshop 2021") is None
    assert page("Session 1 - Topic 1").parent_id is None  # the nearest page above that was imported
    assert Problem("page 100 “Workshop 2021”", "not imported: body of page 100 is missing from the export"
                   ) in report.problems
    assert (report.pages.created, report.pages.skipped) == (2, 1)
    assert db.session.scalar(db.select(db.func.count(ConfluencePage.id))) == 2


def test_an_old_version_that_cannot_be_read_is_left_out_of_the_history(wiki):
    space = workshop_space()
    space.pages[0].versions[1] = SourceVersion(2, missing("body of version 2"), "jane", when(2))
    report = run(space)
    assert [r.created_at for r in revisions("Workshop 2021")] == [when(1), when(3)]
    assert any(p.reason.startswith("version 2 not imported") for p in report.problems)


def test_a_text_the_converter_fails_on_skips_that_page_only(wiki):
    def failing(text, context):
        if "Session one" in text:
            raise ValueError("unexpected element")
        return convert(text, context)

    report = writer.import_space(workshop_space(), _CliUser(), jobs=1, convert=failing)
    assert page("Session 1 - Topic 1") is None and report.pages.created == 2
    assert any("cannot be converted (ValueError: unexpected element)" in p.reason for p in report.problems)


def test_a_text_over_the_size_limit_is_skipped(wiki):
    wiki.config["MAX_PAGE_CHARS"] = 20
    report = run(workshop_space())
    assert page("Workshop 2021") is None and page("Session 1 - Topic 1") is not None
    assert any("too large" in p.reason for p in report.problems)


def test_a_page_that_cannot_be_written_leaves_nothing_and_the_rest_of_its_batch_imports(wiki, monkeypatch):
    monkeypatch.setattr(writer, "BATCH", 2)
    space = workshop_space()
    space.pages.append(SourcePage("103", "Session 3 - Topic 1", "100", 2, versions=[version(1, "Three.\n")]))

    def another_process_takes_an_address(n):
        # Between planning and writing the second batch, "Session 2 - Topic 1"'s address is taken.
        if page("Another") is None:
            db.session.add(Page(slug="session-2-topic-1", title="Another"))
            db.session.commit()

    report = run(space, progress=another_process_takes_an_address)
    assert page("Session 2 - Topic 1") is None
    assert page("Session 3 - Topic 1").parent_id == page("Workshop 2021").id  # its batch-mate
    assert Problem("page 102 “Session 2 - Topic 1”", "not imported: could not be written (IntegrityError)"
                   ) in report.problems
    assert db.session.scalar(db.select(db.func.count(ConfluencePage.id))) == 3
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 5  # none of the bad page


def test_a_dry_run_writes_nothing_and_says_what_would_happen(wiki, keeper):
    report = run(workshop_space(), dry_run=True)
    assert (report.pages.created, report.comments.created, report.files.created) == (3, 4, 2)
    assert report.accounts_created == 3
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 0
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    assert keeper.calls == [] and "Would import COP (Climate-Soil CoP):" in report.summary()
    run(workshop_space())
    space = workshop_space()
    space.pages[2].versions.append(version(2, "Changed.\n"))
    again = run(space, dry_run=True)
    assert (again.pages.created, again.pages.updated, again.pages.unchanged) == (0, 1, 2)
    assert again.comments_to_compare == 4 and again.files_to_compare == 2
    assert page("Session 1 - Topic 1").current_revision.number == 1


# -- old addresses ----------------------------------------------------------------------------


def test_old_confluence_addresses_redirect_to_the_pages(wiki):
    run(workshop_space())
    client = wiki.test_client()
    for old in ("/display/COP/Session+1+-+Topic+1", "/display/cop/Session%201%20-%20Topic%201",
                "/pages/viewpage.action?pageId=101", "/spaces/COP/pages/101/Session+1+-+Topic+1",
                "/wiki/spaces/COP/pages/101", "/pages/viewpage.action?spaceKey=COP&title=Session+1+-+Topic+1",
                "/display/COP/session-1-topic-1"):  # as wiki links compare titles
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.headers["Location"] == "/wiki/session-1-topic-1", old
    assert client.get("/display/COP/").headers["Location"] == "/wiki/workshop-2021"  # the space's home


def test_a_title_with_a_plus_and_a_renamed_page(wiki):
    space = workshop_space()
    space.pages[1].title = "C++ & Soil"
    run(space)
    client = wiki.test_client()
    assert client.get("/display/COP/C%2B%2B+%26+Soil").headers["Location"] == "/wiki/c-soil"
    services.rename_page(page("C++ & Soil"), "Renamed in the wiki", None)
    assert client.get("/pages/viewpage.action?pageId=102").headers["Location"] == "/wiki/c-soil"


def test_unknown_old_addresses_are_not_found_with_a_clear_message(wiki):
    run(workshop_space())
    client = wiki.test_client()
    for old in ("/display/COP/No+Such+Page", "/display/OTHER/Workshop+2021", "/spaces/COP/pages/9/x",
                "/pages/viewpage.action?pageId=9", "/pages/viewpage.action"):
        response = client.get(old)
        assert response.status_code == 404, old
        assert "no page imported from it has it" in response.get_data(as_text=True)
    services.delete_page(page("Session 2 - Topic 1"), None)
    assert client.get("/pages/viewpage.action?pageId=102").status_code == 404


def test_members_only_pages_stay_unknown_to_visitors(wiki):
    run(workshop_space(), visibility="members")
    create_user("member", PASSWORD, "member")
    client = wiki.test_client()
    anonymous = client.get("/display/COP/Workshop+2021")
    assert anonymous.status_code == 404 and "Location" not in anonymous.headers
    client.post("/login", data={"username": "member", "password": PASSWORD})
    assert client.get("/display/COP/Workshop+2021").headers["Location"] == "/wiki/workshop-2021"
