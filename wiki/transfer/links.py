"""Links between imported files -> wiki links.

``[text](../b/c.md)`` names a file; once that file is a page, the link
becomes ``[[Title]]`` (or ``[[Title|text]]``), which keeps working when the
page is renamed or moved. Only inline links are rewritten, and never inside
code: a page about Markdown keeps its examples.
"""

import posixpath
import re
from urllib.parse import unquote

# Fenced code blocks (to their closing fence, or the end of the text) and code spans.
_CODE = re.compile(
    r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}(?P=fence)[ \t]*$|\Z)"
    r"|(?P<ticks>`+)[^`].*?(?<!`)(?P=ticks)(?!`)",
    re.MULTILINE | re.DOTALL,
)
# [text](target "title"): no image (!), no nested brackets in the text.
_LINK = re.compile(
    r"(?<![!\\\[])\[(?P<text>[^\[\]]*)\]"
    r"\(\s*(?P<target><[^<>\n]+>|[^\s()<>]+)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
# What a wiki link's title and text may not contain (wiki/wikilinks.py).
_NOT_IN_TITLE = re.compile(r"[\[\]|\n]")


def rewrite(body, path, titles):
    """``body`` of the file at ``path`` with its links to the files in
    ``titles`` (path -> page title) made wiki links; other links stay."""
    folder = posixpath.dirname(path)

    def link(match):
        target = match["target"].strip("<>")
        if "://" in target or target.startswith(("/", "#", "mailto:")):
            return match[0]
        file = unquote(target.partition("#")[0])  # a page has no anchors for other pages
        title = titles.get(posixpath.normpath(posixpath.join(folder, file)))
        if title is None or _NOT_IN_TITLE.search(title):
            return match[0]
        text = " ".join(match["text"].split())
        return f"[[{title}]]" if text in ("", title) else f"[[{title}|{text}]]"

    return outside_code(body, lambda part: _LINK.sub(link, part))


def outside_code(text, rewrite):
    """``text`` with ``rewrite(part)`` applied to each part that is not code
    (fenced blocks, code spans): a page about Markdown keeps its examples."""
    out, start = [], 0
    for code in _CODE.finditer(text):
        out.append(rewrite(text[start:code.start()]))
        out.append(code[0])
        start = code.end()
    out.append(rewrite(text[start:]))
    return "".join(out)
