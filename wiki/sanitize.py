"""HTML sanitizing: the one module that knows bleach.

Everything rendered from user text goes through ``clean()`` after rendering.
The core allowlist is strict; plugins extend it through the
``sanitizer_allowlist`` hook (never with script-capable elements: see
``FORBIDDEN_TAGS``).
"""

import html
import threading
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re

# Never allowed, whatever a plugin asks for: each can run script or restyle
# the whole page.
FORBIDDEN_TAGS = frozenset(
    {"script", "style", "svg", "math", "iframe", "frame", "frameset", "object", "embed",
     "noscript", "template", "form", "input", "button", "textarea", "select", "base", "link",
     "meta", "applet", "xmp", "plaintext", "noembed", "noframes", "title"}
)

CORE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
CORE_ATTRIBUTES = {
    "*": ["title"],
    "a": ["href", "title", "class", "id", "data-wikilink"],
    "abbr": ["title"],
    "img": ["src", "alt", "title", "width", "height"],
    "code": ["class"],
    "div": ["class", "id", "data-block", "data-args"],  # data-*: wiki.blocks placeholders
    "span": ["class", "data-block", "data-args"],  # inline placeholders of wiki.blocks
    "pre": ["class"],
    "ol": ["start"],
    "li": ["id"],
    "sup": ["id"],
    "td": ["align", "colspan", "rowspan"],
    "th": ["align", "colspan", "rowspan"],
    **{f"h{n}": ["id"] for n in range(1, 7)},
}
CORE_PROTOCOLS = {"http", "https", "mailto"}
URL_RE = build_url_re(protocols=["http", "https"])


@dataclass
class Allowlist:
    tags: set = field(default_factory=lambda: set(CORE_TAGS))
    attributes: dict = field(default_factory=lambda: {k: list(v) for k, v in CORE_ATTRIBUTES.items()})
    protocols: set = field(default_factory=lambda: set(CORE_PROTOCOLS))

    def extend(self, tags=(), attributes=None, protocols=()):
        # Names as bleach compares them (lowercase, no spaces, a scheme without
        # its colon), so "SCRIPT" or "JavaScript:" cannot slip past the checks.
        tags = {_name(t) for t in tags}
        protocols = {_name(p).rstrip(":") for p in protocols}
        bad = tags & FORBIDDEN_TAGS
        if bad:
            raise ValueError(f"these tags can never be allowed: {sorted(bad)}")
        bad_protocols = protocols & {"javascript", "vbscript", "data"}
        if bad_protocols:
            raise ValueError(f"these protocols can never be allowed: {sorted(bad_protocols)}")
        self.tags |= tags
        for tag, names in (attributes or {}).items():
            names = {_name(n) for n in names}
            names = [n for n in names if not n.startswith("on") and n != "style"]
            tag = _name(tag)
            self.attributes.setdefault(tag, [])
            self.attributes[tag] = sorted(set(self.attributes[tag]) | set(names))
        self.protocols |= protocols


def _name(name):
    return name.strip().lower()


# What a browser ignores in a URL: C0 controls and spaces around it, tabs and
# newlines anywhere in it.
_URL_EDGES = "".join(map(chr, range(0x21)))
_URL_INSIDE = str.maketrans("", "", "\t\n\r")


def _external(href):
    """Whether a browser leaves the site for ``href``.

    bleach hands callbacks the value as written, character references
    included: ``https&#58;//x`` and ``/&#92;x`` are external links too (a
    browser reads "\\" as "/").
    """
    href = html.unescape(href or "").strip(_URL_EDGES).translate(_URL_INSIDE).replace("\\", "/")
    parts = urlsplit(href)
    return bool(parts.scheme or parts.netloc)


def _rel_callback(rel):
    def set_rel(attrs, new=False):
        href = attrs.get((None, "href"), "")
        if _external(href):
            attrs[(None, "rel")] = rel
        else:
            attrs.pop((None, "rel"), None)
        return attrs

    return set_rel


class Sanitizer:
    """Cleans HTML against one allowlist.

    A bleach Cleaner is not thread-safe, so each thread builds its own, once
    per ``rel`` value.
    """

    def __init__(self, allowlist=None):
        self.allowlist = allowlist or Allowlist()
        self._local = threading.local()

    def _cleaner(self, rel):
        cache = self._local.__dict__.setdefault("cleaners", {})
        if rel not in cache:
            # Runs after sanitizing: sets rel on links and turns bare http(s)
            # URLs into links (only those two protocols, never data: or others).
            linkify = partial(
                LinkifyFilter,
                callbacks=[_rel_callback(rel)],
                skip_tags={"pre", "code"},
                parse_email=False,
                url_re=URL_RE,
            )
            cache[rel] = bleach.Cleaner(
                tags=self.allowlist.tags,
                attributes=self.allowlist.attributes,
                protocols=self.allowlist.protocols,
                strip=True,
                strip_comments=True,
                filters=[linkify],
            )
        return cache[rel]

    def clean(self, html, rel="nofollow noopener"):
        """Sanitize ``html``; external links get ``rel``; bare URLs become links."""
        return self._cleaner(rel).clean(html)
