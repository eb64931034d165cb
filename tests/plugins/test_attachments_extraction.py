"""Reading attached files' text off the request path: the queue of versions
(claims, failures logged once, stale claims, superseded versions), the
background runner of each process, and the command line."""

import io
import logging
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from plugins.attachments import extraction
from plugins.attachments.models import AttachmentVersion
from wiki.accounts import create_user
from wiki.extensions import db
from wiki.models import utcnow
from wiki.services import create_page

REPORT = "Compte rendu de l'atelier : le carbone organique du sol.\n"


@pytest.fixture(params=["files", "database"])
def make_app(app_factory, request):
    """Apps on one instance, with the store of the test's parameter."""
    return lambda **config: app_factory(ATTACHMENTS_STORE=request.param, **config)


def editor_client(app):
    client = app.test_client()
    client.post("/login", data={"username": "ed", "password": "password123"})
    return client


def upload(client, slug, name, data):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    return client.post(f"/wiki/{slug}/files", data=body, headers={"Accept": "application/json"},
                       content_type=f"multipart/form-data; boundary={boundary}")


def versions():
    db.session.expire_all()
    return db.session.scalars(db.select(AttachmentVersion).order_by(AttachmentVersion.id)).all()


@pytest.fixture
def wiki(make_app):
    """A wiki whose processes do not extract in the background: the test
    decides when the queue runs."""
    app = make_app(ATTACHMENTS_EXTRACT_IN_BACKGROUND=False)
    with app.app_context():
        create_user("ed", "password123", "editor")
        create_page("Workshop", "x", None)
        yield app
        db.session.remove()


def test_an_upload_answers_before_the_text_is_read_and_the_queue_reads_it(wiki):
    assert upload(editor_client(wiki), "workshop", "report.txt", REPORT.encode()).status_code == 200
    (version,) = versions()
    assert version.extract_status == "pending" and version.text is None
    result = wiki.test_cli_runner().invoke(args=["files", "extract"])
    assert result.exit_code == 0 and "1 file read." in result.output
    (version,) = versions()
    assert version.extract_status == "done" and version.text == REPORT.strip()


def test_kinds_without_text_are_not_queued(wiki):
    upload(editor_client(wiki), "workshop", "data.bin", bytes(range(256)))
    (version,) = versions()
    assert version.extract_status == "none"
    assert extraction.run_pending() == 0


def test_a_file_whose_text_cannot_be_read_is_logged_once_and_stays_listed(wiki, caplog):
    client = editor_client(wiki)
    upload(client, "workshop", "broken.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 100)
    with caplog.at_level(logging.WARNING, logger="plugins.attachments.extraction"):
        assert extraction.run_pending() == 1
        assert extraction.run_pending() == 0  # not tried again
    logged = [r for r in caplog.records if "broken.pdf" in r.getMessage()]
    assert len(logged) == 1
    (version,) = versions()
    assert version.extract_status == "failed" and version.extract_error
    assert 'href="/wiki/workshop/files/broken.pdf"' in client.get("/wiki/workshop").get_data(as_text=True)
    # An admin may queue it again (after an upgrade, say).
    result = wiki.test_cli_runner().invoke(args=["files", "extract", "--retry-failed"])
    assert "1 failed files queued again." in result.output and result.exit_code == 0
    assert versions()[0].extract_status == "failed"


def test_a_missing_blob_fails_with_a_reason(wiki):
    from plugins.attachments.store import store

    upload(editor_client(wiki), "workshop", "report.txt", REPORT.encode())
    store().delete(versions()[0].sha256)
    db.session.commit()
    extraction.run_pending()
    (version,) = versions()
    assert version.extract_status == "failed" and "missing from the store" in version.extract_error


def test_a_new_version_skips_the_pending_text_of_the_one_it_replaces(wiki):
    client = editor_client(wiki)
    upload(client, "workshop", "notes.txt", b"first draft")
    upload(client, "workshop", "notes.txt", b"second draft")
    assert [v.extract_status for v in versions()] == ["none", "pending"]
    assert extraction.run_pending() == 1
    assert [v.text for v in versions()] == [None, "second draft"]


def test_a_claim_is_taken_once_and_a_stale_one_again(wiki):
    client = editor_client(wiki)
    upload(client, "workshop", "a.txt", b"alpha")
    upload(client, "workshop", "b.txt", b"beta")
    first, second = extraction.claim(), extraction.claim()
    assert {first, second} == {v.id for v in versions()} and extraction.claim() is None
    # The process that claimed `first` died: once its claim is older than an
    # extraction may last, another process takes it.
    stale = utcnow() - timedelta(seconds=wiki.config["ATTACHMENTS_EXTRACT_TIMEOUT"] + 61)
    db.session.execute(db.update(AttachmentVersion).where(AttachmentVersion.id == first)
                       .values(extract_started=stale))
    db.session.commit()
    assert extraction.claim() == first and extraction.claim() is None


def test_the_background_runner_reads_the_text_after_the_upload(make_app):
    app = make_app()
    with app.app_context():
        create_user("ed", "password123", "editor")
        create_page("Workshop", "x", None)
        upload(editor_client(app), "workshop", "report.txt", REPORT.encode())
        extraction.runner().join(30)
        (version,) = versions()
        assert version.extract_status == "done" and "carbone organique" in version.text
        db.session.remove()


def test_work_left_waiting_is_picked_up_by_the_next_process(make_app):
    """Uploaded while no process extracted (or before a restart): the first
    request of a process that does extract starts the runner."""
    quiet = make_app(ATTACHMENTS_EXTRACT_IN_BACKGROUND=False)
    with quiet.app_context():
        create_user("ed", "password123", "editor")
        create_page("Workshop", "x", None)
        upload(editor_client(quiet), "workshop", "report.txt", REPORT.encode())
        db.session.remove()
    app = make_app()
    with app.app_context():
        assert versions()[0].extract_status == "pending"
        app.test_client().get("/")
        extraction.runner().join(30)
        assert versions()[0].extract_status == "done"
        db.session.remove()


def test_the_command_line_reads_the_text_of_what_it_attaches(wiki, tmp_path):
    source = tmp_path / "notes.md"
    source.write_text("# Notes\n\nLes sols du Sahel.\n", encoding="utf-8")
    result = wiki.test_cli_runner().invoke(args=["files", "put", "workshop", str(source)])
    assert result.exit_code == 0
    assert "Read the text of notes.md (" in result.output
    (version,) = versions()
    assert version.extract_status == "done" and "Les sols du Sahel." in version.text
