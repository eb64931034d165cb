"""What the index holds for a page: its text as a reader sees it.

The text comes from the revision's cached HTML, so everything the page shows
is searchable (folded sections, panels, tables) and nothing it hides (markup,
attributes). Folded sections (``<details id=...>``) are remembered with their
position in the text, so a hit inside one links to it.
"""

from html.parser import HTMLParser

from wiki.extensions import db
from wiki.models import Page
from wiki.plugins import hook

_BLOCKS = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
           "blockquote", "summary", "details", "br", "dd", "dt", "table", "ul", "ol"}


class _TextExtractor(HTMLParser):
    """HTML -> plain text, with the [anchor, title, start, end] of each section."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.length = [], 0
        self.open_sections, self.sections = [], []
        self._summary = None

    def _add(self, text):
        self.parts.append(text)
        self.length += len(text)

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS and self.parts and not self.parts[-1].endswith("\n"):
            self._add("\n")
        if tag == "details":
            anchor = dict(attrs).get("id")
            self.open_sections.append([anchor, "", self.length])
        elif tag == "summary" and self.open_sections:
            self._summary = []
        elif tag == "a" and ("class", "headerlink") in attrs:
            self._skip = True

    def handle_endtag(self, tag):
        if tag == "summary" and self._summary is not None and self.open_sections:
            self.open_sections[-1][1] = " ".join("".join(self._summary).split())
            self._summary = None
        elif tag == "details" and self.open_sections:
            anchor, title, start = self.open_sections.pop()
            if anchor:
                self.sections.append([anchor, title, start, self.length])
        elif tag == "a":
            self._skip = False
        if tag in _BLOCKS:
            self._add("\n")

    _skip = False

    def handle_data(self, data):
        if self._skip:
            return  # the "¶" permalink of headings
        if self._summary is not None:
            self._summary.append(data)
        self._add(data)


def html_text(html):
    """(text, sections) of rendered HTML; sections sorted by start, outer first."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    text = "".join(parser.parts)
    # Collapse runs of blank lines without moving offsets much: keep lengths.
    return text, sorted(parser.sections, key=lambda s: (s[2], -s[3]))


def page_document(page):
    """The index document of a live page, or None when it should not be indexed."""
    if page is None or page.is_deleted or page.current_revision is None:
        return None
    rev = page.current_revision
    text, sections = html_text(rev.html)
    labels = hook().page_labels(page=page) or []
    authors = sorted({name for r in _authors(page) for name in r})
    ancestors = page.ancestors()
    return {
        "id": f"page:{page.id}", "type": "page", "page_id": page.id, "comment_id": None,
        "slug": page.slug, "title": page.title, "page_title": page.title,
        "breadcrumb": [[a.slug, a.title] for a in ancestors],
        "body": text, "sections": sections, "labels": labels, "authors": authors,
        "updated": page.updated_at, "members_only": page.members_only,
        "path": [a.id for a in ancestors] + [page.id],
        "version": f"r{rev.number}:{page.updated_at.isoformat()}:{page.slug}:{int(page.members_only)}"
                   f":{','.join(labels)}:{page.parent_id}",
    }


def _authors(page):
    from wiki.models import Revision, User

    rows = db.session.execute(
        db.select(User.username, User.display_name).join(Revision, Revision.author_id == User.id)
        .where(Revision.page_id == page.id).distinct()
    ).all()
    return [(r.username.lower(), r.display_name.lower()) for r in rows]


def live_pages():
    return db.session.scalars(db.select(Page).where(Page.deleted_at.is_(None)).order_by(Page.id))
