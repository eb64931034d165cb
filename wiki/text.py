"""Small text helpers shared by the core and plugins."""

import re
import unicodedata
from html.parser import HTMLParser

from flask_babel import format_decimal, ngettext
from flask_babel import lazy_gettext as _l

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def slugify(title, max_length=200):
    """``"Session 1 - Topic 2"`` -> ``"session-1-topic-2"``; accents are kept
    (``"Événements"`` -> ``"événements"``), so French titles stay readable."""
    text = unicodedata.normalize("NFKC", title or "").lower().replace("_", " ")
    slug = _NON_WORD.sub("-", text).strip("-")
    return slug[:max_length].rstrip("-")


_SLUG = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def is_slug(text):
    """Whether ``text`` is a page address: lower-case letters (accents
    kept), digits, and single hyphens between them."""
    return bool(_SLUG.fullmatch(text or "")) and text == text.lower()


def title_key(title):
    """What makes two titles the same title (and a ``[[link]]`` find its page):
    case, accents, spaces and punctuation aside. ``"Événements, 2021"`` ->
    ``"evenements-2021"``."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", title or ""))
    return slugify("".join(ch for ch in folded if not unicodedata.combining(ch)))


def human_size(n):
    """A size in bytes as people read it, in the interface language: "512
    bytes", "3.4 MB" ("3,4 Mo" in French)."""
    if n < 1024:
        return ngettext("%(count)s byte", "%(count)s bytes", n, count=format_decimal(n))
    units = (_l("%(size)s KB"), _l("%(size)s MB"), _l("%(size)s GB"))
    for unit in units:
        n /= 1024
        if n < 1024 or unit is units[-1]:
            return str(unit) % {"size": format_decimal(n, "#,##0.0")}
    raise AssertionError("unreachable")


def normalize_newlines(text):
    """Browsers send CRLF; revisions store LF and end with one newline."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip() + "\n" if text.strip() else ""


_BLOCKS = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
           "blockquote", "summary", "details", "br", "dd", "dt", "table", "ul", "ol"}


class _TextExtractor(HTMLParser):
    """HTML -> plain text, with the [anchor, title, start, end] of each section."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.length = [], 0
        self.open_sections, self.sections = [], []
        self._summary = None
        self._skip = False  # inside a heading's "¶" permalink

    def _add(self, text):
        self.parts.append(text)
        self.length += len(text)

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS and self.parts and not self.parts[-1].endswith("\n"):
            self._add("\n")
        if tag == "details":
            anchor = dict(attrs).get("id")
            self.open_sections.append([anchor, "", self.length])
        elif tag == "summary" and self.open_sections:
            self._summary = []
        elif tag == "a" and ("class", "headerlink") in attrs:
            self._skip = True

    def handle_endtag(self, tag):
        if tag == "summary" and self._summary is not None and self.open_sections:
            self.open_sections[-1][1] = " ".join("".join(self._summary).split())
            self._summary = None
        elif tag == "details" and self.open_sections:
            anchor, title, start = self.open_sections.pop()
            if anchor:
                self.sections.append([anchor, title, start, self.length])
        elif tag == "a":
            self._skip = False
        if tag in _BLOCKS:
            self._add("\n")

    def handle_data(self, data):
        if self._skip:
            return  # the "¶" permalink of headings
        if self._summary is not None:
            self._summary.append(data)
        self._add(data)


def html_text(html):
    """The text a reader sees in rendered HTML, and its folded sections
    (``<details id=...>``) as [anchor, summary, start, end] offsets into that
    text, sorted by start, outer sections first (search links hits to them)."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts), sorted(parser.sections, key=lambda s: (s[2], -s[3]))


def html_to_text(html):
    """The text a reader sees in ``html`` (for search, feeds, previews)."""
    return html_text(html)[0].strip()
