"""Attached files in search: found by name and by their extracted text (English
and French), a PDF hit linking to its page, ``type:file`` and ``filetype:``,
visibility by role, and files following every change of their own and of
their page; on each engine.

Extraction is simulated as the queue finishes it: the version's ``text``,
``pages`` and ``extract_status="done"`` are set and committed.
"""

import json
import os
import re

import pytest
from support.documents import docx_skeleton, pdf_without_pages, png
from support.uploads import post_file

from plugins.attachments.models import Attachment
from wiki.extensions import db
from wiki.models import Page, User

QUIET = {"COMMENTS_MIN_SECONDS": 0, "COMMENTS_RATE_LIMIT": [1000, 60], "SEARCH_BUILD_WAIT": 30,
         # No extraction thread: each test stores the "extracted" text itself.
         "ATTACHMENTS_EXTRACT_IN_BACKGROUND": False}
ENGINES = ["whoosh", "sqlite"]


@pytest.fixture(params=ENGINES)
def engine_name(request):
    return request.param


@pytest.fixture
def app(app_factory, engine_name):
    app = app_factory(**QUIET, SEARCH_ENGINE=engine_name)
    with app.app_context():
        yield app
        db.session.remove()


def upload(client, slug, name, data):
    """Attach a file as the page's form does (the client is signed in as an editor)."""
    response = post_file(client, slug, name, data)
    assert response.status_code == 303, response.get_data(as_text=True)


def attachment(slug, name):
    return db.session.scalar(db.select(Attachment).join(Page).where(Page.slug == slug,
                                                                     Attachment.name == name))


def extracted(app, slug, name, text, pages=None):
    """What the extraction queue does once a file's text is read."""
    version = attachment(slug, name).current
    version.text, version.pages = text, json.dumps(pages) if pages is not None else None
    version.extract_status = "done"
    db.session.commit()
    sync(app)
    return version


def sync(app):
    app.extensions["wiki.search"].indexer.catch_up()


def search(client, q):
    """(total, hit links, html) of /search?q=..."""
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    total = int(re.search(r'id="results-title">(\d+) result', html).group(1)) if \
        'id="results-title"' in html else 0
    return total, re.findall(r'class="hit-title" href="([^"]+)"', html), html


def facets(html):
    return dict((kind, int(n)) for kind, n in re.findall(
        r'>(\w+)s</(?:a|span)> <span class="count">(\d+)<', html.split('class="facets"')[1]))


@pytest.fixture
def workshop(app, client, auth, make_page):
    """A workshop page with a PDF (text pending), as an editor left it."""
    make_page("Workshop 2021", "The workshop programme.")
    auth.login("editor")
    upload(client, "workshop-2021", "Field_trip-report.pdf", pdf_without_pages())
    auth.logout()
    return "workshop-2021"


# -- found by name, and by text once extracted -------------------------------------------------


def test_a_file_is_found_by_its_name_while_its_text_is_pending(client, workshop):
    total, links, html = search(client, "report")
    assert links == ["/wiki/workshop-2021/files/Field_trip-report.pdf"]
    hit = html.split('class="hit hit-file"')[1].split("</li>")[0]
    assert "Field_trip-<mark>report</mark>.pdf" in hit
    # The page it belongs to, linked; who uploaded it; its kind.
    assert '<a class="hit-page" href="/wiki/workshop-2021">Workshop 2021</a>' in hit
    assert "uploaded by Editor Person" in hit and ">PDF</a>" in hit
    # A part of a compound name finds it too, and its whole name.
    assert search(client, "trip")[1] == links
    assert search(client, "Field_trip-report.pdf")[1] == links
    assert search(client, "programme")[0] == 1  # only the page: no text yet


@pytest.mark.parametrize("status", ["failed", "none"])
def test_a_file_without_text_is_found_by_its_name(app, client, auth, make_page, status):
    make_page("Field trip")
    auth.login("editor")
    upload(client, "field-trip", "sampling photo.png", png())
    version = attachment("field-trip", "sampling photo.png").current
    assert version.extract_status == "none"  # a kind without text
    version.extract_status, version.text = status, "words that were never meant to be indexed"
    db.session.commit()
    sync(app)
    auth.logout()
    total, links, _ = search(client, "photo")
    assert links == ["/wiki/field-trip/files/sampling%20photo.png"]
    assert search(client, "indexed")[0] == 0  # only the text of a finished extraction counts


@pytest.mark.parametrize(("query", "expected"), [
    ("carbone", 1), ("carbones", 1), ("carbon", 1),      # French and English stems
    ("evenement", 1), ("événement", 1),                  # accents are optional
    ("monitoring", 1), ('"soil organic carbon"', 1), ("monitor*", 1),
    ('"carbon organic soil"', 0), ("volcano", 0),
])
def test_a_file_is_found_by_the_words_of_its_text(app, client, workshop, query, expected):
    extracted(app, workshop, "Field_trip-report.pdf",
              "Les carbones du sol sont mesurés à chaque événement. "
              "We sample soil organic carbon; stocks were monitored.")
    total, links, html = search(client, f"{query} type:file")
    assert total == expected
    if expected:
        assert links == ["/wiki/workshop-2021/files/Field_trip-report.pdf"]
        snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
        assert "<mark>" in snippet


def test_a_pdf_hit_links_to_the_page_of_its_best_snippet(app, client, workshop):
    filler = " ".join(f"filler{i}" for i in range(40))
    pages = [f"Page one: introduction. {filler}", f"Page two: methods. {filler}",
             f"Page three: the agroforestry results. {filler}"]
    offsets = [sum(len(p) + 1 for p in pages[:i]) for i in range(len(pages))]
    extracted(app, workshop, "Field_trip-report.pdf", "\n".join(pages), offsets)
    _, links, html = search(client, "agroforestry")
    assert links == ["/wiki/workshop-2021/files/Field_trip-report.pdf#page=3"]
    assert '<span class="hit-section">on page 3</span>' in html
    assert search(client, "methods")[1] == ["/wiki/workshop-2021/files/Field_trip-report.pdf#page=2"]
    # Found by its name only: the file itself, no page.
    assert search(client, "report")[1] == ["/wiki/workshop-2021/files/Field_trip-report.pdf"]


def test_a_hit_deep_inside_a_long_pdf_links_to_its_page(app, client, workshop):
    pages = [f"Page {n}: " + " ".join(f"word{n}x{i}" for i in range(60)) for n in range(1, 401)]
    pages[311] += " The pedotransfer function."
    offsets = [0]
    for page in pages[:-1]:
        offsets.append(offsets[-1] + len(page) + 1)
    extracted(app, workshop, "Field_trip-report.pdf", "\n".join(pages), offsets)
    _, links, html = search(client, "pedotransfer")
    assert links == ["/wiki/workshop-2021/files/Field_trip-report.pdf#page=312"]
    assert "<mark>pedotransfer</mark>" in html


def test_a_file_without_pages_links_to_the_file(app, client, auth, workshop):
    auth.login("editor")
    upload(client, workshop, "notes #1.docx", docx_skeleton())
    auth.logout()
    extracted(app, workshop, "notes #1.docx", "Biochar trial notes.")
    assert search(client, "biochar")[1] == ["/wiki/workshop-2021/files/notes%20%231.docx"]


# -- filters and facets -------------------------------------------------------------------------


@pytest.fixture
def mixed(app, client, auth, make_page, users):
    """Compost in a page, a comment, a PDF and a DOCX; a photo named compost."""
    from plugins.comments.service import post_comment

    page = make_page("Compost trial", "Compost page.")
    post_comment(page, db.session.get(User, users["member"]), "A compost question.")
    auth.login("editor")
    for name, data in (("trial.pdf", pdf_without_pages()), ("plan.docx", docx_skeleton()),
                       ("compost heap.png", png())):
        upload(client, "compost-trial", name, data)
    auth.logout()
    extracted(app, "compost-trial", "trial.pdf", "Compost temperatures.", [0])
    extracted(app, "compost-trial", "plan.docx", "Turning the compost weekly.")


@pytest.mark.parametrize(("query", "expected"), [
    ("compost", {"page", "comment", "trial.pdf", "plan.docx", "compost heap.png"}),
    ("compost type:file", {"trial.pdf", "plan.docx", "compost heap.png"}),
    ("compost type:page|file", {"page", "trial.pdf", "plan.docx", "compost heap.png"}),
    ("compost -type:file", {"page", "comment"}),
    ("compost filetype:pdf", {"trial.pdf"}),
    ("compost filetype:PDF", {"trial.pdf"}),
    ("compost filetype:.pdf", {"trial.pdf"}),
    ("compost filetype:pdf|docx", {"trial.pdf", "plan.docx"}),
    ("compost filetype:png", {"compost heap.png"}),
    ("compost -filetype:pdf", {"page", "comment", "plan.docx", "compost heap.png"}),
    ("filetype:docx", {"plan.docx"}),                              # a filter alone
    ("type:file -filetype:png", {"trial.pdf", "plan.docx"}),
    ("compost filetype:pptx", set()),
    ("compost author:editor type:file", {"trial.pdf", "plan.docx", "compost heap.png"}),
])
def test_type_and_filetype_filters(client, auth, mixed, query, expected):
    auth.login("member")
    total, links, _ = search(client, query)
    found = {"comment" if "#comment-" in link else link.split("/files/")[1].split("#")[0]
             .replace("%20", " ") if "/files/" in link else "page" for link in links}
    assert found == expected and total == len(expected)


def test_the_type_facet_counts_files(client, auth, mixed):
    auth.login("member")
    _, _, html = search(client, "compost")
    assert facets(html) == {"comment": 1, "file": 3, "page": 1}
    assert '<a href="/search?q=compost+type:file">files</a>' in html
    _, _, html = search(client, "compost type:file")
    assert facets(html) == {"file": 3}
    # The kind of a hit narrows the search to it.
    assert 'href="/search?q=compost+type:file+filetype:pdf">PDF</a>' in html


def test_a_filetype_that_is_not_one_says_so(client, mixed):
    _, _, html = search(client, "compost filetype:<pdf>")
    assert "“filetype:” is a kind of file" in html
    _, _, html = search(client, "compost type:files")
    assert "“type:” is page, comment or file." in html


def test_the_search_help_documents_files(client):
    html = client.get("/search").get_data(as_text=True)
    assert "<code>type:file</code>" in html and "<code>filetype:pdf</code>" in html


# -- visibility --------------------------------------------------------------------------------


@pytest.fixture
def secret(app, client, auth, make_page):
    make_page("Open day", "Open.")
    make_page("Board", "Board minutes.", visibility="members")
    auth.login("editor")
    upload(client, "open-day", "open-budget.pdf", pdf_without_pages())
    upload(client, "board", "board-budget.pdf", pdf_without_pages())
    auth.logout()
    extracted(app, "board", "board-budget.pdf", "Permafrost funding, xylophone.")


def test_a_members_only_pages_files_never_reach_anonymous_readers(client, secret):
    total, links, html = search(client, "budget")
    assert links == ["/wiki/open-day/files/open-budget.pdf"]
    assert "board" not in html.split('class="search-layout"')[1].lower()  # not in facets either
    assert search(client, "permafrost")[0] == 0 and search(client, "type:file")[0] == 1
    assert search(client, "filetype:pdf -open")[0] == 0
    total, _, html = search(client, "xylophon")  # nor a suggestion made of its words
    assert total == 0 and "Did you mean" not in html


@pytest.mark.parametrize("role", ["member", "editor", "admin"])
def test_signed_in_readers_find_members_only_files(client, auth, secret, role):
    auth.login(role)
    assert search(client, "budget")[0] == 2
    assert search(client, "permafrost")[1] == ["/wiki/board/files/board-budget.pdf"]


def test_files_become_members_only_with_their_page(client, auth, secret):
    auth.login("editor")
    client.post("/wiki/open-day/settings", data={"title": "Open day", "parent": "", "visibility": "members"})
    auth.logout()
    assert search(client, "budget")[0] == 0
    auth.login("member")
    assert search(client, "budget")[0] == 2
    auth.logout()
    auth.login("editor")
    client.post("/wiki/open-day/settings", data={"title": "Open day", "parent": "", "visibility": "public"})
    auth.logout()
    assert search(client, "budget")[1] == ["/wiki/open-day/files/open-budget.pdf"]


# -- following every change ------------------------------------------------------------------------


def test_deleted_files_leave_search_and_restored_ones_come_back(app, client, auth, workshop):
    extracted(app, workshop, "Field_trip-report.pdf", "Mangrove restoration.")
    auth.login("editor")
    client.post(f"/wiki/{workshop}/files/Field_trip-report.pdf/delete")
    assert search(client, "mangrove")[0] == 0 and search(client, "report")[0] == 0
    auth.logout()
    auth.login("admin")
    restored = attachment(workshop, "Field_trip-report.pdf")
    assert client.post(f"/admin/files/{restored.id}/restore").status_code == 303
    assert search(client, "mangrove")[1] == ["/wiki/workshop-2021/files/Field_trip-report.pdf"]


def test_a_new_version_replaces_the_text(app, client, auth, workshop):
    extracted(app, workshop, "Field_trip-report.pdf", "Mangrove restoration.")
    auth.login("editor")
    upload(client, workshop, "Field_trip-report.pdf", pdf_without_pages() + b"% second\n")
    assert search(client, "mangrove")[0] == 0  # the new version's text is pending
    assert search(client, "report")[0] == 1
    extracted(app, workshop, "Field_trip-report.pdf", "Seagrass meadows.")
    assert search(client, "seagrass")[0] == 1 and search(client, "mangrove")[0] == 0
    assert search(client, "report")[0] == 1  # one document per file, not per version


def test_files_follow_their_page_renamed_moved_deleted_and_restored(app, client, auth, make_page, users,
                                                                     workshop):
    from plugins.comments.service import post_comment

    extracted(app, workshop, "Field_trip-report.pdf", "Quinoa yields.")
    post_comment(db.session.get(Page, attachment(workshop, "Field_trip-report.pdf").page_id),
                 db.session.get(User, users["member"]), "A quinoa question.")
    make_page("Archive")
    sync(app)
    auth.login("editor")
    client.post(f"/wiki/{workshop}/settings", data={"title": "Field day", "slug": "field-day",
                                                   "parent": "archive", "visibility": "public"})
    total, links, html = search(client, "quinoa in:archive")
    # Comments and files both follow their page: each plugin answers for its own.
    assert total == 2 and "/wiki/field-day/files/Field_trip-report.pdf" in links
    hit = html.split('class="hit hit-file"')[1].split("</li>")[0]
    assert 'href="/wiki/archive">Archive</a>' in hit
    assert '<a class="hit-page" href="/wiki/field-day">Field day</a>' in hit
    client.post("/wiki/field-day/delete")
    assert search(client, "quinoa")[0] == 0 and search(client, "report")[0] == 0
    auth.logout()
    auth.login("admin")
    page_id = db.session.scalar(db.select(Page.id).where(Page.slug == "field-day"))
    client.post(f"/admin/trash/{page_id}/restore")
    assert search(client, "report")[1] == ["/wiki/field-day/files/Field_trip-report.pdf"]
    assert search(client, "quinoa")[0] == 2


def test_files_under_a_deleted_parent_leave_search(app, client, auth, make_page, workshop):
    parent = make_page("Events")
    auth.login("editor")
    client.post(f"/wiki/{workshop}/settings", data={"title": "Workshop 2021", "parent": "events",
                                                   "visibility": "public"})
    assert parent is not None and search(client, "report in:events")[0] == 1
    client.post("/wiki/events/settings", data={"title": "Events", "parent": "", "visibility": "members"})
    auth.logout()
    assert search(client, "report")[0] == 0  # the file's page became members-only with its parent


# -- bad text, reindex, an old index ---------------------------------------------------------------


@pytest.mark.parametrize("pages", ["not json", "[5, 2]", '["a", "b"]', "[0, 1000000000]", "[-3]",
                                   "{\"page\": 1}", "[true]", None])
def test_broken_text_never_breaks_the_results(app, client, workshop, pages):
    version = attachment(workshop, "Field_trip-report.pdf").current
    # (No NUL: PostgreSQL refuses it in a text column; the extraction drops it.)
    version.text = "Ti\x01tle <script>alert('peat')</script> peat\x07 bog\x1b[31m \u202e moss"
    version.pages, version.extract_status = pages, "done"
    db.session.commit()
    sync(app)
    response = client.get("/search", query_string={"q": "peat"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    links = re.findall(r'class="hit-title" href="([^"]+)"', html)
    assert len(links) == 1 and links[0].startswith("/wiki/workshop-2021/files/Field_trip-report.pdf")
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert "<script" not in snippet and "&lt;script&gt;" in snippet
    assert not re.search("[\x00-\x08\x1b]", html)  # no control character reaches the page


def test_a_text_that_cannot_be_indexed_leaves_the_file_findable_by_name(app, client, workshop,
                                                                        monkeypatch, caplog):
    from plugins.attachments import search as file_search

    def broken(version):
        raise ValueError("a text no index can take")

    monkeypatch.setattr(file_search, "_text", broken)
    extracted(app, workshop, "Field_trip-report.pdf", "Peat bogs.")
    assert search(client, "report")[0] == 1
    assert "cannot be indexed; indexing its name only" in caplog.text
    assert search(client, "programme")[0] == 1  # and the index went on with everything else


def test_reindex_indexes_files_and_check_agrees(app, runner, client, auth, workshop):
    from plugins.search.changes import document_count

    extracted(app, workshop, "Field_trip-report.pdf", "Loess soils.")
    auth.login("editor")
    upload(client, workshop, "gone.txt", b"Deleted notes.")
    client.post(f"/wiki/{workshop}/files/gone.txt/delete")
    assert document_count() == 2  # the page and its live file: the progress bar's length
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 2 documents." in result.output
    check = runner.invoke(args=["reindex", "--check"])
    assert check.exit_code == 0 and "0 missing, 0 stale, 0 extra" in check.output, check.output
    assert search(client, "loess")[1] == ["/wiki/workshop-2021/files/Field_trip-report.pdf"]


def test_an_index_built_before_files_were_searched_is_rebuilt(app, client, workshop, caplog):
    """An index from before this version has no files and no format: it is
    rebuilt on first use rather than answer without them."""
    from plugins.search.engines import sqlite, whoosh

    sync(app)
    app.extensions["wiki.search"].indexer.join_build()  # the first index, built in the background
    engine = app.extensions["wiki.search"].engine
    file_id = attachment(workshop, "Field_trip-report.pdf").id
    with engine.writing(timeout=5) as batch:
        batch.write([(f"file:{file_id}", None)])
    current = engine.folder.current()
    if engine.name == "whoosh":
        os.remove(os.path.join(current, whoosh.FORMAT_FILE))
    else:
        conn = sqlite._connect(os.path.join(current, sqlite.FILE))
        conn.execute("DELETE FROM state WHERE key = 'format'")
        conn.close()
    engine.forget()  # as a process of the new version starts
    assert search(client, "type:file")[1] == ["/wiki/workshop-2021/files/Field_trip-report.pdf"]
    assert "built by another version of the wiki" in caplog.text
    assert engine.folder.current() != current


# -- the attachments plugin disabled ----------------------------------------------------------------


def test_search_works_without_the_attachments_plugin(app_factory, engine_name):
    from datetime import datetime

    from plugins.search.engine import Document
    from wiki import services
    from wiki.accounts import create_user

    app = app_factory(**QUIET, SEARCH_ENGINE=engine_name, DISABLED_PLUGINS=["attachments"])
    with app.app_context():
        page = services.create_page("Plain", "Peat notes.", create_user("ed", "password123", "editor"))
        sync(app)
        # A file indexed while the plugin was on: its hit leads to its page.
        with app.extensions["wiki.search"].engine.writing(timeout=5) as batch:
            batch.write([("file:1", Document(
                id="file:1", type="file", page_id=page.id, slug="plain", title="peat.pdf", body="Peat.",
                updated=datetime(2024, 1, 1), members_only=False, version="x", page_title="Plain",
                file_name="peat.pdf", filetype="pdf"))])
        total, links, _ = search(app.test_client(), "peat")
        assert total == 2 and set(links) == {"/wiki/plain", "/wiki/plain#attachments"}
        db.session.remove()
