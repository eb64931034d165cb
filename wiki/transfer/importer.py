"""Writing an import: new pages in batches, existing pages through the page services.

New pages are most of a large import, and rendering their Markdown is the
real cost per page, so they are written ``BATCH`` at a time: page, revision
and history rows, one commit, then ``page_saved`` for each (events after the
commit, as ``wiki.services`` does). A page that already has the slug is the
same page in the wiki's eyes: it goes through ``wiki.services`` (a revision
only when the title or text differ, then move and visibility), which checks,
records history and fires events as for any edit. Labels go through the
``set_pages_labels`` hook, a batch of new pages at a time, so the core needs
no labels plugin; files that pages link to (``files.py``) through the
``import_page_files`` hook, once their page is written. A page's language is
its front matter's ``lang``, else (a new page) the one its words say
(``language.py``); an existing page without ``lang`` keeps its own.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app

from .. import services
from ..extensions import db
from ..models import Page, PageAlias, Revision
from ..plugins import hook
from ..text import title_key
from .files import link_files
from .language import guessed
from .plan import plan
from .rendering import render_all
from .source import Note, read_folder

BATCH = 250
_IN_CHUNK = 500  # slugs per IN (...) query


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Note] = field(default_factory=list)  # nothing written for these files
    problems: list[Note] = field(default_factory=list)  # imported, but part of it refused
    labels_ignored: bool = False  # labels were asked for, but no plugin keeps labels
    files_attached: int = 0  # new files and new versions
    files_unchanged: int = 0  # the page had them already, with the same bytes
    files_ignored: int = 0  # links to files and files kept out: no plugin keeps files

    def summary(self):
        text = (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.skipped)} skipped")
        if self.files_attached or self.files_unchanged:
            text += (f"; {self.files_attached} file{'' if self.files_attached == 1 else 's'} attached, "
                     f"{self.files_unchanged} unchanged")
        return text


def prepare(root, labels=()):
    """Read and plan the folder: ``(entries, skipped)``. Nothing is written
    (the plugin that keeps files checks those the pages link to)."""
    max_chars = current_app.config["MAX_PAGE_CHARS"]
    files, skipped = read_folder(root, max_chars)
    entries, refused = plan(files, max_chars, labels)
    link_files(entries, root, [f.path for f in files] + [note.path for note in skipped])
    return entries, sorted(skipped + refused)


def import_pages(entries, skipped, user, parent=None, visibility=None, progress=None, jobs=None):
    """Write planned ``entries`` under the page ``parent`` (None: top level).
    ``visibility`` applies to pages whose front matter does not say (None: new
    pages are public, existing ones keep theirs). ``progress(n)`` after each
    batch. The new pages are rendered by ``jobs`` processes (None: one per core)."""
    writer = _Writer(Report(skipped=list(skipped)), user, visibility)
    if parent is not None:
        writer.parent = _Written(parent.id, parent.members_only)
    writer.load_existing([e.slug for e in entries], [title_key(e.title) for e in entries])
    new = [e for e in entries if e.slug not in writer.existing]
    writer.rendered = _Rendered(new, render_all([e.body for e in new], jobs))
    try:
        with _quick_commits():
            for start in range(0, len(entries), BATCH):
                batch = entries[start:start + BATCH]
                writer.write(batch)
                if progress is not None:
                    progress(len(batch))
    finally:
        writer.rendered.close()
    writer.report.skipped.sort()
    return writer.report


@contextmanager
def _quick_commits():
    """Commits that don't expire the rows just written: an updated page commits
    on its own, and expiring (then reloading) the whole batch each time made
    large imports quadratic. Nobody else writes these new rows meanwhile; the
    batch expires everything once, at its end."""
    session = db.session()
    before, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = before


class _Rendered:
    """The HTML of the new pages, taken in the order they are written while
    the rest is still being rendered."""

    def __init__(self, entries, htmls):
        self._htmls = htmls
        self._pending = zip((e.path for e in entries), htmls, strict=True)
        self._ready = {}

    def close(self):
        self._htmls.close()  # the workers stop, even if some pages were skipped

    def html(self, entry):
        while entry.path not in self._ready:
            path, html = next(self._pending)
            self._ready[path] = html
        return self._ready.pop(entry.path)


@dataclass(frozen=True)
class _Written:
    """A page as its children need it. Page objects themselves are let go
    after their batch, so memory stays flat however large the import."""

    id: int
    members_only: bool
    deleted: bool = False


class _Writer:
    def __init__(self, report, user, visibility):
        self.report, self.user, self.visibility = report, user, visibility
        self.parent = None  # the --parent page
        self.existing = {}  # slug -> page already in the wiki (deleted ones too)
        self.titled = {}  # title key -> slug of the page already in the wiki with that title
        self.pages = {}  # entry path -> its page: a Page in its batch, then a _Written
        self.rendered = None  # the HTML of the new pages (_Rendered)

    def load_existing(self, slugs, keys):
        for start in range(0, len(slugs), _IN_CHUNK):
            rows = db.session.execute(
                db.select(Page.slug, Page.id, Page.members_only, Page.deleted_at)
                .where(Page.slug.in_(slugs[start:start + _IN_CHUNK])))
            self.existing.update((r.slug, _Written(r.id, r.members_only, r.deleted_at is not None))
                                 for r in rows)
        for start in range(0, len(keys), _IN_CHUNK):
            rows = db.session.execute(db.select(Page.title_key, Page.slug)
                                      .where(Page.title_key.in_(keys[start:start + _IN_CHUNK])))
            self.titled.update((r.title_key, r.slug) for r in rows)

    def parent_of(self, entry):
        node = entry.parent
        while node is not None and node.path not in self.pages:
            node = node.parent  # that file was skipped: the nearest page above it
        return self.pages[node.path] if node is not None else self.parent

    def write(self, batch):
        created, known = [], []
        for entry in batch:
            found = self.existing.get(entry.slug)
            titled = self.titled.get(title_key(entry.title))
            if found is None and titled is not None:
                self.report.skipped.append(Note(entry.path, f"a page called “{entry.title}” already "
                                                   f"exists, at the address {titled}"))
            elif found is None:
                created.append((entry, *self._create(entry)))
            elif found.deleted:
                self.report.skipped.append(Note(entry.path, "a deleted page has this slug: "
                                                   "an admin can restore it, or rename the file"))
            else:
                self.pages[entry.path] = found  # before its children in this batch
                known.append(entry)
        if created:
            # As for any new page: an old slug (alias) of a renamed page gives way.
            db.session.execute(db.delete(PageAlias).where(
                PageAlias.slug.in_([page.slug for _, page, _ in created])))
            db.session.commit()
            for entry, page, _ in created:
                self.pages[entry.path] = _Written(page.id, page.members_only)
            for _, page, rev in created:
                hook().page_saved(page=page, revision=rev, created=True)
            self.report.created += len(created)
            # A new page has no labels: [] has nothing to do.
            self._set_labels({page: entry for entry, page, _ in created if entry.labels})
            for entry, page, _ in created:
                self._attach(entry, page)
        for entry in known:
            page = db.session.get(Page, self.pages[entry.path].id)
            if self._update(entry, page):
                self.report.updated += 1
            else:
                self.report.unchanged += 1
            self._attach(entry, page)
            # Moved or made members-only: children in later batches inherit that.
            self.pages[entry.path] = _Written(page.id, page.members_only)
        # Once per batch, not per commit: later batches (and the caller) see
        # fresh rows, e.g. the children this batch added by parent id.
        db.session.expire_all()

    def _summary(self, entry):
        return f"Imported from {entry.path}"[:300]

    def _create(self, entry):
        parent = self.parent_of(entry)
        visibility = entry.visibility or self.visibility or "public"
        members_only = visibility == "members" or (parent is not None and parent.members_only)
        html = self.rendered.html(entry)
        language = entry.language or self._new_language(entry)
        with db.session.no_autoflush:  # nothing is flushed before the page is complete
            page = Page(slug=entry.slug, title=entry.title, visibility=visibility,
                        members_only=members_only, language=language)
            if isinstance(parent, Page):  # written in this batch: no id before the flush
                page.parent = parent
            else:
                page.parent_id = parent and parent.id
            rev = Revision(page=page, number=1, title=entry.title, body=entry.body, html=html,
                           summary=self._summary(entry), author_id=getattr(self.user, "id", None))
            page.current_revision = rev
            db.session.add_all([page, rev])
            services.record_event(page, "created", self.user, self._summary(entry), rev)
        self.pages[entry.path] = page  # a _Written after the commit
        return page, rev

    def _new_language(self, entry):
        """A new page's language when its front matter gives none it can have."""
        if entry.bad_language is None:
            return guessed(f"{entry.title}\n\n{entry.body}")
        default = current_app.config["DEFAULT_LANGUAGE"]
        entry.notes.append(f"lang in the front matter: {entry.bad_language} is not a language tag "
                           f"(such as en, fr or pt-BR): the page is in the default language, {default}")
        return default

    def _update(self, entry, page):
        """Bring an existing page in line with its file; whether anything changed."""
        changed = False
        if entry.bad_language is not None:
            entry.notes.append(f"lang in the front matter: {entry.bad_language} is not a language "
                               f"tag (such as en, fr or pt-BR): the page keeps its language, {page.lang}")
        try:
            if entry.title != page.title or entry.body != page.current_revision.body:
                result = services.save_page(page, entry.body, self.user, self._summary(entry),
                                            title=entry.title)
                changed = result.revision is not None
            parent = self.parent_of(entry)
            moved = (parent and parent.id) != page.parent_id
            visibility = entry.visibility or self.visibility
            revealed = bool(visibility) and visibility != page.visibility
            relanguaged = entry.language is not None and entry.language != page.lang
            if moved or revealed or relanguaged:
                services.change_settings(
                    page, self.user, visibility=visibility if revealed else None,
                    parent=(parent and db.session.get(Page, parent.id)) if moved else services.UNCHANGED,
                    language=entry.language if relanguaged else None)
                changed = True
        except services.PageError as e:
            db.session.rollback()
            self.report.problems.append(Note(entry.path, e.message))
        if entry.labels is not None:
            before = hook().page_labels(page=page)
            self._set_labels({page: entry})
            changed = changed or hook().page_labels(page=page) != before
        return changed

    def _attach(self, entry, page):
        """Attach the files the entry's page gets (checked when planned)."""
        self.report.problems.extend(Note(entry.path, note) for note in entry.notes)
        self.report.files_ignored += entry.files_kept
        if not entry.files:
            return
        refused = []
        attached = hook().import_page_files(page=page, files=entry.files, user=self.user,
                                            note=refused.append) or 0
        self.report.problems.extend(Note(entry.path, note) for note in refused)
        self.report.files_attached += attached
        self.report.files_unchanged += max(0, len(entry.files) - attached - len(refused))

    def _set_labels(self, entries):
        """Give each page (page -> its entry) its file's labels; a label the
        plugin refuses leaves that page's labels as they were, with a note."""
        if not entries:
            return
        refused = hook().set_pages_labels(
            labels={page: entry.labels for page, entry in entries.items()}, user=self.user)
        if refused is None:
            self.report.labels_ignored = True
            return
        for page, entry in entries.items():
            if page.id in refused:
                self.report.problems.append(Note(entry.path, f"labels not set: {refused[page.id]}"))
