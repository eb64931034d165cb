"""Reading attached files' text off the request path: the queue of versions
(claims, failures logged once, stale claims, superseded versions), the
background runner of each process, and the command line."""

import logging
from datetime import timedelta

import pytest
from support.documents import docx_bytes, pptx_bytes, text_pdf
from support.uploads import post_file

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
    return post_file(client, slug, name, data, json=True)


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


# -- end to end: uploaded, read in the background, found -------------------------------------------


@pytest.fixture(params=["whoosh", "sqlite"])
def searched_wiki(app_factory, request):
    """A wiki on either search engine, whose processes read text in the
    background as in production, with a workshop's three files attached
    through the page's form."""
    app = app_factory(SEARCH_ENGINE=request.param, SEARCH_BUILD_WAIT=30)
    with app.app_context():
        create_user("ed", "password123", "editor")
        create_page("Workshop 2021", "The programme.", None)
        create_page("Board", "Minutes.", None, visibility="members")
        client = editor_client(app)
        report = text_pdf([["Programme of the field day"],
                           ["Rapport de terrain", "Les stocks de carbone des sols sahéliens ont augmenté."],
                           ["Annex: sampling depths"]])
        for slug, name, data in (
                ("workshop-2021", "report.pdf", report),
                ("workshop-2021", "compte-rendu.docx", docx_bytes([
                    "Les agriculteurs du Burkina Faso ont présenté leurs parcelles de zaï.",
                    "Summary: planting pits harvest the first rains."])),
                ("workshop-2021", "slides.pptx", pptx_bytes([
                    ("Grazing", "Rotational grazing restores degraded rangelands."),
                    ("Pâturage", "Le pâturage tournant régénère les parcours dégradés.")])),
                ("board", "budget.pdf", text_pdf([["Budget of the rangelands project"]]))):
            assert upload(client, slug, name, data).status_code == 200
        extraction.runner().join(60)
        assert {v.extract_status for v in versions()} == {"done"}
        yield app
        db.session.remove()


def results(client, query):
    return client.get("/search", query_string={"q": query}).get_data(as_text=True)


def test_words_inside_uploaded_files_are_found_with_their_file_and_page(searched_wiki):
    visitor = searched_wiki.test_client()
    # French, in a PDF: the hit links to the PDF's page where the words are.
    html = results(visitor, "carbone sahélien")
    assert 'href="/wiki/workshop-2021/files/report.pdf#page=2"' in html
    assert 'class="hit-page" href="/wiki/workshop-2021">Workshop 2021</a>' in html
    assert "<mark>carbone</mark>" in html and "<mark>sahéliens</mark>" in html
    html = results(visitor, "sampling depth")  # English, on the third page
    assert 'href="/wiki/workshop-2021/files/report.pdf#page=3"' in html
    # Word and PowerPoint, in both languages; accents optional.
    html = results(visitor, "agriculteurs zai")
    assert 'href="/wiki/workshop-2021/files/compte-rendu.docx"' in html and "<mark>zaï</mark>" in html
    assert 'href="/wiki/workshop-2021/files/compte-rendu.docx"' in results(visitor, "planting rain")
    html = results(visitor, "grazing type:file filetype:pptx")
    assert 'href="/wiki/workshop-2021/files/slides.pptx"' in html and "1 result" in html
    assert 'href="/wiki/workshop-2021/files/slides.pptx"' in results(visitor, "paturage degrade")


def test_a_members_only_pages_files_are_found_by_members_only(searched_wiki):
    assert "budget.pdf" not in results(searched_wiki.test_client(), "rangelands")
    assert "budget.pdf" not in results(searched_wiki.test_client(), "budget")
    member = searched_wiki.test_client()
    member.post("/login", data={"username": "ed", "password": "password123"})
    html = results(member, "rangelands")
    assert 'href="/wiki/board/files/budget.pdf#page=1"' in html and "slides.pptx" in html
