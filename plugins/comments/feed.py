"""The Atom feed of recent comments (``/comments.atom``), built with
ElementTree, which escapes every text and attribute."""

import xml.etree.ElementTree as ET

from flask import current_app, url_for

from wiki.api import utcnow

ATOM = "http://www.w3.org/2005/Atom"


def _iso(value):
    return value.isoformat(timespec="seconds") + "Z"


def author_name(comment):
    """As on the page: a guest's chosen name is marked, so it never passes for a member's."""
    if comment.author is not None:
        return comment.author.display_name
    return f"{comment.anon_name} (guest)" if comment.anon_name else "Anonymous"


def comment_url(comment):
    return url_for("pages.view", slug=comment.page.slug, _anchor=f"comment-{comment.id}",
                   _external=True)


def atom_feed(comments):
    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, tag, attrs)
        element.text = text
        return element

    feed = ET.Element("feed", xmlns=ATOM)
    sub(feed, "id", url_for("comments.feed", _external=True))
    sub(feed, "title", f"Recent comments · {current_app.config['SITE_NAME']}")
    sub(feed, "updated", _iso(max((c.edited_at or c.created_at for c in comments), default=utcnow())))
    sub(feed, "link", rel="self", href=url_for("comments.feed", _external=True))
    sub(feed, "link", rel="alternate", type="text/html", href=url_for("pages.home", _external=True))
    for comment in comments:
        entry = sub(feed, "entry")
        # Stable when the page is renamed, unlike the page address.
        sub(entry, "id", url_for("comments.permalink", comment_id=comment.id, _external=True))
        sub(entry, "title", f"{author_name(comment)} on “{comment.page.title}”")
        sub(entry, "link", rel="alternate", type="text/html", href=comment_url(comment))
        sub(entry, "published", _iso(comment.created_at))
        sub(entry, "updated", _iso(comment.edited_at or comment.created_at))
        sub(sub(entry, "author"), "name", author_name(comment))
        # The sanitized HTML, as text: ElementTree escapes it, readers unescape it.
        sub(entry, "content", comment.html, type="html")
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)
