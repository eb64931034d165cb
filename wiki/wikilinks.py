"""``[[Page Title]]`` and ``[[Page Title|text]]`` in Markdown.

At render time a wiki link becomes ``<a class="wikilink" data-wikilink="Page
Title">``; whether the target exists, and whether the reader may see it,
changes after the revision is cached, so ``resolve_links`` settles that when
the page is viewed (a regex over cached HTML, no Markdown work).
"""

import html
import re
import xml.etree.ElementTree as etree

from flask import url_for
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString
from markupsafe import Markup, escape

from .extensions import db
from .models import Page, PageAlias, can_see
from .text import slugify

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


def resolve_links(rendered_html, user):
    """Point each wiki link at its page, or mark it missing.

    A page the reader may not see is shown exactly like a missing one, so a
    link never reveals that a members-only page exists. Editors get a link
    that creates the missing page.
    """
    titles = set(link_targets(rendered_html))
    if not titles:
        return Markup(rendered_html)  # noqa: S704 - sanitized when the revision was saved
    slugs = {slugify(t) for t in titles}
    pages = {
        p.slug: p
        for p in db.session.scalars(
            db.select(Page).where(Page.slug.in_(slugs), Page.deleted_at.is_(None))
        )
    }
    for alias in db.session.scalars(db.select(PageAlias).where(PageAlias.slug.in_(slugs))):
        if not alias.page.is_deleted:
            pages.setdefault(alias.slug, alias.page)

    def replace(match):
        title = html.unescape(match.group(1))
        page = pages.get(slugify(title))
        if page is not None and can_see(user, page):
            href = url_for("pages.view", slug=page.slug)
            return f'<a class="wikilink" href="{escape(href)}">'
        if user.can_edit:
            href = url_for("pages.new", title=title)
            return (f'<a class="wikilink missing" href="{escape(href)}" '
                    f'title="Missing page: create it">')
        return '<a class="wikilink missing" title="Missing page">'

    return Markup(_RENDERED_LINK.sub(replace, rendered_html))  # noqa: S704 - sanitized, tags rebuilt here
