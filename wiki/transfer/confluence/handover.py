"""Handing what comes with each written page to the plugins that keep it:
labels (``set_pages_labels``, a batch of pages at once), comments
(``import_page_comments``, as ``CommentRecord``s keyed
``confluence:<space>:<id>``, parents before replies) and files
(``import_file_versions``, each file with its versions). The plugins store,
check and count; this module converts the comments' text, builds the
records and adds the plugins' counts and notes to the report. In a dry run
nothing is handed over: what would be is counted.
"""

from ...models import utcnow
from ...plugins import hook
from ...text import normalize_newlines
from ..records import CommentRecord, FileVersionRecord
from .convert import Skip, convert_text
from .model import Problem
from .plan import where


class Handover:
    """What comes with the pages of one import, handed over page by page."""

    def __init__(self, space_key, report, user, names, convert, labels, dry_run):
        self.space_key, self.report, self.user, self.names = space_key, report, user, names
        self.convert, self.labels, self.dry_run = convert, labels, dry_run
        self._accounts = {}  # person key -> User, for one batch of pages

    def account(self, key):
        """The account of the person ``key`` (None: anonymous or unknown),
        read once a batch: the session's identity map keeps an account only
        while something holds it, so asking it for each comment reads the
        database again and again."""
        if key not in self._accounts:
            self._accounts[key] = self.names.people.user(key)
        return self._accounts[key]

    def end_batch(self):
        """The batch's pages are done: its accounts are let go with them."""
        self._accounts.clear()

    def set_labels(self, items):
        """Each page gets its Confluence labels and ``--label``: exactly those,
        so a label removed in Confluence goes on importing again. An item
        whose labels changed is marked ``changed``."""
        wanted = {i.page: [*i.placement.page.labels, *self.labels] for i in items
                  if i.placement.existing is not None or i.placement.page.labels or self.labels}
        if not wanted:
            return
        before = hook().pages_labels(page_ids=[p.id for p in wanted]) or {}
        refused = hook().set_pages_labels(labels=wanted, user=self.user)
        if refused is None:
            self.report.labels_ignored = self.report.labels_ignored or any(wanted.values())
            return
        after = hook().pages_labels(page_ids=[p.id for p in wanted]) or {}
        for item in items:
            if item.page in wanted and before.get(item.page.id) != after.get(item.page.id):
                item.changed = True
            if item.page.id in refused:
                self.report.problems.append(Problem(where(item.placement.page),
                                                    f"labels not set: {refused[item.page.id]}"))

    def comments(self, item):
        source = item.placement.page
        if not source.comments:
            return
        context = self.names.context(item.placement.title)
        records = self._comment_records(item, context)
        if self.dry_run:
            if item.placement.existing is None:
                self.report.comments.created += len(records)
            else:
                self.report.comments_to_compare += len(records)
            return
        notes = []
        counts = hook().import_page_comments(page=item.page, comments=records, note=notes.append)
        if counts is None:
            self.report.comments_ignored += len(records)
            return
        created, updated, unchanged = counts
        self.report.comments.created += created
        self.report.comments.updated += updated
        self.report.comments.unchanged += unchanged
        # A note may also say how a comment was stored (a reply put at the top): count what was not.
        self.report.comments.skipped += len(records) - created - updated - unchanged
        self.report.problems.extend(Problem(where(source), f"comment: {note}") for note in notes)

    def _comment_records(self, item, context):
        """The page's comments as records, parents before replies; a comment
        that cannot be read is reported and its replies answer its parent."""
        source = item.placement.page
        ordered, parents = _thread_order(source.comments)
        kept, records = set(), []
        fallback = min((v.created for v in source.versions if v.created), default=None) or utcnow()
        for comment in ordered:
            parent = parents[comment.id]
            while parent is not None and parent not in kept:  # left out: it answers that one's parent
                parent = parents[parent]
            try:
                converted = convert_text(self.convert, comment.text, context)
            except Skip as e:
                self.report.problems.append(Problem(where(source), f"comment {comment.id} not imported: {e}"))
                self.report.comments.skipped += 1
                continue
            self.report.approximate(context.page_title, converted)
            kept.add(comment.id)
            records.append(CommentRecord(
                key=self._comment_key(comment.id),
                parent_key=None if parent is None else self._comment_key(parent),
                author=self.account(comment.author), author_name=None,
                created=comment.created or fallback, edited=comment.modified,
                markdown=normalize_newlines(converted.markdown)))
        return records

    def _comment_key(self, comment_id):
        return f"confluence:{self.space_key}:{comment_id}"

    def files(self, item):
        source = item.placement.page
        for attachment in source.attachments:
            versions = sorted(attachment.versions, key=lambda v: v.number)
            if not versions:
                continue
            if self.dry_run:
                if item.placement.existing is None:
                    self.report.files.created += len(versions)
                else:
                    self.report.files_to_compare += len(versions)
                continue
            records = [FileVersionRecord(number=v.number, open=v.open,
                                         uploader=self.account(v.author), created=v.created,
                                         message=v.message or "") for v in versions]
            notes = []
            counts = hook().import_file_versions(page=item.page, name=attachment.name, versions=records,
                                                 note=notes.append)
            if counts is None:
                self.report.files_ignored += len(records)
                continue
            created, unchanged = counts
            self.report.files.created += created
            self.report.files.unchanged += unchanged
            self.report.files.skipped += len(records) - created - unchanged
            self.report.problems.extend(Problem(f"{where(source)}, file “{attachment.name}”", note)
                                        for note in notes)


def _thread_order(comments):
    """``(comments, parents)``: the comments in posting order, except that a
    reply posted before the comment it answers waits for it; and the comment
    each answers (None: the top of the thread, also for a reply to a comment
    that is not there, or caught in a loop of replies in a damaged export)."""
    ids = {c.id for c in comments}
    waiting, ordered, parents = {}, [], {}

    def place(comment, parent):
        stack = [(comment, parent)]
        while stack:
            comment, parent = stack.pop()
            ordered.append(comment)
            parents[comment.id] = parent
            stack.extend((reply, comment.id) for reply in reversed(waiting.pop(comment.id, [])))

    for comment in comments:
        parent = comment.parent_id if comment.parent_id in ids and comment.parent_id != comment.id else None
        if parent is None or parent in parents:
            place(comment, parent)
        else:
            waiting.setdefault(parent, []).append(comment)
    for replies in list(waiting.values()):  # a loop of replies: each at the top
        for comment in replies:
            if comment.id not in parents:
                place(comment, None)
    return ordered, parents
