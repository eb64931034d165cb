"""HTML sanitizing: the one module that knows bleach.

Everything rendered from user text goes through ``clean()`` after rendering.
The core allowlist is strict; plugins extend it through the
``sanitizer_allowlist`` hook (never with script-capable elements: see
``FORBIDDEN_TAGS``).
"""

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
    "div": ["class", "id"],
    "span": ["class"],
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
        bad = set(tags) & FORBIDDEN_TAGS
        if bad:
            raise ValueError(f"these tags can never be allowed: {sorted(bad)}")
        bad_protocols = {p.lower() for p in protocols} & {"javascript", "vbscript", "data"}
        if bad_protocols:
            raise ValueError(f"these protocols can never be allowed: {sorted(bad_protocols)}")
        self.tags |= set(tags)
        for tag, names in (attributes or {}).items():
            names = [n for n in names if not n.lower().startswith("on") and n.lower() != "style"]
            self.attributes.setdefault(tag, [])
            self.attributes[tag] = sorted(set(self.attributes[tag]) | set(names))
        self.protocols |= set(protocols)


def _external(href):
    parts = urlsplit(href or "")
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
