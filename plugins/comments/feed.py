"""The Atom feed of recent comments (``/comments.atom``), built with
ElementTree, which escapes every text and attribute.

Its own words (titles) are in the reader's interface language, which the
feed says (``xml:lang``); each entry says the language of its comment.
"""

import xml.etree.ElementTree as ET

from flask import current_app, url_for
from flask_babel import gettext as _

from wiki.api import interface_language, utcnow

ATOM = "http://www.w3.org/2005/Atom"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"  # written xml:lang


def _iso(value):
    return value.isoformat(timespec="seconds") + "Z"


def author_name(comment, translated=False):
    """As on the page: a guest's chosen name is marked, so it never passes for a member's.
    ``translated``: in the reader's language (the feed); search indexes it
    untranslated, the same for every reader."""
    if comment.author is not None:
        return comment.author.display_name
    if translated:
        return _("%(name)s (guest)", name=comment.anon_name) if comment.anon_name else _("Anonymous")
    return f"{comment.anon_name} (guest)" if comment.anon_name else "Anonymous"


def comment_url(comment):
    return url_for("pages.view", slug=comment.page.slug, _anchor=f"comment-{comment.id}",
                   _external=True)


def atom_feed(comments):
    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, tag, attrs)
        element.text = text
        return element

    language, site = interface_language(), current_app.config["SITE_NAME"]
    feed = ET.Element("feed", {"xmlns": ATOM, LANG: language})
    sub(feed, "id", url_for("comments.feed", _external=True))
    sub(feed, "title", _("Recent comments · %(site)s", site=site))
    sub(feed, "subtitle", _("The newest comments on the pages of %(site)s.", site=site))
    sub(feed, "updated", _iso(max((c.edited_at or c.created_at for c in comments), default=utcnow())))
    sub(feed, "link", rel="self", href=url_for("comments.feed", _external=True))
    sub(feed, "link", rel="alternate", type="text/html", href=url_for("pages.home", _external=True))
    for comment in comments:
        lang = comment.lang or comment.page.lang
        entry = sub(feed, "entry", **{LANG: lang})
        # Stable when the page is renamed, unlike the page address.
        sub(entry, "id", url_for("comments.permalink", comment_id=comment.id, _external=True))
        title = _("%(author)s on “%(page)s”", author=author_name(comment, translated=True),
                  page=comment.page.title)
        # The title is the feed's words, not the comment's.
        sub(entry, "title", title, **({LANG: language} if language != lang else {}))
        sub(entry, "link", rel="alternate", type="text/html", href=comment_url(comment))
        sub(entry, "published", _iso(comment.created_at))
        sub(entry, "updated", _iso(comment.edited_at or comment.created_at))
        sub(sub(entry, "author"), "name", author_name(comment, translated=True))
        # The sanitized HTML, as text: ElementTree escapes it, readers unescape it.
        sub(entry, "content", comment.html, type="html")
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)
