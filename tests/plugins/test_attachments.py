"""Attachments: upload by form and command line, versions, soft delete and
restore, safe serving of every kind, visibility, Markdown references, bad
input; on both stores."""

import io
import re
import zipfile

import pytest
from PIL import Image
from support.documents import docx_skeleton, pdf_without_pages, png
from support.uploads import post_file

from plugins.attachments.models import Attachment, AttachmentVersion, BlobChunk
from wiki.extensions import db
from wiki.models import PageEvent

STORES = ["files", "database"]


@pytest.fixture(params=STORES)
def store_name(request):
    return request.param


@pytest.fixture
def app_factory(app_factory, store_name):
    """Apps with the store of the test's parameter. Their processes read no
    text in the background: that is test_attachments_extraction.py's work,
    and a child process per upload would slow these tests down."""
    return lambda **config: app_factory(**{"ATTACHMENTS_STORE": store_name,
                                           "ATTACHMENTS_EXTRACT_IN_BACKGROUND": False, **config})


@pytest.fixture
def app(app_factory):
    app = app_factory(MAX_ATTACHMENT_BYTES=2 * 1024 * 1024)
    with app.app_context():
        yield app
        db.session.remove()


def send(client, page, filename, data, json=False, **fields):
    return post_file(client, page.slug, filename, data, json, **fields)


def download(client, url, **options):
    """GET a file and close it, as a WSGI server does once the body is sent."""
    with client.get(url, **options) as response:
        response.get_data()
    return response


# -- uploading ------------------------------------------------------------------------------


def test_an_editor_attaches_a_file_with_the_form(as_editor, make_page):
    page = make_page("Workshop")
    response = send(as_editor, page, "slides.pdf", pdf_without_pages())
    assert response.status_code == 303 and response.headers["Location"].endswith("/wiki/workshop#attachments")
    view = as_editor.get("/wiki/workshop").get_data(as_text=True)
    section = view.split('id="attachments"')[1].split("</section>")[0]
    assert 'href="/wiki/workshop/files/slides.pdf"' in section and "PDF" in section
    assert "Editor Person" in section  # the uploader
    kinds = db.session.scalars(db.select(PageEvent.kind).where(PageEvent.page_id == page.id)).all()
    assert "attached" in kinds


def test_uploading_the_same_name_adds_a_version(as_editor, make_page):
    page = make_page("Workshop")
    send(as_editor, page, "notes.txt", b"first")
    send(as_editor, page, "notes.txt", b"second")
    assert download(as_editor, "/wiki/workshop/files/notes.txt").data == b"second"
    assert download(as_editor, "/wiki/workshop/files/notes.txt?version=1").data == b"first"
    assert download(as_editor, "/wiki/workshop/files/notes.txt?version=9").status_code == 404
    view = as_editor.get("/wiki/workshop").get_data(as_text=True)
    assert "Older versions" in view and "version=1" in view


def test_the_same_bytes_are_stored_once(app, as_editor, make_page, store_name):
    one, two = make_page("One"), make_page("Two")
    send(as_editor, one, "a.txt", b"same bytes")
    send(as_editor, two, "b.txt", b"same bytes")
    shas = db.session.scalars(db.select(AttachmentVersion.sha256)).all()
    assert len(shas) == 2 and len(set(shas)) == 1
    if store_name == "database":
        assert db.session.scalar(db.select(db.func.count()).select_from(BlobChunk)) == 1


def test_members_upload_only_when_the_setting_says_so(app_factory):
    from wiki.accounts import create_user
    from wiki.services import create_page

    for allowed, expected in ((False, 403), (True, 303)):
        app = app_factory(ATTACHMENTS_MEMBERS_UPLOAD=allowed)
        with app.app_context():
            name = f"m{int(allowed)}"
            create_user(name, "password123", "member")
            page = create_page(f"Page {name}", "x", None)
            client = app.test_client()
            client.post("/login", data={"username": name, "password": "password123"})
            assert send(client, page, "n.txt", b"hi").status_code == expected
            db.session.remove()


def test_anonymous_visitors_cannot_upload(client, make_page):
    page = make_page("Open")
    assert send(client, page, "n.txt", b"hi").status_code == 403


def test_the_command_line_puts_lists_and_gets(app, runner, make_page, tmp_path):
    make_page("Workshop")
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf_without_pages())
    result = runner.invoke(args=["files", "put", "workshop", str(source)])
    assert result.exit_code == 0
    assert "Attached report.pdf to workshop (version 1, application/pdf" in result.output
    result = runner.invoke(args=["files", "put", "workshop", str(source), "--name", "Rapport final.pdf"])
    assert result.exit_code == 0
    listed = runner.invoke(args=["files", "list", "workshop"]).output.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["Rapport final.pdf", "report.pdf"]
    out = tmp_path / "copy.pdf"
    assert runner.invoke(args=["files", "get", "workshop", "report.pdf", "-o", str(out)]).exit_code == 0
    assert out.read_bytes() == pdf_without_pages()
    assert runner.invoke(args=["files", "get", "workshop", "nope.pdf"]).exit_code != 0
    assert runner.invoke(args=["files", "put", "nowhere", str(source)]).exit_code != 0
    check = runner.invoke(args=["files", "check"])
    assert check.exit_code == 0 and "0 missing, 0 orphans" in check.output


# -- deleting and restoring --------------------------------------------------------------------


def test_deleting_is_soft_and_admins_restore(client, auth, make_page):
    page = make_page("Workshop")
    auth.login("editor")
    send(client, page, "photo.png", png())
    assert client.post("/wiki/workshop/files/photo.png/delete").status_code == 303
    assert download(client, "/wiki/workshop/files/photo.png").status_code == 404
    assert "photo.png" not in client.get("/wiki/workshop").get_data(as_text=True).split('id="attachments"')[1]
    assert client.get("/admin/files").status_code == 403
    auth.logout()
    auth.login("admin")
    attachment = db.session.scalar(db.select(Attachment))
    restore = f'action="/admin/files/{attachment.id}/restore"'
    assert restore in client.get("/admin/files").get_data(as_text=True)
    trash = client.get("/admin/trash").get_data(as_text=True)  # beside the deleted pages
    assert "Deleted files" in trash and restore in trash and "photo.png" in trash
    assert client.post(f"/admin/files/{attachment.id}/restore").status_code == 303
    assert download(client, "/wiki/workshop/files/photo.png").status_code == 200
    assert restore not in client.get("/admin/trash").get_data(as_text=True)
    kinds = db.session.scalars(db.select(PageEvent.kind).where(PageEvent.page_id == page.id)
                               .order_by(PageEvent.id)).all()
    assert kinds[-3:] == ["attached", "file deleted", "file restored"]


# -- serving safely ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "mime", "inline"), [
    ("photo.png", png(), "image/png", True),
    ("report.pdf", pdf_without_pages(), "application/pdf", True),
    ("page.html", b"<!doctype html><script>alert(1)</script>", "application/octet-stream", False),
    ("fake.png", b"<html><script>alert(1)</script></html>", "application/octet-stream", False),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "application/octet-stream", False),
    ("data.xml", b"<?xml version='1.0'?><a/>", "application/octet-stream", False),
    ("notes.docx", docx_skeleton(), "application/octet-stream", False),
    ("notes.txt", "Texte en français.".encode(), "text/plain; charset=utf-8", False),
])
def test_each_kind_is_served_inline_or_as_a_download_by_what_it_is(as_editor, make_page, name, data,
                                                                   mime, inline):
    page = make_page("Files")
    assert send(as_editor, page, name, data).status_code == 303
    response = download(as_editor, f"/wiki/files/files/{name}")
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Type"] == mime
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline" if inline else "attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_downloads_have_an_etag_and_ranges(as_editor, make_page):
    page = make_page("Files")
    data = bytes(range(256)) * 40
    send(as_editor, page, "blob.bin", data)
    first = download(as_editor, "/wiki/files/files/blob.bin")
    etag = first.headers["ETag"]
    again = download(as_editor, "/wiki/files/files/blob.bin", headers={"If-None-Match": etag})
    assert again.status_code == 304
    part = download(as_editor, "/wiki/files/files/blob.bin", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"


def test_a_download_is_sent_after_its_request_has_ended(app_factory):
    """A WSGI server sends the body after the app context is gone (the
    database store reads its chunks then), several chunks for a large file."""
    from plugins.attachments.store import CHUNK
    from wiki.accounts import create_user
    from wiki.services import create_page

    app = app_factory()
    with app.app_context():
        create_user("ed", "password123", "editor")
        page = create_page("Page", "x", None)
        data = bytes(range(256)) * (CHUNK // 256) * 2 + b"tail"
        client = app.test_client()
        client.post("/login", data={"username": "ed", "password": "password123"})
        assert send(client, page, "big.bin", data).status_code == 303
    with client.get("/wiki/page/files/big.bin") as response:
        assert response.status_code == 200 and response.get_data() == data
    with client.get("/wiki/page/files/big.bin", headers={"Range": f"bytes={CHUNK - 2}-{CHUNK + 1}"}) as part:
        assert part.status_code == 206 and part.get_data() == data[CHUNK - 2:CHUNK + 2]


def test_files_of_a_members_only_page_are_members_only(client, auth, make_page):
    page = make_page("Board", "x", visibility="members")
    auth.login("editor")
    send(client, page, "minutes.pdf", pdf_without_pages())
    auth.logout()
    assert download(client, "/wiki/board/files/minutes.pdf").status_code == 404
    auth.login("member")
    assert download(client, "/wiki/board/files/minutes.pdf").status_code == 200


# -- in Markdown ------------------------------------------------------------------------------------


def test_markdown_refers_to_attachments_by_name(client, auth, make_page, users):
    from wiki import services
    from wiki.models import User

    other = make_page("Other page")
    page = make_page("Workshop", "See ![Field trip](photo.png), [the slides](slides.pdf), "
                                 "[[Other page^report.pdf|the report]], ![[Other page^map.png]] and "
                                 "[missing](gone.pdf).")
    auth.login("editor")
    send(client, page, "photo.png", png(30, 15))
    send(client, page, "slides.pdf", pdf_without_pages())
    send(client, other, "report.pdf", pdf_without_pages())
    send(client, other, "map.png", png(8, 4))
    html = client.get("/wiki/workshop").get_data(as_text=True)
    content = html.split('class="page-content"')[1]
    assert ('<a class="attachment-image" href="/wiki/workshop/files/photo.png"><img '
            'src="/wiki/workshop/files/photo.png" alt="Field trip" width="30" height="15" loading="lazy"></a>'
            in content)
    assert '<a class="attachment" href="/wiki/workshop/files/slides.pdf">the slides</a>' in content
    assert '<a class="attachment" href="/wiki/other-page/files/report.pdf">the report</a>' in content
    assert 'src="/wiki/other-page/files/map.png"' in content and 'width="8" height="4"' in content
    assert '<a class="attachment missing" title="Missing file: gone.pdf">missing</a>' in content
    # Attached later, a missing file shows at once (filled when viewed).
    send(client, page, "gone.pdf", pdf_without_pages())
    view = client.get("/wiki/workshop").get_data(as_text=True)
    assert 'href="/wiki/workshop/files/gone.pdf">missing</a>' in view
    # A file of a page the reader may not see is missing to them.
    services.change_settings(other, db.session.get(User, users["editor"]), visibility="members")
    auth.logout()
    content = client.get("/wiki/workshop").get_data(as_text=True)
    assert "other-page/files" not in content and "Missing file: report.pdf" in content


def test_a_large_image_is_shown_as_a_smaller_copy(as_editor, make_page):
    page = make_page("Photos", "![Panorama](wide.png)")
    send(as_editor, page, "wide.png", png(2400, 600))
    html = as_editor.get("/wiki/photos").get_data(as_text=True)
    assert 'src="/wiki/photos/files/wide.png?rendition=1"' in html and 'width="1600" height="400"' in html
    shown = download(as_editor, "/wiki/photos/files/wide.png?rendition=1")
    assert Image.open(io.BytesIO(shown.data)).size == (1600, 400)
    assert Image.open(io.BytesIO(download(as_editor, "/wiki/photos/files/wide.png").data)).size == (2400, 600)


# -- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.txt", b"", "“empty.txt” is empty: there is nothing to attach."),
    ("../escape.txt", b"x", "has parts of a path in it"),
    ("dir\\file.txt", b"x", "has parts of a path in it"),
    ("bell\x07.txt", b"x", "control characters"),
    ("CON.txt", b"x", "a name some systems keep for themselves"),
    ("big.bin", b"x" * (2 * 1024 * 1024 + 1), "larger than the 2 MB a file may be"),
])
def test_bad_files_are_refused_with_a_clear_message(as_editor, make_page, name, data, message):
    page = make_page("Files")
    if "\\" in name:  # a multipart header unescapes a backslash: name it in the form's field
        response = send(as_editor, page, "x.txt", data, json=True, name=name)
    else:
        response = send(as_editor, page, name, data, json=True)
    assert response.status_code in (400, 413)
    assert message in response.get_json()["error"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_a_request_over_the_upload_limit_is_a_clear_413(as_editor, make_page):
    page = make_page("Files")
    response = send(as_editor, page, "huge.bin", b"x" * (4 * 1024 * 1024))
    assert response.status_code == 413
    assert "more than the 2 MB a file may be" in response.get_data(as_text=True)
    refused = send(as_editor, page, "huge.bin", b"x" * (4 * 1024 * 1024), json=True)
    assert refused.status_code == 413 and "more than the 2 MB" in refused.get_json()["error"]
    # Other requests keep the wiki's general limit and message.
    edit = as_editor.post("/wiki/files/edit", data={"title": "Files", "body": "x" * (5 * 1024 * 1024)})
    assert edit.status_code == 413 and "more than the wiki accepts" in edit.get_data(as_text=True)


def test_a_2_gb_upload_is_refused_before_a_byte_of_it_is_read(as_editor, make_page):
    page = make_page("Files")
    body = io.BytesIO(b"never read")
    response = as_editor.post(f"/wiki/{page.slug}/files", input_stream=body,
                              content_type="multipart/form-data; boundary=x",
                              headers={"Accept": "application/json"},
                              environ_overrides={"CONTENT_LENGTH": str(2 * 1024 ** 3)})
    assert response.status_code == 413 and "more than the 2 MB" in response.get_json()["error"]
    assert body.tell() == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_an_upload_larger_than_other_requests_passes_the_csrf_check(app_factory):
    """The CSRF check reads the form before any view: the upload's own limit
    must already apply then (MAX_CONTENT_LENGTH is 4 MB, files may be 6)."""
    from conftest import PASSWORD, csrf_token

    from wiki.accounts import create_user
    from wiki.services import create_page

    app = app_factory(WTF_CSRF_ENABLED=True, MAX_ATTACHMENT_BYTES=6 * 1024 * 1024)
    with app.app_context():
        create_user("ed", PASSWORD, "editor")
        page = create_page("Page", "x", None)
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": "ed", "password": PASSWORD, "csrf_token": token})
        token = csrf_token(client.get("/wiki/page").get_data(as_text=True))
        response = send(client, page, "big.bin", b"x" * (5 * 1024 * 1024), csrf_token=token)
        assert response.status_code == 303
        assert db.session.scalar(db.select(AttachmentVersion.size)) == 5 * 1024 * 1024
        db.session.remove()


def test_names_are_normalised_and_unique_per_page(app, as_editor, make_page):
    page = make_page("Files")
    send(as_editor, page, "re\u0301sume\u0301.txt", b"one")  # decomposed accents
    send(as_editor, page, "résumé.txt", b"two")  # composed: the same name
    attachment = db.session.scalar(db.select(Attachment))
    assert attachment.name == "résumé.txt" and len(attachment.versions) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 1


def test_only_allowed_types_when_a_list_is_set(app_factory):
    from wiki.accounts import create_user
    from wiki.services import create_page

    app = app_factory(ATTACHMENTS_ALLOWED_TYPES=["application/pdf"])
    with app.app_context():
        create_user("ed", "password123", "editor")
        page = create_page("Page", "x", None)
        client = app.test_client()
        client.post("/login", data={"username": "ed", "password": "password123"})
        assert send(client, page, "r.pdf", pdf_without_pages()).status_code == 303
        refused = send(client, page, "p.png", png(), json=True)
        assert refused.status_code == 415 and "does not take (image/png)" in refused.get_json()["error"]
        db.session.remove()


def test_an_unknown_store_stops_the_app(app_factory):
    with pytest.raises(ValueError, match="ATTACHMENTS_STORE is 's3'"):
        app_factory(ATTACHMENTS_STORE="s3")


def test_the_check_finds_missing_blobs_and_orphans(app, runner, as_editor, make_page, store_name):
    from plugins.attachments.store import store

    page = make_page("Files")
    send(as_editor, page, "a.txt", b"kept")
    sha = db.session.scalar(db.select(AttachmentVersion.sha256))
    store().delete(sha)
    db.session.commit()
    result = runner.invoke(args=["files", "check"])
    assert result.exit_code == 1 and f"missing: {sha}" in result.output
    assert download(as_editor, "/wiki/files/files/a.txt").status_code == 404  # said, not a 500
    assert re.search(r"1 missing, 0 orphans", result.output)


def test_sniffing_an_archive_bomb_reads_only_its_first_bytes(tmp_path):
    """An ODF-like zip whose ``mimetype`` member inflates to 64 MB: sniffing
    it must not inflate it (the upload's worker would hold it all)."""
    import tracemalloc

    from plugins.attachments.sniff import sniff

    bomb = tmp_path / "slides.odp"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z, z.open("mimetype", "w") as member:
        member.write(b"application/vnd.oasis.opendocument.presentation")
        for _ in range(64):
            member.write(bytes(1024 * 1024))
    tracemalloc.start()
    try:
        kind = sniff(str(bomb), "slides.odp")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert kind == "application/zip"  # not what it claims: the declared type is followed by junk
    assert peak < 4 * 1024 * 1024


def test_with_the_plugin_turned_off_references_show_their_words(app_factory, store_name):
    """As docs/plugins.md says: drop the tables first, then turn it off."""
    from wiki import create_app
    from wiki.services import create_page

    app = app_factory()
    with app.app_context():
        create_page("Notes", "See ![the map](map.png), [the report](report.pdf) and [[Other^x.pdf]].", None)
        result = app.test_cli_runner().invoke(args=["db", "downgrade", "attachments@base"])
        assert result.exit_code == 0, result.output
        db.session.remove()
    off = create_app({"TESTING": True, "DISABLED_PLUGINS": ["attachments"]})
    with off.app_context():
        html = off.test_client().get("/wiki/notes").get_data(as_text=True)
        assert "See the map, the report and x.pdf." in html
        db.session.remove()
        db.engine.dispose()
