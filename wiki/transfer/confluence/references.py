"""What the converters ask while they turn a Confluence text into Markdown:
the wiki title of a page a link names, the display name of a person a
mention names, the page that holds a file. Links to pages of this import
resolve to the titles they get (``plan.py``), links to a space imported
earlier through the mapping table, so ``[[Title]]`` finds its page.
"""

from ...extensions import db
from ...models import ConfluencePage, Page
from ...text import title_key
from .body import UNKNOWN_USER


class Names:
    """The names of one import: pages (this space's and earlier imports'), people."""

    def __init__(self, space_key, placements, people):
        self.space_key, self.people = space_key, people
        self._by_id = {p.page.id: p.title for p in placements}
        self._by_key = {}
        for placement in placements:
            self._by_key.setdefault(title_key(placement.page.title), placement.title)
        self._looked_up = {}  # (space key, page id, title key) -> wiki title or None

    def context(self, page_title):
        return Context(self, page_title)

    def page_title(self, title=None, page_id=None, space_key=None):
        """The wiki title of the Confluence page ``page_id`` (or titled
        ``title``) of ``space_key`` (None: this space), or None if no page of
        the wiki came from it."""
        space_key = space_key or self.space_key
        key = title_key(title) if title else None
        if space_key == self.space_key:
            if page_id is not None and str(page_id) in self._by_id:
                return self._by_id[str(page_id)]
            if key and key in self._by_key:
                return self._by_key[key]
        if page_id is None and not key:
            return None
        wanted = (space_key, None if page_id is None else str(page_id), key)
        if wanted not in self._looked_up:
            self._looked_up[wanted] = _imported_title(*wanted)
        return self._looked_up[wanted]


def _imported_title(space_key, page_id, key):
    """The title of a live wiki page imported earlier from that Confluence page."""
    query = (db.select(Page.title).join(ConfluencePage, ConfluencePage.page_id == Page.id)
             .where(Page.deleted_at.is_(None), ConfluencePage.space_key == space_key))
    if page_id is not None:
        found = db.session.scalar(query.where(ConfluencePage.content_id == page_id))
        if found is not None or not key:
            return found
    return db.session.scalar(query.where(ConfluencePage.title_key == key).order_by(ConfluencePage.id))


class Context:
    """What a converter may ask while converting a text of the page titled
    ``page_title`` in the wiki (its body, or one of its comments)."""

    def __init__(self, names, page_title):
        self._names, self.page_title = names, page_title

    def user_name(self, key=None, username=None):
        """The display name of the person a mention names ("Unknown user" if none)."""
        return self._names.people.display_name(key=key, username=username) or UNKNOWN_USER

    def page_title_for(self, title=None, page_id=None, space_key=None):
        """The wiki title of the page a link names, or None if it was not imported."""
        return self._names.page_title(title=title, page_id=page_id, space_key=space_key)

    def attachment_page(self, filename, page_title=None):
        """The wiki title of the page that holds the file ``filename``, None
        when it is this page: ``page_title`` is the title of the page the
        reference names (None: this page); one that was not imported stays
        as it is."""
        del filename  # files keep their names: the page is what the wiki needs to find one
        if page_title is None:
            return None
        holder = self.page_title_for(title=page_title) or page_title
        return None if holder == self.page_title else holder
