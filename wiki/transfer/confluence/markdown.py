"""Writing the wiki's Markdown (docs/writing-pages.md, docs/attachments.md)
from converted Confluence content: escaped text, and the syntax of each kind
of block. Nothing here knows Confluence; ``body.py`` walks a page's tree and
calls these.

Text is escaped so that it never becomes syntax by accident: ``*``, ``_``,
``[``, ``]``, backticks, ``|``, ``<``, ``{{`` and ``&`` before what reads
as a character reference anywhere, and what would start a block at the
start of a line (``#``, ``>``, ``- ``, ``1.``, ``???``, ``!!!``...).
The Markdown is rendered by Python-Markdown with the plugins' extensions:
a few escapes are character references (``&#63;??``) where a backslash
would stay visible.
"""

import html
import re
from dataclasses import dataclass

INDENT = "    "  # one level of a list, a section or a panel


@dataclass(frozen=True)
class Block:
    """One block of Markdown and what it is: ``para``, ``heading``, ``list``,
    ``code``, ``table``, ``quote``, ``rule``, ``section``, ``panel`` or
    ``macro`` (lists and tables need to know what they hold)."""

    kind: str
    text: str


# -- text ------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # HTML's white space: never the no-break space


def collapse(text):
    """White space as a browser shows it: each run one space."""
    return _SPACES.sub(" ", text)


# Escaped anywhere: emphasis, code, links and wiki links, table cells,
# macros, raw HTML and character references; "_" only where it could start
# or end emphasis (Python-Markdown ignores it inside words).
_ANYWHERE = re.compile(r"[\\`*\[\]|]|(?<!\w)_|_(?!\w)|\{\{|<|&(?=#?\w+;)")


def _escape_one(match):
    char = match.group(0)
    if char == "<":
        return "&lt;"
    if char == "&":
        return "&#38;"  # the sanitizer would turn "&amp;copy;" back into "&copy;" (©)
    return "\\" + char


def escape(text):
    """Confluence text as Markdown text (white space as it was: see ``collapse``)."""
    return _ANYWHERE.sub(_escape_one, text)


# What starts a block at the start of a line, with its escape. Python-Markdown
# drops a backslash only before its own punctuation, so "?", "=" and "~" get
# character references.
_LINE_STARTS = [
    (re.compile(r"[#>]"), lambda line: "\\" + line),
    (re.compile(r"[-+](?=\s|$)|-[-\s]*$"), lambda line: "\\" + line),
    (re.compile(r"\d+[.)](?=\s|$)"), lambda line: re.sub(r"^(\d+)", r"\1\\", line, count=1)),
    (re.compile(r"=+\s*$"), lambda line: "&#61;" + line[1:]),
    (re.compile(r"\?\?\?"), lambda line: "&#63;" + line[1:]),
    (re.compile(r"!!!"), lambda line: "\\" + line),
    (re.compile(r"~~~"), lambda line: "&#126;" + line[1:]),
]


def escape_line_start(line):
    for pattern, fix in _LINE_STARTS:
        if pattern.match(line):
            return fix(line)
    return line


def plain(text):
    """Text for places Python-Markdown takes as written (a wiki link's words,
    an attachment's alt text): one line, no brackets to end it early."""
    text = collapse(text).strip().replace("[", "(").replace("]", ")")
    return re.sub(r"\\(?=[\\`*_{}()>#+\-.!|])", "", text)


# -- inline ----------------------------------------------------------------

BREAK = "\n"  # a line break inside a paragraph, until the paragraph is written
_ENDS_ITALIC = re.compile(r"(?<![*\\])\*$")
_STARTS_ITALIC = re.compile(r"\*(?!\*)")


class Run:
    """The inline Markdown of a paragraph (or a cell, a link's words) as it is
    built: escaped text and markup, with BREAK for line breaks."""

    def __init__(self):
        self.parts = []

    def text(self, raw):
        if raw:
            self.parts.append(escape(collapse(raw)))

    def markup(self, markdown):
        if not markdown:
            return
        # "Wow!" and then [a link] must not become an image.
        if markdown.startswith("[") and self.parts and self.parts[-1].endswith("!") \
                and not self.parts[-1].endswith("\\!"):
            self.parts[-1] = self.parts[-1][:-1] + "\\!"
        # Two italics in a row: "*a**b*" would read as one with "**" in it.
        if self.parts and _ENDS_ITALIC.search(self.parts[-1]) and _STARTS_ITALIC.match(markdown):
            self.parts[-1], markdown = self.parts[-1][:-1], markdown[1:]
        self.parts.append(markdown)

    def value(self):
        return "".join(self.parts)


def wrap(inner, mark, close=None):
    """``inner`` between emphasis marks, its edge spaces and breaks kept outside
    (``** x**`` is no emphasis)."""
    core = inner.strip(" " + BREAK)
    if not core:
        return inner
    start = len(inner) - len(inner.lstrip(" " + BREAK))
    return f"{inner[:start]}{mark}{core}{close or mark}{inner[start + len(core):]}"


def code_span(text):
    text = collapse(text).strip()
    if not text:
        return ""
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def lines(inline):
    """A paragraph's inline Markdown -> its lines: spaces collapsed, no empty
    line at either end, each line's start escaped."""
    out = []
    for line in inline.split(BREAK):
        line = re.sub(" {2,}", " ", line).strip(" ")
        if line or (out and out[-1]):
            out.append(escape_line_start(line) if line else "")
    while out and not out[-1]:
        out.pop()
    return out


def paragraph(inline):
    """A paragraph Block, or None when it shows nothing."""
    found = lines(inline)
    if not found or not "".join(found).strip():
        return None
    text = ""
    for i, line in enumerate(found):
        if i:
            # A hard break ("  " at the end of the line) between two lines of text.
            text += "  \n" if line and found[i - 1] else "\n"
        text += line
    return Block("para", text)


def one_line(inline):
    """Inline Markdown for a place that holds one line (a heading, a title)."""
    return re.sub(" {2,}", " ", inline.replace(BREAK, " ")).strip(" ")


def url(target):
    """A link target Markdown reads whole: no spaces, brackets or parentheses."""
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"),
                       ("[", "%5B"), ("]", "%5D"), ("\\", "%5C"), ("\n", ""), ("\r", ""), ("\t", "")):
        target = target.replace(char, code)
    return target


def web_link(text, target):
    return f"[{text or escape(target)}]({url(target)})"


def web_image(alt, target):
    return f"![{alt}]({url(target)})"


# What ``[[Title]]`` and ``[[Title|text]]`` can hold (wiki/wikilinks.py).
_WIKI_TITLE = re.compile(r"[^\[\]|\n]+")


def wiki_link(title, text=None):
    """A link to a page of the wiki by its title. A title the ``[[...]]``
    syntax cannot hold (brackets, ``|``) is written as the HTML that syntax
    renders to, which the wiki resolves the same way when the page is viewed."""
    words = plain(text or "") or title
    if _WIKI_TITLE.fullmatch(title) and title == title.strip():
        return f"[[{title}]]" if words == title else f"[[{title}|{words}]]"
    return (f'<a class="wikilink" data-wikilink="{html.escape(title)}" href="#">'
            f"{html.escape(words)}</a>")


# A file reference of the attachments plugin (plugins/attachments/syntax.py):
# a name with an extension, no path.
_FILE_NAME = re.compile(r"[^<>\n/\\]+\.[A-Za-z0-9]{1,10}")
_OTHER_PAGE = re.compile(r"[^\[\]|^\n]+")
_OTHER_NAME = re.compile(r"[^\[\]|\n]+")


def file_ref(name, page=None, text=None, image=False):
    """A link to (or an image of) a file attached to this page (``page`` None)
    or to another page; None when the syntax cannot name it."""
    bang = "!" if image else ""
    words = plain(text or "")
    if page is None:
        if not _FILE_NAME.fullmatch(name):
            return None
        return f"{bang}[{words or name}](<{name}>)"
    if not (_OTHER_PAGE.fullmatch(page) and _OTHER_NAME.fullmatch(name)):
        return None
    return f"{bang}[[{page}^{name}|{words}]]" if words and words != name else f"{bang}[[{page}^{name}]]"


def anchor(anchor_id):
    """An anchor a link can point at (the sanitizer keeps ``id`` on ``a``)."""
    return f'<a id="{html.escape(anchor_id)}"></a>'


def status(title, colour):
    """A status lozenge: its words, in brackets and bold; the colour is kept
    as a class (the sanitizer keeps ``class`` on ``span``)."""
    colour = re.sub(r"[^a-z]", "", colour.lower()) or "grey"
    return f'<span class="status status-{colour}">**\\[{escape(title)}\\]**</span>'


def placeholder(name, params, label="Confluence macro"):
    """What an unsupported Confluence macro becomes: visible, naming the macro
    and its parameters (``params``: (name, value) pairs)."""
    shown = ", ".join(f"{k}={v}" if k else v for k, v in params if v)
    words = f"[{label} “{name}”" + (f": {shown}" if shown else "") + "]"
    return f"*{escape(collapse(words).strip())}*"


# -- blocks ----------------------------------------------------------------


# Between two lists in a row: Markdown would make them one list.
_LISTS_APART = "\n\n<!-- -->\n\n"


def join(blocks):
    text = ""
    for i, block in enumerate(blocks):
        if i:
            text += _LISTS_APART if block.kind == blocks[i - 1].kind == "list" else "\n\n"
        text += block.text
    return text


def indent(text, prefix=INDENT):
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def heading(level, inline):
    text = one_line(inline)
    if not text.strip():
        return None
    if text.endswith("#"):
        text = text[:-1] + "\\#"  # a closing "#" would be dropped
    return Block("heading", f"{'#' * min(max(level, 1), 6)} {text}")


def code_block(code, language=""):
    code = code.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", code)), default=0) + 1)
    language = re.sub(r"[^\w#+.-]", "", language or "")
    return Block("code", f"{fence}{language}\n{code}\n{fence}" if code else f"{fence}{language}\n{fence}")


def quote(blocks):
    text = join(blocks)
    return Block("quote", "\n".join(f"> {line}" if line else ">" for line in text.split("\n")))


RULE = Block("rule", "---")


def section(title, blocks):
    """An expandable section (the expand plugin); no title: its default,
    "Click here to expand..."."""
    head = f'??? "{title}"' if title else "???"
    body = join(blocks)
    return Block("section", f"{head}\n{indent(body)}" if body else head)


def panel(kind, title, blocks):
    """An info / note / tip / warning panel (the macros plugin); ``""``: no
    title, as in Confluence."""
    body = join(blocks)
    head = f'!!! {kind} "{title or ""}"'
    return Block("panel", f"{head}\n{indent(body)}" if body else head)


def macro(name, args=""):
    return Block("macro", f"{{{{{name}{' ' + args if args else ''}}}}}")


def list_block(items, flat=False):
    """A list: ``items`` are (marker, blocks) pairs (``-``, ``3.``, ``- [x]``).
    With ``flat``, lists inside the items are not indented further: they
    continue this list (how lists nested too deep are kept)."""
    written, tight = [], True
    for marker, blocks in items:
        after = []
        if flat:
            after = [b for b in blocks if b.kind == "list"]
            blocks = [b for b in blocks if b.kind != "list"]
        text, item_tight = _item(marker, blocks)
        tight = tight and item_tight
        written.append("\n".join([text, *(b.text for b in after)]))
    return Block("list", ("\n" if tight else "\n\n").join(written))


def _item(marker, blocks):
    """An item's Markdown, and whether it can sit in a tight list."""
    if not blocks:
        return marker, True
    first, rest = blocks[0], blocks[1:]
    if first.kind == "para":
        text = f"{marker} {indent(first.text)[len(INDENT):]}"
    else:
        # The block goes under an empty marker line, after a blank line (the
        # list is then loose: "- " right under a line of text is a heading).
        text = f"{marker} \n\n{indent(first.text)}"
    tight = first.kind == "para"
    previous = first
    for block in rest:
        # A list right under the item's words stays tight; anything else needs a blank line.
        close = block.kind == "list" and previous.kind == "para"
        tight = tight and close
        if close:
            text += "\n"
        else:
            text += indent(_LISTS_APART) if block.kind == previous.kind == "list" else "\n\n"
        text += indent(block.text)
        previous = block
    return text, tight


_CODE_SPANS = re.compile(r"(`+).+?\1")


def table(rows):
    """A table: a Markdown table when it can be one (``rows`` of Cells, the
    first row all headers, no merged cells, one paragraph at most in each
    cell, no "|" of a wiki link in one), else an HTML table with Markdown in
    its cells (md_in_html), which the sanitizer keeps with its row and
    column spans. Returns (Block, whether it is HTML)."""
    if _markdown_table_fits(rows):
        width = max(len(r) for r in rows)
        text_rows = [[_cell_line(c) for c in row] + [""] * (width - len(row)) for row in rows]
        out = ["| " + " | ".join(text_rows[0]) + " |", "|" + "---|" * width]
        out += ["| " + " | ".join(r) + " |" for r in text_rows[1:]]
        return Block("table", "\n".join(out)), False
    return Block("table", _html_table(rows)), True


@dataclass
class Cell:
    header: bool
    blocks: list
    rowspan: int = 1
    colspan: int = 1


def _cell_line(cell):
    return cell.blocks[0].text.replace("  \n", "<br>").replace("\n", " ") if cell.blocks else ""


def _markdown_table_fits(rows):
    if not rows or not all(c.header for c in rows[0]):
        return False
    for i, row in enumerate(rows):
        for cell in row:
            if cell.rowspan > 1 or cell.colspan > 1 or (i and cell.header) or len(cell.blocks) > 1:
                return False
            if cell.blocks and (cell.blocks[0].kind != "para"
                                or re.search(r"(?<!\\)\|", _CODE_SPANS.sub("", cell.blocks[0].text))):
                return False
    return True


def _html_table(rows):
    out = ['<table markdown="1">']
    for row in rows:
        out.append('<tr markdown="1">')
        for cell in row:
            tag = "th" if cell.header else "td"
            spans = "".join(f' {name}="{n}"' for name, n in (("rowspan", cell.rowspan),
                                                            ("colspan", cell.colspan)) if n > 1)
            if not cell.blocks:
                out.append(f"<{tag}{spans}></{tag}>")
            elif len(cell.blocks) == 1 and cell.blocks[0].kind == "para":
                out.append(f'<{tag} markdown="1"{spans}>{_cell_line(cell)}</{tag}>')
            else:
                out.append(f'<{tag} markdown="block"{spans}>\n\n{join(cell.blocks)}\n\n</{tag}>')
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)
