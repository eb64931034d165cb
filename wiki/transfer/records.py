"""What an import hands to the plugins that keep comments and files (the
``import_page_comments`` and ``import_file_versions`` hooks): plain records,
the same whatever the import reads (a Confluence space, say)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO


@dataclass(frozen=True)
class CommentRecord:
    """A comment an import brings, for ``import_page_comments``."""

    key: str  # stable across imports of the same source: "confluence:COP:123456"
    parent_key: str | None  # the comment it answers (its key), None at the top
    author: object | None  # a wiki User, or None: posted without an account
    author_name: str | None  # shown for a comment without an account (None: "Anonymous")
    created: datetime  # UTC, naive
    edited: datetime | None  # when it was changed after it was posted
    markdown: str  # the text, in the wiki's Markdown


@dataclass(frozen=True)
class FileVersionRecord:
    """A version of a file an import brings, for ``import_file_versions``."""

    number: int  # the source's version number (1, 2, ...): oldest first
    open: Callable[[], BinaryIO]  # the bytes; may raise (the file is then reported, not attached)
    uploader: object | None  # a wiki User, or None
    created: datetime | None  # UTC, naive
    message: str = ""
