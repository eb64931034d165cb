"""The core's data: users, pages, their immutable revisions, old slugs, history events;
where imported pages and people came from (Confluence)."""

from datetime import UTC, datetime

from flask import current_app
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .text import title_key

ROLES = ("member", "editor", "admin")  # each role can do what the ones before it can
VISIBILITIES = ("public", "members")


def utcnow():
    """Now, in UTC, as the naive datetime every column of the wiki holds."""
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    """An account: username, display name, role (member, editor, admin).

    An account made by an import (the author of imported pages) has no
    password (``password_hash`` None): it cannot sign in until an admin gives
    it one (``flask --app wiki users set-password NAME``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # Lower-case (see _tidy_email): an import finds its authors by address.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="member")
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login session id: bumping it signs out every other session.
    session_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The interface language they chose (one of LANGUAGES), None: not chosen.
    language: Mapped[str | None] = mapped_column(String(35))
    # When they followed the link sent to ``email``; None: mail goes there
    # only to confirm it (wiki.mail). An address an admin gives is confirmed.
    email_confirmed_at: Mapped[datetime | None]

    def set_password(self, password):
        # Default: scrypt, a slow, memory-hard KDF (config PASSWORD_HASH_METHOD).
        self.password_hash = generate_password_hash(
            password, current_app.config["PASSWORD_HASH_METHOD"]
        )

    def check_password(self, password):
        return self.has_password and check_password_hash(self.password_hash, password)

    @property
    def has_password(self):
        return self.password_hash is not None

    @validates("email")
    def _tidy_email(self, _key, email):
        email = (email or "").strip().lower()
        return email or None

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self):
        return self.active

    def has_role(self, role):
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def can_edit(self):
        return self.has_role("editor")

    @property
    def is_admin(self):
        return self.has_role("admin")

    @property
    def is_member(self):
        return True


class AnonymousUser(AnonymousUserMixin):
    """A visitor who is not signed in: reads public pages only."""

    id = None
    role = None
    display_name = "Anonymous"
    can_edit = False
    is_admin = False
    is_member = False

    def has_role(self, role):
        return False


class Page(db.Model):
    """A page: its address (slug), title, place in the tree, visibility and
    current revision; deleted pages keep their row (``deleted_at``)."""

    # A parent's children in sibling order, straight from the index: a level
    # of the tree costs the same however many pages it holds (wiki.tree).
    __table_args__ = (db.Index("ix_page_sibling_order", "parent_id", "position", "title_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)  # the address: /wiki/<slug>
    title: Mapped[str] = mapped_column(String(200))
    # The title as links and uniqueness compare it (wiki.text.title_key), set
    # with the title.
    title_key: Mapped[str] = mapped_column(String(200), index=True, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("page.id"))  # ix_page_sibling_order
    # Its place among its siblings, when it has one: Confluence's child order,
    # set by the import. Pages without one come after, by title. A page moved
    # to another parent leaves it (_leave_position).
    position: Mapped[int | None]
    # What the editor chose ...
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    # ... and what applies: members-only when this page or any ancestor is.
    # Kept up to date by the page services so listings can filter in SQL.
    members_only: Mapped[bool] = mapped_column(default=False, index=True)
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", use_alter=True)
    )
    # The language its text is written in, a BCP 47 tag (wiki.i18n); None:
    # the wiki's DEFAULT_LANGUAGE (pages made before pages had one).
    language: Mapped[str | None] = mapped_column(String(35))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)

    parent: Mapped["Page | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Page"]] = relationship(back_populates="parent",
                                                  order_by=lambda: list(Page.sibling_order()))
    current_revision: Mapped["Revision | None"] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )

    @validates("title")
    def _keep_title_key(self, _key, title):
        self.title_key = title_key(title)
        return title

    @validates("parent", "parent_id")
    def _leave_position(self, key, parent):
        """A page moved to another parent leaves its place among its old
        siblings: it sorts by title there (a new page keeps what it is given)."""
        before = self.parent if key == "parent" else self.parent_id
        if self.id is not None and parent != before:
            self.position = None
        return parent

    @classmethod
    def sibling_order(cls):
        """The ORDER BY of any listing of a page's children: by ``position``
        (Confluence's order), then the pages without one by title (as links
        compare titles), the id breaking ties. ``ix_page_sibling_order``
        serves it on SQLite and PostgreSQL alike: the parent comes first,
        which changes nothing among siblings (children of several parents
        come parent by parent) but lets PostgreSQL read the top level
        (``parent_id IS NULL``) in order from the index too."""
        return cls.parent_id, cls.position.asc().nulls_last(), cls.title_key, cls.id

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def lang(self):
        """The page's content language: its own, else the wiki's default."""
        return self.language or current_app.config["DEFAULT_LANGUAGE"]

    def ancestors(self):
        """From the root down to the parent."""
        chain, node, seen = [], self.parent, {self.id}
        while node is not None and node.id not in seen:
            seen.add(node.id)
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def visible_children(self, user):
        return [c for c in self.children if not c.is_deleted and can_see(user, c)]

    def __repr__(self):
        return f"<Page {self.slug}>"


class Revision(db.Model):
    """One immutable version of a page's text, with its HTML rendered at save time."""

    __table_args__ = (UniqueConstraint("page_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    page: Mapped[Page] = relationship(foreign_keys=[page_id])
    author: Mapped[User | None] = relationship()


class PageAlias(db.Model):
    """A slug a page had before a rename: old links redirect to the page."""

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    page: Mapped[Page] = relationship()


class PageEvent(db.Model):
    """One line of a page's history: an edit (with its revision) or any other change."""

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # created, edited, renamed, moved, ...
    detail: Mapped[str] = mapped_column(String(500), default="")
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    page: Mapped[Page] = relationship()
    revision: Mapped[Revision | None] = relationship()
    user: Mapped[User | None] = relationship()


class RateEvent(db.Model):
    """One counted attempt (a failed sign-in, a registration): wiki.throttle."""

    __table_args__ = (db.Index("ix_rate_event_bucket_key_created_at", "bucket", "key", "created_at"),
                      {"info": {"volatile": True}})  # changes no page: see wiki.pagecache

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))  # HMAC of the IP (and username)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentVersion(db.Model):
    """One row: a number bumped by every change to the wiki's content, so
    each worker knows when its cached page views are out of date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


def can_see(user, page):
    """Whether ``user`` may read ``page`` (deleted pages are handled by the views)."""
    return page is not None and (not page.members_only or user.is_member)


def visible_pages(user):
    """A select of the live pages ``user`` may read, for listings."""
    query = db.select(Page).where(Page.deleted_at.is_(None))
    if not user.is_member:
        query = query.where(Page.members_only.is_(False))
    return query


class ConfluencePage(db.Model):
    """A page imported from a Confluence space, and where it was there: its
    space, page id and title. Links between imported pages resolve through
    it, old Confluence addresses (``/display/SPACE/Title``,
    ``/pages/viewpage.action?pageId=N``) redirect to the page, and importing
    the space again finds the page instead of making another."""

    __table_args__ = (UniqueConstraint("space_key", "content_id"),
                      db.Index("ix_confluence_page_space_key_title_key", "space_key", "title_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    space_key: Mapped[str] = mapped_column(String(255))
    content_id: Mapped[str] = mapped_column(String(64), index=True)  # Confluence's page id
    title: Mapped[str] = mapped_column(String(255))  # as in Confluence (the wiki's may differ)
    title_key: Mapped[str] = mapped_column(String(255), default="")
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    version: Mapped[int] = mapped_column(default=0)  # the last Confluence version imported
    position: Mapped[int | None]  # Confluence's order among its siblings
    home: Mapped[bool] = mapped_column(default=False)  # the space's home page: /display/SPACE

    page: Mapped[Page] = relationship()

    @validates("title")
    def _keep_title_key(self, _key, title):
        self.title_key = title_key(title)
        return title


class ConfluenceAccount(db.Model):
    """The account an author of an imported Confluence space is in the wiki
    (made by the import, or found by username or email), so that importing
    again finds them."""

    person_key: Mapped[str] = mapped_column(String(255), primary_key=True)  # Confluence's user key
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    user: Mapped[User] = relationship()
