"""An imported comment's Markdown (the wiki's page dialect) made fit for the
comments' smaller subset (``rendering.py``), without losing a word.

Comments show no images and no headings, and know nothing of a page's files.
Rendered as they are, ``## Agenda`` would show its hashes and ``![](photo.png)``
its brackets, and ``[slides](slides.pdf)`` would lead nowhere. So, outside
code:

- a heading becomes a line in bold;
- an image becomes a link to it, named by its alt text (else its file name
  or address): a file of the page links to the file's address on the page;
- a link to a file of the page links to that address;
- the HTML the import writes where Markdown has no syntax (a table with
  merged cells, a status lozenge, an anchor) gives way to its words, a
  table row per line, its cells between bars (the import writes the text's
  own "<" as "&lt;", so a tag is never someone's words).

Everything else the subset lacks (pipe tables, panels, folded sections,
wiki links) is left as it is: the renderer shows it as plain text.
"""

import re
from urllib.parse import unquote

from flask import current_app
from werkzeug.routing import BuildError

from wiki.api import outside_code

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(?P<text>.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
# A file of the page as the wiki's Markdown names it (the attachments plugin's
# syntax): no scheme, no "/", an extension; <spaces allowed> or %-encoded.
_FILE = r"<(?P<file_a>[^<>\n/\\]+\.[A-Za-z0-9]{1,10})>|(?P<file_b>[^\s()<>/\\:#?]+\.[A-Za-z0-9]{1,10})"
_WEB = r"<?(?P<url>https?://[^\s()<>]+)>?"
_TITLE = r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?"""
_REFERENCE = re.compile(
    r"(?<![\\\[])(?P<bang>!?)\[(?P<text>[^\[\]\n]*)\]\(\s*(?:" + _FILE + "|" + _WEB + ")" + _TITLE + r"\s*\)")
_ESCAPED = re.compile(r"([\\\[\]*_`])")
# The tags the import may write (wiki/transfer/confluence/markdown.py), and
# what each leaves: a row's cells between bars, a line break, else nothing.
_TAG = re.compile(r"</?(?P<name>a|span|br|table|thead|tbody|tfoot|tr|td|th|div|p|sup|sub|u|s|del|ins|mark)"
                  r"""(?:\s+[a-z-]+(?:="[^"<>]*")?)*\s*/?>""", re.IGNORECASE)
_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
_BETWEEN_TAGS = re.compile(r">\s+<")
_LEFT = {"<tr": "|", "</tr": "\n", "<td": " ", "<th": " ", "</td": " |", "</th": " |", "<br": "\n"}
FILE_ENDPOINT = "attachments.download"  # where the attachments plugin serves a page's file


def for_comments(markdown, page):
    """``markdown`` with its headings, images and file links rewritten for
    the comment renderer (code left as it is)."""
    address = _FileAddress(page)

    def reference(match):
        name = match["file_a"] or match["file_b"]
        if name is not None:
            name = unquote(name)
            target = address(name)
            if target is None:  # no plugin serves files: the reference stays, shown as text
                return match[0]
        elif match["bang"]:
            target = match["url"]
        else:
            return match[0]  # a link to the web: comments have those already
        # The alt text is Markdown already; a name or an address is not.
        label = match["text"].strip() or _ESCAPED.sub(r"\\\1", name or target)
        return f"[{label}]({target})"

    def rewrite(part):
        part = _HEADING.sub(lambda m: f"**{m['text'].strip()}**", part)
        part = _TABLE.sub(lambda m: _BETWEEN_TAGS.sub("><", m[0]), part)  # a row on one line
        part = _TAG.sub(_tag_left, part)
        return _REFERENCE.sub(reference, part)

    return outside_code(markdown or "", rewrite)


def _tag_left(match):
    closing = "/" if match[0].startswith("</") else ""
    return _LEFT.get(f"<{closing}{match['name'].lower()}", "")


class _FileAddress:
    """The address of a file of ``page`` (a path from the site's root), or
    None when the attachments plugin is not there to serve it."""

    def __init__(self, page):
        self.page = page
        self._adapter = None

    def __call__(self, name):
        if FILE_ENDPOINT not in current_app.view_functions:
            return None
        if self._adapter is None:  # built here, not by url_for: an import runs outside any request
            self._adapter = current_app.url_map.bind(
                "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
        try:
            path = self._adapter.build(FILE_ENDPOINT, {"slug": self.page.slug, "name": name})
        except BuildError:
            return None
        # Parentheses would end the Markdown link early.
        return path.replace("(", "%28").replace(")", "%29")
