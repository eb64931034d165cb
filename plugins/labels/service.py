"""Label names and label changes: the one place where labels are written.

Like ``wiki.services``: a change and its history line are committed in one
transaction, and ``labels_changed`` fires only after the commit.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from wiki.api import db, hook, record_event

from .models import MAX_LENGTH, PageLabel

ATTEMPTS = 3  # two editors adding the same label at once: re-read and try again
_SEPARATORS = re.compile(r"[\s-]+")


class LabelError(ValueError):
    """A label that cannot be used, with a message that names it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class LabelChange:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self):
        return bool(self.added or self.removed)

    def describe(self):
        """The history line: ``added soil-carbon, workshop; removed old``. It is
        stored with the event, so it stays in English (not interface text)."""
        parts = [f"{verb} {', '.join(names)}"
                 for verb, names in (("added", self.added), ("removed", self.removed)) if names]
        return "; ".join(parts)


def _allowed(char):
    # Letters of any script (with their combining marks), decimal digits, - and _.
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd" or char in "-_"


def _shown(text, limit=40):
    return text if len(text) <= limit else text[:limit] + "…"


def normalise(text):
    """``"Soil Carbon "`` -> ``"soil-carbon"``: lowercase, words (and runs of
    hyphens) joined by one hyphen, accents kept (in composed form, so "é" typed
    either way is one label). Raises ``LabelError`` for an empty label, one over
    64 characters or one with characters other than letters, digits, - and _."""
    name = unicodedata.normalize("NFC", text or "").lower()
    name = _SEPARATORS.sub("-", name).strip("-")
    if not name:
        raise LabelError(_("A label needs at least one letter or digit."))
    if len(name) > MAX_LENGTH:
        raise LabelError(_("“%(label)s” is too long: labels have at most %(num)d characters.",
                           label=_shown(name), num=MAX_LENGTH))
    bad = sorted({c for c in name if not _allowed(c)})
    if bad:
        raise LabelError(_("“%(label)s” is not a valid label: use letters, digits, hyphens and "
                           "underscores only (not %(characters)s).",
                           label=_shown(text.strip()), characters=" ".join(bad)))
    return name


def sort_key(name):
    """Alphabetical order for people: "évaluation" sorts with the e's, not after z."""
    bare = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return bare, name


def parse(text):
    """Comma-separated labels, normalised, duplicates dropped, in typed order.
    Blank items (``"a, , b,"``) are skipped; one invalid label refuses all."""
    names = [normalise(part) for part in (text or "").split(",") if part.strip()]
    return list(dict.fromkeys(names))


def parse_all(text):
    """The labels of ``a+b`` (pages carrying every one of them: /labels/a+b),
    normalised, duplicates dropped; ``LabelError`` for one no page can carry."""
    return list(dict.fromkeys(normalise(name) for name in text.split("+")))


def labels_of(page):
    """The label names of ``page``, in alphabetical order."""
    names = db.session.scalars(db.select(PageLabel.name).where(PageLabel.page_id == page.id))
    return sorted(names, key=sort_key)


def labels_of_pages(page_ids):
    """{page id: its label names in alphabetical order}, for pages that have labels."""
    found = {}
    rows = db.session.execute(db.select(PageLabel.page_id, PageLabel.name)
                              .where(PageLabel.page_id.in_(list(page_ids))))
    for page_id, name in rows:
        found.setdefault(page_id, []).append(name)
    return {page_id: sorted(names, key=sort_key) for page_id, names in found.items()}


def set_labels(page, names, user):
    """Give ``page`` exactly the labels ``names`` (already normalised)."""
    return _change(page, user, lambda current: set(names))


def add_labels(page, names, user):
    return _change(page, user, lambda current: current | set(names))


def remove_labels(page, names, user):
    return _change(page, user, lambda current: current - set(names))


def set_many(targets, user):
    """Give each page of ``targets`` (page -> names as written, e.g. in an
    imported file's front matter) exactly those labels, in one transaction:
    an import labels a batch of pages with one commit instead of one each.
    Returns page id -> message for the pages whose labels were refused; those
    keep the labels they had. It commits (and, when a concurrent writer wins
    a race, rolls back and retries), so the caller has nothing else pending."""
    refused, wanted = {}, {}
    for page, names in targets.items():
        try:
            wanted[page] = {normalise(name) for name in names}
        except LabelError as e:
            refused[page.id] = e.message

    def stage():
        current = _labels_by_page([page.id for page in wanted])
        changes = {page: _stage(page, user, current[page.id], target) for page, target in wanted.items()}
        return {page: change for page, change in changes.items() if change}

    for page, change in _write(stage).items():
        hook().labels_changed(page=page, added=change.added, removed=change.removed, user=user)
    return refused


def _change(page, user, target_of):
    """Write the difference between the current labels and ``target_of(current)``,
    with a history line (not a text revision), then fire ``labels_changed``."""

    def stage():
        current = set(labels_of(page))
        return _stage(page, user, current, target_of(current))

    change = _write(stage)
    if change:
        hook().labels_changed(page=page, added=change.added, removed=change.removed, user=user)
    return change


def _write(stage):
    """Run ``stage`` (it reads the current labels and adds rows) and commit;
    when another writer added the same label first, the insert fails: read
    again and retry. Returns what ``stage`` returned."""
    for attempt in range(ATTEMPTS):
        try:
            staged = stage()
            db.session.commit()
            return staged
        except IntegrityError:
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise


def _labels_by_page(page_ids):
    found = {page_id: set() for page_id in page_ids}
    if page_ids:
        rows = db.session.execute(db.select(PageLabel.page_id, PageLabel.name)
                                  .where(PageLabel.page_id.in_(page_ids)))
        for page_id, name in rows:
            found[page_id].add(name)
    return found


def _stage(page, user, current, target):
    """Add the rows and the history line that take ``page`` from ``current``
    labels to ``target``, uncommitted; the change (empty when there is none)."""
    change = LabelChange(sorted(target - current), sorted(current - target))
    if change:
        db.session.add_all(PageLabel(page_id=page.id, name=name) for name in change.added)
        if change.removed:
            db.session.execute(db.delete(PageLabel).where(
                PageLabel.page_id == page.id, PageLabel.name.in_(change.removed)))
        record_event(page, "labels", user, change.describe())
    return change
