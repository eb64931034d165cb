"""A file's history an import brings (the ``import_file_versions`` hook, as the
Confluence import calls it): each version is checked and stored as an upload
is, as its uploader and at its date, under its number; importing again adds
nothing; a version whose bytes are missing or unreadable is reported while
the others come over; a version the wiki added meanwhile is kept. On both
stores."""

import io
import re
from datetime import datetime

import pytest
from support.documents import png
from support.recorder_plugin import Recorder

from plugins.attachments import service
from plugins.attachments.models import Attachment, AttachmentVersion
from plugins.attachments.store import store
from wiki.accounts import create_user
from wiki.api import FileVersionRecord, hook
from wiki.extensions import db
from wiki.models import PageEvent

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture(params=["files", "database"])
def store_name(request):
    return request.param


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def app(app_factory, store_name, recorder):
    """No text is read in the background: what is queued is checked instead."""
    app = app_factory(PLUGINS=["attachments"], EXTRA_PLUGINS=[recorder], ATTACHMENTS_STORE=store_name,
                      ATTACHMENTS_EXTRACT_IN_BACKGROUND=False, MAX_ATTACHMENT_BYTES=1024 * 1024)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def page(make_page):
    return make_page("Workshop April 2021", "The slides: [slides](slides.txt).\n")


@pytest.fixture
def people(app):
    return (create_user("juliane", "juliane's long password", "editor", display_name="Juliane W."),
            create_user("paul", "paul's long password", "member", display_name="Paul L."))


class MissingData(Exception):
    """What an export's reader raises for bytes it does not hold."""


def version(number, data, uploader=None, created=None, message=""):
    return FileVersionRecord(number=number, open=lambda: io.BytesIO(data), uploader=uploader,
                             created=created or datetime(2021, 4, number, 9, 30), message=message)


def missing(number):
    def open_():
        raise MissingData(f"attachments/42/7/{number} is not in the export")
    return FileVersionRecord(number=number, open=open_, uploader=None, created=datetime(2021, 4, number))


class Damaged(io.BytesIO):
    """A stream that breaks after its first bytes (a damaged zip member)."""

    def read(self, size=-1):
        if self.tell():
            raise OSError("Bad CRC-32 for file 'attachments/42/7/2'")
        return super().read(4)


def attach(page, name, versions):
    """Call the hook as the import does: (its answer, the notes)."""
    notes = []
    return hook().import_file_versions(page=page, name=name, versions=versions, note=notes.append), notes


def rows(page, name):
    attachment = service.find(page, name, include_deleted=True)
    if attachment is None:
        return []
    return [(v.number, v.size, v.uploader_id, v.created_at) for v in attachment.versions]


def read(sha256):
    with store().open(sha256) as blob:
        return blob.read()


# -- a file's history comes over ------------------------------------------------------------


def test_versions_come_over_as_their_uploaders_at_their_dates(client, page, people, recorder):
    juliane, paul = people
    counts, notes = attach(page, "slides.txt", [
        version(1, b"Slides, first draft", juliane, datetime(2021, 4, 1, 9, 30)),
        version(2, b"Slides, with the agenda", paul, datetime(2021, 4, 20, 16, 5), "Added the agenda"),
    ])
    assert counts == (2, 0) and notes == []
    assert recorder.called("import_file_versions") == [
        {"slug": page.slug, "name": "slides.txt", "numbers": [1, 2]}]
    assert rows(page, "slides.txt") == [(1, 19, juliane.id, datetime(2021, 4, 1, 9, 30)),
                                        (2, 23, paul.id, datetime(2021, 4, 20, 16, 5))]
    attachment = service.find(page, "slides.txt")
    assert attachment.created_at == datetime(2021, 4, 1, 9, 30)
    assert [read(v.sha256) for v in attachment.versions] == [b"Slides, first draft",
                                                             b"Slides, with the agenda"]

    # The page's history says who attached each version, and when.
    events = db.session.scalars(db.select(PageEvent).where(PageEvent.kind == "attached")
                                .order_by(PageEvent.created_at)).all()
    assert [(e.user_id, e.created_at, e.detail) for e in events] == [
        (juliane.id, datetime(2021, 4, 1, 9, 30), "slides.txt"),
        (paul.id, datetime(2021, 4, 20, 16, 5), "slides.txt (version 2): Added the agenda")]
    history = client.get(f"/wiki/{page.slug}/history").text
    assert re.search(r'title="Apr 20, 2021 4:05\u202fPM UTC">[^<]*</time></td>\s*'
                     r'<td><span class="user">Paul L\.</span>', history)
    # The page lists the current version, by its uploader; the older one stays downloadable.
    html = client.get(f"/wiki/{page.slug}").text
    assert re.search(r'Paul L\.</span>, <time datetime="2021-04-20T16:05:00Z"', html)
    with client.get(f"/wiki/{page.slug}/files/slides.txt?version=1") as response:
        assert response.data == b"Slides, first draft"


def test_each_version_is_checked_and_stored_as_an_upload_is(page, people):
    wide = png(2400, 600, "blue")
    counts, notes = attach(page, "map.png", [version(1, wide, people[0]), version(2, wide, people[0])])
    assert counts == (2, 0) and notes == []
    first, second = service.find(page, "map.png").versions
    assert (first.mime, first.width, first.height) == ("image/png", 2400, 600)
    assert first.sha256 == second.sha256  # the same bytes, kept once
    assert first.rendition_sha256 and first.rendition_width == 1600  # the page shows a smaller copy
    assert read(first.rendition_sha256)[:8] == b"\x89PNG\r\n\x1a\n"

    counts, notes = attach(page, "notes.txt", [
        version(1, b""), version(2, b"x" * (1024 * 1024 + 1)), version(3, b"Fine notes")])
    assert counts == (1, 0)
    assert notes == [
        "“notes.txt” version 1: not attached: “notes.txt” is empty: there is nothing to attach.",
        "“notes.txt” version 2: not attached: “notes.txt” is larger than the 1 MB a file may be."]
    assert [v.number for v in service.find(page, "notes.txt").versions] == [3]


def test_only_the_current_version_waits_for_its_text_to_be_read(page):
    attach(page, "report.txt", [version(1, b"Old report"), version(2, b"New report")])
    assert [v.extract_status for v in service.find(page, "report.txt").versions] == ["none", "pending"]


def test_a_type_the_wiki_does_not_take_is_refused_with_a_note(app_factory, tmp_path, monkeypatch, store_name):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "allowlist"))
    app = app_factory(PLUGINS=["attachments"], ATTACHMENTS_STORE=store_name,
                      ATTACHMENTS_EXTRACT_IN_BACKGROUND=False, ATTACHMENTS_ALLOWED_TYPES=["application/pdf"])
    with app.app_context():
        from wiki.api import create_page

        page = create_page("Photos", "Text.\n", None)
        counts, notes = attach(page, "photo.png", [version(1, png())])
        assert counts == (0, 0)
        assert notes == ["“photo.png” version 1: not attached: “photo.png” is a kind of file this wiki "
                         "does not take (image/png)."]
        assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0
        db.session.remove()


def test_a_name_the_wiki_refuses_attaches_nothing(page):
    counts, notes = attach(page, "../escape.txt", [version(1, b"x"), version(2, b"y")])
    assert counts == (0, 0)
    assert notes == ["“../escape.txt”: not attached: “../escape.txt” has parts of a path in it: "
                     "give the file a plain name."]


# -- importing again -------------------------------------------------------------------------------


def test_importing_again_adds_nothing(page, people):
    history = [version(1, b"one", people[0]), version(2, b"two", people[1]), version(3, b"three")]
    attach(page, "notes.txt", history)
    before = rows(page, "notes.txt")
    events = db.session.scalar(db.select(db.func.count()).select_from(PageEvent))
    assert attach(page, "notes.txt", history) == ((0, 3), [])
    assert rows(page, "notes.txt") == before
    assert db.session.scalar(db.select(db.func.count()).select_from(PageEvent)) == events


def test_missing_bytes_are_reported_and_the_other_versions_come_over(page):
    counts, notes = attach(page, "slides.txt", [version(1, b"one"), missing(2), version(3, b"three")])
    assert counts == (2, 0)
    assert notes == ["“slides.txt” version 2: not attached: its bytes are missing "
                     "(attachments/42/7/2 is not in the export)"]
    assert [v.number for v in service.find(page, "slides.txt").versions] == [1, 3]

    # The export repaired: version 2 takes its place; version 3 stays the current one.
    counts, notes = attach(page, "slides.txt", [version(1, b"one"), version(2, b"two"), version(3, b"three")])
    assert (counts, notes) == ((1, 2), [])
    attachment = service.find(page, "slides.txt")
    assert [(v.number, read(v.sha256)) for v in attachment.versions] == [
        (1, b"one"), (2, b"two"), (3, b"three")]
    assert attachment.current.number == 3 and attachment.versions[1].extract_status == "none"


def test_bytes_that_break_while_read_leave_nothing_half_stored(page):
    damaged = FileVersionRecord(number=2, open=lambda: Damaged(b"damaged bytes"), uploader=None,
                                created=datetime(2021, 4, 2))
    blobs = set(store().names())
    counts, notes = attach(page, "slides.txt", [version(1, b"one"), damaged])
    assert counts == (1, 0)
    assert notes == ["“slides.txt” version 2: not attached: its bytes cannot be read "
                     "(Bad CRC-32 for file 'attachments/42/7/2')"]
    assert [v.number for v in service.find(page, "slides.txt").versions] == [1]
    assert len(set(store().names()) - blobs) == 1  # the first version's bytes only
    assert db.session.scalar(db.select(db.func.count()).select_from(AttachmentVersion)) == 1


def test_a_version_the_wiki_added_meanwhile_is_kept(page, people):
    attach(page, "slides.txt", [version(1, b"one"), version(2, b"two")])
    service.add(page, "slides.txt", io.BytesIO(b"the wiki's own"), people[0])  # version 3, on the wiki
    history = [version(1, b"one"), version(2, b"two"), version(3, b"Confluence's third")]
    counts, notes = attach(page, "slides.txt", history)
    assert counts == (1, 2)
    assert notes == ["“slides.txt” version 3: the wiki has another version 3 of this file (attached there "
                     "since?): the imported one is version 4"]
    attachment = service.find(page, "slides.txt")
    assert [read(v.sha256) for v in attachment.versions] == [b"one", b"two", b"the wiki's own",
                                                              b"Confluence's third"]
    assert attach(page, "slides.txt", history) == ((0, 3), [])  # found there the next time


def test_a_file_deleted_on_the_wiki_stays_deleted_when_nothing_changed(page, people):
    history = [version(1, b"one")]
    attach(page, "slides.txt", history)
    service.delete(service.find(page, "slides.txt"), people[0])
    assert attach(page, "slides.txt", history) == ((0, 1), [])
    assert service.find(page, "slides.txt") is None


def test_without_the_attachments_plugin_no_one_answers(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "no-files"))
    app = app_factory(PLUGINS=[])
    with app.app_context():
        from wiki.api import create_page

        page = create_page("Plain", "Text.\n", None)
        assert attach(page, "slides.txt", [version(1, b"one")]) == (None, [])
        db.session.remove()
