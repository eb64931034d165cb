"""Attachments in backups and in exports: a backup carries every file's bytes,
whichever store held them, and restores them into either store (and either
kind of database); an export writes each page's files beside it and links
them relatively; an import brings back the files its pages link to, and
refuses, leaving the link as it was, what it must not take."""

import io
import json
import os
import re
import zipfile
from urllib.parse import unquote

import pytest
from support.documents import pdf_without_pages, png

from plugins.attachments import service
from plugins.attachments.models import Attachment, AttachmentVersion, BlobChunk
from plugins.attachments.store import store
from wiki import services
from wiki.accounts import create_user
from wiki.extensions import db
from wiki.models import Page, PageEvent, User

SERVER_URL = os.environ.get("WIKI_TEST_DATABASE_URL")  # see conftest.server_databases
STORES = ["files", "database"]


def cli(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args])


def new_instance(app_factory, monkeypatch, path, store_name, sqlite=False):
    """An app on a new, empty instance folder, keeping files in ``store_name``."""
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(path))
    config = {"ATTACHMENTS_STORE": store_name}
    if sqlite:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path / 'wiki.sqlite'}"
    return app_factory(**config)


def page(slug):
    return db.session.scalar(db.select(Page).where(Page.slug == slug))


def attach(slug, name, data):
    editor = db.session.scalar(db.select(User).where(User.username == "ed"))
    return service.add(page(slug), name, io.BytesIO(data), editor)


WORKSHOP = ("![Field trip](photo.png) and [the slides](<slides v2.pdf>), the board's "
            "[[Board^minutes.pdf|minutes]] and ![[Day 1^photo.png]].\n\n"
            "A file that was never attached: [gone](gone.pdf). In code: `![x](photo.png)`.\n\n"
            "![Panorama](wide.png)\n")


def fill(app):
    """Pages with files: versions, a deleted one, a large image (with its
    smaller copy), the same name on two pages, the same bytes twice, a
    members-only page's file."""
    with app.app_context():
        ed = create_user("ed", "ed's long password", "editor")
        workshop = services.create_page("Workshop", WORKSHOP, ed)
        services.create_page("Day 1", "Our ![photo](photo.png).\n", ed, parent=workshop)
        services.create_page("Board", "Minutes: [minutes](minutes.pdf).\n", ed, visibility="members")
        attach("workshop", "photo.png", png(30, 15, "green"))
        attach("workshop", "slides v2.pdf", pdf_without_pages("slides"))
        attach("workshop", "notes.txt", b"first notes")
        attach("workshop", "notes.txt", b"second notes")  # version 2: the current one
        attach("workshop", "old.txt", b"deleted later")
        service.delete(service.find(page("workshop"), "old.txt"), ed)
        attach("workshop", "wide.png", png(2400, 600, "blue"))  # shown as a 1600 px copy
        attach("day-1", "photo.png", png(8, 4, "yellow"))  # the same name on another page
        attach("day-1", "copy.txt", b"first notes")  # the same bytes as another file
        attach("board", "minutes.pdf", pdf_without_pages("minutes"))
        db.session.remove()


def versions(app):
    """(page, name, version) -> the bytes, for every version of every file,
    deleted ones too; and the renditions."""
    with app.app_context():
        found = {}
        for v in db.session.scalars(db.select(AttachmentVersion)):
            with store().open(v.sha256) as blob:
                found[(v.attachment.page.slug, v.attachment.name, v.number)] = blob.read()
            if v.rendition_sha256:
                with store().open(v.rendition_sha256) as blob:
                    found[(v.attachment.page.slug, v.attachment.name, v.number, "rendition")] = blob.read()
        return found


def blob_names(app):
    with app.app_context():
        shas = set(db.session.scalars(db.select(AttachmentVersion.sha256)))
        shas |= {s for s in db.session.scalars(db.select(AttachmentVersion.rendition_sha256)) if s}
        return shas


def chunk_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(BlobChunk))


def stored_files(instance):
    return sorted(p.name for p in (instance / "files").rglob("*") if p.is_file()) \
        if (instance / "files").exists() else []


def assert_files_check_clean(app):
    check = cli(app, "files", "check")
    assert check.exit_code == 0 and "0 missing, 0 orphans" in check.output, check.output


def shown_image(app, slug, name):
    html = app.test_client().get(f"/wiki/{slug}").get_data(as_text=True)
    return re.search(rf'<img src="/wiki/{slug}/files/{re.escape(name)}[^"]*"[^>]* width="\d+" height="\d+"',
                     html) is not None


# -- backup and restore -------------------------------------------------------------------------


@pytest.mark.parametrize(("source_store", "target_store"),
                         [(a, b) for a in STORES for b in STORES])
def test_a_backup_carries_every_file_into_either_store(app_factory, monkeypatch, tmp_path,
                                                       source_store, target_store):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", source_store)
    fill(source)
    archive = tmp_path / "wiki.zip"
    result = cli(source, "backup", archive)
    assert result.exit_code == 0, result.output
    assert re.search(r"tables and 9 files \([\d.,]+ (bytes|KB|MB)\)", result.output)

    shas = blob_names(source)  # 8 different bytes (copy.txt is notes.txt's first), the panorama's copy
    assert len(shas) == 9
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
    # Store-neutral: the bytes are files, never rows of the database store's table.
    assert {n for n in names if n.startswith("files/")} == {f"files/attachments/{s}" for s in shas}
    assert "tables/attachments_blob_chunk.jsonl" not in names
    assert manifest["files"]["count"] == 9 and manifest["files"]["missing"] == []

    target = new_instance(app_factory, monkeypatch, tmp_path / "target", target_store)
    result = cli(target, "restore", archive)
    assert result.exit_code == 0, result.output
    assert "Restored 9 files" in result.output
    assert versions(target) == versions(source)  # every version, deleted files and copies too
    assert_files_check_clean(target)
    if target_store == "files":
        assert chunk_count(target) == 0 and stored_files(tmp_path / "target") == sorted(shas)
    else:
        assert stored_files(tmp_path / "target") == [] and chunk_count(target) >= 9
    # The restored pages show their files, to whom may see them.
    assert shown_image(target, "workshop", "photo.png") and shown_image(target, "day-1", "photo.png")
    client = target.test_client()
    with client.get("/wiki/workshop/files/slides%20v2.pdf") as response:
        assert response.status_code == 200 and response.get_data() == pdf_without_pages("slides")
    with client.get("/wiki/board/files/minutes.pdf") as response:
        assert response.status_code == 404  # members-only, still


def test_files_go_into_the_database_store_and_back(app_factory, monkeypatch, tmp_path):
    first = new_instance(app_factory, monkeypatch, tmp_path / "first", "files")
    fill(first)
    with first.app_context():  # several chunks in the database store
        attach("workshop", "big.bin", bytes(range(256)) * 10_000 + b"end")
    assert cli(first, "backup", tmp_path / "1.zip").exit_code == 0
    second = new_instance(app_factory, monkeypatch, tmp_path / "second", "database")
    assert cli(second, "restore", tmp_path / "1.zip").exit_code == 0
    assert cli(second, "backup", tmp_path / "2.zip").exit_code == 0
    third = new_instance(app_factory, monkeypatch, tmp_path / "third", "files")
    assert cli(third, "restore", tmp_path / "2.zip").exit_code == 0
    assert versions(third) == versions(first)
    assert stored_files(tmp_path / "third") == sorted(blob_names(first))
    assert_files_check_clean(third)


@pytest.mark.skipif(not SERVER_URL, reason="SQLite <-> PostgreSQL needs a server: set "
                    "WIKI_TEST_DATABASE_URL (.ci/postgres start prints one)")
@pytest.mark.parametrize("source_kind", ["server", "sqlite"])
def test_files_restore_across_kinds_of_database(app_factory, monkeypatch, tmp_path, source_kind):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", "database",
                          sqlite=source_kind == "sqlite")
    fill(source)
    assert cli(source, "backup", tmp_path / "b.zip").exit_code == 0
    target = new_instance(app_factory, monkeypatch, tmp_path / "target", "database",
                          sqlite=source_kind != "sqlite")
    assert {dialect(source), dialect(target)} == {"sqlite", "postgresql"}
    result = cli(target, "restore", tmp_path / "b.zip")
    assert result.exit_code == 0, result.output
    assert versions(target) == versions(source)
    assert_files_check_clean(target)


def dialect(app):
    with app.app_context():
        return db.engine.dialect.name


def flip_a_byte(path, member):
    """Damage the stored bytes of ``member`` (its CRC no longer matches)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    data[info.header_offset + 30 + name_len + extra_len + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("store_name", STORES)
def test_a_damaged_file_in_the_archive_is_refused_before_anything_is_written(
        app_factory, monkeypatch, tmp_path, store_name):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", "files")
    fill(source)
    assert cli(source, "backup", tmp_path / "b.zip").exit_code == 0
    with source.app_context():
        photo = service.find(page("workshop"), "photo.png").current.sha256
    flip_a_byte(tmp_path / "b.zip", f"files/attachments/{photo}")

    target = new_instance(app_factory, monkeypatch, tmp_path / "target", store_name)
    result = cli(target, "restore", tmp_path / "b.zip")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"is damaged: files/attachments/{photo} fails its checksum" in result.output
    with target.app_context():
        assert db.session.scalar(db.select(db.func.count(Page.id))) == 0
    assert stored_files(tmp_path / "target") == [] and chunk_count(target) == 0


@pytest.mark.parametrize("store_name", STORES)
def test_a_blob_missing_at_backup_time_is_named_and_the_rest_is_kept(app_factory, monkeypatch, tmp_path,
                                                                     store_name):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", store_name)
    fill(source)
    with source.app_context():
        lost = service.find(page("workshop"), "notes.txt").versions[0].sha256
        store().delete(lost)
        db.session.commit()
    result = cli(source, "backup", tmp_path / "b.zip")
    assert result.exit_code == 0, result.output  # everything else is worth keeping
    assert "Not in the backup: 1 file missing from where the wiki keeps them" in result.output
    assert f"“notes.txt” (version 1) of page workshop: its bytes (blob {lost}) are in neither store" \
        in result.output
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert f"files/attachments/{lost}" not in zf.namelist()
    assert [m["name"] for m in manifest["files"]["missing"]] == [f"attachments/{lost}"]
    assert manifest["files"]["count"] == 8

    target = new_instance(app_factory, monkeypatch, tmp_path / "target", store_name)
    result = cli(target, "restore", tmp_path / "b.zip")
    assert result.exit_code == 0, result.output
    assert "The backup lacks 1 file, missing when it was taken" in result.output
    assert "“notes.txt” (version 1) of page workshop" in result.output
    check = cli(target, "files", "check")
    assert check.exit_code == 1 and f"missing: {lost}" in check.output
    assert "1 missing, 0 orphans" in check.output
    with target.app_context():
        assert page("workshop") is not None  # the rest is there


def test_a_backup_finds_blobs_left_in_the_other_store(app_factory, monkeypatch, tmp_path):
    """ATTACHMENTS_STORE changed without moving the blobs: the backup still
    finds each one, and a restore puts them all in the store now named."""
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", "files")
    fill(source)
    source.config["ATTACHMENTS_STORE"] = "database"  # the old blobs stay in instance/files
    with source.app_context():
        attach("workshop", "later.txt", b"kept in the database")
    assert chunk_count(source) == 1
    result = cli(source, "backup", tmp_path / "b.zip")
    assert result.exit_code == 0 and "Not in the backup" not in result.output

    target = new_instance(app_factory, monkeypatch, tmp_path / "target", "database")
    assert "Restored 10 files" in cli(target, "restore", tmp_path / "b.zip").output
    assert_files_check_clean(target)


def test_bytes_that_do_not_match_their_name_are_not_restored(app_factory, monkeypatch, tmp_path):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", "files")
    fill(source)
    assert cli(source, "backup", tmp_path / "b.zip").exit_code == 0
    with source.app_context():
        sha = service.find(page("workshop"), "slides v2.pdf").current.sha256
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:  # checksums fine, bytes swapped
        members = {name: zf.read(name) for name in zf.namelist()}
    members[f"files/attachments/{sha}"] = b"%PDF-1.4 something else\n"
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)

    target = new_instance(app_factory, monkeypatch, tmp_path / "target", "files")
    result = cli(target, "restore", tmp_path / "b.zip")
    assert result.exit_code == 0, result.output
    assert f"Not restored: files/attachments/{sha}: its bytes do not match their name" in result.output
    assert f"missing: {sha}" in cli(target, "files", "check").output


# -- export ---------------------------------------------------------------------------------------


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def exported_links(path):
    """The relative links of an exported file (outside code), each with the file it points at."""
    text = re.sub(r"`[^`]*`", "", path.read_text(encoding="utf-8"))
    return {target: path.parent / unquote(target) for target in LINK.findall(text)
            if "://" not in target}


@pytest.mark.parametrize("store_name", STORES)
def test_export_writes_each_pages_files_beside_it_and_links_them(app_factory, monkeypatch, tmp_path,
                                                                 store_name):
    app = new_instance(app_factory, monkeypatch, tmp_path / "wiki", store_name)
    fill(app)
    out = tmp_path / "out"
    result = cli(app, "pages", "export", out)
    assert result.exit_code == 0, result.output
    assert "Exported 3 pages and 7 files" in result.output

    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [
        "board.files/minutes.pdf", "board.md",
        "workshop/day-1.files/copy.txt", "workshop/day-1.files/photo.png",  # no clash: a folder each
        "workshop/day-1.md",
        "workshop/index.files/notes.txt", "workshop/index.files/photo.png",
        "workshop/index.files/slides v2.pdf", "workshop/index.files/wide.png",  # not old.txt: deleted
        "workshop/index.md",
    ]
    assert (out / "workshop/index.files/notes.txt").read_bytes() == b"second notes"  # the current version
    assert (out / "workshop/index.files/wide.png").read_bytes() == png(2400, 600, "blue")  # the original
    text = (out / "workshop/index.md").read_text(encoding="utf-8")
    assert ("![Field trip](index.files/photo.png) and [the slides](index.files/slides%20v2.pdf), the board's "
            "[minutes](../board.files/minutes.pdf) and ![photo.png](day-1.files/photo.png).") in text
    assert "[gone](gone.pdf)" in text and "`![x](photo.png)`" in text  # no such file; code
    assert "Our ![photo](day-1.files/photo.png)." in (out / "workshop/day-1.md").read_text(encoding="utf-8")
    for md in out.rglob("*.md"):  # every link works when the folder is browsed
        for target, file in exported_links(md).items():
            assert target == "gone.pdf" or file.is_file(), (md, target)

    public = tmp_path / "public"
    result = cli(app, "pages", "export", public, "--public-only")
    assert "Exported 2 pages and 6 files" in result.output
    assert not (public / "board.files").exists()
    text = (public / "workshop/index.md").read_text(encoding="utf-8")
    assert "[[Board^minutes.pdf|minutes]]" in text  # not exported: the reference stays


def test_an_export_says_which_files_are_missing_from_the_store(app_factory, monkeypatch, tmp_path):
    app = new_instance(app_factory, monkeypatch, tmp_path / "wiki", "files")
    fill(app)
    with app.app_context():
        store().delete(service.find(page("board"), "minutes.pdf").current.sha256)
    result = cli(app, "pages", "export", tmp_path / "out")
    assert result.exit_code == 0
    assert "board: “minutes.pdf” is missing from the store: not exported" in result.output
    assert "Exported 3 pages and 6 files" in result.output
    assert "Minutes: [minutes](minutes.pdf)." in (tmp_path / "out" / "board.md").read_text(encoding="utf-8")


# -- import -----------------------------------------------------------------------------------------


@pytest.fixture(params=STORES)
def app(app_factory, request):
    app = app_factory(ATTACHMENTS_STORE=request.param, MAX_ATTACHMENT_BYTES=2 * 1024 * 1024)
    with app.app_context():
        yield app
        db.session.remove()


def run_import(runner, folder):
    result = runner.invoke(args=["pages", "import", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output


def files_of(slug):
    """name -> (bytes of the current version, number of versions)."""
    found = {}
    for attachment in db.session.scalars(db.select(Attachment).where(Attachment.page_id == page(slug).id)):
        with store().open(attachment.current.sha256) as blob:
            found[attachment.name] = (blob.read(), len(attachment.versions))
    return found


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "src"
    write(src / "notes" / "a.md", "# Field notes\n\n![the map](images/map.png), [slides](../files/deck.pdf) "
                                  "and ![a photo](<my photo.png>).\n\nIn code: `![code](images/map.png)`.\n")
    write(src / "notes" / "images" / "map.png", png(40, 30))
    write(src / "notes" / "my photo.png", png(10, 10, "green"))
    write(src / "files" / "deck.pdf", pdf_without_pages("deck"))
    return src


def test_import_attaches_the_files_a_page_links_to_and_names_them(app, runner, client, folder):
    output = run_import(runner, folder)
    assert "1 created, 0 updated, 0 unchanged, 0 skipped; 3 files attached, 0 unchanged" in output
    assert files_of("field-notes") == {"map.png": (png(40, 30), 1),
                                       "deck.pdf": (pdf_without_pages("deck"), 1),
                                       "my photo.png": (png(10, 10, "green"), 1)}
    body = page("field-notes").current_revision.body
    assert ("![the map](map.png), [slides](deck.pdf) and ![a photo](<my photo.png>).\n\n"
            "In code: `![code](images/map.png)`.") in body  # code is never rewritten
    html = client.get("/wiki/field-notes").get_data(as_text=True)
    assert '<img src="/wiki/field-notes/files/map.png" alt="the map" width="40" height="30"' in html
    assert 'href="/wiki/field-notes/files/deck.pdf">slides</a>' in html
    assert_files_check_clean(app)


def test_importing_again_adds_a_version_only_for_changed_bytes(app, runner, folder):
    run_import(runner, folder)
    history = db.session.scalar(db.select(db.func.count(PageEvent.id)))
    again = run_import(runner, folder)
    assert "0 created, 0 updated, 1 unchanged, 0 skipped; 0 files attached, 3 unchanged" in again
    assert db.session.scalar(db.select(db.func.count(AttachmentVersion.id))) == 3
    assert db.session.scalar(db.select(db.func.count(PageEvent.id))) == history

    write(folder / "notes" / "images" / "map.png", png(40, 30, "black"))
    third = run_import(runner, folder)
    assert "0 created, 0 updated, 1 unchanged, 0 skipped; 1 file attached, 2 unchanged" in third
    assert files_of("field-notes")["map.png"] == (png(40, 30, "black"), 2)


def test_links_that_cannot_be_followed_are_reported_and_left_as_they_were(app, runner, folder, tmp_path):
    write(tmp_path / "outside.png", png())  # beside the folder, not in it
    write(tmp_path / "secret.png", png(5, 5))
    (folder / "notes" / "sneaky.png").symlink_to(tmp_path / "secret.png")
    write(folder / "notes" / "empty.pdf", b"")
    write(folder / "notes" / "fake.png", b"<html><script>alert(1)</script></html>")
    write(folder / "notes" / "ok.png", png(6, 6))
    bad = ("![out](../../outside.png) ![encoded](%2e%2e/%2e%2e/outside.png) ![link](sneaky.png) "
           "![none](images/none.png) [empty](empty.pdf) ![fake](fake.png) ![fine](ok.png)\n")
    write(folder / "notes" / "b.md", "# Bad links\n\n" + bad)

    output = run_import(runner, folder)
    assert "2 created, 0 updated, 0 unchanged, 0 skipped; 4 files attached" in output  # a.md's 3 + ok.png
    for message in [
        "notes/b.md: link to ../../outside.png: outside the imported folder, left as it is",
        "notes/b.md: link to %2e%2e/%2e%2e/outside.png: outside the imported folder, left as it is",
        "notes/b.md: link to sneaky.png: outside the imported folder (a symbolic link), left as it is",
        "notes/b.md: link to images/none.png: no such file, left as it is",
        "notes/b.md: empty.pdf: not attached: “empty.pdf” is empty: there is nothing to attach.",
        "notes/b.md: fake.png: not attached: “fake.png” is not what its name says: its bytes are HTML, "
        "not PNG.",
    ]:
        assert message in output
    assert page("bad-links").current_revision.body == "# Bad links\n\n" + bad  # ok.png: named so already
    assert set(files_of("bad-links")) == {"ok.png"}


def test_two_files_of_one_name_on_one_page_the_second_is_left(app, runner, tmp_path):
    src = tmp_path / "src"
    write(src / "one" / "map.png", png(3, 3))
    write(src / "two" / "map.png", png(4, 4))
    write(src / "maps.md", "![first](one/map.png) ![second](two/map.png) ![again](one/map.png)\n")
    output = run_import(runner, src)
    assert "maps.md: link to two/map.png: the page has another file called map.png, left as it is" in output
    assert page("maps").current_revision.body == (
        "![first](map.png) ![second](two/map.png) ![again](map.png)\n")
    assert files_of("maps") == {"map.png": (png(3, 3), 1)}


def test_a_file_of_another_page_is_that_pages_file(app, runner, tmp_path):
    """The export's layout: page.files/ beside page.md holds that page's files,
    linked or not; another page links to them as that page's."""
    src = tmp_path / "src"
    write(src / "board.md", "---\ntitle: Board\n---\nOur minutes.\n")
    write(src / "board.files" / "minutes.pdf", pdf_without_pages("minutes"))
    write(src / "board.files" / "budget.md", "# Budget\n")  # a file, not a page
    write(src / "board.files" / "unlinked.txt", b"kept too")
    write(src / "home.md", "The [minutes](board.files/minutes.pdf), ![](board.files/none.png).\n")
    output = run_import(runner, src)
    assert "2 created" in output and "3 files attached" in output
    assert page("budget") is None
    assert set(files_of("board")) == {"minutes.pdf", "budget.md", "unlinked.txt"}
    assert files_of("home") == {}
    assert page("home").current_revision.body == (
        "The [[Board^minutes.pdf|minutes]], ![](board.files/none.png).\n")
    assert "home.md: link to board.files/none.png: no such file, left as it is" in output


def test_without_the_attachments_plugin_links_stay_and_the_import_says_so(app_factory, folder):
    app = app_factory(DISABLED_PLUGINS=["attachments"])
    with app.app_context():
        output = run_import(app.test_cli_runner(), folder)
        assert "1 created" in output and "attached" not in output
        assert ("Files were not imported (3 left out): no plugin keeps files (is the attachments plugin "
                "disabled?); the links to them stay as they were.") in output
        assert "![the map](images/map.png), [slides](../files/deck.pdf)" in page(
            "field-notes").current_revision.body


# -- the round trip -----------------------------------------------------------------------------


def pages_and_files(app):
    """Every live page (title, parent, visibility, text) with its current files' bytes."""
    with app.app_context():
        found = {}
        for p in db.session.scalars(db.select(Page).where(Page.deleted_at.is_(None))):
            files = {}
            for a in service.listed(p):
                with store().open(a.current.sha256) as blob:
                    files[a.name] = blob.read()
            found[p.slug] = (p.title, p.parent.slug if p.parent else None, p.visibility,
                             p.current_revision.body, files)
        return found


@pytest.mark.parametrize(("source_store", "target_store"), [("files", "database"), ("database", "files")])
def test_an_export_imports_into_a_new_wiki_with_the_same_files(app_factory, monkeypatch, tmp_path,
                                                               source_store, target_store):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", source_store)
    fill(source)
    assert cli(source, "pages", "export", tmp_path / "out").exit_code == 0

    target = new_instance(app_factory, monkeypatch, tmp_path / "target", target_store)
    result = cli(target, "pages", "import", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged, 0 skipped; 7 files attached" in result.output
    assert "link to gone.pdf: no such file" in result.output  # never attached in the first wiki either
    assert pages_and_files(target) == pages_and_files(source)  # texts as they were written
    assert shown_image(target, "workshop", "photo.png") and shown_image(target, "day-1", "photo.png")
    assert shown_image(target, "workshop", "wide.png?rendition=1")  # large: its smaller copy again
    assert_files_check_clean(target)
    again = cli(target, "pages", "import", tmp_path / "out")
    assert "0 files attached, 7 unchanged" in again.output


def test_a_plugin_s_files_folder_is_not_read_as_pages(app, runner, tmp_path):
    src = tmp_path / "src"
    write(src / "a.md", "# A\n")
    write(src / "a.files" / "notes.md", "# Not a page\n")
    write(src / "loose.files" / "page.md", "# Loose\n")  # no loose.md beside it: an ordinary folder
    output = run_import(runner, src)
    assert "2 created" in output
    assert page("loose") is not None and page("not-a-page") is None
    assert set(files_of("a")) == {"notes.md"}


def test_exported_names_with_awkward_characters_come_back(app_factory, monkeypatch, tmp_path):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", "files")
    with source.app_context():
        ed = create_user("ed", "ed's long password", "editor")
        services.create_page("Odd", "![0](<été (1).png>) ![1](<100%25 #2.png>)\n", ed)
        for i, name in enumerate(["été (1).png", "100% #2.png", "a[b].png", "README"]):
            attach("odd", name, png(i + 1, 1))
    assert cli(source, "pages", "export", tmp_path / "out").exit_code == 0
    text = (tmp_path / "out" / "odd.md").read_text(encoding="utf-8")
    assert "![0](odd.files/été%20%281%29.png) ![1](odd.files/100%25%20%232.png)" in text  # accents kept
    assert {p.name for p in (tmp_path / "out" / "odd.files").iterdir()} == {
        "été (1).png", "100% #2.png", "a[b].png", "README"}

    target = new_instance(app_factory, monkeypatch, tmp_path / "target", "files")
    assert cli(target, "pages", "import", tmp_path / "out").exit_code == 0
    assert pages_and_files(target) == pages_and_files(source)
    html = target.test_client().get("/wiki/odd").get_data(as_text=True)
    assert re.search(r'<img src="/wiki/odd/files/[^"]+" alt="0" width="1" height="1"', html)
    assert re.search(r'<img src="/wiki/odd/files/[^"]+" alt="1" width="2" height="1"', html)
