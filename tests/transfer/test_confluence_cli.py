"""``flask --app wiki pages import PATH`` of a Confluence space export, end to
end with the real readers, converters and plugins: the community's workshop
space (``confluence_fixtures.workshop_space``) as both kinds of export, zipped
or not, comes over with its tree, history, thread, files, labels and authors;
running it again changes nothing; a dry run writes nothing; old addresses
redirect; what is not an export says so."""

import zipfile
from datetime import datetime

import pytest

from plugins.attachments.models import Attachment
from plugins.comments.models import Comment
from wiki import cli
from wiki.extensions import db
from wiki.models import ConfluencePage, Page, Revision, User
from wiki.plugins import hook

from .confluence_fixtures import (
    ANONYMOUS_COMMENTS,
    ME_TOO,
    NOEL,
    SESSION_TITLES,
    TOOLKIT,
    WORKSHOP_TITLE,
    FileRev,
    FileSpec,
    PageSpec,
    Rev,
    SpaceSpec,
    workshop_space,
    write_html_export,
    write_xml_export,
)
from .confluence_fixtures import User as FixtureUser

WORKSHOP_SLUG = ("monitoring-climate-benefits-of-sustainable-land-management-with-a-focus-on-soil-organic-"
                 "carbon")
PAGES = 9  # the space's live pages: home, workshop, four sessions, follow up, toolkit, about


@pytest.fixture
def app(app_factory):
    app = app_factory(ATTACHMENTS_EXTRACT_IN_BACKGROUND=False)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def xml_zip(tmp_path):
    path = tmp_path / "COP-xml.zip"
    write_xml_export(workshop_space(), path, zipped=True)
    return path


def run_import(runner, path, *options, status=0):
    result = runner.invoke(args=["pages", "import", str(path), *options])
    assert result.exit_code == status, result.output
    return result.output


def page(title):
    return db.session.scalar(db.select(Page).where(Page.title == title))


def thread(title):
    return db.session.scalars(db.select(Comment).where(Comment.page_id == page(title).id)
                              .order_by(Comment.created_at)).all()


def test_the_xml_export_comes_over_with_tree_history_thread_files_and_authors(app, runner, xml_zip):
    output = run_import(runner, xml_zip)
    assert f"pages: {PAGES} created, 0 updated, 0 unchanged, 0 skipped" in output
    assert "comments: 13 created" in output and "files: 3 created" in output
    workshop = page(WORKSHOP_TITLE)
    assert workshop.slug == WORKSHOP_SLUG and workshop.parent.title == "Climate-Soil CoP Home"
    assert {c.title for c in workshop.children} == {*SESSION_TITLES, "Follow up"}
    body = workshop.current_revision.body
    assert "[[Follow up|Click here]]" in body and f"[[{SESSION_TITLES[0]}]]" in body
    assert hook().page_labels(page=workshop) == []  # "No labels"

    # History: each version a revision, with its author, date and comment.
    toolkit = page("Soil Carbon Toolkit")
    history = db.session.scalars(db.select(Revision).where(Revision.page_id == toolkit.id)
                                 .order_by(Revision.number)).all()
    assert [(r.author.username, r.summary) for r in history] == [
        ("lhoffmann", "First draft"), ("mdubois", "Added the sampling protocol"),
        ("lhoffmann", "Linked the field guide and the grid")]
    assert hook().page_labels(page=toolkit) == ["monitoring", "soil-carbon", "toolkit"]
    guide = db.session.scalar(db.select(Attachment).where(Attachment.page_id == toolkit.id,
                                                          Attachment.name == "field-guide.pdf"))
    assert [(v.number, db.session.get(User, v.uploader_id).username) for v in guide.versions] == [
        (1, "lhoffmann"), (2, "mdubois")]

    # The thread: eleven comments, the "Me too" reply under Noel's, anonymous ones without an account.
    comments = {c.source_key.rsplit(":", 1)[1]: c for c in thread(WORKSHOP_TITLE)}
    assert len(comments) == 11
    assert comments[ME_TOO].parent_id == comments[NOEL].id
    assert all(comments[c].author_id is None for c in ANONYMOUS_COMMENTS)
    assert comments[NOEL].author.display_name == "Noel Oettle"

    # Authors: accounts without a password, their display names kept.
    lena = db.session.scalar(db.select(User).where(User.username == "lhoffmann"))
    assert (lena.display_name, lena.email) == ("Lena Hoffmann", "lena.hoffmann@example.org")
    assert not lena.has_password


def test_the_imported_page_reads_as_it_did_in_confluence(app, runner, xml_zip):
    run_import(runner, xml_zip)
    client = app.test_client()
    text = client.get(f"/wiki/{WORKSHOP_SLUG}").get_data(as_text=True)
    assert text.count("Click here to expand...") == 2
    assert "Me too. I am getting this error" in text and "Anonymous" in text
    assert "Bonjour à toute l'équipe d'organisation." in text
    old = client.get("/display/COP/" + WORKSHOP_TITLE.replace(" ", "+"))
    assert (old.status_code, old.headers["Location"]) == (301, f"/wiki/{WORKSHOP_SLUG}")
    old = client.get(f"/pages/viewpage.action?pageId={TOOLKIT}")
    assert old.headers["Location"] == "/wiki/soil-carbon-toolkit"


def test_importing_again_changes_nothing(app, runner, xml_zip):
    run_import(runner, xml_zip)
    counts = {m: db.session.scalar(db.select(db.func.count()).select_from(m))
              for m in (Page, Revision, Comment, Attachment, User, ConfluencePage)}
    output = run_import(runner, xml_zip)
    assert f"pages: 0 created, 0 updated, {PAGES} unchanged, 0 skipped" in output
    assert "comments: 0 created, 0 updated, 13 unchanged" in output
    assert "files: 0 created, 3 unchanged" in output
    assert counts == {m: db.session.scalar(db.select(db.func.count()).select_from(m)) for m in counts}


def test_the_html_export_as_a_folder_and_the_options(app, runner, tmp_path, make_page):
    folder = tmp_path / "COP-html"
    write_html_export(workshop_space(), folder)
    top = make_page("Old wiki")
    output = run_import(runner, folder, "--parent", top.slug, "--label", "from-confluence",
                        "--visibility", "members")
    assert f"pages: {PAGES} created" in output
    home = page("Climate-Soil CoP Home")
    assert home.parent_id == top.id and home.members_only
    assert all(p.members_only for p in db.session.scalars(db.select(Page).where(Page.id != top.id)))
    assert "from-confluence" in hook().page_labels(page=page(WORKSHOP_TITLE))
    assert len(thread(WORKSHOP_TITLE)) == 11


def test_a_dry_run_writes_nothing(app, runner, xml_zip):
    output = run_import(runner, xml_zip, "--dry-run")
    assert output.startswith("Would import COP (Climate-Soil Community of Practice):")
    assert f"pages: {PAGES} created" in output and "authors: 8 new accounts" in output
    for model in (Page, Comment, Attachment, User, ConfluencePage):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0


def test_format_forces_the_kind_of_import(app, runner, tmp_path, xml_zip):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n", encoding="utf-8")
    output = run_import(runner, notes, "--format", "confluence", status=1)
    assert "this folder is not a Confluence space export" in output
    assert "a Markdown import reads a folder" in run_import(runner, xml_zip, "--format", "markdown", status=1)
    assert "--dry-run is for Confluence exports" in run_import(runner, notes, "--dry-run", status=1)
    assert "1 created" in run_import(runner, notes)  # recognised as Markdown


def test_a_progress_bar_on_a_terminal_a_plain_report_otherwise(app, runner, xml_zip, monkeypatch):
    assert "Importing" not in run_import(runner, xml_zip, "--dry-run")
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    output = run_import(runner, xml_zip, "--dry-run")
    assert "Reading" in output and "Importing" in output


def test_what_is_not_an_export_says_so(app, runner, tmp_path):
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("holiday.jpg", b"not a space")
    assert "this zip file is not a Confluence space export" in run_import(runner, other, status=1)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 cut short")
    output = run_import(runner, broken, status=1)
    assert "broken.zip" in output and "Traceback" not in output
    assert "unknown time zone" in run_import(runner, other, "--timezone", "Mars/Olympus", status=2)
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 0


def test_the_report_lists_placeholders_and_problems(app, runner, tmp_path):
    jira = ('<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">SOIL-1</ac:parameter>'
            '</ac:structured-macro>')
    when = datetime(2021, 4, 1, 9)
    space = SpaceSpec("TEAM", "Team", users=[FixtureUser("ana", "Ana")], pages=[
        PageSpec("11", "Board", [Rev(f"<p>Open issues:</p>{jira}{jira}", "ana", when)]),
        PageSpec("12", "Minutes", [Rev(f"<p>See {jira}</p>", "ana", when)], parent="11", position=0),
        PageSpec("13", "Budget", [Rev("<p>Figures</p>", "ana", when)], parent="11", position=1,
                 files=[FileSpec("14", "budget.xlsx", "application/vnd.ms-excel",
                                 [FileRev(b"PK", "ana", when)])])])
    folder = tmp_path / "TEAM"
    write_xml_export(space, folder)
    (folder / "attachments" / "13" / "14" / "1").unlink()  # a file the export lacks
    output = run_import(runner, folder)
    assert "pages: 3 created" in output
    assert "macro “jira”: 3 times on 2 pages: Board (2), Minutes" in output
    assert "page 13 “Budget”, file “budget.xlsx”" in output
    assert page("Budget") is not None
