"""Writing a Confluence space (``model.Space``) into the wiki.

Pages are written in batches: each batch's bodies are read and converted to
Markdown, every new revision is rendered through the wiki's pipeline (in
``--jobs`` processes, as ``pages import`` does), then the batch's new pages
(each with its revisions, history lines and mapping row) are committed
together, so a page is never half there; if that commit fails, its pages are
written one at a time and only the bad one is left out. A page already
imported (found through the mapping table, ``ConfluencePage``) gets the
versions it lacks, or one revision when its current text or title differs
from Confluence's, in a transaction of its own with its row locked, as any
save; then its parent and, when it is where the import puts it, its place
among its siblings (``Page.position``: Confluence's child order, which the
wiki's listings follow). Then labels, comments and files go to the plugins
that keep them (``handover.py``), while the worker processes render the next
batch.

Each Confluence version becomes a revision with its author, date and version
comment (the summary). ``page_saved`` fires once per page written, with its
newest revision: a page's history is imported, not edited version by version.
Only a batch's bodies are in memory at a time. A new page's language is
guessed from its current text (``..language``), as ``pages import`` does for
a file that does not say (Confluence keeps none per page); a page imported
before keeps its own.
"""

import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from ... import services
from ...extensions import db
from ...models import ConfluencePage, Page, PageAlias, PageEvent, Revision, utcnow
from ...plugins import hook
from ...text import normalize_newlines
from ..language import guessed
from ..rendering import render_all
from .convert import Skip, convert_text
from .handover import Handover
from .model import Problem
from .people import People
from .plan import plan, where
from .references import Names
from .rendered import rendered_to_markdown
from .report import Report
from .storage import storage_to_markdown

BATCH = 100  # pages per batch ...
BATCH_REVISIONS = 1000  # ... or fewer when they have that many revisions to render
AGAIN = "Imported again from Confluence"


def import_space(space, user, parent=None, labels=(), visibility=None, dry_run=False, progress=None,
                 jobs=None, convert=None):
    """Write ``space`` under the page ``parent`` (None: the top level) as
    ``user`` (the command line's), adding ``labels`` to every page's own;
    ``visibility`` for new pages (None: public) and, when given, for pages
    imported before. ``dry_run``: decide and count, write nothing.
    ``progress(n)`` after each batch of n pages. ``convert(text, context)``
    turns a body into Markdown (default: the converter of the space's body
    format). Returns a ``Report``."""
    report = Report(f"{space.key} ({space.name})" if space.name else space.key, dry_run=dry_run)
    report.problems.extend(space.problems)
    people = People(space, dry_run)
    people.resolve()
    report.accounts_created, report.accounts_matched = people.created, people.matched
    report.problems.extend(people.problems)
    placements, problems = plan(space)
    report.problems.extend(problems)
    names = Names(space.key, placements, people)
    convert = convert or converter(space.body_format)
    handover = Handover(space.key, report, user, names, convert, list(labels), dry_run)
    writer = _Writer(space, report, user, names, convert, placements, parent, visibility, handover)
    done = None  # the batch whose pages are written, and whose comments and files are not yet
    with _quick_commits():
        for batch in _batches(placements):
            items = writer.prepare(batch)
            if dry_run:
                writer.count_dry(items)
                if progress is not None:
                    progress(len(batch))
                continue
            with _Rendering(items, jobs) as rendering:
                if done is not None:  # while this batch renders in the worker processes
                    writer.finish(*done, progress)
                rendering.finish()
            writer.write(items)
            done = (items, len(batch))
        if done is not None:
            writer.finish(*done, progress)
    return report


def converter(body_format):
    """The function that turns bodies of ``body_format`` into Markdown."""
    return storage_to_markdown if body_format == "storage" else rendered_to_markdown


def _batches(placements):
    batch, revisions = [], 0
    for placement in placements:
        batch.append(placement)
        revisions += len(placement.page.versions)
        if len(batch) >= BATCH or revisions >= BATCH_REVISIONS:
            yield batch
            batch, revisions = [], 0
    if batch:
        yield batch


@contextmanager
def _quick_commits():
    """Commits that don't expire the rows just written (as ``pages import``
    does): each batch expires everything once, at its end."""
    session = db.session()
    before, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = before


class _Rendering:
    """The HTML of a batch's new revisions: the worker processes start on it
    at once, and render while the writer stores the batch before."""

    def __init__(self, items, jobs):
        self.revisions = [r for item in items for r in item.revisions]
        self.htmls = render_all([r.markdown for r in self.revisions], jobs)
        self.first = next(self.htmls) if self.revisions else None  # starts the workers

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.htmls.close()  # the workers stop, even when the batch is not written

    def finish(self):
        if self.revisions:
            htmls = itertools.chain([self.first], self.htmls)
            for revision, html in zip(self.revisions, htmls, strict=True):
                revision.html = html


@dataclass
class _Revision:
    markdown: str
    author_id: int | None
    created: datetime
    summary: str
    source_version: int | None  # the Confluence version (None: the current text imported again)
    html: str = ""


@dataclass
class _Item:
    """A page of the batch, ready to write."""

    placement: object  # plan.Placement
    revisions: list = field(default_factory=list)  # to add, oldest first
    page: Page | None = None  # once written
    changed: bool = False  # an existing page: something of it changed


@dataclass(frozen=True)
class _Written:
    """A written page as its children need it (Page objects are let go after their batch)."""

    id: int
    members_only: bool


class _Writer:
    """Pages and their revisions; what comes with them goes through ``handover``."""

    def __init__(self, space, report, user, names, convert, placements, parent, visibility, handover):
        self.space, self.report, self.user, self.names = space, report, user, names
        self.convert, self.parent, self.visibility = convert, parent, visibility  # parent: --parent's page
        self.placements = {p.page.id: p for p in placements}  # Confluence page id -> its placement
        self.handover = handover
        self.written = {}  # Confluence page id -> _Written, once committed
        self.pending = {}  # Confluence page id -> Page, in the batch being committed
        self.max_chars = current_app.config["MAX_PAGE_CHARS"]

    def prepare(self, batch):
        """Read and convert the batch's texts: the pages to write (``_Item``)."""
        current = self._current_texts([p.existing.page_id for p in batch
                                       if p.existing is not None and not p.existing.deleted])
        items = []
        for placement in batch:
            try:
                items.append(self._prepare(placement, current))
            except Skip as e:
                self._skip(placement, str(e))
        return items

    def write(self, items):
        """Write the pages of a rendered batch: new ones together, the others one by one."""
        self._create([i for i in items if i.placement.existing is None])
        for item in items:
            if item.placement.existing is not None:
                self._update(item)

    def finish(self, items, count, progress):
        """Labels, comments and files of a written batch."""
        written = [i for i in items if i.page is not None]
        self.handover.set_labels(written)
        for item in written:
            if item.placement.existing is not None and item.changed:
                self.report.pages.updated += 1
            elif item.placement.existing is not None:
                self.report.pages.unchanged += 1
            self.handover.comments(item)
            self.handover.files(item)
        # Once per batch: later batches see fresh rows, and this batch's objects can go.
        db.session.expire_all()
        self.handover.end_batch()
        if progress is not None:
            progress(count)

    def _skip(self, placement, reason):
        self.report.problems.append(Problem(where(placement.page), f"not imported: {reason}"))
        self.report.pages.skipped += 1

    # -- reading and converting ------------------------------------------------------

    def _current_texts(self, page_ids):
        """``{page id: current Markdown}`` of the pages imported before."""
        if not page_ids:
            return {}
        rows = db.session.execute(db.select(Page.id, Revision.body)
                                  .join(Revision, Page.current_revision_id == Revision.id)
                                  .where(Page.id.in_(page_ids)))
        return {page_id: body for page_id, body in rows}

    def _prepare(self, placement, current):
        page, existing = placement.page, placement.existing
        if existing is not None and existing.deleted:
            raise Skip("the wiki page it was imported as is deleted: an admin can restore it "
                       "from the trash")
        versions = sorted(page.versions, key=lambda v: v.number)
        if not versions:
            raise Skip("it has no version in the export")
        context = self.names.context(placement.title)
        latest = self._markdown(versions[-1], context, approximations=True)
        item = _Item(placement)
        if existing is None:
            todo = versions
        else:
            todo = [v for v in versions if v.number > existing.version]
            if not todo and (latest != current.get(existing.page_id) or placement.title != existing.title):
                author = getattr(self.user, "id", None)
                item.revisions.append(_Revision(latest, author, utcnow(), AGAIN, None))
        previous = None
        for version in todo:
            try:
                text = latest if version is versions[-1] else self._markdown(version, context)
            except Skip as e:
                self.report.problems.append(Problem(where(page), f"version {version.number} not "
                                                                 f"imported: {e}"))
                continue
            created = version.created or previous or utcnow()
            summary = (version.message or "").strip() or f"Confluence version {version.number}"
            item.revisions.append(_Revision(text, self.names.people.user_id(version.author), created,
                                            summary[:300], version.number))
            previous = created
        return item

    def _markdown(self, version, context, approximations=False):
        """The Markdown of one version; ``Skip`` when it cannot be had."""
        converted = convert_text(self.convert, version.text, context)
        if approximations:
            self.report.approximate(context.page_title, converted)
        text = normalize_newlines(converted.markdown)
        if len(text) > self.max_chars:
            raise Skip(f"too large ({len(text):,} characters of Markdown; the limit is {self.max_chars:,})")
        return text

    # -- pages -------------------------------------------------------------------------

    def _parent_of(self, placement):
        """The page to put ``placement`` under: the nearest Confluence ancestor
        that is written (or in this batch), else ``--parent``."""
        node = placement.parent_id
        while node is not None:
            if node in self.pending:
                return self.pending[node]
            if node in self.written:
                return self.written[node]
            node = self.placements[node].parent_id
        return self.parent

    def _create(self, items):
        if not items:
            return
        try:
            self._add_new(items)
        except SQLAlchemyError:
            db.session.rollback()
            self.pending.clear()
            # One at a time, so one page that cannot be written keeps no other out.
            for item in items:
                try:
                    self._add_new([item])
                except SQLAlchemyError as e:
                    db.session.rollback()
                    self.pending.clear()
                    item.page = None
                    self._skip(item.placement, f"could not be written ({type(e).__name__})")

    def _add_new(self, items):
        with db.session.no_autoflush:  # nothing is flushed before the pages are complete
            for item in items:
                self._new_page(item)
            # As for any new page: an old address (alias) of a renamed page gives way.
            db.session.execute(db.delete(PageAlias).where(
                PageAlias.slug.in_([i.placement.slug for i in items])))
        db.session.commit()
        self.pending.clear()
        for item in items:
            self.written[item.placement.page.id] = _Written(item.page.id, item.page.members_only)
            self.report.pages.created += 1
        for item in items:
            hook().page_saved(page=item.page, revision=item.page.current_revision, created=True)

    def _new_page(self, item):
        placement = item.placement
        parent = self._parent_of(placement)
        visibility = self.visibility or "public"
        members_only = visibility == "members" or (parent is not None and parent.members_only)
        revisions = item.revisions
        page = Page(slug=placement.slug, title=placement.title, visibility=visibility,
                    members_only=members_only, position=placement.page.position,
                    language=guessed(f"{placement.title}\n\n{revisions[-1].markdown}"),
                    created_at=revisions[0].created, updated_at=revisions[-1].created)
        if isinstance(parent, Page):  # in this batch: no id before the flush
            page.parent = parent
        else:
            page.parent_id = parent.id if parent is not None else None
        db.session.add(page)
        self._add_revisions(page, revisions, 0, "created")
        db.session.add(self._mapping(ConfluencePage(space_key=self.space.key, page=page), placement,
                                     revisions))
        item.page = page
        self.pending[placement.page.id] = page

    def _add_revisions(self, page, revisions, number, first_kind):
        rev = None
        for n, revision in enumerate(revisions, start=number + 1):
            rev = Revision(page=page, number=n, title=page.title, body=revision.markdown,
                           html=revision.html, summary=revision.summary, author_id=revision.author_id,
                           created_at=revision.created)
            db.session.add(rev)
            db.session.add(PageEvent(page=page, kind=first_kind if n == 1 else "edited",
                                     detail=revision.summary, revision=rev, user_id=revision.author_id,
                                     created_at=revision.created))
        page.current_revision = rev

    def _mapping(self, row, placement, revisions):
        source = placement.page
        row.content_id, row.title, row.position = source.id, source.title[:255], source.position
        row.home = source.id == self.space.home_page_id
        versions = [r.source_version for r in revisions if r.source_version is not None]
        row.version = max([row.version or 0, *versions])
        return row

    def _update(self, item):
        """Bring a page imported before in line with the space: the versions
        it lacks (or its text again), its title, its place, its visibility."""
        placement = item.placement
        page = db.session.get(Page, placement.existing.page_id)
        old_title, old_slug = page.title, page.slug
        try:
            if item.revisions:
                # Locked until the commit (PostgreSQL), as any save: the next number is ours.
                db.session.refresh(page, with_for_update=True)
                if placement.title != page.title:
                    services.record_event(page, "renamed", self.user, f"{page.title} → {placement.title}")
                    page.title = placement.title
                self._add_revisions(page, item.revisions, page.current_revision.number, "edited")
                page.updated_at = max(page.updated_at, item.revisions[-1].created)
            row = db.session.scalar(db.select(ConfluencePage).where(
                ConfluencePage.space_key == self.space.key,
                ConfluencePage.content_id == placement.page.id))
            self._mapping(row, placement, item.revisions)
            db.session.commit()
        except SQLAlchemyError as e:
            db.session.rollback()
            self._skip(placement, f"could not be written ({type(e).__name__}): someone may have "
                                  "changed it meanwhile; import again")
            return
        item.page, item.changed = page, bool(item.revisions)
        if item.revisions:
            if page.title != old_title:
                hook().page_renamed(page=page, old_title=old_title, old_slug=old_slug)
            hook().page_saved(page=page, revision=page.current_revision, created=False)
        item.changed |= self._settle(item)
        item.changed |= self._keep_position(item)
        self.written[placement.page.id] = _Written(page.id, page.members_only)

    def _settle(self, item):
        """Move the page under its Confluence parent's page (when it has one,
        or ``--parent`` is given) and give it ``--visibility``; whether it changed."""
        page, placement = item.page, item.placement
        parent = services.UNCHANGED
        if placement.parent_id is not None or self.parent is not None:
            target = self._parent_of(placement)
            if (target.id if target is not None else None) != page.parent_id:
                parent = db.session.get(Page, target.id) if target is not None else None
        revealed = self.visibility is not None and self.visibility != page.visibility
        if parent is services.UNCHANGED and not revealed:
            return False
        try:
            services.change_settings(page, self.user, parent=parent,
                                     visibility=self.visibility if revealed else None)
        except services.PageError as e:
            db.session.rollback()
            self.report.problems.append(Problem(where(placement.page), e.message))
            return False
        return True

    def _keep_position(self, item):
        """Give the page Confluence's place among its siblings (``Page.position``),
        when it is where the import puts it: a page someone moved elsewhere
        (which cleared it) stays in the order of its new siblings. Whether it changed."""
        page, placement = item.page, item.placement
        target = self._parent_of(placement)
        position = placement.page.position
        if page.parent_id != (target.id if target is not None else None) or page.position == position:
            return False
        page.position = position
        try:
            db.session.commit()
        except SQLAlchemyError as e:
            db.session.rollback()
            self.report.problems.append(Problem(where(placement.page), "its place among its siblings "
                                                f"could not be kept ({type(e).__name__})"))
            return False
        return True

    def count_dry(self, items):
        for item in items:
            if item.placement.existing is None:
                self.report.pages.created += 1
            elif (item.revisions or self._would_settle(item.placement)
                  or item.placement.existing.position != item.placement.page.position):
                self.report.pages.updated += 1
            else:
                self.report.pages.unchanged += 1
            self.handover.comments(item)
            self.handover.files(item)
        self.handover.end_batch()

    def _would_settle(self, placement):
        """In a dry run: whether ``_settle`` would move the page or change its visibility."""
        existing = placement.existing
        if self.visibility is not None and self.visibility != existing.visibility:
            return True
        node = placement.parent_id
        while node is not None:  # the nearest ancestor the import keeps
            above = self.placements[node].existing
            if above is None:
                return True  # a new page: it would move under it
            if not above.deleted:
                return above.page_id != existing.parent_id
            node = self.placements[node].parent_id
        return self.parent is not None and self.parent.id != existing.parent_id
