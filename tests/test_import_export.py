"""Import and export: a folder of Markdown files becomes pages (tree, titles,
labels, links), again and again without duplicates; every page comes back out
as a file, and an export imports into an empty wiki as the same wiki; a page's
Markdown downloads from its address."""

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.recorder_plugin import Recorder

from wiki import cli, services
from wiki.extensions import db
from wiki.hookspecs import hookimpl
from wiki.models import Page, PageEvent, Revision, User
from wiki.plugins import hook
from wiki.transfer import importer

FIXTURE = Path(__file__).parent / "fixtures" / "import"
FIXTURE_PAGES = 8  # the fixture's good files
FIXTURE_SKIPPED = {
    "broken-front-matter.md": "broken front matter at line 3",
    "x-duplicate-title.md": "same slug as welcome.md",
}


@pytest.fixture
def source(tmp_path):
    """A copy of the fixture folder, free to change."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "source"))


def run_import(runner, folder, *options):
    result = runner.invoke(args=["pages", "import", str(folder), *options])
    assert result.exit_code == 0, result.output
    return result.output


def page(slug):
    return db.session.scalar(db.select(Page).where(Page.slug == slug))


def labels(slug):
    return hook().page_labels(page=page(slug))


def revisions(slug):
    return db.session.scalar(db.select(db.func.count(Revision.id)).where(Revision.page_id == page(slug).id))


def history_lines():
    return db.session.scalar(db.select(db.func.count(PageEvent.id)))


def snapshot():
    """Everything a round trip must keep, per live page."""
    return {p.slug: (p.title, p.parent.slug if p.parent else None, p.visibility, p.members_only,
                     hook().page_labels(page=p), p.lang, p.current_revision.body)
            for p in db.session.scalars(db.select(Page).where(Page.deleted_at.is_(None)))}


# -- import: tree, titles, links, labels -----------------------------------------------


def test_folders_become_the_page_tree_with_titles_from_each_file(app, runner, source):
    output = run_import(runner, source)
    assert f"{FIXTURE_PAGES} created, 0 updated, 0 unchanged, 2 skipped" in output
    parents = {p.slug: p.parent.slug if p.parent else None
               for p in db.session.scalars(db.select(Page))}
    assert parents == {
        "welcome": None,  # front matter title
        "soil-carbon-workshop-2026": None,  # workshop/index.md, titled by its "# heading #"
        "day-1-sampling": "soil-carbon-workshop-2026",
        "day-2-remote-sensing": "soil-carbon-workshop-2026",
        "topic-a": "soil-carbon-workshop-2026",  # sessions/ has no index.md: the folder above
        "guides": None,  # guides.md, beside guides/ ...
        "setup": "guides",  # ... is the parent of what is inside
        "idées-et-notes": None,  # notes/ has no page of its own
    }
    assert page("idées-et-notes").title == "Idées et notes"
    assert page("day-2-remote-sensing").members_only  # front matter visibility
    assert not page("day-1-sampling").members_only
    assert page("welcome").current_revision.summary == "Imported from welcome.md"


def test_links_between_files_become_wiki_links(app, runner, source, client):
    run_import(runner, source)
    welcome = page("welcome").current_revision.body
    assert "Start with the [[Soil Carbon Workshop 2026|workshop]], then read the\n" in welcome
    assert "[[Setup|setup guide]] and [[Idées et notes|Ideas]]." in welcome
    assert "[FAO](https://www.fao.org/soils.md)" in welcome  # not a file of the folder
    assert "[old](archive/old.md)" in welcome  # no such file: left as it was
    day_1 = page("day-1-sampling").current_revision.body
    assert "Back to the [[Soil Carbon Workshop 2026|workshop]] or the [[Welcome]] page." in day_1
    assert "stays as it is: [day 2](day-2.md)\n```" in day_1  # code is never rewritten
    assert "`[day 2](day-2.md)`" in day_1
    # The text of a link that is the page's title gives the short form.
    assert "See [[Day 1 - Sampling]]." in page("day-2-remote-sensing").current_revision.body
    assert "[[Soil Carbon Workshop 2026|workshop]]" in page("topic-a").current_revision.body
    # The rewritten links are live links to the imported pages.
    html = client.get("/wiki/welcome").text
    assert 'href="/wiki/soil-carbon-workshop-2026"' in html and 'href="/wiki/setup"' in html


def test_front_matter_labels_and_the_label_option_are_applied(app, runner, source):
    run_import(runner, source, "--label", "Imported")
    assert labels("welcome") == ["getting-started", "imported", "soil-carbon"]
    assert labels("soil-carbon-workshop-2026") == ["évaluation", "imported", "workshop"]  # tags: a, b
    assert labels("setup") == ["imported"]


def test_a_label_the_labels_plugin_refuses_is_reported_and_the_page_kept(app, runner, tmp_path):
    (tmp_path / "notes.md").write_text("---\nlabels: [fine, 'not ok!']\n---\nText.\n", encoding="utf-8")
    output = run_import(runner, tmp_path)
    assert "1 created" in output
    assert "notes.md: labels not set: “not ok!” is not a valid label" in output
    assert labels("notes") == []


def test_without_a_labels_plugin_pages_import_and_labels_are_reported_unset(app_factory, source):
    app = app_factory(DISABLED_PLUGINS=["labels"])
    with app.app_context():
        output = run_import(app.test_cli_runner(), source, "--label", "x")
        assert f"{FIXTURE_PAGES} created" in output
        assert "Labels were not set: no plugin keeps labels." in output
        assert page("welcome") is not None


def test_import_under_a_parent_with_a_visibility(app, runner, source, make_page):
    make_page("Archive")
    run_import(runner, source, "--parent", "archive", "--visibility", "members")
    archive = page("archive")
    assert {p.slug for p in archive.children} == {
        "welcome", "soil-carbon-workshop-2026", "guides", "idées-et-notes"}
    assert all(p.visibility == "members" for p in archive.children)
    assert page("setup").members_only  # under a members-only page
    missing = runner.invoke(args=["pages", "import", str(source), "--parent", "nowhere"])
    assert missing.exit_code != 0 and "No page 'nowhere' to import under." in missing.output


class CommitWitness:
    """Looks, from a connection of its own, whether each saved page is committed."""

    def __init__(self):
        self.committed = {}

    @hookimpl
    def page_saved(self, page, revision, created):
        with db.engine.connect() as other:
            found = other.scalar(sa.select(Page.id).where(Page.slug == page.slug))
        self.committed[page.slug] = (found is not None, revision.number, created)


def test_page_saved_fires_for_each_new_page_after_its_commit(app_factory, source):
    recorder, witness = Recorder(), CommitWitness()
    app = app_factory(PLUGINS=["labels"], EXTRA_PLUGINS=[recorder, witness])
    with app.app_context():
        run_import(app.test_cli_runner(), source)
    assert len(witness.committed) == FIXTURE_PAGES
    assert set(witness.committed.values()) == {(True, 1, True)}
    assert {"slug": "welcome", "labels": ["soil-carbon", "Getting Started"]} in recorder.called(
        "set_pages_labels")


class FileKeeper:
    """A plugin that keeps files: names each linked file ``{{name}}`` and
    notes what it is given to attach, and when."""

    def __init__(self):
        self.checked, self.attached = [], []

    @hookimpl
    def import_file(self, path, name, text, image, page_title):
        self.checked.append((path.read_bytes(), name, text, image, page_title))
        return f"{{{{{name}}}}}"

    @hookimpl
    def import_page_files(self, page, files, user, note):
        with db.engine.connect() as other:  # the page is committed before its files come
            found = other.scalar(sa.select(Page.id).where(Page.slug == page.slug))
        self.attached.append((page.slug, found is not None, {n: p.read_bytes() for n, p in files.items()}))
        return len(files)

    @hookimpl
    def export_page_files(self, page, text, folder, link):
        folder.mkdir()
        (folder / "kept.txt").write_text(page.slug)
        return text.replace("{{kept.txt}}", f"[kept]({link(page, 'kept.txt')})")


def test_a_plugin_that_keeps_files_gets_the_files_pages_link_to(app_factory, tmp_path):
    keeper = FileKeeper()
    app = app_factory(PLUGINS=["labels"], EXTRA_PLUGINS=[keeper])
    src = tmp_path / "src"
    (src / "notes" / "img").mkdir(parents=True)
    (src / "notes" / "img" / "map.png").write_bytes(b"map")
    (src / "notes" / "a.md").write_text("[B](../b.md) ![The map](img/map.png) `![x](img/map.png)`\n")
    (src / "b.md").write_text("# B\n\n[map](notes/img/map.png#top)\n")
    with app.app_context():
        output = run_import(app.test_cli_runner(), src)
        assert "2 created, 0 updated, 0 unchanged, 0 skipped; 2 files attached, 0 unchanged" in output
        assert page("a").current_revision.body == "[[B]] {{map.png}} `![x](img/map.png)`\n"
        assert page("b").current_revision.body == "# B\n\n{{map.png}}\n"
        assert sorted(keeper.checked) == [(b"map", "map.png", "The map", True, None),
                                          (b"map", "map.png", "map", False, None)]
        assert sorted(keeper.attached) == [("a", True, {"map.png": b"map"}), ("b", True, {"map.png": b"map"})]

        services.save_page(page("b"), "See {{kept.txt}}.\n", None)
        out = tmp_path / "out"
        result = app.test_cli_runner().invoke(args=["pages", "export", str(out)])
        assert result.exit_code == 0 and "Exported 2 pages and 2 files" in result.output
    assert (out / "b.md").read_text().endswith("See [kept](b.files/kept.txt).\n")
    assert (out / "b.files" / "kept.txt").read_text() == "b"


# -- bad input -------------------------------------------------------------------------


def test_each_bad_file_is_reported_with_its_reason_and_the_rest_imports(app, runner, source, tmp_path,
                                                                       make_page):
    app.config["MAX_PAGE_CHARS"] = 2000
    (source / "latin-1.md").write_bytes("# Café\n".encode("latin-1"))
    (source / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (source / "huge.md").write_bytes(b"x" * 9000)  # over 2000 characters * 4 bytes
    (source / "long.md").write_text("é" * 2500, encoding="utf-8")  # 5000 bytes, 2500 characters
    (tmp_path / "secret.md").write_text("# Secret\n", encoding="utf-8")
    (source / "outside.md").symlink_to(tmp_path / "secret.md")
    (source / "dangling.md").symlink_to(source / "gone.md")
    (source / "shortcut").symlink_to(source / "workshop", target_is_directory=True)
    (source / "extra").mkdir()
    (source / "extra" / "plain.md").write_text("No heading.\n", encoding="utf-8")
    (source / "linked.md").symlink_to(source / "extra" / "plain.md")  # inside: followed
    broken = make_page("Broken", "Already in the wiki.\n")  # the title of a skipped file

    output = run_import(runner, source)
    reasons = {
        **FIXTURE_SKIPPED,
        "latin-1.md": "not UTF-8 (invalid byte at offset 5)",
        "image.md": "binary file (it contains NUL bytes)",
        "huge.md": "too large (9,000 bytes; pages have at most 2,000 characters)",
        "long.md": "too large (2,501 characters; the limit is 2,000)",  # with its final newline
        "outside.md": "symbolic link to a file outside the folder: not followed",
        "dangling.md": "broken symbolic link",
        "shortcut": "symbolic link to a folder: not followed",
    }
    for path, reason in reasons.items():
        assert f"Skipped {path}: {reason}" in output
    assert f"{FIXTURE_PAGES + 2} created, 0 updated, 0 unchanged, {len(reasons)} skipped" in output
    assert page("linked").current_revision.body == page("plain").current_revision.body
    assert page("secret") is None
    assert broken.current_revision.number == 1 and broken.current_revision.body == "Already in the wiki.\n"
    assert page("welcome").current_revision.body.startswith("# Welcome to the space")  # not the duplicate


def test_front_matter_fields_are_checked(app, runner, tmp_path):
    files = {
        "list-title.md": ("---\ntitle: [a, b]\n---\nText.\n", "title in the front matter must be text"),
        "secret.md": ("---\nvisibility: secret\n---\nText.\n", "visibility must be one of: public, members"),
        "labels.md": ("---\nlabels: {a: 1}\n---\nText.\n", "labels in the front matter must be a list"),
        "no-words.md": ("---\ntitle: '???'\n---\nText.\n", "the title needs at least one letter or digit"),
        "not-a-mapping.md": ("---\n- a\n- b\n---\nText.\n", "front matter is not a list of `key: value`"),
        "unclosed.md": ("---\ntitle: Open\nText.\n", "front matter has no closing --- line"),
    }
    for name, (text, _) in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "fine.md").write_text("---\ntitle: 2026\ntags: a, b\n---\n", encoding="utf-8")
    output = run_import(runner, tmp_path)
    for name, (_, reason) in files.items():
        assert f"Skipped {name}: {reason}" in output
    assert f"1 created, 0 updated, 0 unchanged, {len(files)} skipped" in output
    assert page("2026").current_revision.body == "" and labels("2026") == ["a", "b"]


def test_a_folder_that_cannot_be_read_is_reported(app, runner, source, monkeypatch):
    scandir = os.scandir

    def refuse_workshop(path):  # as root, permissions cannot make a folder unreadable
        if Path(path).name == "workshop":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse_workshop)
    output = run_import(runner, source)
    assert "Skipped workshop: cannot be read (Permission denied)" in output
    assert f"{FIXTURE_PAGES - 4} created" in output


def test_a_deleted_page_is_not_brought_back_by_an_import(app, runner, source, make_page, users):
    setup = make_page("Setup", "Deleted text.\n")
    services.delete_page(setup, db.session.get(User, users["editor"]))
    output = run_import(runner, source)
    assert "Skipped guides/setup.md: a deleted page has this slug" in output
    assert page("setup").is_deleted and page("setup").current_revision.body == "Deleted text.\n"


def test_a_missing_folder_fails_and_an_empty_one_says_so(app, runner, tmp_path):
    missing = runner.invoke(args=["pages", "import", str(tmp_path / "nope")])
    assert missing.exit_code != 0 and "does not exist" in missing.output
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "image.png").write_bytes(b"\x89PNG")
    empty = runner.invoke(args=["pages", "import", str(tmp_path / "empty")])
    assert empty.exit_code == 0 and "Nothing to import: no .md files in" in empty.output
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 0


# -- again: only what changed ----------------------------------------------------------


def test_importing_again_changes_only_what_changed(app, runner, source):
    run_import(runner, source, "--label", "imported")
    events = history_lines()
    again = run_import(runner, source, "--label", "imported")
    assert f"0 created, 0 updated, {FIXTURE_PAGES} unchanged, 2 skipped" in again
    assert history_lines() == events  # no revision, no move, no label change

    day_1 = source / "workshop" / "day-1.md"
    day_1.write_text(day_1.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    # A file moves to another folder, and the link to it follows: the link is the
    # same wiki link as before, so the linking page does not change.
    (source / "notes" / "ideas.md").rename(source / "guides" / "ideas.md")
    welcome = source / "welcome.md"
    welcome.write_text(welcome.read_text(encoding="utf-8").replace("notes/ideas.md", "guides/ideas.md"),
                       encoding="utf-8")
    third = run_import(runner, source, "--label", "imported")
    assert f"0 created, 2 updated, {FIXTURE_PAGES - 2} unchanged" in third
    assert revisions("day-1-sampling") == 2
    assert page("day-1-sampling").current_revision.body.endswith("A new paragraph.\n")
    assert revisions("idées-et-notes") == 1 and page("idées-et-notes").parent.slug == "guides"
    assert revisions("welcome") == 1


def test_an_existing_page_with_the_same_slug_gets_a_revision(app, runner, source, make_page):
    make_page("Guides", "Written in the wiki.\n")
    output = run_import(runner, source)
    assert f"{FIXTURE_PAGES - 1} created, 1 updated" in output
    guides = page("guides")
    assert guides.current_revision.number == 2 and guides.current_revision.body.startswith("# Guides")
    first = db.session.scalar(db.select(Revision).where(Revision.page_id == guides.id, Revision.number == 1))
    assert first.body == "Written in the wiki.\n"  # kept in the history


def test_batches_see_what_earlier_batches_changed(app, runner, source, make_page, monkeypatch):
    make_page("Soil Carbon Workshop 2026", "Public so far.\n")
    index = source / "workshop" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("---\n", "---\nvisibility: members\n", 1),
                     encoding="utf-8")
    monkeypatch.setattr(importer, "BATCH", 2)  # the workshop and its pages in different batches
    output = run_import(runner, source)
    assert f"{FIXTURE_PAGES - 1} created, 1 updated" in output
    workshop = page("soil-carbon-workshop-2026")
    assert workshop.members_only and workshop.current_revision.number == 2
    assert {c.slug for c in workshop.children} == {"day-1-sampling", "day-2-remote-sensing", "topic-a"}
    assert all(c.members_only for c in workshop.children)


def test_a_progress_bar_on_a_terminal_a_plain_summary_otherwise(app, runner, source, monkeypatch):
    plain = run_import(runner, source)
    assert "Importing" not in plain and plain.strip().splitlines()[-1].startswith("Imported ")
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    assert "Importing" in run_import(runner, source)


# -- export and the round trip ---------------------------------------------------------


def test_export_writes_the_tree_as_folders_with_front_matter(app, runner, source, tmp_path):
    run_import(runner, source)
    out = tmp_path / "out"
    result = runner.invoke(args=["pages", "export", str(out)])
    assert result.exit_code == 0 and f"Exported {FIXTURE_PAGES} pages" in result.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert files == [
        "guides/index.md", "guides/setup.md", "idées-et-notes.md",
        "soil-carbon-workshop-2026/day-1-sampling.md", "soil-carbon-workshop-2026/day-2-remote-sensing.md",
        "soil-carbon-workshop-2026/index.md", "soil-carbon-workshop-2026/topic-a.md", "welcome.md",
    ]
    assert (out / "welcome.md").read_text(encoding="utf-8") == (
        "---\ntitle: Welcome\nslug: welcome\nvisibility: public\nlang: en\n"
        "labels:\n- getting-started\n- soil-carbon\n---\n" + page("welcome").current_revision.body)
    members = (out / "soil-carbon-workshop-2026" / "day-2-remote-sensing.md").read_text(encoding="utf-8")
    assert "\nvisibility: members\n" in members

    public = tmp_path / "public"
    assert runner.invoke(args=["pages", "export", str(public), "--public-only"]).exit_code == 0
    assert not (public / "soil-carbon-workshop-2026" / "day-2-remote-sensing.md").exists()
    assert len(list(public.rglob("*.md"))) == FIXTURE_PAGES - 1

    again = runner.invoke(args=["pages", "export", str(out)])
    assert again.exit_code != 0 and "is not empty" in again.output


def test_an_export_imports_into_an_empty_wiki_as_the_same_wiki(app, runner, make_page, users, tmp_path,
                                                                app_factory, monkeypatch):
    editor = db.session.get(User, users["editor"])
    home = make_page("Home", "Start at [[Sessions]].\n\n---\n\ntitle: not front matter\n")
    sessions = make_page("Sessions", "", parent=home)  # an empty page
    make_page("Session 1 – Sol et carbone", "# Séance\n\n`[code](x.md)`\n", parent=sessions)
    make_page("Index", "A page called Index, with children.\n", parent=home)
    make_page("Leaf", "Under Index.\n", parent=page("index"))
    make_page("Organisers", "Members only.\n", parent=home, visibility="members")
    make_page("Yes", "A title YAML would read as true.\n")
    # Addresses of their own: chosen, and kept through a new title.
    services.create_page("Monitoring Climate Benefits of Sustainable Land Management", "Long.\n", editor,
                         parent=home, slug="mcb")
    services.rename_page(page("leaf"), "Leaf renamed", editor)
    # Languages the text alone would not give: the front matter keeps them.
    services.change_settings(page("session-1-sol-et-carbone"), editor, language="fr")
    services.change_settings(page("leaf"), editor, language="pt-BR")
    hook().set_pages_labels(labels={home: ["Workshop", "sol"], page("organisers"): ["internal"]},
                            user=editor)
    before = snapshot()
    exported = tmp_path / "export"
    assert runner.invoke(args=["pages", "export", str(exported)]).exit_code == 0

    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "empty-wiki"))
    empty = app_factory()
    with empty.app_context():
        output = run_import(empty.test_cli_runner(), exported)
        assert f"{len(before)} created, 0 updated, 0 unchanged, 0 skipped" in output
        assert snapshot() == before
        assert page("session-1-sol-et-carbone").current_revision.body == "# Séance\n\n`[code](x.md)`\n"
        again = tmp_path / "export-again"
        assert empty.test_cli_runner().invoke(args=["pages", "export", str(again)]).exit_code == 0
    files = sorted(p.relative_to(exported) for p in exported.rglob("*.md"))
    assert files == sorted(p.relative_to(again) for p in again.rglob("*.md"))
    assert all((exported / f).read_bytes() == (again / f).read_bytes() for f in files)


def test_an_import_takes_the_address_of_the_front_matter_or_says_why_not(app, runner, tmp_path, make_page):
    folder = tmp_path / "addresses"
    folder.mkdir()
    (folder / "long.md").write_text("---\ntitle: A very long workshop title\nslug: ws-2021\n---\nText.\n")
    (folder / "shouty.md").write_text("---\ntitle: Shouty\nslug: Not An Address\n---\nText.\n")
    (folder / "reserved.md").write_text("---\ntitle: Reserved\nslug: search\n---\nText.\n")
    (folder / "twin.md").write_text("---\ntitle: Existing Title\nslug: elsewhere\n---\nText.\n")
    make_page("Existing title")
    result = runner.invoke(args=["pages", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged, 3 skipped" in result.output
    assert page("ws-2021").title == "A very long workshop title"
    assert "shouty.md: slug in the front matter: “Not An Address” cannot be an address" in result.output
    assert "(for example “not-an-address”)" in result.output
    assert "reserved.md: slug in the front matter: “search” cannot be an address" in result.output
    assert "twin.md: a page called “Existing Title” already exists, at the address existing-title" \
        in result.output
    assert page("elsewhere") is None and page("search") is None


def test_pages_rendered_by_several_processes_are_rendered_as_by_one(app, runner, tmp_path, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor

    from wiki.render import render_markdown
    from wiki.transfer import rendering

    pools = []

    class Pool(ProcessPoolExecutor):
        def __init__(self, workers, **kwargs):
            pools.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(rendering, "ProcessPoolExecutor", Pool)

    folder = tmp_path / "many"
    folder.mkdir()
    texts = {}
    for i in range(3 * rendering.CHUNK):
        texts[f"Page {i}"] = (f"# Page {i}\n\nA [[Page {i + 1}]] link, *emphasis*, a table:\n\n"
                              f"| a | b |\n|---|---|\n| {i} | <script>x</script> |\n\n"
                              f"??? \"Folded {i}\"\n    Inside.\n")
        (folder / f"page-{i}.md").write_text(texts[f"Page {i}"])
    result = runner.invoke(args=["pages", "import", str(folder), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert f"{len(texts)} created" in result.output and pools == [2]
    for title, text in texts.items():
        html = db.session.scalar(db.select(Revision.html).join(Page, Revision.page_id == Page.id)
                                 .where(Page.title == title))
        assert html == render_markdown(text) and "<script>" not in html
    assert runner.invoke(args=["pages", "import", str(folder), "--jobs", "0"]).exit_code == 2


# -- the Markdown of one page ------------------------------------------------------------


def test_a_page_downloads_as_markdown_as_its_reader_may_see_it(client, make_page, auth, users):
    public = make_page("Field Notes", "# Notes\n\nÉté 2026.\n")
    make_page("Organisers", "Members only.\n", visibility="members")
    response = client.get("/wiki/field-notes.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="field-notes.md"'
    assert response.get_data(as_text=True) == public.current_revision.body
    view = client.get("/wiki/field-notes")
    assert view.headers["Content-Type"].startswith("text/html")  # /wiki/<slug> is not shadowed
    assert 'href="/wiki/field-notes.md" download>Download Markdown</a>' in view.text
    assert client.get("/wiki/organisers.md").status_code == 404  # anonymous
    assert client.get("/wiki/nothing-here.md").status_code == 404
    auth.login("member")
    assert client.get("/wiki/organisers.md").get_data(as_text=True) == "Members only.\n"


def test_the_download_follows_renames_and_names_accented_files(client, make_page, users):
    page_ = make_page("Séance 1", "Texte.\n")
    services.change_settings(page_, db.session.get(User, users["editor"]), title="Séance un",
                             slug="séance-un")
    moved = client.get("/wiki/séance-1.md")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/wiki/s%C3%A9ance-un.md")
    response = client.get("/wiki/séance-un.md")
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"seance-un.md\"; filename*=UTF-8''s%C3%A9ance-un.md")
