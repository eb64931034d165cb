"""Converting a Confluence page body to the wiki's Markdown: what both kinds
of export share.

A body is a tree of HTML elements (the storage format's XHTML with its
``ac:``/``ri:`` elements, or the HTML export's rendered page). ``Converter``
walks it and writes Markdown through ``markdown.py``: the HTML every body
has (paragraphs, headings, emphasis, lists, tables, links, images...) is
handled here; ``storage.py`` and ``rendered.py`` add what is Confluence's own
in each format (macros, links to pages, attachments, people).

Nothing is dropped silently: what Markdown cannot say is approximated and
reported (``Converted.notes``), an unsupported macro becomes a visible
placeholder (``Converted.placeholders``).
"""

import collections
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Protocol
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from markdown.extensions.toc import slugify_unicode

from . import markdown as md
from .markdown import BREAK, Cell, Run

# Deeper than this, an element's content is kept as plain text: the walk is
# recursive, and no real page nests that deep.
MAX_DEPTH = 80
# Lists nested deeper than this continue at this level (Markdown indents 4
# spaces a level).
MAX_LIST_DEPTH = 10

WEB_SCHEMES = {"http", "https", "mailto"}
UNKNOWN_USER = "Unknown user"


@dataclass
class Converted:
    markdown: str
    placeholders: collections.Counter = field(default_factory=collections.Counter)  # macro -> count
    notes: list[str] = field(default_factory=list)  # other approximations, for the report


class Context(Protocol):
    """What converting a body needs from the rest of the space."""

    page_title: str  # the page being converted

    def user_name(self, key=None, username=None) -> str:
        """A person's display name ("Unknown user" if none)."""

    def page_title_for(self, title=None, page_id=None, space_key=None) -> str | None:
        """The wiki title of a page of the import, or None if it is not imported."""

    def attachment_page(self, filename, page_title=None) -> str | None:
        """The title of the page holding a file, None if it is this page."""


@dataclass
class PageContext:
    """A Context from plain mappings (what a writer knows of the space)."""

    page_title: str
    space_key: str | None = None
    people: dict = field(default_factory=dict)  # user key or username -> display name
    titles: dict = field(default_factory=dict)  # Confluence title -> wiki title
    page_ids: dict = field(default_factory=dict)  # Confluence page id -> wiki title

    def user_name(self, key=None, username=None):
        return self.people.get(key) or self.people.get(username) or UNKNOWN_USER

    def page_title_for(self, title=None, page_id=None, space_key=None):
        if space_key and self.space_key and space_key != self.space_key:
            return None
        if page_id is not None:
            return self.page_ids.get(str(page_id))
        return self.titles.get(title)

    def attachment_page(self, filename, page_title=None):
        if page_title is None or page_title == self.page_title:
            return None
        return self.page_title_for(title=page_title) or page_title


BLOCK, INLINE, SKIP = "block", "inline", "skip"


@dataclass(frozen=True)
class Handler:
    kind: str  # BLOCK, INLINE or SKIP
    func: object = None  # element -> list of Blocks (BLOCK) or inline Markdown (INLINE)
    # An inline element that only passes its content on (span, strong...):
    # holding a block (a list in a span), it is treated as a block container.
    transparent: bool = False


# Emoticons of the storage format (ac:emoticon ac:name) and of the HTML
# export (img.emoticon data-emoticon-name).
EMOTICONS = {
    "smile": "🙂", "sad": "🙁", "cheeky": "😛", "laugh": "😀", "wink": "😉", "thumbs-up": "👍",
    "thumbs-down": "👎", "information": "ℹ️", "tick": "✅", "cross": "❌", "warning": "⚠️",
    "plus": "➕", "minus": "➖", "question": "❓", "light-on": "💡", "light-off": "🌑",
    "yellow-star": "⭐", "red-star": "⭐", "green-star": "⭐", "blue-star": "⭐", "heart": "❤️",
    "broken-heart": "💔",
}

# Confluence's code languages whose name Pygments does not know.
LANGUAGES = {"none": "", "text": "", "plain": "", "html/xml": "html", "actionscript3": "actionscript",
             "vb": "vbnet", "jfx": "java", "javafx": "java", "coldfusion": "cfm", "erl": "erlang"}


def code_language(name):
    name = (name or "").strip().lower()
    return LANGUAGES.get(name, name)


def _span(el, name):
    try:
        return max(1, int(el.get(name) or 1))
    except ValueError:
        return 1


def split_url(address):
    """``urlsplit``, which raises on some malformed addresses ("http://[x"):
    those read as a relative address."""
    try:
        return urlsplit(address)
    except ValueError:
        return urlsplit("")


def _key(text):
    """How a link names a heading or an anchor, whatever its spaces and case."""
    return re.sub(r"[\W_]+", "", text).lower()


class Converter:
    """Walks a body's tree: blocks at the top, inline content in paragraphs."""

    def __init__(self, context):
        self.context = context
        self.placeholders = collections.Counter()
        self._notes = collections.Counter()  # message -> times, in the order first seen
        self.depth = 0
        self.list_depth = 0
        self.marks = set()  # emphasis open around the current text
        self.headings = {}  # how a link may name a heading -> the wiki's id of it
        self.tags = self._tags()

    # -- the whole body ----------------------------------------------------

    def convert(self, root):
        self._collect_headings(root)
        blocks = self.blocks(root)
        text = md.join(blocks)
        return Converted(text + "\n" if text else "", self.placeholders, self.notes())

    def note(self, message):
        self._notes[message] += 1

    def notes(self):
        return [m if n == 1 else f"{m} ({n} times)" for m, n in self._notes.items()]

    def placeholder(self, name, params, label="Confluence macro"):
        self.placeholders[name] += 1
        return md.placeholder(name, params, label)

    def _collect_headings(self, root):
        for el in root.iter():
            if isinstance(el.tag, str) and self.name(el) in HEADINGS:
                text = md.collapse("".join(el.itertext())).strip()
                wiki_id = slugify_unicode(text, "-")
                if wiki_id:
                    self.headings.setdefault(_key(text), wiki_id)
                    if el.get("id"):
                        self.headings.setdefault(el.get("id"), wiki_id)

    # -- what each element is ----------------------------------------------

    def name(self, el):
        """The element's name as written: ``p``, ``ac:link``."""
        return el.tag.lower()

    def handler(self, el, name):
        """How to convert ``el``: the subclasses' own elements first."""
        found = self.tags.get(name)
        if found is not None:
            return found
        return self.unknown(el, name)

    def unknown(self, el, name):
        return Handler(INLINE, self.inline_children, transparent=True)

    def _tags(self):
        container = Handler(BLOCK, self.container)
        passing = Handler(INLINE, self.inline_children, transparent=True)
        skip = Handler(SKIP)
        return {
            **dict.fromkeys(("p", "div", "section", "article", "main", "header", "footer", "aside",
                             "nav", "center", "body", "html", "figure", "address", "fieldset",
                             "dd", "dl", "form", "tbody", "thead", "tfoot", "tr", "td", "th"), container),
            **dict.fromkeys(HEADINGS, Handler(BLOCK, self.heading)),
            "ul": Handler(BLOCK, self.unordered), "ol": Handler(BLOCK, self.ordered),
            "li": Handler(BLOCK, self.lone_item), "dt": Handler(BLOCK, self.term),
            "table": Handler(BLOCK, self.table), "pre": Handler(BLOCK, self.pre),
            "blockquote": Handler(BLOCK, self.blockquote), "hr": Handler(BLOCK, lambda el: [md.RULE]),
            "details": Handler(BLOCK, self.details), "figcaption": container, "caption": container,
            "br": Handler(INLINE, lambda el: BREAK),
            **dict.fromkeys(("strong", "b"), Handler(INLINE, self.strong, transparent=True)),
            **dict.fromkeys(("em", "i", "cite", "dfn"), Handler(INLINE, self.emphasis, transparent=True)),
            **dict.fromkeys(("u", "ins"), Handler(INLINE, self.underline, transparent=True)),
            **dict.fromkeys(("s", "strike", "del"), Handler(INLINE, self.strike, transparent=True)),
            "sup": Handler(INLINE, lambda el: self.html_mark(el, "sup"), transparent=True),
            "sub": Handler(INLINE, lambda el: self.html_mark(el, "sub"), transparent=True),
            **dict.fromkeys(("code", "tt", "kbd", "samp", "var"), Handler(INLINE, self.code)),
            "span": Handler(INLINE, self.span, transparent=True),
            **dict.fromkeys(("font", "small", "big", "abbr", "acronym", "q", "mark", "label",
                             "nobr", "bdi", "bdo", "data", "output"), passing),
            "a": Handler(INLINE, self.a), "img": Handler(INLINE, self.img),
            "time": Handler(INLINE, self.time), "button": passing,
            **dict.fromkeys(("iframe", "object", "embed", "video", "audio", "canvas", "svg", "math",
                             "applet", "frame"), Handler(INLINE, self.embedded)),
            **dict.fromkeys(("script", "style", "noscript", "template", "head", "title", "meta", "link",
                             "colgroup", "col", "input", "select", "textarea", "base", "wbr",
                             "summary"), skip),
        }

    def has_block(self, el):
        for child in el.iter():
            if child is not el and isinstance(child.tag, str) \
                    and self.handler(child, self.name(child)).kind == BLOCK:
                return True
        return False

    def _resolve(self, el):
        handler = self.handler(el, self.name(el))
        if handler.kind == INLINE and handler.transparent and len(el) and self.has_block(el):
            return Handler(BLOCK, self.container)
        return handler

    # -- walking -----------------------------------------------------------

    def blocks(self, el):
        """The blocks of ``el``'s content: its text and children, inline
        runs made paragraphs."""
        out, run = [], Run()

        def flush():
            para = md.paragraph(run.value())
            if para:
                out.append(para)
            run.parts.clear()

        run.text(el.text)
        for child in el:
            if isinstance(child.tag, str):
                handler = self._resolve(child)
                if handler.kind == BLOCK:
                    flush()
                    out.extend(self.block(child, handler.func))
                elif handler.kind == INLINE:
                    run.markup(self.inline(child, handler.func))
            run.text(child.tail)
        flush()
        return out

    def element_blocks(self, el):
        """The blocks of one element, whatever its kind."""
        handler = self._resolve(el)
        if handler.kind == BLOCK:
            return self.block(el, handler.func)
        if handler.kind == INLINE:
            para = md.paragraph(self.inline(el, handler.func))
            return [para] if para else []
        return []

    def inline_children(self, el):
        """The inline Markdown of ``el``'s content; a block inside (a list in
        a heading) is kept as its text."""
        run = Run()
        run.text(el.text)
        for child in el:
            if isinstance(child.tag, str):
                handler = self.handler(child, self.name(child))
                if handler.kind == INLINE:
                    run.markup(self.inline(child, handler.func))
                elif handler.kind == BLOCK:
                    run.text(" " + self.text_of(child) + " ")
            run.text(child.tail)
        return run.value()

    def block(self, el, func):
        if self.depth >= MAX_DEPTH:
            return [b for b in [md.paragraph(self._too_deep(el))] if b]
        self.depth += 1
        try:
            return func(el)
        finally:
            self.depth -= 1

    def inline(self, el, func):
        if self.depth >= MAX_DEPTH:
            return self._too_deep(el)
        self.depth += 1
        try:
            return func(el)
        finally:
            self.depth -= 1

    def _too_deep(self, el):
        self.note(f"content nested more than {MAX_DEPTH} levels deep kept as plain text")
        return md.escape(md.collapse(" ".join(el.itertext())))

    def text_of(self, el):
        """The text of an element, as a reader sees it."""
        return "".join(el.itertext())

    def plain_words(self, el):
        return md.collapse(self.text_of(el)).strip()

    # -- blocks ------------------------------------------------------------

    def container(self, el):
        return self.blocks(el)

    def heading(self, el):
        found = md.heading(int(self.name(el)[1]), self.inline_children(el))
        return [found] if found else []

    def term(self, el):
        found = md.paragraph(md.wrap(self.inline_children(el), "**"))
        return [found] if found else []

    def pre(self, el):
        return [md.code_block(self.code_text(el))]

    def code_text(self, el):
        """The text of preformatted content, its line breaks as new lines."""
        for br in el.iter("br"):
            br.text = "\n"
        return "".join(el.itertext())

    def blockquote(self, el):
        blocks = self.blocks(el)
        return [md.quote(blocks)] if blocks else []

    def details(self, el):
        summary = next((c for c in el if isinstance(c.tag, str) and self.name(c) == "summary"), None)
        title = md.one_line(self.inline_children(summary)) if summary is not None else ""
        return [md.section(title, self.blocks(el))]

    def unordered(self, el):
        return self.list_of(el, lambda i, item: "-")

    def ordered(self, el):
        try:
            start = int(el.get("start") or 1)
        except ValueError:
            start = 1
        return self.list_of(el, lambda i, item: f"{start + i}.")

    def list_of(self, el, marker, item="li"):
        """A list of ``el``'s ``item`` elements, ``marker(i, element)`` before
        each. Content between the items (a list right in a list, as
        Confluence writes an indented list) joins the item before it."""
        items = []

        def add(blocks):
            if items:
                items[-1][1].extend(blocks)
            else:
                items.append(("-", blocks))

        for child in el:
            if isinstance(child.tag, str):
                if self.name(child) == item:
                    items.append((marker(len(items), child), self.block(child, self.item)))
                else:
                    add(self.element_blocks(child))
            if child.tail and child.tail.strip():
                add([md.paragraph(md.escape(md.collapse(child.tail)))])
        items = [(marker, blocks) for marker, blocks in items if blocks]  # an empty item shows nothing
        if not items:
            return []
        flat = self.list_depth + 1 >= MAX_LIST_DEPTH
        if flat and any(b.kind == "list" for _, blocks in items for b in blocks):
            self.note(f"lists nested more than {MAX_LIST_DEPTH} levels deep continue at the "
                      f"{MAX_LIST_DEPTH}th level")
        return [md.list_block(items, flat=flat)]

    def item(self, el):
        self.list_depth += 1
        try:
            return self.blocks(el)
        finally:
            self.list_depth -= 1

    def lone_item(self, el):
        """An ``li`` outside a list: a list of one."""
        blocks = self.item(el)
        return [md.list_block([("-", blocks)])] if blocks else []

    def table(self, el):
        rows, before = [], []
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = self.name(child)
            if name == "tr":
                rows.append(child)
            elif name in ("thead", "tbody", "tfoot"):
                rows.extend(tr for tr in child if isinstance(tr.tag, str) and self.name(tr) == "tr")
            elif name not in ("colgroup", "col"):
                before.extend(self.element_blocks(child))  # a caption, or stray content
        cells = []
        for tr in rows:
            row = [self.block(c, self.cell) for c in tr
                   if isinstance(c.tag, str) and self.name(c) in ("th", "td")]
            if row:
                cells.append(row)
        if not cells:
            return before
        block, is_html = md.table(cells)
        if is_html:
            self.note("a table Markdown cannot hold (merged cells, no header row, or lists, code or "
                      "several paragraphs in a cell) kept as an HTML table")
        return [*before, block]

    def cell(self, el):
        return Cell(self.name(el) == "th", self.blocks(el), _span(el, "rowspan"), _span(el, "colspan"))

    # -- inline ------------------------------------------------------------

    def _mark(self, el, mark, key):
        if key in self.marks:  # **a **b**** would end the first too soon
            return self.inline_children(el)
        self.marks.add(key)
        try:
            return md.wrap(self.inline_children(el), mark)
        finally:
            self.marks.discard(key)

    def strong(self, el):
        return self._mark(el, "**", "strong")

    def emphasis(self, el):
        return self._mark(el, "*", "em")

    def html_mark(self, el, tag):
        return md.wrap(self.inline_children(el), f"<{tag}>", f"</{tag}>")

    def underline(self, el):
        return self.html_mark(el, "u")

    def strike(self, el):
        return self.html_mark(el, "s")

    def span(self, el):
        style = (el.get("style") or "").lower()
        if "line-through" in style:
            return self.strike(el)
        if "underline" in style:
            return self.underline(el)
        return self.inline_children(el)

    def code(self, el):
        return md.code_span(self.text_of(el))

    def time(self, el):
        return md.escape(el.get("datetime") or md.collapse(self.text_of(el)))

    def embedded(self, el):
        name = self.name(el)
        src = el.get("src") or el.get("data") or ""
        return self.placeholder(name, [("src", src)] if src else [], label="Embedded content")

    def a(self, el):
        href = (el.get("href") or "").strip()
        text = self.inline_children(el)
        if not href:
            target = el.get("name") or el.get("id")
            return (md.anchor(target) if target else "") + text
        return self.href_link(href, text, self.plain_words(el))

    def img(self, el):
        src = (el.get("src") or "").strip()
        alt = md.collapse(el.get("alt") or el.get("title") or "").strip()
        found = self.confluence_address(src, alt, image=True)
        if found:
            return found
        if split_url(src).scheme.lower() in ("http", "https"):
            return md.web_image(md.escape(alt), src)
        self.note("an image that is no file of the import nor on the web, kept as its "
                  "description")
        return md.escape(alt)

    # -- links, files, people ----------------------------------------------

    def href_link(self, href, text, words):
        """A link to ``href``, with ``text`` (inline Markdown) and ``words``
        (its plain text): to a page or file of the import when ``href`` is a
        Confluence address of one, else a web link."""
        if href.startswith("#"):
            return self.anchor_link(unquote(href[1:]), text)
        found = self.confluence_address(href, words)
        if found:
            return found
        scheme = split_url(href).scheme.lower()
        if scheme in WEB_SCHEMES:
            return md.web_link(text, href)
        if scheme:
            self.note(f"a link with a “{scheme}:” address kept as its words and address")
            return f"{text} ({md.code_span(href)})" if text.strip() else md.code_span(href)
        self.note("a link to an address of the old wiki that is no page or file of the import, "
                  "kept as its words")
        return text or md.escape(href)

    def confluence_address(self, href, words, image=False):
        """Markdown for a Confluence address of a page, a file or a person of
        the import (``/display/KEY/Title``, ``/pages/viewpage.action?pageId=N``,
        ``/spaces/KEY/pages/N``, ``/download/attachments/N/name``,
        ``/display/~user``, the HTML export's ``Title_N.html``), else None."""
        parts = split_url(href)
        path, local = parts.path, not (parts.scheme or parts.netloc)
        if found := re.search(r"/download/(?:attachments|thumbnails)/(\d+)/([^/]+)$", path):
            holder = self.context.page_title_for(page_id=found[1])
            return self.file_link(unquote(found[2]), words, image, page_title=holder) if holder else None
        if image:
            return None
        if found := re.search(r"/display/~([^/]+)$", path):
            return self.mention(username=unquote(found[1]), shown=words)
        title = None
        if found := re.search(r"/display/([^/]+)/([^/]+)$", path):
            title = self.context.page_title_for(title=unquote_plus(found[2]), space_key=unquote(found[1]))
        elif re.search(r"(?:^|/)pages/viewpage\.action$", path):
            page_id = (parse_qs(parts.query).get("pageId") or [""])[0]
            title = self.context.page_title_for(page_id=page_id) if page_id else None
        elif found := re.search(r"/spaces/([^/]+)/pages/(\d+)(?:/|$)", path):
            title = self.context.page_title_for(page_id=found[2], space_key=unquote(found[1]))
        elif local and (found := re.fullmatch(r"(?:[^/]*_)?(\d+)\.html", path)):
            title = self.context.page_title_for(page_id=found[1])  # a page file of the HTML export
        if title is None:
            return None
        return self.page_link(title, words, unquote(parts.fragment))

    def page_link(self, title, words, fragment=""):
        if fragment:
            if title == self.context.page_title:
                return self.anchor_link(fragment, md.escape(words or title))
            self.note("a link to a place in another page kept as a link to the page")
        return md.wiki_link(title, words)

    def anchor_link(self, target, text):
        """A link to a heading or an anchor of this page."""
        wiki_id = self.headings.get(target) or self.headings.get(_key(target)) or self.anchor_id(target)
        return md.web_link(text or md.escape(target), "#" + wiki_id)

    def anchor_id(self, name):
        return re.sub(r"\s+", "-", name.strip())

    def file_link(self, name, words=None, image=False, page_title=None, page_id=None):
        """A link to (an image of) a file: of this page, or of the page
        ``page_title`` (or ``page_id``) of Confluence."""
        if page_id is not None:
            page_title = self.context.page_title_for(page_id=page_id)
            if page_title is None:
                self.note("a link to a file of a page that is not in the import, kept as its words")
                return md.escape(words or name)
        holder = self.context.attachment_page(name, page_title=page_title)
        found = md.file_ref(name, holder, words, image)
        if found is None:
            self.note("a link to a file whose name the wiki's file links cannot hold, kept as its name")
            return md.escape(words or name)
        return found

    def mention(self, key=None, username=None, shown=None):
        name = self.context.user_name(key=key, username=username)
        if name == UNKNOWN_USER and shown:
            name = shown
        return md.escape(md.collapse(name).strip())

    def emoticon(self, name, fallback=None):
        # Confluence Cloud names every emoji it has no emoticon for "blue-star":
        # its fallback is the emoji.
        shown = fallback or EMOTICONS.get(name)
        if not shown:
            self.note("an emoticon the wiki does not know kept as its name")
            shown = f":{name}:"
        return md.escape(shown)


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class _TextReader(HTMLParser):
    """The text of markup, a paragraph per block: what remains of a body
    too deeply nested for the parsers."""

    BREAKS = {"p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "ul",
              "ol", "blockquote", "hr", "ac:task", "ac:layout-cell", "ac:rich-text-body"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs, self.current = [], []

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.BREAKS:
            self.flush()

    def handle_data(self, data):
        self.current.append(data)

    def unknown_decl(self, data):  # <![CDATA[...]]>
        if data.startswith("CDATA["):
            self.current.append(data[6:])

    def flush(self):
        text = md.collapse("".join(self.current)).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []


def text_only(markup, why):
    """A body as plain paragraphs, for one the parsers cannot hold."""
    reader = _TextReader()
    reader.feed(markup)
    reader.close()
    reader.flush()
    blocks = [md.paragraph(md.escape(p)) for p in reader.paragraphs]
    text = md.join([b for b in blocks if b])
    return Converted(text + "\n" if text else "", collections.Counter(), [why])
