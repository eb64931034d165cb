"""The macro syntax: ``{{name key=value ...}}`` on a line of its own.

``{{toc}}`` becomes the table of contents at render time. The other macros
depend on other pages (children, recent changes, labels), so they are written
as dynamic-block placeholders and filled when the page is viewed: always
current, and no Markdown work on a view. Macros in code stay literal (fenced
code is stashed before blocks are parsed; an indented line is code).
"""

import re
import xml.etree.ElementTree as etree

from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.util import AtomicString

from wiki.api import placeholder

# A whole line: the name, then anything but braces (the arguments, checked
# when the block is filled, so editors see the problem in place).
MACRO_LINE = re.compile(r"^\{\{[ \t]*([A-Za-z][\w-]*)((?:[ \t]+[^{}\n]*?)?)[ \t]*\}\}[ \t]*$",
                        re.MULTILINE)
NOTICE_BLOCK = "macro"  # plugins/macros/__init__.py turns it into an editor-only notice


class MacroProcessor(BlockProcessor):
    def __init__(self, parser, dynamic):
        super().__init__(parser)
        self.dynamic = dynamic

    def test(self, parent, block):
        return MACRO_LINE.search(block) is not None

    def run(self, parent, blocks):
        block = blocks.pop(0)
        m = MACRO_LINE.search(block)
        before, after = block[:m.start()].rstrip("\n"), block[m.end():].lstrip("\n")
        if before.strip():
            self.parser.parseBlocks(parent, [before])
        name, args = m.group(1).lower(), m.group(2).strip()
        if name == "toc":
            self._toc(parent, args)
        elif name in self.dynamic:
            self._stash(parent, placeholder(name, args))
        else:
            # Maybe not meant as a macro ("{{x}}" in a text about templates):
            # keep the line as text, and tell editors.
            known = ", ".join(sorted({"toc", *self.dynamic}))
            self._stash(parent, placeholder(NOTICE_BLOCK, f"unknown macro “{name}” (known: {known})."))
            p = etree.SubElement(parent, "p")
            p.text = AtomicString(m.group(0).strip())
        if after.strip():
            blocks.insert(0, after)

    def _toc(self, parent, args):
        # The core's TocExtension replaces a paragraph holding only its marker.
        try:
            marker = self.parser.md.treeprocessors["toc"].marker
        except (KeyError, AttributeError):
            marker = None
        if not marker:
            self._stash(parent, placeholder(NOTICE_BLOCK, "toc: no table of contents extension."))
            return
        if args:
            self._stash(parent, placeholder(NOTICE_BLOCK, f"toc takes no arguments (“{args}” ignored)."))
        p = etree.SubElement(parent, "p")
        p.text = AtomicString(marker)

    def _stash(self, parent, html):
        # A paragraph holding only a stash key is replaced by the raw HTML.
        p = etree.SubElement(parent, "p")
        p.text = self.parser.md.htmlStash.store(html)


class MacroExtension(Extension):
    def __init__(self, dynamic=(), **kwargs):
        self.dynamic = frozenset(dynamic)
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        # Before paragraphs, lists and sections (105): a macro line is never
        # swallowed by the paragraph around it.
        md.parser.blockprocessors.register(MacroProcessor(md.parser, self.dynamic), "macros", 110)
