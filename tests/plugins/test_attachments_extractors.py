"""Reading the text of attached files for search: each kind, in English and
French; PDF page offsets; and hostile files (malformed, nested, huge, slow,
zip bombs, not what they claim, empty, wrongly encoded), which must fail
with a clear reason and leave the caller unharmed. Every fixture is made
here."""

import io
import os
import struct
import zipfile
import zlib

import docx
import pypdf
import pytest
from odf import draw, presentation, style, text
from odf.opendocument import OpenDocumentPresentation, OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from pptx import Presentation
from pptx.util import Inches
from support.documents import pdf_file, pdf_stream, text_pdf

from plugins.attachments import extractors
from plugins.attachments.extractors import ExtractionFailed, can_extract, extract

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"

ENGLISH = "Soil organic carbon stocks were measured at three depths."
FRENCH = "Le carbone organique du sol a été mesuré à trois profondeurs, en été comme en hiver."


@pytest.fixture
def write(tmp_path):
    def write(name, data):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)
    return write


# -- PDFs written by hand (tests/support/documents.py) ---------------------------------------------

def one_page_pdf(content, extra=b"", more=()):
    """A page drawing ``content`` (a content stream) in Helvetica."""
    return pdf_file([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
                     b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 5 0 R>>>>"
                     b"/Contents 4 0 R>>", pdf_stream(content, extra),
                     b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>", *more])


def test_a_pdf_gives_each_pages_text_and_where_it_starts(write):
    pages = [["Workshop report", ENGLISH], [], ["Rapport de l'atelier", FRENCH], ["Annex (tables)"]]
    result = extract(write("report.pdf", text_pdf(pages)), PDF)
    assert result.text == f"Workshop report\n{ENGLISH}\n\nRapport de l'atelier\n{FRENCH}\n\nAnnex (tables)"
    assert len(result.pages) == 4
    assert result.text[result.pages[0]:].startswith("Workshop report")
    assert result.text[result.pages[2]:].startswith("Rapport de l'atelier")
    assert result.text[result.pages[3]:] == "Annex (tables)"
    # A hit's offset gives the page to link to (report.pdf#page=N).
    assert result.page_at(result.text.index("mesuré")) == 3
    assert result.page_at(result.text.index("measured")) == 1
    assert result.page_at(result.text.index("Annex")) == 4


def test_a_pdf_encrypted_without_a_user_password_is_read_one_with_a_password_is_not(write):
    plain = pypdf.PdfReader(io.BytesIO(text_pdf([[FRENCH]])))
    for password, expected in (("", FRENCH), ("secret", None)):
        writer = pypdf.PdfWriter(clone_from=plain)
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-256")
        out = io.BytesIO()
        writer.write(out)
        path = write(f"locked-{password}.pdf", out.getvalue())
        if expected:
            assert extract(path, PDF).text == expected
        else:
            with pytest.raises(ExtractionFailed, match="^the PDF is protected by a password$"):
                extract(path, PDF)


def test_text_is_cut_at_the_limit_and_later_pages_are_not_listed(write, monkeypatch):
    monkeypatch.setattr(extractors, "MAX_TEXT_CHARS", 100)
    pages = [f"Page {n}: le carbone du sol, été {n}." for n in range(1, 6)]  # 33 characters each
    result = extract(write("long.pdf", text_pdf([[page] for page in pages])), PDF)
    assert result.text == "\n\n".join(pages)[:100]
    assert result.pages == (0, 35, 70)  # page 4 would start at 105
    assert extract(write("long.txt", ("é" * 150).encode()), "text/plain").text == "é" * 100


# -- office documents ----------------------------------------------------------------------------

def docx_file(path):
    document = docx.Document()
    document.add_heading("Compte rendu de l'atelier", 1)
    document.add_paragraph(FRENCH)
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Site"
    table.cell(0, 2).text = "Carbone (t/ha)"
    for column, value in enumerate(("Épinal", "sol nu", "42")):
        table.cell(1, column).text = value
    document.add_paragraph(ENGLISH)
    document.save(path)
    return path


def test_a_docx_gives_paragraphs_and_tables_in_reading_order(tmp_path):
    result = extract(docx_file(tmp_path / "notes.docx"), DOCX)
    assert result.text == (f"Compte rendu de l'atelier\n{FRENCH}\n"
                           "Site | Carbone (t/ha)\nÉpinal | sol nu | 42\n" + ENGLISH)
    assert result.pages is None


def test_a_pptx_gives_each_slides_text_tables_and_notes(tmp_path):
    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "Mesurer le carbone du sol"
    first.placeholders[1].text_frame.text = FRENCH
    first.notes_slide.notes_text_frame.text = "Dire que les mesures datent de l'été 2025."
    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "Results"
    table = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1)).table
    for (row, column), value in {(0, 0): "Depth", (0, 1): "Stock", (1, 0): "0–30 cm", (1, 1): "41 t"}.items():
        table.cell(row, column).text = value
    box = second.shapes.add_textbox(Inches(1), Inches(4), Inches(6), Inches(1))
    box.text_frame.text = ENGLISH
    deck.save(tmp_path / "slides.pptx")
    result = extract(str(tmp_path / "slides.pptx"), PPTX)
    assert result.text == (f"Mesurer le carbone du sol\n{FRENCH}\nDire que les mesures datent de l'été 2025."
                           f"\n\nResults\nDepth | Stock\n0–30 cm | 41 t\n{ENGLISH}")


def test_an_odt_gives_headings_paragraphs_and_tables(tmp_path):
    document = OpenDocumentText()
    document.text.addElement(text.H(outlinelevel=1, text="Compte rendu"))
    paragraph = text.P(text="Premier")
    paragraph.addElement(text.S(c=3))
    paragraph.addText("été,")
    paragraph.addElement(text.Tab())
    paragraph.addText("suite")
    document.text.addElement(paragraph)
    table = Table()
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for values in (("Site", "Stock"), ("Épinal", "42 t")):
        row = TableRow()
        for value in values:
            cell = TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    document.text.addElement(text.P(text=ENGLISH))
    document.save(str(tmp_path / "notes.odt"))
    result = extract(str(tmp_path / "notes.odt"), ODT)
    assert result.text == f"Compte rendu\nPremier été, suite\nSite | Stock\nÉpinal | 42 t\n{ENGLISH}"


def odp_file(path, slides):
    """An ODP of (text, notes) slides."""
    deck = OpenDocumentPresentation()
    layout = style.PageLayout(name="Layout")
    deck.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Master", pagelayoutname=layout)
    deck.masterstyles.addElement(master)
    for words, notes in slides:
        page = draw.Page(masterpagename=master)
        deck.presentation.addElement(page)
        frame = draw.Frame(width="20cm", height="5cm", x="1cm", y="1cm")
        page.addElement(frame)
        box = draw.TextBox()
        frame.addElement(box)
        box.addElement(text.P(text=words))
        holder = presentation.Notes()
        page.addElement(holder)
        notes_frame = draw.Frame(width="20cm", height="5cm", x="1cm", y="1cm")
        holder.addElement(notes_frame)
        notes_box = draw.TextBox()
        notes_frame.addElement(notes_box)
        notes_box.addElement(text.P(text=notes))
    deck.save(str(path))
    return str(path)


def test_an_odp_gives_each_slides_text_and_notes(tmp_path):
    path = odp_file(tmp_path / "slides.odp", [("Le carbone du sol", FRENCH), ("Results", ENGLISH)])
    assert extract(path, ODP).text == f"Le carbone du sol\n{FRENCH}\n\nResults\n{ENGLISH}"


# -- plain text ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("mime", "data", "expected"), [
    ("text/plain", f"\ufeff{FRENCH}\r\n\r\n\r\n\r\n{ENGLISH}   \t and more\n".encode(),
     f"{FRENCH}\n\n{ENGLISH} and more"),
    ("text/markdown", "# Résumé\n\nLe *carbone* du sol.\n".encode(), "# Résumé\n\nLe *carbone* du sol."),
    ("text/csv", "site,stock\nÉpinal,42\n".encode(), "site,stock\nÉpinal,42"),
    # Not UTF-8: Windows-1252, as older French files are; a byte it lacks becomes U+FFFD.
    ("text/plain", "Café crème, été".encode("cp1252") + b" \x81!", "Café crème, été \ufffd!"),
    # NUL and other control characters are dropped; a ligature becomes its letters.
    ("text/plain", "nul\x00 byte\x07 \ufb01nance".encode(), "nul byte finance"),
])
def test_plain_text_is_read_whatever_its_bytes(write, mime, data, expected):
    result = extract(write("notes", data), mime)
    assert result.text == expected and result.pages is None


def test_only_kinds_with_text_are_extracted(write):
    for mime in (PDF, DOCX, PPTX, ODT, ODP, "text/plain", "text/markdown", "text/csv"):
        assert can_extract(mime)
    for mime in ("image/png", "application/zip", "text/html", "image/svg+xml", "application/octet-stream",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
        assert not can_extract(mime)
    with pytest.raises(ExtractionFailed, match="image/png"):
        extract(write("photo.png", b"\x89PNG\r\n\x1a\n"), "image/png")


# -- hostile and broken files ----------------------------------------------------------------------

@pytest.mark.parametrize("mime", [PDF, DOCX, PPTX, ODT, ODP, "text/plain"])
def test_an_empty_file_fails_clearly(write, mime):
    with pytest.raises(ExtractionFailed, match="^the file is empty$"):
        extract(write("empty", b""), mime)


def test_a_truncated_or_garbled_pdf_fails_clearly(write):
    whole = text_pdf([[ENGLISH]] * 3)
    for data in (whole[:len(whole) // 2], b"%PDF-1.7\n" + bytes(range(256)) * 50):
        with pytest.raises(ExtractionFailed, match="^not a readable PDF: "):
            extract(write("broken.pdf", data), PDF)


def test_a_pdf_nesting_objects_deeply_fails_clearly(write):
    # The page's contents: an array in an array... 100,000 deep, around the real stream.
    data = one_page_pdf(b"BT /F1 9 Tf (x) Tj ET", more=[b"[" * 100_000 + b"4 0 R" + b"]" * 100_000])
    data = data.replace(b"/Contents 4 0 R", b"/Contents 6 0 R")
    with pytest.raises(ExtractionFailed, match="^not a readable PDF: its parts are nested too deeply$"):
        extract(write("deep.pdf", data), PDF)


def test_a_pdf_whose_page_tree_loops_fails_clearly(write):
    data = pdf_file([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[2 0 R 3 0 R]/Count 1>>",
                     b"<</Type/Pages/Parent 2 0 R/Kids[2 0 R]/Count 1>>"])
    with pytest.raises(ExtractionFailed, match="^not a readable PDF: "):
        extract(write("loop.pdf", data), PDF)


def test_a_pdf_with_a_huge_object_count_fails_within_the_memory_limit(write):
    count = 300_000
    data = pdf_file([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
                     b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]/Contents 4 0 R/Junk[%s]>>"
                     % b" ".join(b"%d 0 R" % n for n in range(5, count + 5)),
                     pdf_stream(b"BT (x) Tj ET"), *[b"[1 2 3]"] * count])
    path = write("objects.pdf", data)
    with pytest.raises(ExtractionFailed, match="^needed more than 96 MB$"):
        extract(path, PDF, memory_bytes=96 * 2**20)
    with pytest.raises(ExtractionFailed, match="^not a readable PDF: "):  # pypdf's own limit, under 512 MB
        extract(path, PDF)


def busy_pdf():
    """10 KB that unpack to a million text operations: seconds of parsing, and
    hundreds of MB of objects."""
    return one_page_pdf(zlib.compress(b"BT /F1 9 Tf " + b"(x) Tj " * 1_000_000 + b"ET", 9),
                        b"/Filter/FlateDecode")


def test_a_pdf_that_keeps_its_parser_busy_is_stopped_at_the_time_limit(write):
    with pytest.raises(ExtractionFailed, match=r"^timed out after 0\.5 s$"):
        extract(write("busy.pdf", busy_pdf()), PDF, timeout=0.5)


def test_a_pdf_that_fills_the_memory_is_stopped_at_the_memory_limit(write):
    with pytest.raises(ExtractionFailed, match="^needed more than 128 MB$"):
        extract(write("busy.pdf", busy_pdf()), PDF, memory_bytes=128 * 2**20)


def with_entry(path, name, data):
    """The office file at ``path`` with one more entry, deflated."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return str(path)


def office_file(tmp_path, mime):
    """A small, good file of the kind ``mime``."""
    if mime == DOCX:
        return docx_file(tmp_path / "doc.docx")
    if mime == PPTX:
        Presentation().save(tmp_path / "deck.pptx")
        return str(tmp_path / "deck.pptx")
    if mime == ODT:
        document = OpenDocumentText()
        document.text.addElement(text.P(text="Texte"))
        document.save(str(tmp_path / "doc.odt"))
        return str(tmp_path / "doc.odt")
    return odp_file(tmp_path / "deck.odp", [("Slide", "Notes")])


@pytest.mark.parametrize("mime", [DOCX, PPTX, ODT, ODP])
def test_a_zip_bomb_disguised_as_an_office_file_is_refused_before_parsing(tmp_path, mime):
    # 32 MB of zeros pack into 32 KB: refused from the archive's directory.
    path = with_entry(office_file(tmp_path, mime), "content/bomb.xml", b"\0" * (32 * 2**20))
    with pytest.raises(ExtractionFailed, match=r"^archive expands to more than 100 times its size "
                                               r"\('content/bomb.xml': [\d,]+ times\), a likely zip bomb$"):
        extract(path, mime)


def declaring(path, name, size):
    """The archive at ``path`` with the entry ``name`` declaring ``size`` bytes unpacked."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    encoded = name.encode()
    for signature, field in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, directory
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(encoded)] == encoded:
                data[at + field:at + field + 4] = struct.pack("<I", size)
            at = data.find(signature, at + 4)
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


@pytest.mark.parametrize("mime", [PPTX, ODT])
def test_an_archive_declaring_gigabytes_is_refused(tmp_path, mime):
    path = declaring(with_entry(office_file(tmp_path, mime), "huge.bin", os.urandom(1000)), "huge.bin",
                     3_000_000_000)
    with pytest.raises(ExtractionFailed, match=r"^archive expands to more than 256 MB \(2,8\d\d MB\)$"):
        extract(path, mime)


def test_a_docx_that_is_not_a_zip_fails_clearly(write):
    with pytest.raises(ExtractionFailed, match="^not a readable DOCX: File is not a zip file$"):
        extract(write("fake.docx", b"<html>not a document</html>"), DOCX)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ExtractionFailed, match="^not a readable DOCX: "):
        extract(write("hollow.docx", archive.getvalue()), DOCX)


def test_an_odt_declaring_two_billion_spaces_gives_its_text(tmp_path):
    # odfpy's own extractText would build a string of two billion spaces.
    document = OpenDocumentText()
    paragraph = text.P(text="avant")
    paragraph.addElement(text.S(c=2_000_000_000))
    paragraph.addText("après")
    document.text.addElement(paragraph)
    document.save(str(tmp_path / "spaces.odt"))
    assert extract(str(tmp_path / "spaces.odt"), ODT).text == "avant après"


def test_external_entities_do_not_bring_in_local_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the database password")
    entity = f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'.encode()
    # A DOCX whose document pulls in a file of the server...
    path = docx_file(tmp_path / "doc.docx")
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    body = parts["word/document.xml"]
    declaration_end = body.index(b"?>") + 2
    parts["word/document.xml"] = (body[:declaration_end] + entity +
                                  body[declaration_end:].replace(b"Site</w:t>", b"Site &x;</w:t>"))
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    # ...and an ODT doing the same in its content.
    document = OpenDocumentText()
    document.text.addElement(text.P(text="marker"))
    document.save(str(tmp_path / "doc.odt"))
    with zipfile.ZipFile(tmp_path / "doc.odt") as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    content = parts["content.xml"]
    declaration_end = content.index(b"?>") + 2
    parts["content.xml"] = content[:declaration_end] + entity + content[declaration_end:].replace(
        b"marker", b"marker &x;")
    with zipfile.ZipFile(tmp_path / "doc.odt", "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    for file, mime in ((path, DOCX), (str(tmp_path / "doc.odt"), ODT)):
        try:
            found = extract(file, mime).text
        except ExtractionFailed as e:
            found = str(e)
        assert "password" not in found


# -- the child process -----------------------------------------------------------------------------

def fake_parser(monkeypatch, tmp_path, code):
    """Run ``code`` in place of the real parser script."""
    script = tmp_path / "parser.py"
    script.write_text(code)
    monkeypatch.setattr(extractors, "_PARSER", str(script))


def test_a_reader_that_crashes_leaves_the_caller_a_reason(write, monkeypatch, tmp_path):
    path = write("notes.txt", b"hello")
    fake_parser(monkeypatch, tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    with pytest.raises(ExtractionFailed, match=r"^the reader crashed \(SIGSEGV\)$"):
        extract(path, "text/plain")
    fake_parser(monkeypatch, tmp_path, "raise SystemExit('parser broken')\n")
    with pytest.raises(ExtractionFailed, match="^the reader failed: parser broken$"):
        extract(path, "text/plain")


def test_the_reader_sees_nothing_of_the_callers_environment(write, monkeypatch, tmp_path):
    monkeypatch.setenv("WIKI_SQLALCHEMY_DATABASE_URI", "postgresql://wiki:hunter2@db/wiki")
    fake_parser(monkeypatch, tmp_path, "import json, os\n"
                "print(json.dumps({'text': json.dumps(dict(os.environ)), 'pages': None}))\n")
    seen = extract(write("notes.txt", b"hello"), "text/plain").text
    assert "PATH" in seen and "hunter2" not in seen and "WIKI_" not in seen
