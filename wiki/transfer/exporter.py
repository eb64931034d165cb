"""Pages -> a folder of Markdown files that ``pages import`` reads back.

The folders are the tree: a page with children is ``<slug>/index.md`` with
its children beside it in ``<slug>/``; a leaf is ``<slug>.md``. Each file
starts with front matter (title, slug, visibility, labels) and holds the
current revision's text as is: wiki links stay ``[[...]]``, the wiki's own
syntax.
"""

from collections import defaultdict
from pathlib import Path

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Page, visible_pages
from ..plugins import hook
from .frontmatter import join
from .plan import INDEX


class ExportError(Exception):
    """An export that cannot start, with a message for the user."""


def export_pages(root, user):
    """Write every page ``user`` may read under ``root`` (new or empty, apart
    from hidden entries such as ``.git``); the number of pages written."""
    root = Path(root)
    if root.exists() and any(not p.name.startswith(".") for p in root.iterdir()):
        raise ExportError(f"{root} is not empty: export into a new or empty folder.")
    pages = db.session.scalars(
        visible_pages(user).options(selectinload(Page.current_revision)).order_by(Page.slug)
    ).all()
    ids = {page.id for page in pages}
    children = defaultdict(list)
    for page in pages:
        children[page.parent_id if page.parent_id in ids else None].append(page)
    root.mkdir(parents=True, exist_ok=True)
    todo = [(page, root) for page in children[None]]
    while todo:  # not recursive: a deep tree is no problem
        page, folder = todo.pop()
        if children[page.id] or page.slug == "index":  # "index.md" names a folder's page
            folder = folder / page.slug
            folder.mkdir()
            path = folder / INDEX
            todo.extend((child, folder) for child in children[page.id])
        else:
            path = folder / f"{page.slug}.md"
        path.write_text(file_text(page), encoding="utf-8", newline="\n")
    return len(pages)


def file_text(page):
    """Front matter and the current Markdown of ``page``."""
    meta = {"title": page.title, "slug": page.slug, "visibility": page.visibility}
    labels = hook().page_labels(page=page)
    if labels is not None:  # no labels plugin: say nothing rather than "no labels"
        meta["labels"] = labels
    return join(meta, page.current_revision.body)
