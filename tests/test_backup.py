"""Backup and restore: an archive taken while the wiki runs, restored into a
new instance (on the same kind of database or the other), gives the same
accounts, pages, history, labels, comments and search."""

import io
import json
import os
import re
import threading
import zipfile

import pytest
import sqlalchemy as sa

from plugins.comments import service as comments
from plugins.labels import service as labels
from wiki import services
from wiki.accounts import create_user
from wiki.archive import CHUNK
from wiki.extensions import db
from wiki.hookspecs import hookimpl
from wiki.models import AnonymousUser, Page, User

PASSWORDS = {"ada": "ada's long password", "ed": "ed's long password", "mo": "mo's long password"}
SERVER_URL = os.environ.get("WIKI_TEST_DATABASE_URL")  # see conftest.server_databases
QUIET = {"COMMENTS_MIN_SECONDS": 0}


def fill(app):
    """A small wiki with something of everything a restore must keep."""
    with app.app_context():
        ada = create_user("ada", PASSWORDS["ada"], "admin", display_name="Ada Admin")
        ed = create_user("ed", PASSWORDS["ed"], "editor")
        mo = create_user("mo", PASSWORDS["mo"], "member", display_name="Mo Member")
        handbook = services.create_page("Handbook", "The permafrost **handbook**.\n", ed)
        sampling = services.create_page("Sampling", "Take cores at 30 cm.\n", ed, parent=handbook)
        services.save_page(sampling, "Take cores at 30 cm and 60 cm.\n", ed, summary="Deeper")
        services.save_page(sampling, "Take cores at 30 cm and 60 cm. See [[Handbook]].\n", ada)
        services.create_page("Board minutes", "Budget: 1200 euros.\n", ed, visibility="members")
        services.change_settings(services.create_page("Old name", "Renamed.\n", ed), ed, title="New name",
                                 slug="new-name")
        services.delete_page(services.create_page("Doomed", "Gone.\n", ed, parent=handbook), ada)
        # A parent younger than its child: rows must not go in by id order alone.
        services.move_page(handbook, services.create_page("Projects", "All projects.\n", ed), ed)
        labels.set_labels(sampling, ["soil", "methods"], ed)
        question = comments.post_comment(sampling, AnonymousUser(), "Where do the cores go?",
                                         anon_name="Visitor").comment
        comments.post_comment(sampling, mo, "Into the cryoturbation freezer.", parent=question)
        spam = comments.post_comment(sampling, AnonymousUser(), "Cheap watches here").comment
        comments.hide_comment(spam)
        db.session.remove()


def rows(app):
    """Every row of every table a backup keeps, by table, in id order."""
    with app.app_context(), db.engine.connect() as conn:
        return {t.name: [dict(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key)).mappings()]
                for t in db.metadata.sorted_tables if t.info.get("backup", True)}


def dialect(app):
    with app.app_context():
        return db.engine.dialect.name


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def new_instance(app_factory, monkeypatch, path, sqlite=False, **config):
    """An app on a new, empty instance folder (with its own database on a
    test server, or SQLite when asked)."""
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(path))
    if sqlite:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path / 'wiki.sqlite'}"
    return app_factory(**QUIET, **config)


def article(response):
    """The page as a reader sees it, minus what depends on the clock and the
    instance's secret key: relative times ("2 minutes ago"), signed form tokens."""
    match = re.search(r'<article [^>]*class="page"[^>]*>.*</article>', response.get_data(as_text=True), re.S)
    if match is None:
        return None
    html = re.sub(r"(<time [^>]*>)[^<]*", r"\1", match.group(0))
    return re.sub(r'(type="hidden" value=")[^"]*', r"\1", html)


def views(app, username=None):
    """(status, redirect, article) of every page address, old slugs included."""
    client = app.test_client()
    if username:
        response = client.post("/login", data={"username": username, "password": PASSWORDS[username]})
        assert response.status_code == 302, f"{username} cannot sign in"
    with app.app_context():
        slugs = db.session.scalars(sa.select(Page.slug)).all()
        slugs += db.session.scalars(sa.text("SELECT slug FROM page_alias")).all()
    seen = {}
    for slug in sorted(slugs):
        response = client.get(f"/wiki/{slug}")
        seen[slug] = (response.status_code, response.location, article(response))
    return seen


def search(app, query):
    html = app.test_client().get("/search", query_string={"q": query}).get_data(as_text=True)
    return re.findall(r'class="hit-title" href="([^"]+)"', html)


def assert_same_wiki(source, target):
    assert rows(target) == rows(source)
    seen = {}
    for username in (None, "mo", "ada"):  # each sign-in also checks the password hash
        seen[username] = views(target, username)
        assert seen[username] == views(source, username)
    # ... and those views show what the wiki is about:
    anonymous, member = seen[None], seen["mo"]
    assert anonymous["board-minutes"][0] == 404 and member["board-minutes"][0] == 200
    assert anonymous["doomed"][0] == 404 and anonymous["old-name"][1].endswith("/wiki/new-name")
    assert "cryoturbation" in anonymous["sampling"][2] and "Cheap watches" not in anonymous["sampling"][2]
    assert search(target, "permafrost") == ["/wiki/handbook"]
    assert search(target, "cryoturbation") == ["/wiki/sampling#comment-2"]
    check = cli(target, "reindex", "--check")
    assert check.exit_code == 0, check.output


# -- the round trip ------------------------------------------------------------------


def test_restore_into_a_new_instance_gives_the_same_wiki(app_factory, monkeypatch, tmp_path):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source")
    (tmp_path / "source" / "config.py").write_text('SITE_NAME = "Field notes"\n')
    fill(source)
    archive = tmp_path / "backups" / "wiki.zip"
    archive.parent.mkdir()

    result = cli(source, "backup", str(archive))
    assert result.exit_code == 0, result.output
    assert os.listdir(archive.parent) == ["wiki.zip"]  # no temporary file left
    assert archive.stat().st_mode & 0o077 == 0  # password hashes: for its owner only
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert "instance/config.py" in zf.namelist()
        assert "instance/secret_key" not in zf.namelist()  # only when asked for
    tables = {t["name"]: t["rows"] for t in manifest["tables"]}
    assert tables["revision"] == 9 and tables["comments_comment"] == 3
    assert "search_change" not in tables
    assert {"search_change", "search_log_state"} <= set(manifest["derived_tables"])
    assert manifest["database"]["dialect"] == dialect(source)
    assert "core" not in manifest["database"]["alembic_heads"]  # revision ids, not labels

    target = new_instance(app_factory, monkeypatch, tmp_path / "target")
    result = cli(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert re.search(r"revision +9 rows", result.output)
    assert "Search index rebuilt: 7 documents." in result.output  # 5 live pages, 2 shown comments
    assert target.extensions["wiki.search"].engine.exists()
    assert (tmp_path / "target" / "config.py").read_text() == 'SITE_NAME = "Field notes"\n'
    # A new machine gets a new secret key: sessions end, nothing else does.
    assert (tmp_path / "target" / "secret_key").read_text() != (
        tmp_path / "source" / "secret_key").read_text()
    assert_same_wiki(source, target)

    # The restored wiki goes on: new ids follow the restored ones.
    with target.app_context():
        ed = db.session.scalar(sa.select(User).where(User.username == "ed"))
        page = services.create_page("After the restore", "New.\n", ed)
        assert page.id == tables["page"] + 1


def test_a_restore_with_the_secret_key_keeps_sessions(app_factory, monkeypatch, tmp_path):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source")
    (tmp_path / "source" / "config.py").write_text('SITE_NAME = "Field notes"\n')
    fill(source)
    client = source.test_client()
    client.post("/login", data={"username": "mo", "password": PASSWORDS["mo"]})
    assert client.get("/wiki/board-minutes").status_code == 200
    assert cli(source, "backup", "--with-secret-key", str(tmp_path / "b.zip")).exit_code == 0

    target = new_instance(app_factory, monkeypatch, tmp_path / "target")
    (tmp_path / "target" / "config.py").write_text("PROXY_COUNT = 1\n")  # made for this machine
    result = cli(target, "restore", str(tmp_path / "b.zip"))
    assert result.exit_code == 0, result.output
    assert "Restart the wiki" in result.output and "config.py is kept" in result.output
    assert (tmp_path / "target" / "config.py").read_text() == "PROXY_COUNT = 1\n"
    assert "Field notes" in (tmp_path / "target" / "config.py.from-backup").read_text()
    key = tmp_path / "target" / "secret_key"
    assert key.read_text() == (tmp_path / "source" / "secret_key").read_text()
    assert key.stat().st_mode & 0o077 == 0

    restarted = app_factory(**QUIET)  # the same instance, started again
    browser = restarted.test_client()
    browser.set_cookie("session", client.get_cookie("session").value)
    assert browser.get("/wiki/board-minutes").status_code == 200  # still signed in


@pytest.mark.skipif(not SERVER_URL, reason="SQLite <-> PostgreSQL needs a server: set "
                    "WIKI_TEST_DATABASE_URL (.ci/postgres start prints one)")
@pytest.mark.parametrize("source_kind", ["server", "sqlite"])
def test_restore_across_kinds_of_database(app_factory, monkeypatch, tmp_path, source_kind):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", sqlite=source_kind == "sqlite")
    fill(source)
    assert cli(source, "backup", str(tmp_path / "b.zip")).exit_code == 0
    target = new_instance(app_factory, monkeypatch, tmp_path / "target", sqlite=source_kind != "sqlite")
    assert {dialect(source), dialect(target)} == {"sqlite", "postgresql"}
    result = cli(target, "restore", str(tmp_path / "b.zip"))
    assert result.exit_code == 0, result.output
    assert_same_wiki(source, target)


# -- files that plugins keep ------------------------------------------------------------


class Trickle(io.RawIOBase):
    """A large file that notes how much is asked of it at a time."""

    def __init__(self, size, asked):
        super().__init__()
        self.left, self.asked = size, asked

    def readable(self):
        return True

    def readinto(self, buffer):
        self.asked.append(len(buffer))
        n = min(len(buffer), self.left)
        buffer[:n] = b"x" * n
        self.left -= n
        return n


class FilesPlugin:
    """Keeps files of its own beside the rows (one of them lost), and takes
    back those named ``greeting/...``."""

    BIG = 3 * CHUNK + 5

    def __init__(self, names=("greeting/hello.txt", "greeting/big.bin", "greeting/gone.txt")):
        self.names, self.asked, self.restored = names, [], {}

    @hookimpl
    def backup_files(self, connection):
        assert connection.scalar(sa.text("SELECT count(*) FROM page")) >= 1  # the snapshot's rows
        openers = {"hello": lambda: io.BytesIO(b"hello"), "big": lambda: Trickle(self.BIG, self.asked)}
        for name in self.names:
            yield name, openers.get(name.rpartition("/")[2].partition(".")[0], self._lost)

    def _lost(self):
        raise FileNotFoundError(2, "No such file or directory", "/srv/greeting/gone.txt")

    @hookimpl
    def restore_file(self, name, stream):
        if not name.startswith("greeting/"):
            return None
        data = b""
        while piece := stream.read(CHUNK):
            data += piece
        self.restored[name] = data
        return True


def test_files_of_plugins_go_into_the_archive_streamed_and_come_back(app_factory, monkeypatch, tmp_path):
    plugin = FilesPlugin()
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", EXTRA_PLUGINS=[plugin])
    fill(source)
    result = cli(source, "backup", str(tmp_path / "b.zip"))
    assert result.exit_code == 0, result.output
    assert "tables and 2 files (3.0 MB) to" in result.output
    assert "Not in the backup: 1 file missing" in result.output
    assert "[Errno 2] No such file or directory: '/srv/greeting/gone.txt'" in result.output
    assert max(plugin.asked) <= CHUNK  # a chunk at a time, never the whole file
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        assert zf.read("files/greeting/hello.txt") == b"hello"
        assert zf.getinfo("files/greeting/big.bin").compress_type == zipfile.ZIP_STORED
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["files"]["count"] == 2 and manifest["files"]["bytes"] == FilesPlugin.BIG + 5
    assert [m["name"] for m in manifest["files"]["missing"]] == ["greeting/gone.txt"]

    taker = FilesPlugin()
    target = new_instance(app_factory, monkeypatch, tmp_path / "target", EXTRA_PLUGINS=[taker])
    result = cli(target, "restore", str(tmp_path / "b.zip"))
    assert result.exit_code == 0, result.output
    assert "Restored 2 files (3.0 MB)." in result.output
    assert "The backup lacks 1 file, missing when it was taken" in result.output
    assert taker.restored == {"greeting/hello.txt": b"hello", "greeting/big.bin": b"x" * FilesPlugin.BIG}

    without = new_instance(app_factory, monkeypatch, tmp_path / "without")
    result = cli(without, "restore", str(tmp_path / "b.zip"))
    assert result.exit_code == 0, result.output
    assert ("Not restored: files/greeting/hello.txt: no plugin takes it back (is its plugin disabled?)"
            in result.output)


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "greeting/../../x", "no-folder.txt",
                                  "greeting\\x.txt"])
def test_a_file_name_that_would_land_outside_files_is_refused(app_factory, monkeypatch, tmp_path, name):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source",
                          EXTRA_PLUGINS=[FilesPlugin(names=["greeting/hello.txt", name])])
    fill(source)
    (tmp_path / "backups").mkdir()
    result = cli(source, "backup", str(tmp_path / "backups" / "b.zip"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"A plugin named a file {name!r} for the backup" in result.output
    assert os.listdir(tmp_path / "backups") == []


def test_a_manifest_that_counts_other_files_is_damaged(app_factory, monkeypatch, tmp_path):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source", EXTRA_PLUGINS=[FilesPlugin()])
    fill(source)
    assert cli(source, "backup", str(tmp_path / "b.zip")).exit_code == 0
    _rewrite_manifest(tmp_path / "b.zip", lambda m: m["files"].update(count=3))
    taker = FilesPlugin()
    target = new_instance(app_factory, monkeypatch, tmp_path / "target", EXTRA_PLUGINS=[taker])
    result = cli(target, "restore", str(tmp_path / "b.zip"))
    assert result.exit_code == 1 and "is damaged: it holds 2 files, its manifest says 3" in result.output
    assert taker.restored == {}
    assert_untouched(target, tmp_path / "target")


# -- consistency while the wiki runs ---------------------------------------------------


def test_backup_is_one_snapshot_while_pages_are_written(app_factory, monkeypatch, tmp_path):
    app = new_instance(app_factory, monkeypatch, tmp_path / "source")
    fill(app)

    def write_pages():
        with app.app_context():
            ed = db.session.scalar(sa.select(User).where(User.username == "ed"))
            for n in range(3):
                services.create_page(f"Written meanwhile {n}", "Text.\n", ed)
            sampling = db.session.scalar(sa.select(Page).where(Page.slug == "sampling"))
            services.save_page(sampling, "Rewritten meanwhile.\n", ed)
            db.session.remove()

    written = []

    def between_tables(conn, cursor, statement, *args):
        # The backup has read the pages; another thread writes pages and a
        # revision (and commits) before the backup reads the revisions.
        if not written and threading.current_thread() is threading.main_thread() \
                and re.search(r"\bFROM revision\b", statement):
            writer = threading.Thread(target=write_pages)
            writer.start()
            writer.join()
            written.append(True)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", between_tables)
    try:
        result = cli(app, "backup", str(tmp_path / "b.zip"))
    finally:
        sa.event.remove(engine, "before_cursor_execute", between_tables)
    assert result.exit_code == 0, result.output
    assert written, "the writer never ran during the backup"

    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        def archived(table):
            return [json.loads(line) for line in zf.read(f"tables/{table}.jsonl").splitlines()]
        pages, revisions = archived("page"), archived("revision")
    page_ids, revision_ids = {p["id"] for p in pages}, {r["id"] for r in revisions}
    assert {r["page_id"] for r in revisions} <= page_ids
    assert {p["current_revision_id"] for p in pages} <= revision_ids
    with app.app_context():  # the writes did land, after the snapshot
        assert db.session.scalar(sa.select(sa.func.count(Page.id))) == len(pages) + 3


def test_a_failed_backup_leaves_no_file(app_factory, monkeypatch, tmp_path):
    app = new_instance(app_factory, monkeypatch, tmp_path / "source")
    fill(app)
    (tmp_path / "backups").mkdir()

    def fail(conn, cursor, statement, *args):
        if re.search(r"\bFROM revision\b", statement):
            raise OSError("disk full")

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", fail)
    try:
        result = cli(app, "backup", str(tmp_path / "backups" / "b.zip"))
    finally:
        sa.event.remove(engine, "before_cursor_execute", fail)
    assert result.exit_code == 1 and "disk full" in result.output
    assert os.listdir(tmp_path / "backups") == []


# -- what restore refuses --------------------------------------------------------------


@pytest.fixture
def archive(app_factory, monkeypatch, tmp_path):
    source = new_instance(app_factory, monkeypatch, tmp_path / "source")
    (tmp_path / "source" / "config.py").write_text('SITE_NAME = "Field notes"\n')
    fill(source)
    result = cli(source, "backup", str(tmp_path / "b.zip"))
    assert result.exit_code == 0, result.output
    return source, tmp_path / "b.zip"


def assert_untouched(app, instance):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Page.id))) == 0
    assert not (instance / "config.py").exists()


def test_restore_refuses_a_wiki_that_has_content(archive):
    source, path = archive
    before = rows(source)
    result = cli(source, "restore", str(path))
    assert result.exit_code == 1
    assert "The wiki already has content (3 accounts, 6 pages)" in result.output
    assert rows(source) == before


def _member_data_offset(data, info):
    """Where a zip member's compressed bytes start (after its local header)."""
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    return info.header_offset + 30 + name_len + extra_len


def truncated(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flipped(path):
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("tables/revision.jsonl")
    data[_member_data_offset(data, info) + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def not_an_archive(path):
    path.write_text("Just some notes, not a backup.\n")


def _rewrite_manifest(path, change):
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def future(path):
    """The archive of a newer wiki: a migration this code does not have."""
    _rewrite_manifest(path, lambda m: m["database"]["alembic_heads"].append("9999_from_the_future"))


def miscounted(path):
    """Checksums fine, but a table lost a row: found midway, after users and
    pages went in, so the whole restore must roll back."""
    def change(manifest):
        next(t for t in manifest["tables"] if t["name"] == "revision")["rows"] += 1
    _rewrite_manifest(path, change)


@pytest.mark.parametrize(("damage", "message"), [
    (truncated, "is not a wiki backup or is damaged (truncated?)"),
    (flipped, "is damaged"),
    (not_an_archive, "is not a wiki backup"),
    (future, "was made by a newer version of the wiki"),
    (miscounted, "is damaged: revision has 9 rows, its manifest says 10"),
])
def test_a_bad_archive_is_refused_before_anything_is_written(
        app_factory, monkeypatch, tmp_path, archive, damage, message):
    damage(archive[1])
    target = new_instance(app_factory, monkeypatch, tmp_path / "target")
    result = cli(target, "restore", str(archive[1]))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert_untouched(target, tmp_path / "target")
