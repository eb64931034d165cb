"""What a file is, from its first bytes: never from its name alone or from
what the browser says. Only the kinds below are recognised; only safe
images and PDF are ever shown inline (``INLINE``), everything else is sent
as a download."""

import zipfile

# (mime, a short name for filters and icons)
KINDS = {
    "image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif", "image/webp": "webp",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/zip": "zip",
    "text/plain": "txt", "text/markdown": "md", "text/csv": "csv",
    "text/html": "html", "image/svg+xml": "svg", "application/xml": "xml",
    "application/octet-stream": "file",
}
INLINE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
# Text shown as text (with its charset); HTML, SVG and XML never are.
PLAIN_TEXT = frozenset({"text/plain", "text/markdown", "text/csv"})
IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_OOXML = {"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
          "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_ODF = ("application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.spreadsheet")
_MARKUP = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe",
           b"<!--", b"<div", b"<a ", b"<img")


def sniff(path, name=""):
    """The mime type of the file at ``path`` (one of ``KINDS``)."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    return _text_kind(head, name)


def _zip_kind(path):
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if "mimetype" in names:
                with z.open("mimetype") as member:  # read 100 bytes, never inflate a bomb whole
                    declared = member.read(100).decode("ascii", "replace").strip()
                if declared in _ODF:
                    return declared
            if "[Content_Types].xml" in names:
                for prefix, mime in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return "application/octet-stream"
    return "application/zip"


def _text_kind(head, name):
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(_MARKUP) or b"<script" in lowered or b"<svg" in lowered:
        if b"<svg" in lowered:
            return "image/svg+xml"
        return "text/html" if not lowered.startswith(b"<?xml") else "application/xml"
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "application/octet-stream"
    lower = name.lower()
    if lower.endswith((".md", ".markdown")):
        return "text/markdown"
    if lower.endswith(".csv"):
        return "text/csv"
    return "text/plain"


def short(mime):
    """``pdf``, ``png``, ``docx``...: the ``filetype:`` of a file."""
    return KINDS.get(mime, "file")
