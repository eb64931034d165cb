"""The attachments endpoints: a page's files, uploading (multipart/form-data,
the page form's checks: role, size limit, refused types, versions),
downloading (the plugin's own serving: sniffed type, Content-Disposition,
nosniff) and deleting, for every role; the files of a members-only page
never show to anonymous callers, in lists, downloads or search. Every answer
is checked against the OpenAPI document by ``ApiClient`` (downloads: its
binary media type)."""

import io

import pytest
from support.documents import pdf_without_pages, png
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from plugins.attachments.models import Attachment, AttachmentVersion
from wiki.extensions import db

from .conftest import problem

LIMIT = 1024 * 1024  # MAX_ATTACHMENT_BYTES of these tests
UPLOADERS = ("editor", "admin")
BINARY = bytes(range(256))  # served as application/octet-stream
NOT_UPLOADERS = {"anonymous": (401, None), "member": (403, None),
                 "reader": (403, "urn:wiki:problem:insufficient-scope")}


@pytest.fixture
def settings():
    """More settings of the test's app (parametrize to change them)."""
    return {}


@pytest.fixture
def app(app_factory, settings):
    """No text is read in the background: a child process per upload would
    slow these tests down (test_attachments_extraction.py tests it)."""
    app = app_factory(MAX_ATTACHMENT_BYTES=LIMIT, ATTACHMENTS_EXTRACT_IN_BACKGROUND=False, **settings)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def pages(make_page):
    return {"workshop": make_page("Workshop"), "board": make_page("Board", visibility="members")}


def _multipart(files=(), **fields):
    """The arguments of a POST of ``files`` (``(filename, bytes)`` pairs, in
    the part ``file``) and ``fields`` as multipart/form-data, encoded in memory."""
    parts = {**fields}
    if files:
        parts["file"] = [FileStorage(io.BytesIO(data), filename) for filename, data in files]
    boundary, body = encode_multipart(parts)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(client, slug, files=(), **fields):
    return client.post(f"/pages/{slug}/attachments", **_multipart(files, **fields))


def attach(client, slug, filename, data, **fields):
    response = upload(client, slug, [(filename, data)], **fields)
    assert response.status_code == 201, response.get_json()
    return response


def download(client, path, **options):
    """GET a file, read whole and closed before the answer is checked (as a
    WSGI server closes it once the body is sent)."""
    return client.get(path, buffered=True, **options)


def count():
    return db.session.scalar(db.select(db.func.count()).select_from(AttachmentVersion))


# -- uploading -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", UPLOADERS)
def test_editors_and_admins_attach_a_file(api_as, pages, role):
    response = attach(api_as(role), "workshop", "slides.pdf", pdf_without_pages())
    body = response.get_json()
    assert response.headers["Location"] == "http://localhost/api/v1/pages/workshop/attachments/slides.pdf"
    assert body["url"] == response.headers["Location"]
    assert body["name"] == "slides.pdf" and body["new"] is True and body["version"] == 1
    assert body["media_type"] == "application/pdf" and body["size"] == len(pdf_without_pages())
    assert body["uploader"]["username"] == role
    assert body["page"] == {"slug": "workshop", "title": "Workshop"} and body["thumbnail_url"] is None
    assert body["markdown"] == "[slides.pdf](<slides.pdf>)"


@pytest.mark.parametrize("role", NOT_UPLOADERS)
def test_others_may_not_attach_and_nothing_is_stored(api_as, pages, role):
    status, kind = NOT_UPLOADERS[role]
    problem(upload(api_as(role), "workshop", [("a.txt", b"text")]), status, kind)
    assert count() == 0


@pytest.mark.parametrize("settings", [{"ATTACHMENTS_MEMBERS_UPLOAD": True}])
def test_members_attach_when_the_wiki_lets_them(api_as, pages):
    body = attach(api_as("member"), "board", "minutes.txt", b"Minutes.").get_json()
    assert body["uploader"]["username"] == "member"
    problem(upload(api_as("anonymous"), "workshop", [("a.txt", b"text")]), 401)


def test_the_same_name_makes_a_new_version(api_as, pages):
    client = api_as("editor")
    attach(client, "workshop", "data.bin", BINARY + b"first")
    body = attach(client, "workshop", "data.bin", BINARY + b"second").get_json()
    assert body["new"] is False and body["version"] == 2 and body["versions"] == [1, 2]
    assert download(client, "/pages/workshop/attachments/data.bin").data == BINARY + b"second"
    assert download(client, "/pages/workshop/attachments/data.bin?version=1").data == BINARY + b"first"
    renamed = attach(client, "workshop", "draft.bin", BINARY, name="data.bin").get_json()
    assert renamed["name"] == "data.bin" and renamed["version"] == 3


# -- bad uploads: a clear problem, nothing attached ------------------------------------------------


@pytest.mark.parametrize(("files", "fields", "status", "message"), [
    ([], {"name": "a.txt"}, 400, "Choose a file to attach."),
    ([("", b"no name")], {}, 400, "Choose a file to attach."),
    ([("empty.txt", b"")], {}, 400, "“empty.txt” is empty: there is nothing to attach."),
    ([("../escape.txt", b"x")], {}, 400, "has parts of a path in it"),
    ([("x.txt", b"x")], {"name": "CON.txt"}, 400, "a name some systems keep for themselves"),
    ([("a.txt", b"a"), ("b.txt", b"b")], {}, 400, "Send one file per request."),
    ([("big.bin", b"x" * (LIMIT + 1))], {}, 413, "larger than the 1 MB a file may be"),
    ([("huge.bin", b"x" * (LIMIT + 2 * 1024 * 1024))], {}, 413, "more than the 1 MB a file may be"),
    ([("a.txt", b"a")], {"title": "A"}, 422, "title"),
])
def test_bad_uploads_are_refused_with_a_clear_message(api_as, pages, files, fields, status, message):
    body = problem(upload(api_as("editor"), "workshop", files, **fields), status)
    assert message in body["detail"]
    assert count() == 0


def test_an_upload_in_another_media_type_is_a_415(api_as, pages):
    client = api_as("editor")
    problem(client.post("/pages/workshop/attachments", json={"file": "a.txt"}), 415)
    problem(client.post("/pages/workshop/attachments", data=b"raw", content_type="application/pdf"), 415)
    assert count() == 0


@pytest.mark.parametrize("settings", [{"ATTACHMENTS_ALLOWED_TYPES": ["application/pdf"]}])
def test_a_kind_of_file_the_wiki_does_not_take_is_a_415(api_as, pages):
    client = api_as("editor")
    body = problem(upload(client, "workshop", [("p.png", png())]), 415)
    assert "does not take (image/png)" in body["detail"]
    attach(client, "workshop", "r.pdf", pdf_without_pages())
    assert count() == 1


def test_an_unknown_page_is_a_404(api_as, pages):
    problem(upload(api_as("editor"), "nowhere", [("a.txt", b"a")]), 404)


# -- listing ------------------------------------------------------------------------------------


@pytest.fixture
def files(api_as, pages):
    """Workshop: notes.txt, wide.png (large: a smaller copy), small.png;
    Board (members only): minutes.bin."""
    editor = api_as("editor")
    attach(editor, "workshop", "notes.txt", b"Workshop notes.")
    attach(editor, "workshop", "wide.png", png(2400, 600))
    attach(editor, "workshop", "small.png", png())
    attach(editor, "board", "minutes.bin", BINARY)


@pytest.mark.parametrize("role", ["anonymous", "member", "editor", "admin", "reader"])
def test_every_role_lists_the_files_of_a_page_it_may_see(api_as, files, role):
    response = api_as(role).get("/pages/workshop/attachments")
    assert response.status_code == 200 and 'rel="last"' in response.headers["Link"]
    body = response.get_json()
    assert body["total"] == 3 and [f["name"] for f in body["items"]] == ["notes.txt", "small.png", "wide.png"]
    notes, small, wide = body["items"]
    assert notes["media_type"] == "text/plain" and notes["size"] == len(b"Workshop notes.")
    assert notes["uploader"] == {"username": "editor", "display_name": "Editor Person"}
    assert notes["thumbnail_url"] is None and notes["created_at"].endswith("Z")
    assert small["thumbnail_url"] == small["url"]  # small enough to be its own thumbnail
    assert wide["thumbnail_url"] == wide["url"] + "?rendition=1"


def test_members_only_files_never_show_to_anonymous_callers(api_as, files):
    anonymous = api_as("anonymous")
    problem(anonymous.get("/pages/board/attachments"), 404)
    problem(download(anonymous, "/pages/board/attachments/minutes.bin"), 404)
    for role in ("member", "editor", "admin", "reader"):
        body = api_as(role).get("/pages/board/attachments").get_json()
        assert [f["name"] for f in body["items"]] == ["minutes.bin"], role
        assert download(api_as(role), "/pages/board/attachments/minutes.bin").data == BINARY


def test_files_are_found_by_search_right_after_the_upload_by_those_who_may_see_them(api_as, files):
    search = api_as("anonymous").get("/search?q=type:file")
    assert search.status_code == 200
    body = search.get_json()
    assert body["total"] == 3 and "minutes" not in str(body)
    assert {f["value"]: f["count"] for f in body["facets"]["type"]} == {"file": 3}
    member = api_as("member").get("/search?q=minutes").get_json()
    (hit,) = member["items"]
    assert hit["kind"] == "file" and hit["url"] == "http://localhost/wiki/board/files/minutes.bin"
    assert hit["title"] == "minutes.bin" and hit["file_name"] == "minutes.bin"
    assert hit["page"] == {"slug": "board", "title": "Board"} and hit["author"] == "Editor Person"
    assert api_as("anonymous").get("/search?q=minutes").get_json()["total"] == 0


def test_a_list_of_a_page_without_files_is_empty(api_as, pages):
    body = api_as("anonymous").get("/pages/workshop/attachments").get_json()
    assert body == {"items": [], "total": 0, "page": 1, "per_page": 50}
    problem(api_as("anonymous").get("/pages/nowhere/attachments"), 404)
    problem(api_as("anonymous").get("/pages/workshop/attachments?page=0"), 400)


# -- downloading -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "mime", "inline"), [
    ("photo.png", png(), "image/png", True),
    ("report.pdf", pdf_without_pages(), "application/pdf", True),
    ("page.html", b"<!doctype html><script>alert(1)</script>", "application/octet-stream", False),
    ("fake.png", b"<html><script>alert(1)</script></html>", "application/octet-stream", False),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "application/octet-stream", False),
    ("notes.txt", "Texte en français.".encode(), "text/plain; charset=utf-8", False),
])
def test_a_download_is_served_as_the_page_serves_it(api_as, pages, spec, name, data, mime, inline):
    attach(api_as("editor"), "workshop", name, data)
    response = download(api_as("anonymous"), f"/pages/workshop/attachments/{name}")
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Type"] == mime
    assert response.headers["Content-Disposition"].startswith("inline" if inline else "attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert "private" in response.headers["Cache-Control"]


def test_the_document_declares_the_binary_media_type(spec):
    content = spec["paths"]["/pages/{slug}/attachments/{name}"]["get"]["responses"]["200"]["content"]
    assert {"application/octet-stream", "image/png", "application/pdf", "text/plain"} <= set(content)
    upload_body = spec["paths"]["/pages/{slug}/attachments"]["post"]["requestBody"]["content"]
    assert upload_body["multipart/form-data"]["schema"]["required"] == ["file"]


def test_a_thumbnail_is_the_smaller_copy(api_as, files):
    from PIL import Image

    client = api_as("anonymous")
    shown = download(client, "/pages/workshop/attachments/wide.png?rendition=1")
    assert Image.open(io.BytesIO(shown.data)).size == (1600, 400)
    full = download(client, "/pages/workshop/attachments/wide.png")
    assert Image.open(io.BytesIO(full.data)).size == (2400, 600)


@pytest.mark.parametrize(("path", "status"), [
    ("/pages/workshop/attachments/nothing.txt", 404),
    ("/pages/board/attachments/nothing.txt", 404),
    ("/pages/nowhere/attachments/notes.txt", 404),
    ("/pages/workshop/attachments/notes.txt?version=9", 404),
    ("/pages/workshop/attachments/notes.txt?version=0", 400),
    ("/pages/workshop/attachments/notes.txt?version=one", 400),
    ("/pages/workshop/attachments/notes.txt?rendition=yes", 400),
    ("/pages/workshop/attachments/notes.txt?as=zip", 400),
])
def test_unknown_files_versions_and_parameters(api_as, files, path, status):
    problem(download(api_as("editor"), path), status)


# -- deleting --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "member", "reader"])
def test_only_editors_delete(api_as, files, role):
    status, kind = NOT_UPLOADERS[role]
    problem(api_as(role).delete("/pages/workshop/attachments/notes.txt"), status, kind)
    assert api_as(role).get("/pages/workshop/attachments").get_json()["total"] == 3


@pytest.mark.parametrize("role", UPLOADERS)
def test_deleting_is_soft(api_as, files, role):
    client = api_as(role)
    response = client.delete("/pages/workshop/attachments/notes.txt")
    assert response.status_code == 204 and not response.data
    assert [f["name"] for f in client.get("/pages/workshop/attachments").get_json()["items"]] == [
        "small.png", "wide.png"]
    problem(download(client, "/pages/workshop/attachments/notes.txt"), 404)
    problem(client.delete("/pages/workshop/attachments/notes.txt"), 404)
    kept = db.session.scalar(db.select(Attachment).where(Attachment.name == "notes.txt"))
    assert kept.is_deleted  # an admin can restore it
    assert api_as("anonymous").get("/search?q=notes type:file").get_json()["total"] == 0


def test_deleting_on_an_unknown_page_is_a_404_and_anonymous_callers_must_sign_in(api_as, files):
    problem(api_as("editor").delete("/pages/nowhere/attachments/minutes.bin"), 404)
    problem(api_as("anonymous").delete("/pages/board/attachments/minutes.bin"), 401)


def test_problems_speak_the_callers_language(api_as, pages):
    files = [("a.txt", b"a"), ("b.txt", b"b")]
    client = api_as("editor")
    response = client.post("/pages/workshop/attachments", headers={"Accept-Language": "fr"},
                           **_multipart(files))
    assert problem(response, 400)["detail"] == "Envoyez un seul fichier par requête."
    member = api_as("member").post("/pages/workshop/attachments", headers={"Accept-Language": "fr"},
                                   **_multipart([("a.txt", b"a")]))
    assert problem(member, 403)["detail"] == "Votre compte ne peut pas joindre de fichiers aux pages."
