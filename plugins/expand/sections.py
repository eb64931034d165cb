"""Expandable sections in Markdown: ``??? "Title"`` blocks and raw ``<details>``.

Both become ``<details>``/``<summary>`` elements with a stable id
(``section-<slug of the summary>``), so a link, a search result or expand.js
can point at a section. Mistakes (a section without indented text, a
``<details>`` never closed) are shown to editors in place, through the
``section`` dynamic block; the text itself always stays on the page.
"""

import html
import re
import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.extensions.toc import render_inner_html, slugify_unicode, strip_tags, unique
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from pymdownx.details import DetailsProcessor

from wiki.api import placeholder

DEFAULT_SUMMARY = "Click here to expand..."
NOTICE_BLOCK = "section"  # plugins/expand/__init__.py turns it into an editor-only notice


def notice(md, message):
    """A stash key for an editor-only notice: Markdown leaves it alone, and a
    paragraph holding only it is replaced by the placeholder ``<div>``."""
    return md.htmlStash.store(placeholder(NOTICE_BLOCK, message))


class SectionProcessor(DetailsProcessor):
    """pymdownx.details, and two forms it does not read: a bare ``???`` (the
    default summary) and an unquoted title (``??? Background``, which
    pymdownx would turn into a CSS class, losing the words)."""

    MARKER = re.compile(r"^(\?{3}\+?)(?:[ \t]+(.*?))?[ \t]*$", re.MULTILINE)
    QUOTED = re.compile(r'(?:[\w\-]+(?: +[\w\-]+)*? +)?"(.*)"')

    def _normalize(self, block):
        def quote(m):
            marker, title = m.group(1), m.group(2) or ""
            if self.QUOTED.fullmatch(title):
                return m.group(0)
            return f'{marker} "{title or DEFAULT_SUMMARY}"'

        return self.MARKER.sub(quote, block)

    def test(self, parent, block):
        return super().test(parent, self._normalize(block))

    def run(self, parent, blocks):
        blocks[0] = self._normalize(blocks[0])
        return super().run(parent, blocks)


class RawDetailsPreprocessor(Preprocessor):
    """Let Markdown inside raw ``<details>`` render (md_in_html reads the
    ``markdown`` attribute), and warn editors when the tags don't pair up.

    Runs after fenced code is stashed, so code samples are left untouched;
    only tags at the start of a line are rewritten (an indented line may be
    a code block)."""

    OPEN = re.compile(r"<details\b(?![^>]*\bmarkdown=)", re.IGNORECASE)
    SUMMARY = re.compile(r"<summary\b(?![^>]*\bmarkdown=)", re.IGNORECASE)
    COUNT_OPEN = re.compile(r"<details\b", re.IGNORECASE)
    COUNT_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
    CODE_SPAN = re.compile(r"`+[^`]*`+")

    def run(self, lines):
        out, opened, closed = [], 0, 0
        for line in lines:
            if not line.startswith(("    ", "\t")):
                text = self.CODE_SPAN.sub("", line)
                opened += len(self.COUNT_OPEN.findall(text))
                closed += len(self.COUNT_CLOSE.findall(text))
            if line[:8].lower() == "<details":
                line = self.OPEN.sub('<details markdown="1"', line)
                line = self.SUMMARY.sub('<summary markdown="span"', line)
            elif line.lstrip(" ")[:8].lower() == "<summary" and len(line) - len(line.lstrip(" ")) < 4:
                line = self.SUMMARY.sub('<summary markdown="span"', line)
            out.append(line)
        if opened != closed:
            out[:0] = [notice(self.md, self._unpaired(opened, closed)), ""]
        return out

    @staticmethod
    def _unpaired(opened, closed):
        if opened > closed:
            return (f"{opened - closed} <details> tag(s) not closed with </details>: "
                    "the rest of the page is inside the section.")
        return f"{closed - opened} </details> tag(s) without a <details> before them."


class SectionTreeprocessor(Treeprocessor):
    """Give each section a summary and a unique id; flag empty sections.

    Runs after inline patterns (the summary text is final) and before the
    table of contents, which then keeps heading ids clear of section ids."""

    def run(self, root):
        used = {el.get("id") for el in root.iter() if el.get("id")}
        parents = {child: parent for parent in root.iter() for child in parent}
        for details in list(root.iter("details")):
            summary = details.find("summary")
            if summary is None:
                summary = etree.Element("summary")
                details.insert(0, summary)
            # As the table of contents reads a heading: raw HTML and entities resolved.
            title = html.unescape(strip_tags(render_inner_html(summary, self.md))).strip()
            if not title and len(summary) == 0:
                summary.text = title = DEFAULT_SUMMARY
            used.discard(details.get("id"))
            slug = slugify_unicode(title, "-")
            details.set("id", unique(f"section-{slug}" if slug else "section", used))
            if len(details) == 1 and not (details.text or "").strip() and not (summary.tail or "").strip():
                self._flag_empty(details, parents.get(details), title)

    def _flag_empty(self, details, parent, title):
        if parent is None:
            return
        p = etree.Element("p")
        p.text = notice(self.md, f"The section “{title}” is empty: indent its text by "
                                 "4 spaces under the ??? line.")
        parent.insert(list(parent).index(details) + 1, p)


class SectionExtension(Extension):
    def extendMarkdown(self, md):
        # Replaces pymdownx.details under the same name and priority.
        md.parser.blockprocessors.register(SectionProcessor(md.parser), "details", 105)
        # Between fenced code (25) and the raw HTML block reader (20).
        md.preprocessors.register(RawDetailsPreprocessor(md), "expand-raw-details", 22)
        # After inline patterns (20), before the table of contents (5).
        md.treeprocessors.register(SectionTreeprocessor(md), "expand-sections", 10)
