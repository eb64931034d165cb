"""Page operations: the one place where pages change.

Each function validates, writes the change and its history event in one
transaction, commits, and only then fires the plugin event (``page_saving``
runs inside the transaction, for rows that must commit with a revision).
Views and the CLI call these; they never change pages themselves.
"""

import random
import re
import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError

from .extensions import db
from .i18n import normal_tag
from .merge import MergeResult, merge_text
from .models import VISIBILITIES, Page, PageAlias, PageEvent, Revision, utcnow
from .plugins import hook
from .render import render_markdown
from .text import is_slug, normalize_newlines, slugify, title_key

SAVE_ATTEMPTS = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # after spaces are tidied: what is left is no title text


class PageError(ValueError):
    """A change that cannot be made, with a message for the user."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message, self.status = message, status


class EditConflict(Exception):
    """A save on a stale revision whose changes overlap the saved ones."""

    def __init__(self, page, current, mine, merge: MergeResult):
        super().__init__(f"edit conflict on {page.slug}")
        self.page, self.current, self.mine, self.merge = page, current, mine, merge


@dataclass
class SaveResult:
    revision: Revision | None  # None when the text did not change
    merged: bool = False


def find_page(slug, include_deleted=False):
    """The page at ``slug``, or ``(None, alias_page)`` for an old slug."""
    page = db.session.scalar(db.select(Page).where(Page.slug == slug))
    if page is not None and (include_deleted or not page.is_deleted):
        return page, None
    alias = db.session.get(PageAlias, slug)
    return None, (alias.page if alias and not alias.page.is_deleted else None)


# -- validation ---------------------------------------------------------------


def check_title(title, page=None):
    """Raise ``PageError`` if ``page`` (None: a new page) cannot take ``title``;
    returns it, spaces tidied. Titles are unique as links compare them
    (``wiki.text.title_key``: case, accents and punctuation aside)."""
    title = " ".join((title or "").split())
    if _CONTROL.search(title):
        raise PageError(_("A title cannot hold control characters."))
    if not title:
        raise PageError(_("A page needs a title."))
    if len(title) > 200:
        raise PageError(_("Titles are at most 200 characters."))
    key = title_key(title)
    if not key:
        raise PageError(_("A title needs at least one letter or digit."))
    for other in db.session.scalars(db.select(Page).where(Page.title_key == key)):
        if other is page:
            continue
        if other.is_deleted:
            raise PageError(_("A deleted page is called “%(title)s”: an admin can restore it from the "
                              "trash, or choose another title.", title=other.title), 409)
        raise PageError(_("A page called “%(title)s” already exists.", title=other.title), 409)
    return title


def reserved_slugs():
    """Addresses no page may take: the first part of the wiki's own
    addresses (``new``, ``search``, ``admin``...), so that a page address
    never reads like one of them."""
    found = {"wiki", "new", "edit", "api", "static"}
    for rule in current_app.url_map.iter_rules():
        first = rule.rule.strip("/").split("/")[0]
        if first and "<" not in first:
            found.add(first.lower())
    return found


def check_slug(slug, page=None):
    """Raise ``PageError`` if ``page`` (None: a new page) cannot take the
    address ``slug``; returns it."""
    slug = (slug or "").strip()
    suggestion = slugify(slug)
    if not slug:
        raise PageError(_("A page needs an address."))
    if len(slug) > 200:
        raise PageError(_("Addresses are at most 200 characters."))
    if not is_slug(slug):
        if suggestion:
            raise PageError(_("“%(slug)s” cannot be an address: use lower-case letters, digits and "
                              "hyphens, for example “%(suggestion)s”.", slug=slug, suggestion=suggestion))
        raise PageError(_("“%(slug)s” cannot be an address: it needs at least one letter or digit.",
                          slug=slug))
    if slug in reserved_slugs():
        raise PageError(_("“%(slug)s” is one of the wiki's own addresses: choose another, for "
                          "example “%(slug)s-page”.", slug=slug))
    other = db.session.scalar(db.select(Page).where(Page.slug == slug))
    if other is not None and other is not page:
        if other.is_deleted:
            raise PageError(_("A deleted page has the address “%(slug)s”: an admin can restore it "
                              "from the trash, or choose another address.", slug=slug), 409)
        raise PageError(_("The address “%(slug)s” is taken by “%(title)s”.", slug=slug, title=other.title),
                        409)
    return slug


def _check_body(body):
    body = normalize_newlines(body)
    if "\x00" in body:  # no text column of PostgreSQL takes it; nor does any editor type it
        raise PageError(_("The text holds a NUL character (\\0): remove it and send it again."))
    limit = current_app.config["MAX_PAGE_CHARS"]
    if len(body) > limit:
        raise PageError(_("The text is %(length)s characters long; the limit is %(limit)s.",
                          length=format_decimal(len(body)), limit=format_decimal(limit)), 413)
    return body


def check_language(language):
    """A page's language as stored: a BCP 47 tag in its usual case (``pt-BR``);
    ``PageError`` when it is not one."""
    tag = normal_tag((language or "").strip())
    if tag is None:
        raise PageError(_("“%(tag)s” is not a language tag: use a code such as en, fr or pt-BR.",
                          tag=(language or "")[:40]))
    return tag


def _check_visibility(visibility):
    if visibility not in VISIBILITIES:
        raise PageError(_("Visibility must be one of: %(choices)s.", choices=", ".join(VISIBILITIES)))
    return visibility


def check_move(page, parent):
    """Raise ``PageError`` if ``page`` cannot move under ``parent``."""
    if parent is None:
        return
    if parent.is_deleted:
        raise PageError(_("The parent page is deleted."))
    node = parent
    while node is not None:
        if node is page:
            raise PageError(_("A page cannot move under itself or one of its children."))
        node = node.parent


# -- helpers --------------------------------------------------------------------


def _user_id(user):
    return getattr(user, "id", None)


def revision(page, number):
    """Revision ``number`` of ``page``, or None."""
    return db.session.scalar(
        db.select(Revision).where(Revision.page_id == page.id, Revision.number == number))


def record_event(page, kind, user, detail="", revision=None, at=None):
    """Add a line to the page's history (committed with the caller's change),
    dated now or ``at`` (an imported change's own date). Plugins use it for
    changes that are not text revisions, e.g. labels."""
    db.session.add(PageEvent(page=page, kind=kind, user_id=_user_id(user), detail=detail[:500],
                             revision=revision, created_at=at or utcnow()))



def _place(parent, page):
    """How a history line of ``page`` names ``parent``: the history of a public
    page is public, so a members-only parent is not named there."""
    if parent is None:
        return "top level"
    if parent.members_only and not page.members_only:
        return "a members-only page"
    return parent.title


def _apply_visibility(page):
    """Recompute ``members_only`` for ``page`` and its subtree."""
    inherited = page.parent is not None and page.parent.members_only
    page.members_only = page.visibility == "members" or inherited
    for child in page.children:
        _apply_visibility(child)


def _set_slug(page, slug):
    old = page.slug
    if old == slug:
        return
    db.session.execute(db.delete(PageAlias).where(PageAlias.slug == slug))
    if old:
        db.session.add(PageAlias(slug=old, page=page))
    page.slug = slug


def _saving(page, rev, user, created=False):
    """Flush (the page and the revision get their ids), then ``page_saving``:
    plugins add what must be committed with the revision (notifications)."""
    db.session.flush()
    hook().page_saving(page=page, revision=rev, user=user, created=created)


def _commit_with_retry(write):
    """Run ``write()`` and commit; on a write race (another process took the
    same revision number, or held the database lock) roll back and run it again,
    so ``write`` re-reads the current state and merges against it."""
    for attempt in range(SAVE_ATTEMPTS):
        try:
            result = write()
            db.session.commit()
            return result
        except (EditConflict, PageError):
            db.session.rollback()  # release the page lock; nothing was written
            raise
        except (IntegrityError, OperationalError):
            db.session.rollback()
            if attempt == SAVE_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # let the winner finish
    raise AssertionError("unreachable")


# -- operations -------------------------------------------------------------------


def default_slug(title):
    """The address a new page gets from its title when none is chosen."""
    slug = slugify(title)
    return f"{slug}-page" if slug in reserved_slugs() else slug


def create_page(title, body, user, summary="", parent=None, visibility="public", slug=None, language=None):
    """Create a page with its first revision, then fire ``page_saved``;
    ``PageError`` when the title or the address is taken or a field is
    refused. Without ``slug``, the address comes from the title; without
    ``language``, the page is in the wiki's DEFAULT_LANGUAGE."""
    title = check_title(title)
    language = check_language(language) if language else current_app.config["DEFAULT_LANGUAGE"]
    slug = check_slug(slug if slug is not None else default_slug(title))
    body = _check_body(body)
    visibility = _check_visibility(visibility)
    check_move(None, parent)

    html = render_markdown(body)
    with db.session.no_autoflush:  # nothing is flushed before the page is complete
        page = Page(slug="", title=title, parent=parent, visibility=visibility, language=language)
        _set_slug(page, slug)
        _apply_visibility(page)
        rev = Revision(page=page, number=1, title=title, body=body, html=html,
                       summary=summary[:300], author_id=_user_id(user))
        page.current_revision = rev
        db.session.add_all([page, rev])
    record_event(page, "created", user, summary, rev)
    try:
        _saving(page, rev, user, created=True)
        db.session.commit()
    except IntegrityError:  # another process took the address meanwhile
        db.session.rollback()
        raise PageError(_("The address “%(slug)s” was just taken by another page.", slug=slug), 409) from None
    hook().page_saved(page=page, revision=rev, created=True)
    return page


def save_page(page, body, user, summary="", base_number=None, title=None, kind="edited", language=None):
    """Add a revision with ``body`` (and set the page's ``language`` when given).

    ``base_number`` is the revision the editor started from. When another save
    came in meanwhile, the two edits are merged (three-way); overlapping
    changes raise ``EditConflict`` and nothing is saved. Without a base (the
    CLI), the save applies on top of whatever is current.
    """
    mine = _check_body(body)
    language = check_language(language) if language else None
    old_title, old_slug = page.title, page.slug
    state = {"base": base_number}

    def write():
        # Checked again on every attempt: another save may have just taken the title.
        new_title = check_title(title, page) if title else page.title
        # Lock the page row until commit (PostgreSQL): saves of one page queue
        # up instead of racing for the next revision number. SQLite locks the
        # whole database on write; a lost race there is retried below.
        db.session.refresh(page, with_for_update=True)
        current = page.current_revision
        base = state["base"] if state["base"] is not None else current.number
        state["base"] = base  # a retry merges against what this attempt saw
        text, merged = mine, False
        if base != current.number:
            base_rev = revision(page, base)
            result = merge_text(base_rev.body if base_rev else "", current.body, mine)
            if result.conflicts:
                raise EditConflict(page, current, mine, result)
            text, merged = result.text, True
        if language and language != page.lang:
            _set_language(page, language, user)
        if text == current.body and new_title == page.title:
            return SaveResult(None, merged)
        rev = _add_revision(page, text, user, summary, kind, new_title)
        _saving(page, rev, user)
        return SaveResult(rev, merged)

    result = _commit_with_retry(write)
    if result.revision is not None:
        if page.title != old_title:
            hook().page_renamed(page=page, old_title=old_title, old_slug=old_slug)
        hook().page_saved(page=page, revision=result.revision, created=False)
    return result


def _add_revision(page, text, user, summary, kind, title):
    """Write the next revision of ``page`` (titled ``title``: a rename when it
    differs; the address stays), with its history lines; the caller commits."""
    rev = Revision(page=page, number=page.current_revision.number + 1, title=title, body=text,
                   html=render_markdown(text), summary=summary[:300], author_id=_user_id(user))
    db.session.add(rev)
    if title != page.title:
        record_event(page, "renamed", user, f"{page.title} → {title}")
        page.title = title
    page.current_revision = rev
    page.updated_at = utcnow()
    record_event(page, kind, user, summary, rev)
    return rev


def revert_page(page, number, user):
    """Make revision ``number``'s text current again, as a new revision."""
    old = revision(page, number)
    if old is None:
        raise PageError(_("Revision %(number)s does not exist.", number=number), 404)
    return save_page(page, old.body, user, summary=f"Restored revision {number}",
                     base_number=page.current_revision.number, kind="reverted")


UNCHANGED = object()  # ``change_settings``: leave the parent as it is


def _set_language(page, language, user):
    record_event(page, "language", user, f"{page.lang} → {language}")
    page.language = language


def change_settings(page, user, title=None, slug=None, parent=UNCHANGED, visibility=None, language=None):
    """Change the title, the address, the parent and the visibility of
    ``page`` at once: everything is checked first, then committed together,
    then the events fire (``page_renamed`` and ``page_saved`` for a new
    title, ``page_renamed`` for a new address, ``page_moved``,
    ``page_visibility_changed``), each only for what changed. A
    ``PageError`` leaves the page as it was. A new title is part of the text
    revision: it adds one; the address stays unless ``slug`` changes it too,
    and an old address redirects to the new one."""
    new_title = check_title(title, page) if title else page.title
    new_slug = check_slug(slug, page) if slug else page.slug
    retitled, moved_address = new_title != page.title, new_slug != page.slug
    if parent is not UNCHANGED:
        check_move(page, parent)
    moving = parent is not UNCHANGED and parent is not page.parent
    if visibility is not None:
        visibility = _check_visibility(visibility)
    revealing = visibility is not None and visibility != page.visibility
    language = check_language(language) if language else None
    old_title, old_slug, old_parent = page.title, page.slug, page.parent

    def write():
        rev = None
        if retitled:
            db.session.refresh(page, with_for_update=True)  # as any save: see save_page
            rev = _add_revision(page, page.current_revision.body, user, "Renamed", "edited", new_title)
        if moved_address:
            _set_slug(page, new_slug)
            record_event(page, "address", user, f"{old_slug} → {new_slug}")
        if moving:
            page.parent = parent
            _apply_visibility(page)
            page.updated_at = utcnow()
            record_event(page, "moved", user, f"{_place(old_parent, page)} → {_place(parent, page)}")
        if revealing:
            page.visibility = visibility
            _apply_visibility(page)
            record_event(page, "visibility", user, f"now {visibility}")
        if language and language != page.lang:
            _set_language(page, language, user)
        if rev is not None:  # after the other changes: listeners see the page as it will be
            _saving(page, rev, user)
        return rev

    try:
        rev = _commit_with_retry(write)
    except IntegrityError:  # another process took the address meanwhile
        raise PageError(_("The address “%(slug)s” was just taken by another page.", slug=new_slug),
                        409) from None
    if retitled or moved_address:
        hook().page_renamed(page=page, old_title=old_title, old_slug=old_slug)
    if retitled:
        hook().page_saved(page=page, revision=rev, created=False)
    if moving:
        hook().page_moved(page=page, old_parent=old_parent)
    if revealing:
        hook().page_visibility_changed(page=page)


def rename_page(page, title, user):
    """``change_settings`` of the title alone."""
    change_settings(page, user, title=title)


def move_page(page, parent, user):
    """``change_settings`` of the parent alone (None: the top level)."""
    change_settings(page, user, parent=parent)


def set_visibility(page, visibility, user):
    """``change_settings`` of the visibility alone."""
    change_settings(page, user, visibility=visibility)


def delete_page(page, user):
    """Soft delete. Children move up to the deleted page's parent, so nothing
    disappears from the tree with it; an admin can restore the page."""
    if page.is_deleted:
        return
    children = list(page.children)
    for child in children:
        child.parent = page.parent
        _apply_visibility(child)
        record_event(child, "moved", user,
                     f"{_place(page, child)} was deleted → {_place(page.parent, child)}")
    page.deleted_at = utcnow()
    record_event(page, "deleted", user)
    db.session.commit()
    for child in children:
        hook().page_moved(page=child, old_parent=page)
    hook().page_deleted(page=page)


def restore_page(page, user):
    if not page.is_deleted:
        return
    if page.parent is not None and page.parent.is_deleted:
        page.parent = None
    page.deleted_at = None
    _apply_visibility(page)
    page.updated_at = utcnow()
    record_event(page, "restored", user)
    db.session.commit()
    hook().page_restored(page=page)
