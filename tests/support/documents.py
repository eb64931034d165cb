"""Files made in tests, as their programs write them: PDFs written by hand
(text in Helvetica with the Windows encoding, accents included), Word and
PowerPoint files made with python-docx and python-pptx, images with Pillow;
and the smallest files of a kind, for tests that only need the kind."""

import io
import re
import zipfile

import docx
from PIL import Image
from pptx import Presentation


def png(width=20, height=10, color="red"):
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def pdf_without_pages(comment="report"):
    """A PDF with no text (``comment`` makes the bytes of two of them differ)."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>"
            b"endobj\ntrailer<</Root 1 0 R>>\n%%" + comment.encode() + b"\n%%EOF\n")


def docx_skeleton():
    """The parts that make a zip a Word document, with no text."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def pdf_file(objects):
    """A PDF of the given object bodies (numbered from 1, the first the catalog), with its xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_stream(data, extra=b""):
    return b"<</Length %d%s>>\nstream\n%s\nendstream" % (len(data), extra, data)


def text_pdf(pages):
    """A PDF of pages of lines, in Helvetica with the Windows encoding (accents included)."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(pages)))
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, len(pages)),
               b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"]
    for i, lines in enumerate(pages):
        shown = b" ".join(b"(%s) Tj T*" % re.sub(rb"([()\\])", rb"\\\1", line.encode("cp1252"))
                          for line in lines)
        objects.append(b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 3 0 R>>>>"
                       b"/Contents %d 0 R>>" % (5 + 2 * i))
        objects.append(pdf_stream(b"BT /F1 12 Tf 14 TL 72 720 Td " + shown + b" ET"))
    return pdf_file(objects)


def docx_bytes(paragraphs):
    """A Word document of these paragraphs."""
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx_bytes(slides):
    """A PowerPoint deck of (title, text) slides."""
    deck = Presentation()
    for title, body in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text_frame.text = body
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
