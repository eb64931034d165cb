"""Small text helpers shared by the core and plugins."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def slugify(title, max_length=200):
    """``"Session 1 - Topic 2"`` -> ``"session-1-topic-2"``; accents are kept
    (``"Événements"`` -> ``"événements"``), so French titles stay readable."""
    text = unicodedata.normalize("NFKC", title or "").lower().replace("_", " ")
    slug = _NON_WORD.sub("-", text).strip("-")
    return slug[:max_length].rstrip("-")


def normalize_newlines(text):
    """Browsers send CRLF; revisions store LF and end with one newline."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip() + "\n" if text.strip() else ""
