"""Reading the text out of each kind of file. This runs in the child process
``extractors.py`` starts, under its memory and time limits: never in a web
worker. Run as a script (``python -I parsers.py PATH MIME MEMORY CHARS CPU``)
it answers one JSON object on standard output: ``{"text", "pages"}`` or
``{"error"}``; exit status 3 when it ran out of memory.

Only the standard library is imported at the top (the wiki imports this
module for ``READERS``); each reader imports its library when it runs.
"""

import codecs
import json
import logging
import os
import re
import resource
import sys
import unicodedata
import warnings
import zipfile

MEMORY_EXIT = 3
# Archives (DOCX, PPTX, ODT, ODP) are checked from their directory before a
# parser reads them: the parsers hold every unpacked part in memory.
MAX_ENTRIES = 10_000
MAX_RATIO = 100  # an entry unpacking to over 100 times its packed size (Apache POI's ZipSecureFile)...
RATIO_FROM = 1024 * 1024  # ...and to more than 1 MiB is taken for a zip bomb
PLAIN_BYTES_PER_CHAR = 4  # a text file is read no further than this many bytes a character kept


class Unreadable(Exception):
    """Why a file gives no text, in one line for the person who uploaded it."""


# -- text -----------------------------------------------------------------------------------------

_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")
_SPACES = re.compile(r"[^\S\n]+")


def tidy(text):
    """Plain text for the index and snippets: compatibility forms folded
    (NFKC: the "ﬁ" ligature of a PDF is "fi"), no control characters (a
    database column cannot hold NUL), one space between words, one blank line
    at most between paragraphs."""
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n"))
    text = _SPACES.sub(" ", _CONTROLS.sub("", text))
    text = re.sub(r" ?\n ?", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _found(error, kind):
    """Whether ``error`` is, or was raised while handling, a ``kind`` (pypdf
    turns a MemoryError into its own error, for one)."""
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, kind):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _one_line(error):
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


# -- PDF ------------------------------------------------------------------------------------------

def read_pdf(path, max_chars):
    """Each page's text and where it starts; pages after ``max_chars`` are not read."""
    from pypdf import PdfReader  # in the child process only (see the module's docstring)

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Unreadable("the PDF is protected by a password")
    pages = reader.pages
    text, offsets, failures = [], [], []
    length = 0
    for number in range(len(pages)):
        try:
            page = tidy(pages[number].extract_text())
        except Exception as e:  # one bad page does not lose the others
            if _found(e, MemoryError):
                raise
            failures.append(e)
            page = ""
        if length >= max_chars:
            break
        if length and page:
            text.append("\n\n")
            length += 2
        offsets.append(length)
        page = page[:max_chars - length]
        text.append(page)
        length += len(page)
    if failures and len(failures) == len(pages):
        raise failures[0]
    return "".join(text), offsets


# -- archives: DOCX, PPTX, ODT, ODP ---------------------------------------------------------------

def check_archive(path, kind, memory_bytes):
    """Refuse a zip bomb from the sizes its directory declares, before any
    parser unpacks it (Python's zipfile stops at the declared size, so the
    declaration binds)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise Unreadable(f"not a readable {kind}: {_one_line(e)}") from None
    if len(entries) > MAX_ENTRIES:
        raise Unreadable(f"archive holds more than {MAX_ENTRIES:,} files")
    limit = memory_bytes // 2
    total = sum(entry.file_size for entry in entries)
    if total > limit:
        raise Unreadable(f"archive expands to more than {limit // 2**20:,} MB ({total // 2**20:,} MB)")
    for entry in entries:
        if entry.file_size > RATIO_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            ratio = entry.file_size // max(entry.compress_size, 1)
            raise Unreadable(f"archive expands to more than {MAX_RATIO} times its size "
                             f"({entry.filename[:80]!r}: {ratio:,} times), a likely zip bomb")


def _row(cells):
    return " | ".join(cell for cell in cells if cell)


def read_docx(path, max_chars):
    """Paragraphs and tables in the order of the document."""
    import docx  # in the child process only

    document = docx.Document(path)
    return "\n".join(_docx_blocks(document)), None


def _docx_blocks(container):
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                seen, cells = set(), []
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # a merged cell is listed once per column it spans
                        seen.add(id(cell._tc))
                        cells.append(" ".join(_docx_blocks(cell)))
                yield _row(cells)
        else:
            yield block.text


def read_pptx(path, max_chars):
    """Each slide's text frames and tables (groups opened), then its notes; a
    blank line between slides."""
    from pptx import Presentation  # in the child process only

    slides = []
    for slide in Presentation(path).slides:
        lines = list(_pptx_shapes(slide.shapes))
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None:
                lines.append(notes.text)
        slides.append("\n".join(lines))
    return "\n\n".join(slides), None


def _pptx_shapes(shapes):
    for shape in shapes:
        if hasattr(shape, "shapes"):  # a group
            yield from _pptx_shapes(shape.shapes)
        elif shape.has_text_frame:
            yield shape.text_frame.text
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                yield _row(cell.text_frame.text for cell in row.cells if not cell.is_spanned)


_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_PARAGRAPHS = {(_TEXT, "p"), (_TEXT, "h")}
_ROW = ("urn:oasis:names:tc:opendocument:xmlns:table:1.0", "table-row")
_SLIDE = ("urn:oasis:names:tc:opendocument:xmlns:drawing:1.0", "page")
_SKIPPED = {(_TEXT, "tracked-changes"), (_TEXT, "sequence-decls")}  # deleted text, numbering setup


def read_odf(path, max_chars):
    """ODT and ODP: paragraphs and headings in document order, a table row to
    a line, a blank line between slides (odfpy)."""
    from odf.opendocument import load  # in the child process only

    body = load(path).body
    return "\n".join(_odf_blocks(body)), None


def _odf_blocks(element):
    for child in element.childNodes:
        name = getattr(child, "qname", None)
        if name in _PARAGRAPHS:
            yield _odf_text(child)
        elif name == _ROW:
            yield _row(" ".join(_odf_blocks(cell)) for cell in child.childNodes)
        elif name == _SLIDE:
            yield from _odf_blocks(child)
            yield ""
        elif name not in _SKIPPED:
            yield from _odf_blocks(child)


def _odf_text(element):
    # Not odfpy's teletype.extractText: it writes <text:s text:c="N"/> as N
    # spaces, and N is whatever the file says (two billion fills the memory).
    out = []
    for child in element.childNodes:
        name = getattr(child, "qname", None)
        if child.nodeType == child.TEXT_NODE:
            out.append(child.data)
        elif name in ((_TEXT, "s"), (_TEXT, "tab")):
            out.append(" ")
        elif name == (_TEXT, "line-break"):
            out.append("\n")
        elif name in _PARAGRAPHS:  # in a text box or a note of this paragraph
            out.append(f"\n{_odf_text(child)}\n")
        else:
            out.append(_odf_text(child))
    return "".join(out)


# -- plain text -----------------------------------------------------------------------------------

def read_plain(path, max_chars):
    """UTF-8 (a BOM is dropped), else Windows-1252, the usual encoding of
    older Western European files; bytes neither knows become U+FFFD."""
    with open(path, "rb") as f:
        data = f.read(max_chars * PLAIN_BYTES_PER_CHAR + 1)
    cut = len(data) > max_chars * PLAIN_BYTES_PER_CHAR
    data = data[:max_chars * PLAIN_BYTES_PER_CHAR]
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=not cut)
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text, None


# mime: (the kind as people name it, its reader, whether it is a zip archive)
READERS = {
    "application/pdf": ("PDF", read_pdf, False),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("DOCX", read_docx, True),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("PPTX", read_pptx, True),
    "application/vnd.oasis.opendocument.text": ("ODT", read_odf, True),
    "application/vnd.oasis.opendocument.presentation": ("ODP", read_odf, True),
    "text/plain": ("text file", read_plain, False),
    "text/markdown": ("text file", read_plain, False),
    "text/csv": ("text file", read_plain, False),
}


def read(path, mime, max_chars, memory_bytes):
    """(text, page offsets or None) of the file at ``path``; ``Unreadable``."""
    kind, reader, archive = READERS[mime]
    if archive:
        check_archive(path, kind, memory_bytes)
    try:
        text, pages = reader(path, max_chars)
    except Unreadable:
        raise
    except Exception as e:
        if _found(e, MemoryError):
            raise MemoryError from e
        if _found(e, RecursionError):
            raise Unreadable(f"not a readable {kind}: its parts are nested too deeply") from None
        raise Unreadable(f"not a readable {kind}: {_one_line(e)}") from None
    if pages is None:
        text = tidy(text)[:max_chars]
    return text, pages


# -- the child process ----------------------------------------------------------------------------

def _limit(memory_bytes, cpu_seconds):
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # The parent's timeout kills the process; this stops it too if the parent is gone.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    os.nice(10)  # behind the web workers


def main(argv):
    path, mime, memory_bytes, max_chars, cpu_seconds = argv[0], argv[1], *map(int, argv[2:5])
    _limit(memory_bytes, cpu_seconds)
    # The answer goes to the original standard output; anything a library
    # prints goes nowhere and cannot spoil it.
    answer_fd = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    try:
        try:
            text, pages = read(path, mime, max_chars, memory_bytes)
            answer = {"text": text, "pages": pages}
        except Unreadable as e:
            answer = {"error": str(e)}
        data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    except MemoryError:
        os._exit(MEMORY_EXIT)
    with os.fdopen(answer_fd, "wb") as out:
        out.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
