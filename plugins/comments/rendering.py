"""Comment text: a safe subset of Markdown, rendered once when saved.

Emphasis, links, lists, code and quotes; line breaks are kept. Raw HTML is
shown as text, never parsed. The HTML then goes through the core sanitizer
(external links get ``rel="nofollow ugc noopener"``, bare URLs become links)
and a narrower pass that drops what pages may have and comments may not
(images, headings, tables...).
"""

import re

import markdown
from markupsafe import Markup

from wiki.api import Allowlist, Sanitizer, clean

REL = "nofollow ugc noopener"

COMMENT_ALLOWLIST = Allowlist(
    tags={"p", "br", "em", "strong", "a", "ul", "ol", "li", "code", "pre", "blockquote"},
    attributes={"a": ["href", "title", "rel"], "ol": ["start"]},
    protocols={"http", "https", "mailto"},
)
# Thread-safe: it builds one bleach Cleaner per thread.
_narrow = Sanitizer(COMMENT_ALLOWLIST)

_LINK = re.compile(r"<a\s", re.IGNORECASE)
# Control characters (tab and newline excepted) are invalid in XML (the feed)
# and never meant.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _markdown():
    md = markdown.Markdown(extensions=["sane_lists", "fenced_code", "nl2br"], output_format="html")
    # Raw HTML is escaped: without these it is never recognised as HTML.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # No images (tracking pixels); `![alt](url)` stays a plain link. No
    # obfuscated e-mail links. "# 1" is a line of text, not a heading.
    for name in ("image_link", "image_reference", "short_image_ref", "automail"):
        md.inlinePatterns.deregister(name, strict=False)
    for name in ("hashheader", "setextheader"):
        md.parser.blockprocessors.deregister(name)
    return md


def normalize(text):
    """What we store: LF line ends, no control characters, no outer blank lines."""
    text = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip("\n").rstrip()


def render(text):
    """Markdown text -> sanitized HTML, ready to store."""
    html = _markdown().convert(text)
    return _narrow.clean(clean(html, rel=REL), rel=REL)


def count_links(html):
    return len(_LINK.findall(html))


def excerpt(html, length=140):
    """Plain text of a comment for lists: tags removed, cut at a word."""
    text = Markup(html).striptags()  # noqa: S704 - sanitized when saved; only its text is kept
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"
