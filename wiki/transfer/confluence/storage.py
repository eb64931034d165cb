"""Confluence's storage format (the page bodies of the XML export) -> the
wiki's Markdown.

The storage format is XHTML with Confluence's own elements: ``ac:`` for
macros, links, images, task lists and layouts, ``ri:`` for what they point
at (a page, a file, a person). A body is a fragment with undeclared
prefixes and HTML entities (``&nbsp;``): it is wrapped in a root element
declaring the prefixes, its entities made character references, and read
with defusedxml. A body that is not well-formed XML (cut short, a stray
``&``) is read again by lxml's recovering parser, which never loads a DTD
nor resolves an entity.

    converted = storage_to_markdown(body, context)
    converted.markdown, converted.placeholders, converted.notes

What each element becomes: docs/import-confluence.md.
"""

import html.entities
import re
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from lxml import etree

from . import markdown as md
from .body import BLOCK, INLINE, SKIP, Context, Converted, Converter, Handler, code_language, text_only

__all__ = ["storage_to_markdown", "Converted", "Context"]

NAMESPACES = {
    "ac": "http://atlassian.com/content",
    "ri": "http://atlassian.com/resource/identifier",
    "at": "http://atlassian.com/template",
}
PREFIXES = {uri: prefix for prefix, uri in NAMESPACES.items()}
_ROOT = "confluence-storage-body"
_OPEN = f"<{_ROOT} " + " ".join(f'xmlns:{p}="{uri}"' for p, uri in NAMESPACES.items()) + ">"
_CLOSE = f"</{_ROOT}>"

_CDATA = re.compile(r"(<!\[CDATA\[.*?(?:\]\]>|$))", re.DOTALL)
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
# Characters XML 1.0 does not allow: no text of a page has them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_LONE_AMP = re.compile(r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_LONE_LT = re.compile(r"<(?![A-Za-z/!?])")


def storage_to_markdown(xhtml, context: Context) -> Converted:
    """A page body in storage format -> Markdown. Raises ValueError (with a
    message for the report) only for a body that is not text at all."""
    text = _as_text(xhtml)
    if not text.strip():
        return Converted("")
    root, recovered = _parse(text)
    if root is None:
        return text_only(text, "the page nests elements too deeply to convert: its text is kept as "
                               "plain paragraphs")
    converter = StorageConverter(context)
    if recovered:
        converter.note("the page body is not well-formed XML: converted as far as it could be read")
    return converter.convert(root)


def _as_text(body):
    if isinstance(body, bytes):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"the page body is not UTF-8 text ({e.reason} at byte {e.start})") from None
    if not isinstance(body, str):
        raise ValueError(f"the page body is not text but {type(body).__name__}")
    return body


def _outside_cdata(text, fix):
    return "".join(part if part.startswith("<![CDATA[") else fix(part) for part in _CDATA.split(text))


def _references(text):
    """HTML's named entities as character references (XML knows only five);
    an unknown one stays visible as written."""

    def one(match):
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        chars = html.entities.html5.get(name + ";")
        return "".join(f"&#{ord(c)};" for c in chars) if chars else f"&amp;{name};"

    return _ENTITY.sub(one, text)


def _loosen(text):
    # What a recovering parser would drop: a "&" or "<" that starts nothing.
    return _LONE_LT.sub("&lt;", _LONE_AMP.sub("&amp;", text))


def _parse(text):
    """(root, whether it had to be recovered); root None: too deep to read."""
    text = _outside_cdata(_XML_DECLARATION.sub("", _NOT_XML.sub("", text)), _references)
    try:
        return defused_fromstring(_OPEN + text + _CLOSE), False
    except (ParseError, DefusedXmlException):
        pass
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(_OPEN + _outside_cdata(text, _loosen) + _CLOSE, parser)
    except etree.XMLSyntaxError as e:
        raise ValueError(f"the page body cannot be read as Confluence storage format: {e}") from None
    if any("depth" in entry.message for entry in parser.error_log):
        return None, True
    if root is None:
        raise ValueError("the page body cannot be read as Confluence storage format")
    return root, True


# Macros that are blocks of their own; the others are inline (a placeholder
# in the line) unless they hold a body.
BLOCK_MACROS = {"code", "noformat", "expand", "info", "note", "tip", "warning", "panel", "toc",
                "children", "recently-updated", "section", "column", "excerpt", "details"}
PANELS = {"info": "info", "note": "note", "tip": "tip", "warning": "warning", "panel": "panel"}
FILE_VIEWERS = {"view-file", "viewpdf", "viewdoc", "viewppt", "viewxls", "multimedia"}


class StorageConverter(Converter):
    def __init__(self, context):
        super().__init__(context)
        container = Handler(BLOCK, self.container)
        self.confluence_tags = {
            "ac:link": Handler(INLINE, self.link),
            "ac:image": Handler(INLINE, self.image),
            "ac:emoticon": Handler(INLINE, lambda el: self.emoticon(
                (self.attr(el, "ac:name") or "").lower(), self.attr(el, "ac:emoji-fallback"))),
            "ac:task-list": Handler(BLOCK, self.task_list),
            **dict.fromkeys(("ac:layout", "ac:layout-section", "ac:layout-cell", "ac:rich-text-body",
                             "ac:task", "ac:task-body", "ac:adf-fallback", "ac:adf-content"), container),
            "ac:plain-text-body": Handler(BLOCK, lambda el: [md.code_block(self.text_of(el))]),
            "ac:adf-extension": Handler(BLOCK, self.adf_extension),
            **dict.fromkeys(("ac:inline-comment-marker", "ac:link-body", "ac:plain-text-link-body"),
                            Handler(INLINE, self.inline_children, transparent=True)),
            # Instructions to editors that Confluence never shows readers, and
            # the parts of macros and tasks read by their owner.
            **dict.fromkeys(("ac:placeholder", "ac:parameter", "ac:task-id", "ac:task-status",
                             "ac:task-uuid", "ac:adf-attribute"), Handler(SKIP)),
        }

    def name(self, el):
        tag = el.tag
        if tag.startswith("{"):
            uri, _, local = tag[1:].partition("}")
            prefix = PREFIXES.get(uri)
            return f"{prefix}:{local}" if prefix else local
        return tag.lower()

    def attr(self, el, name):
        """An attribute by its written name (``ac:name``, ``ri:filename``)."""
        prefix, _, local = name.partition(":")
        if local and prefix in NAMESPACES:
            return el.get(f"{{{NAMESPACES[prefix]}}}{local}") or el.get(name)
        return el.get(name)

    def child(self, el, *names):
        return next((c for c in el if isinstance(c.tag, str) and self.name(c) in names), None)

    def descendant(self, el, name):
        return next((c for c in el.iter() if isinstance(c.tag, str) and self.name(c) == name), None)

    def handler(self, el, name):
        if name in ("ac:structured-macro", "ac:macro"):
            macro = (self.attr(el, "ac:name") or "").lower()
            if macro in BLOCK_MACROS:
                return Handler(BLOCK, self.block_macro)
            if macro in ("status", "anchor") or macro in FILE_VIEWERS:
                return Handler(INLINE, self.inline_macro)
            if self.child(el, "ac:rich-text-body", "ac:plain-text-body") is not None:
                return Handler(BLOCK, self.unknown_macro)
            return Handler(INLINE, lambda e: self.placeholder(self.macro_name(e), self.params(e)))
        found = self.confluence_tags.get(name)
        if found is not None:
            return found
        if ":" in name:
            return Handler(INLINE, self.unknown_element, transparent=True)
        return super().handler(el, name)

    def unknown_element(self, el):
        self.note(f"an element the import does not know (“{self.name(el)}”): its text is kept")
        return self.inline_children(el)

    # -- macros --------------------------------------------------------------

    def macro_name(self, el):
        return (self.attr(el, "ac:name") or "").lower() or "unnamed"

    def params(self, el):
        """The macro's parameters as (name, value) pairs, in their order."""
        return [(self.attr(p, "ac:name") or "", self.param_value(p))
                for p in el if isinstance(p.tag, str) and self.name(p) == "ac:parameter"]

    def param(self, el, name, default=""):
        return next((v for k, v in self.params(el) if k == name), default)

    def param_value(self, el):
        refs = [self.resource_name(r) for r in el.iter()
                if isinstance(r.tag, str) and self.name(r).startswith("ri:")]
        return ", ".join(r for r in refs if r) if refs else self.plain_words(el)

    def resource_name(self, el):
        """What a reader would call what ``ri:...`` points at."""
        name = self.name(el)
        if name == "ri:user":
            return self.context.user_name(key=self.attr(el, "ri:userkey") or self.attr(el, "ri:account-id"),
                                          username=self.attr(el, "ri:username"))
        for attr in ("ri:content-title", "ri:filename", "ri:value", "ri:space-key", "ri:key",
                     "ri:content-id"):
            if self.attr(el, attr):
                return self.attr(el, attr)
        return ""

    def body_blocks(self, el):
        body = self.child(el, "ac:rich-text-body")
        return self.blocks(body) if body is not None else []

    def plain_body(self, el):
        body = self.child(el, "ac:plain-text-body")
        return self.text_of(body) if body is not None else ""

    def block_macro(self, el):
        name = self.macro_name(el)
        if name in PANELS:
            return [md.panel(PANELS[name], self.title(el), self.body_blocks(el))]
        if name == "expand":
            return [md.section(self.title(el), self.body_blocks(el))]
        if name == "code":
            return self.code_macro(el)
        if name == "noformat":
            return [md.code_block(self.plain_body(el))]
        if name == "toc":
            if self.params(el):
                self.note("the settings of a table of contents (levels, style) are not kept")
            return [md.macro("toc")]
        if name == "children":
            return self.children_macro(el)
        if name == "recently-updated":
            self.note("“recently updated” lists the wiki's recent changes, not only this space's")
            count = min(max(_number(self.param(el, "max"), 5), 1), 50)
            return [md.macro("recent", f"count={count}")]
        return self.body_blocks(el)  # section, column, excerpt, details: their content

    def title(self, el):
        return md.one_line(md.escape(self.param(el, "title")))

    def code_macro(self, el):
        code = md.code_block(self.plain_body(el), code_language(self.param(el, "language")))
        title = self.title(el)
        if self.param(el, "collapse").lower() == "true":
            return [md.section(title, [code])]
        heading = md.paragraph(f"**{title}**") if title else None
        return [heading, code] if heading else [code]

    def children_macro(self, el):
        if self.param(el, "page"):
            return [md.paragraph(self.placeholder("children", self.params(el)))]
        depth = min(max(_number(self.param(el, "depth"), 1), 1), 5)
        if self.param(el, "all").lower() == "true":
            depth = 5
        if any(k not in ("depth", "all") for k, _ in self.params(el)):
            self.note("the settings of a list of child pages (sorting, style, excerpts) are not kept")
        return [md.macro("children", f"depth={depth}" if depth > 1 else "")]

    def inline_macro(self, el):
        name = self.macro_name(el)
        if name == "status":
            title = self.param(el, "title")
            colour = self.param(el, "colour") or self.param(el, "color") or "Grey"
            return md.status(title or colour, colour)
        if name == "anchor":
            target = self.param(el, "") or self.param(el, "0")
            return md.anchor(self.anchor_id(target)) if target else ""
        # A file viewer: a link to the file.
        file = self.descendant(el, "ri:attachment")
        if file is None:
            return self.placeholder(name, self.params(el))
        self.note("a file shown in a viewer kept as a link to the file")
        return self.attachment(file, None)

    def unknown_macro(self, el):
        """A macro the wiki has no equivalent for: a placeholder, then its body."""
        found = [md.paragraph(self.placeholder(self.macro_name(el), self.params(el)))]
        if self.child(el, "ac:plain-text-body") is not None:
            return found + [md.code_block(self.plain_body(el))]
        return found + self.body_blocks(el)

    def adf_extension(self, el):
        fallback = self.descendant(el, "ac:adf-fallback")
        if fallback is not None:
            return self.blocks(fallback)
        node = self.child(el, "ac:adf-node")
        kind = (node.get("type") if node is not None else "") or "adf-extension"
        return [md.paragraph(self.placeholder(kind, []))]

    # -- links, images, tasks --------------------------------------------------

    def link(self, el):
        resource = next((c for c in el if isinstance(c.tag, str) and self.name(c).startswith("ri:")), None)
        plain_body = self.child(el, "ac:plain-text-link-body")
        rich_body = self.child(el, "ac:link-body")
        if plain_body is not None:
            words = md.collapse(self.text_of(plain_body)).strip()
            text = md.escape(words)
        elif rich_body is not None:
            words, text = self.plain_words(rich_body), self.inline_children(rich_body)
        else:
            words, text = "", ""
        anchor = self.attr(el, "ac:anchor") or ""
        if resource is None:
            return self.anchor_link(anchor, text) if anchor else text
        kind = self.name(resource)
        if kind == "ri:user":
            return self.mention(key=self.attr(resource, "ri:userkey") or self.attr(resource, "ri:account-id"),
                                username=self.attr(resource, "ri:username"), shown=words)
        if kind in ("ri:page", "ri:blog-post", "ri:content-entity"):
            return self.page(resource, words, text, anchor)
        if kind == "ri:attachment":
            return self.attachment(resource, words)
        if kind == "ri:url":
            target = (self.attr(resource, "ri:value") or "").strip()
            return self.href_link(target, text, words) if target else text
        what = self.resource_name(resource)
        self.note(f"a link to a Confluence {kind[3:]} kept as its words")
        return text or md.escape(what)

    def page(self, resource, words, text, anchor):
        title = self.attr(resource, "ri:content-title")
        if self.name(resource) == "ri:content-entity":
            wiki_title = self.context.page_title_for(page_id=self.attr(resource, "ri:content-id"))
        else:
            wiki_title = self.context.page_title_for(title=title,
                                                     space_key=self.attr(resource, "ri:space-key"))
        if wiki_title is None:
            if not title or self.attr(resource, "ri:space-key"):
                # Confluence names the space of a link to another space: no page of the wiki can be it.
                self.note("a link to a page that is not in the import (another space's) kept as its words")
                return text or md.escape(words or title or "")
            self.note("a link to a page that is not in the import kept as a link to a missing page")
            wiki_title = title
        return self.page_link(wiki_title, words, anchor)

    def attachment(self, resource, words, image=False):
        holder = next((c for c in resource if isinstance(c.tag, str)
                       and self.name(c) in ("ri:page", "ri:blog-post")), None)
        page_title = self.attr(holder, "ri:content-title") if holder is not None else None
        return self.file_link(self.attr(resource, "ri:filename") or "", words, image=image,
                              page_title=page_title)

    def image(self, el):
        alt = md.collapse(self.attr(el, "ac:alt") or self.attr(el, "ac:title") or "").strip()
        resource = next((c for c in el if isinstance(c.tag, str) and self.name(c).startswith("ri:")), None)
        kind = self.name(resource) if resource is not None else ""
        if kind == "ri:attachment":
            return self.attachment(resource, alt, image=True)
        if kind == "ri:url":
            target = self.attr(resource, "ri:value") or ""
            if target.lower().startswith(("http://", "https://")):
                return md.web_image(md.escape(alt), target)
        self.note("an image that is no file of the import nor on the web, kept as its description")
        return md.escape(alt or (self.resource_name(resource) if resource is not None else ""))

    def task_list(self, el):
        def marker(i, task):
            status = self.child(task, "ac:task-status")
            done = status is not None and self.text_of(status).strip().lower() == "complete"
            return "- [x]" if done else "- [ ]"

        return self.list_of(el, marker, item="ac:task")


def _number(text, default):
    try:
        return int(str(text).strip())
    except ValueError:
        return default
