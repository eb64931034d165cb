"""``[[Page Title]]`` and ``[[Page Title|text]]`` in Markdown (a page's
address works too: ``[[workshop-2021]]``).

At render time a wiki link becomes ``<a class="wikilink" data-wikilink="Page
Title">``; whether the target exists, and whether the reader may see it,
changes after the revision is cached, so ``resolve_links`` settles that when
the page is viewed (a regex over cached HTML, no Markdown work).
"""

import html
import re
import xml.etree.ElementTree as etree

from flask import url_for
from flask_babel import gettext as _
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString
from markupsafe import Markup, escape

from .extensions import db
from .models import Page, PageAlias, can_see
from .text import slugify, title_key

WIKILINK_RE = r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]"
_RENDERED_LINK = re.compile(r'<a\b[^>]*\bdata-wikilink="([^"]*)"[^>]*>')


class _WikiLinkProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        target, label = m.group(1).strip(), (m.group(2) or "").strip()
        if not slugify(target):
            return None, None, None
        el = etree.Element("a")
        el.set("class", "wikilink")
        el.set("data-wikilink", target)
        el.set("href", "#")
        el.text = AtomicString(label or target)
        return el, m.start(0), m.end(0)


class WikiLinkExtension(Extension):
    def extendMarkdown(self, md):
        # Before the reference/link patterns (170, 160), which would eat "[...]".
        md.inlinePatterns.register(_WikiLinkProcessor(WIKILINK_RE, md), "wikilink", 175)


def link_targets(rendered_html):
    """The titles that ``rendered_html`` links to."""
    return [html.unescape(t) for t in _RENDERED_LINK.findall(rendered_html)]


def _finder(targets):
    """A function: link target -> the live page it names, or None. A target
    names a page by its title (as ``title_key`` compares titles), else by
    its address, else by an address it had; three queries for all targets."""
    keys = {title_key(t) for t in targets}
    slugs = {slugify(t) for t in targets}
    live = Page.deleted_at.is_(None)
    by_title = {}
    for p in db.session.scalars(db.select(Page).where(Page.title_key.in_(keys), live).order_by(Page.id)):
        by_title.setdefault(p.title_key, p)
    by_slug = {p.slug: p for p in db.session.scalars(db.select(Page).where(Page.slug.in_(slugs), live))}
    for alias in db.session.scalars(db.select(PageAlias).where(PageAlias.slug.in_(slugs))):
        if not alias.page.is_deleted:
            by_slug.setdefault(alias.slug, alias.page)
    return lambda target: by_title.get(title_key(target)) or by_slug.get(slugify(target))


def linked_page(target):
    """The live page a ``[[target]]`` link names (by title, address, or an
    old address), or None; whether the reader may see it is the caller's check."""
    return _finder([target])(target)


def resolve_links(rendered_html, user):
    """Point each wiki link at its page, or mark it missing.

    A page the reader may not see is shown exactly like a missing one, so a
    link never reveals that a members-only page exists. Editors get a link
    that creates the missing page.
    """
    titles = set(link_targets(rendered_html))
    if not titles:
        return Markup(rendered_html)  # noqa: S704 - sanitized when the revision was saved
    find = _finder(titles)

    def replace(match):
        title = html.unescape(match.group(1))
        page = find(title)
        if page is not None and can_see(user, page):
            href = url_for("pages.view", slug=page.slug)
            return f'<a class="wikilink" href="{escape(href)}">'
        if user.can_edit:
            href = url_for("pages.new", title=title)
            hint = _("Missing page: create it")
            return f'<a class="wikilink missing" href="{escape(href)}" title="{escape(hint)}">'
        hint = _("Missing page")
        return f'<a class="wikilink missing" title="{escape(hint)}">'

    return Markup(_RENDERED_LINK.sub(replace, rendered_html))  # noqa: S704 - sanitized, tags rebuilt here
