"""What a Confluence space export holds, as the importer needs it: the
same intermediate pages, comments, files and people whichever kind of
export it came from (the XML export, ``xmlexport.py``; the HTML export,
``htmlexport.py``). The writer (``writer.py``) stores them.

Bodies and file bytes are not held here: each is read when the writer asks
(``Version.text()``, ``FileVersion.open()``), so a space of any size is
imported with bounded memory.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Literal

# "storage": Confluence's storage format (XHTML with ac: and ri: elements),
# the XML export's; "html": the pages as the HTML export rendered them.
BodyFormat = Literal["storage", "html"]


class MissingData(Exception):
    """A body or a file the export refers to but does not hold (or holds
    damaged): ``str(e)`` says which, for the report."""


@dataclass
class Person:
    key: str  # the export's own id for them (a user key, or the username)
    username: str | None = None
    email: str | None = None
    display_name: str = ""


@dataclass
class Version:
    """One version of a page's text: the last of ``Page.versions`` is current."""

    number: int
    text: Callable[[], str]  # the body, read when needed (MissingData if it cannot be)
    author: str | None  # a Person.key; None: unknown
    created: datetime | None  # UTC, naive
    message: str = ""  # the version comment


@dataclass
class Comment:
    id: str
    parent_id: str | None  # the comment it answers, None at the top of the thread
    author: str | None  # a Person.key; None: Anonymous
    created: datetime | None
    modified: datetime | None  # when edited after it was posted, else None
    text: Callable[[], str]  # the body, in the space's BodyFormat


@dataclass
class FileVersion:
    number: int
    open: Callable[[], BinaryIO]  # the bytes (MissingData if the export lacks them)
    size: int | None
    author: str | None  # a Person.key
    created: datetime | None
    message: str = ""


@dataclass
class Attachment:
    id: str
    name: str
    versions: list[FileVersion] = field(default_factory=list)  # oldest first


@dataclass
class Page:
    id: str  # Confluence's page id: kept, so old links and addresses find the page
    title: str
    parent_id: str | None
    position: int | None  # order among its siblings (Confluence's child order)
    versions: list[Version] = field(default_factory=list)  # oldest first
    labels: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)  # in posting order
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class Problem:
    """Something of the export that is skipped, and why (for the report)."""

    where: str  # "page 12345 “Title”", "entities.xml", "attachments/123/456/1"
    reason: str


@dataclass
class Space:
    key: str  # "COP": old addresses are /display/COP/Title
    name: str
    body_format: BodyFormat
    home_page_id: str | None = None
    pages: list[Page] = field(default_factory=list)  # parents before their children
    people: dict[str, Person] = field(default_factory=dict)  # by Person.key
    problems: list[Problem] = field(default_factory=list)
