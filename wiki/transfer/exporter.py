"""Pages -> a folder of Markdown files that ``pages import`` reads back.

The folders are the tree: a page with children is ``<slug>/index.md`` with
its children beside it in ``<slug>/``; a leaf is ``<slug>.md``. Each file
starts with front matter (title, slug, visibility, lang, labels) and holds the
current revision's text as is: wiki links stay ``[[...]]``, the wiki's own
syntax. A page's files (``export_page_files`` hook: the attachments plugin)
go into its own folder beside it, ``<slug>.files/`` (``index.files/`` in a
page's folder), and its references to them become relative links into it.
"""

import posixpath
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Page, visible_pages
from ..plugins import hook
from .frontmatter import join
from .plan import INDEX
from .source import FILES_SUFFIX

# Characters a link target cannot hold as they are in Markdown (or in a URL).
_UNSAFE = set(" %()<>[]#?\"'\\`")


class ExportError(Exception):
    """An export that cannot start, with a message for the user."""


@dataclass
class Exported:
    pages: int = 0
    files: int = 0
    notes: list[str] = field(default_factory=list)  # what could not be exported


def export_pages(root, user):
    """Write every page ``user`` may read under ``root`` (new or empty, apart
    from hidden entries such as ``.git``), each with its files."""
    root = Path(root)
    if root.exists() and any(not p.name.startswith(".") for p in root.iterdir()):
        raise ExportError(f"{root} is not empty: export into a new or empty folder.")
    pages = db.session.scalars(
        visible_pages(user).options(selectinload(Page.current_revision)).order_by(Page.slug)
    ).all()
    places = _places(pages)
    result = Exported(len(pages))
    root.mkdir(parents=True, exist_ok=True)
    for page in pages:
        path = places[page.id]
        (root / path.parent).mkdir(parents=True, exist_ok=True)
        folder = root / files_folder(path)
        text = hook().export_page_files(
            page=page, text=page.current_revision.body, folder=folder,
            link=_Linker(places, path.parent), note=result.notes.append)
        if folder.is_dir():
            result.files += sum(1 for f in folder.iterdir() if f.is_file())
        (root / path).write_text(file_text(page, text), encoding="utf-8", newline="\n")
    return result


def _places(pages):
    """Page id -> where its Markdown goes, relative to the export's folder."""
    ids = {page.id for page in pages}
    children = defaultdict(list)
    for page in pages:
        children[page.parent_id if page.parent_id in ids else None].append(page)
    places = {}
    todo = [(page, PurePosixPath()) for page in children[None]]
    while todo:  # not recursive: a deep tree is no problem
        page, folder = todo.pop()
        if children[page.id] or page.slug == "index":  # "index.md" names a folder's page
            folder = folder / page.slug
            places[page.id] = folder / INDEX
            todo.extend((child, folder) for child in children[page.id])
        else:
            places[page.id] = folder / f"{page.slug}.md"
    return places


def files_folder(path):
    """The folder of a page's files, beside its Markdown: ``a/b.md`` -> ``a/b.files``."""
    return path.with_suffix(FILES_SUFFIX)


class _Linker:
    """``link(page, name)``: the relative link from one page's Markdown to a
    file of an exported page, each part escaped only as much as Markdown
    needs (accents stay readable)."""

    def __init__(self, places, here):
        self.places, self.here = places, here

    def __call__(self, page, name):
        place = self.places.get(getattr(page, "id", None))
        if place is None:
            return None
        target = posixpath.relpath(f"{files_folder(place)}/{name}", self.here.as_posix() or ".")
        return "/".join(_escape(part) for part in target.split("/"))


def _escape(part):
    return "".join(quote(ch, safe="") if ch in _UNSAFE or ch.isspace()
                   or unicodedata.category(ch)[0] == "C" else ch for ch in part)


def file_text(page, text=None):
    """Front matter and the current Markdown of ``page`` (or ``text``)."""
    meta = {"title": page.title, "slug": page.slug, "visibility": page.visibility, "lang": page.lang}
    labels = hook().page_labels(page=page)
    if labels is not None:  # no labels plugin: say nothing rather than "no labels"
        meta["labels"] = labels
    return join(meta, page.current_revision.body if text is None else text)
