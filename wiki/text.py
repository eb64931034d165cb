"""Small text helpers shared by the core and plugins."""

import re
import unicodedata
from html.parser import HTMLParser

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


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")


_BLOCK_TAGS = {"p", "br", "li", "div", "pre", "blockquote", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}


def html_to_text(html):
    """The text a reader sees in ``html`` (for search, feeds, previews)."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts).strip()
