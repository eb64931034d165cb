"""The HTML export's pages (Confluence's rendered HTML) -> the wiki's Markdown.

The HTML export holds pages as Confluence showed them: macros already
rendered to its own markup (``div.expand-container``,
``div.confluence-information-macro``, ``div.code.panel``,
``table.confluenceTable``, ``ul.inline-task-list``...), links to other pages
as links to their files (``Title_123.html``), files under
``attachments/<page id>/``. Each is recognised by its classes and data
attributes and becomes what the storage format's macro becomes
(``storage.py``), so both exports give the same Markdown.

A whole page file or only its body may be given: the body is the page's
``#main-content``. Parsed with lxml's HTML parser (no network, no DTD).

    converted = rendered_to_markdown(html, context)
"""

import re
from urllib.parse import unquote

import lxml.html
from lxml import etree

from . import markdown as md
from .body import (
    BLOCK,
    INLINE,
    SKIP,
    Context,
    Converted,
    Converter,
    Handler,
    code_language,
    split_url,
    text_only,
)

__all__ = ["rendered_to_markdown", "Converted", "Context"]

DEFAULT_EXPAND_TITLE = "Click here to expand..."  # what Confluence shows an expand without a title

PANELS = {"confluence-information-macro-information": "info", "confluence-information-macro-note": "note",
          "confluence-information-macro-tip": "tip", "confluence-information-macro-warning": "warning"}
LOZENGES = {"aui-lozenge-success": "green", "aui-lozenge-error": "red", "aui-lozenge-current": "yellow",
            "aui-lozenge-complete": "blue", "aui-lozenge-moved": "yellow"}
_FILE_PATH = re.compile(r"(?:^|/)attachments/(?:thumbnails/)?(\d+)/([^/?#]+)")
_BRUSH = re.compile(r"brush:\s*([\w#+.-]+)")


def rendered_to_markdown(html, context: Context) -> Converted:
    """A page of the HTML export (its HTML, or the body of it) -> Markdown.
    Raises ValueError only for a page that is not text at all."""
    data = _as_bytes(html)
    if not data.strip():
        return Converted("")
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, huge_tree=True, remove_comments=True,
                                  remove_pis=True)
    try:
        document = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError) as e:
        raise ValueError(f"the page cannot be read as HTML: {e}") from None
    if any("depth" in entry.message for entry in parser.error_log):
        return text_only(data.decode("utf-8"), "the page nests elements too deeply to convert: its "
                                               "text is kept as plain paragraphs")
    found = document.xpath('//*[@id="main-content"]')
    root = found[0] if found else (document.find("body") if document.find("body") is not None else document)
    return RenderedConverter(context).convert(root)


def _as_bytes(html):
    if isinstance(html, bytes):
        try:
            html.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"the page is not UTF-8 text ({e.reason} at byte {e.start})") from None
        return html
    if not isinstance(html, str):
        raise ValueError(f"the page is not text but {type(html).__name__}")
    return html.encode("utf-8", "replace")


def classes(el):
    return set((el.get("class") or "").split())


class RenderedConverter(Converter):
    def handler(self, el, name):
        found = self.special(el, name, classes(el))
        return found if found is not None else super().handler(el, name)

    def special(self, el, name, cls):
        """The handler of Confluence's rendered markup, by tag and class."""
        if name == "ul" and "childpages-macro" in cls:
            return Handler(BLOCK, self.children)
        if name == "div":
            if "expand-container" in cls:
                return Handler(BLOCK, self.expand)
            if "confluence-information-macro" in cls:
                return Handler(BLOCK, self.information)
            if "code" in cls and "panel" in cls:
                return Handler(BLOCK, self.code_panel)
            if "preformatted" in cls:
                return Handler(BLOCK, lambda e: [md.code_block(self.pre_text(e))])
            if "panel" in cls:
                return Handler(BLOCK, self.panel)
            if cls & {"toc-macro", "client-side-toc-macro"}:
                return Handler(BLOCK, lambda e: [md.macro("toc")])
            if "expand-control" in cls:
                return Handler(SKIP)
        elif name == "ul" and "inline-task-list" in cls:
            return Handler(BLOCK, self.tasks)
        elif name == "span":
            if "confluence-anchor-link" in cls:
                return Handler(INLINE, lambda e: md.anchor(e.get("id") or ""))
            if cls & {"status-macro", "aui-lozenge"}:
                return Handler(INLINE, self.status)
        elif name == "a":
            return self.link_handler(el, cls)
        elif name == "img":
            return Handler(INLINE, self.image)
        elif name == "pre" and (_BRUSH.search(el.get("data-syntaxhighlighter-params") or "")
                                or _BRUSH.search(el.get("class") or "")):
            return Handler(BLOCK, lambda e: [md.code_block(self.code_text(e), self.brush(e))])
        if el.get("data-macro-name") and name == "div":
            return Handler(BLOCK, self.other_block_macro)
        if el.get("data-macro-name") and name == "span":
            return Handler(INLINE, self.other_inline_macro)
        return None

    # -- macros, as Confluence rendered them --------------------------------

    def first(self, el, wanted, direct=False):
        """The first element under ``el`` with the class ``wanted``."""
        for found in (el if direct else el.iter()):
            if found is not el and isinstance(found.tag, str) and wanted in classes(found):
                return found
        return None

    def expand(self, el):
        control = self.first(el, "expand-control-text")
        title = self.title(control)
        if title == DEFAULT_EXPAND_TITLE:
            title = ""  # the expand plugin shows the same words
        content = self.first(el, "expand-content")
        return [md.section(title, self.blocks(content) if content is not None else [])]

    def information(self, el):
        kind = next((PANELS[c] for c in classes(el) if c in PANELS), "info")
        title = self.first(el, "title", direct=True)
        body = self.first(el, "confluence-information-macro-body")
        return [md.panel(kind, self.title(title), self.blocks(body) if body is not None else [])]

    def panel(self, el):
        header = self.first(el, "panelHeader", direct=True)
        content = self.first(el, "panelContent", direct=True)
        return [md.panel("panel", self.title(header), self.blocks(content) if content is not None else [])]

    def title(self, el):
        """The title of a section or a panel: its words (as the storage
        format's title parameter holds them)."""
        return md.escape(self.plain_words(el)) if el is not None else ""

    def pre_text(self, el):
        pre = next((p for p in el.iter("pre")), None)
        return self.code_text(pre if pre is not None else el)

    def brush(self, pre):
        found = _BRUSH.search(pre.get("data-syntaxhighlighter-params") or "") \
            or _BRUSH.search(pre.get("class") or "")
        return code_language(found[1]) if found else ""

    def code_panel(self, el):
        pre = next((p for p in el.iter("pre")), None)
        code = md.code_block(self.code_text(pre) if pre is not None else "",
                             self.brush(pre) if pre is not None else "")
        title = self.title(self.first(el, "codeHeader", direct=True))
        heading = md.paragraph(f"**{title}**") if title else None
        return [heading, code] if heading else [code]

    def tasks(self, el):
        return self.list_of(el, lambda i, item: "- [x]" if "checked" in classes(item) else "- [ ]")

    def children(self, el):
        # As deep as the rendered list of child pages goes.
        outside = sum(1 for _ in el.iterancestors("ul"))
        depth = max((sum(1 for _ in ul.iterancestors("ul")) - outside + 1
                     for ul in el.iter("ul")), default=1)
        depth = min(max(depth, 1), 5)
        return [md.macro("children", f"depth={depth}" if depth > 1 else "")]

    def status(self, el):
        colour = next((LOZENGES[c] for c in classes(el) if c in LOZENGES), "grey")
        return md.status(self.plain_words(el) or colour.title(), colour)

    def other_block_macro(self, el):
        """A macro the export rendered and the wiki has no equivalent for:
        its rendered content, or a placeholder when it showed nothing."""
        if self.shows_nothing(el):
            return [md.paragraph(self.placeholder(el.get("data-macro-name"), []))]
        self.note(f"the macro “{el.get('data-macro-name')}” kept as the HTML export showed it")
        return self.blocks(el)

    def other_inline_macro(self, el):
        if self.shows_nothing(el):
            return self.placeholder(el.get("data-macro-name"), [])
        self.note(f"the macro “{el.get('data-macro-name')}” kept as the HTML export showed it")
        return self.inline_children(el)

    def shows_nothing(self, el):
        return not self.plain_words(el) and not any(True for _ in el.iter("img"))

    # -- links, files, people --------------------------------------------------

    def link_handler(self, el, cls):
        kind = el.get("data-linked-resource-type")
        if cls & {"confluence-userlink", "user-mention"} or kind == "userinfo":
            return Handler(INLINE, lambda e: self.mention(
                key=e.get("data-user-key"), username=e.get("data-username"), shown=self.plain_words(e)))
        if kind == "attachment" or _FILE_PATH.search(split_url(el.get("href") or "").path):
            return Handler(INLINE, self.file_anchor)
        if kind in ("page", "blogpost") and el.get("data-linked-resource-id"):
            return Handler(INLINE, self.page_anchor)
        return None

    def page_anchor(self, el):
        title = self.context.page_title_for(page_id=el.get("data-linked-resource-id"))
        if title is None:
            return self.a(el)
        return self.page_link(title, self.plain_words(el), unquote(split_url(el.get("href") or "").fragment))

    def file_anchor(self, el):
        if any(True for _ in el.iter("img")):
            return self.inline_children(el)  # an image of the file, which links to it anyway
        name, page_id = self.file_of(el, el.get("href") or "")
        words = self.plain_words(el)
        if not name:
            name = words
        return self.file_link(name, words, page_id=page_id)

    def file_of(self, el, address):
        """(file name, id of its page) of a link or image to a file."""
        found = _FILE_PATH.search(split_url(address).path)
        name = el.get("data-linked-resource-default-alias") or ""
        page_id = el.get("data-linked-resource-container-id") or (found[1] if found else None)
        if not name and found and "." in found[2] and not found[2].split(".")[0].isdigit():
            name = unquote(found[2])  # a name in the address (not the export's number)
        return name, page_id

    def image(self, el):
        if "emoticon" in classes(el) or el.get("data-emoticon-name"):
            name = el.get("data-emoticon-name") or next(
                (c[len("emoticon-"):] for c in classes(el) if c.startswith("emoticon-")), "")
            return self.emoticon(name, el.get("data-emoji-fallback"))
        src = el.get("data-image-src") or el.get("src") or ""
        if el.get("data-linked-resource-type") == "attachment" or _FILE_PATH.search(split_url(src).path):
            name, page_id = self.file_of(el, src)
            alt = md.collapse(el.get("alt") or "").strip()
            if not name:
                self.note("an image whose file name the export does not give, kept as its description")
                return md.escape(alt)
            return self.file_link(name, alt, image=True, page_id=page_id)
        return self.img(el)
