"""Files -> the pages they become: title, slug, parent, labels, visibility, language, text.

Everything is decided before anything is written, so a bad file is skipped
without touching the wiki, and links can point at files read later.
"""

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import normal_tag
from ..models import VISIBILITIES
from ..services import default_slug, reserved_slugs
from ..text import is_slug, normalize_newlines, slugify, title_key
from .frontmatter import FrontMatterError, split
from .links import rewrite
from .source import Note, SkipFile

MAX_TITLE = 200  # as wiki.services
INDEX = "index.md"
_HEADING = re.compile(r"^# +(.+?)(?: +#+)? *$", re.MULTILINE)
_FENCED = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,}).*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)


@dataclass
class Entry:
    path: str
    title: str
    slug: str
    body: str
    labels: list[str] | None  # None: leave the page's labels as they are
    visibility: str | None  # None: the command's choice (new pages: public)
    parent: "Entry | None" = None  # None: top level (or the command's --parent)
    files: dict[str, Path] = field(default_factory=dict)  # to attach: name -> file (files.py)
    notes: list[str] = field(default_factory=list)  # links to files left as they were, and why
    files_kept: int = 0  # links to files left as they were: no plugin keeps files
    language: str | None = None  # front matter ``lang``; None: not given (a new page's is guessed)
    bad_language: str | None = None  # a ``lang`` that is not a language tag, as written


def plan(files, max_chars, labels=()):
    """``(entries, skipped)``: entries in path order, each after its parent.
    ``labels`` are added to every page's own."""
    entries, skipped, by_slug, by_title = [], [], {}, {}
    for file in files:
        try:
            entry = _entry(file, max_chars, list(labels))
        except SkipFile as e:
            skipped.append(Note(file.path, str(e)))
            continue
        first = by_slug.setdefault(entry.slug, entry)
        if first is not entry:
            skipped.append(Note(file.path, f"same slug as {first.path}"))
            continue
        same = by_title.setdefault(title_key(entry.title), entry)
        if same is not entry:
            del by_slug[entry.slug]
            skipped.append(Note(file.path, f"same title as {same.path}"))
            continue
        entries.append(entry)
    _link_parents(entries)
    titles = {e.path: e.title for e in entries}
    for entry in entries:
        entry.body = rewrite(entry.body, entry.path, titles)
    return sorted(entries, key=lambda e: (_depth(e), e.path)), skipped


def _entry(file, max_chars, extra_labels):
    try:
        meta, body = split(file.text)
    except FrontMatterError as e:
        raise SkipFile(str(e)) from None
    body = normalize_newlines(body)
    if len(body) > max_chars:
        raise SkipFile(f"too large ({len(body):,} characters; the limit is {max_chars:,})")
    title = _title(meta, body, file.path)
    visibility = meta.get("visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        raise SkipFile(f"visibility must be one of: {', '.join(VISIBILITIES)}")
    labels = _labels(meta)
    if extra_labels:
        labels = [*(labels or ()), *extra_labels]
    entry = Entry(file.path, title, _slug(meta, title), body, labels, visibility)
    entry.language, entry.bad_language = _language(meta)
    return entry


def _language(meta):
    """``(tag, None)`` from front matter ``lang`` (or ``language``), ``(None,
    None)`` when absent. A value that is no language tag does not skip the
    file, it only sets no language: ``(None, the value as written)``."""
    value = meta.get("lang", meta.get("language"))
    if value is None:
        return None, None
    tag = normal_tag(value.strip()) if isinstance(value, str) else None
    if tag is not None:
        return tag, None
    if isinstance(value, str):
        return None, f"“{value[:40]}”"
    # YAML reads `no` (Norwegian) as false, `1` as a number: a tag needs quotes then.
    return None, f"{str(value)[:40]} (YAML read it as {type(value).__name__}: put the tag in quotes)"


def _slug(meta, title):
    """Front matter ``slug`` (checked as any address), else the title's."""
    if meta.get("slug") is None:
        return default_slug(title)
    slug = str(meta["slug"]).strip() if isinstance(meta["slug"], str | int) else ""
    if not is_slug(slug) or len(slug) > MAX_TITLE or slug in reserved_slugs():
        suggestion = slugify(slug) if isinstance(meta["slug"], str | int) else ""
        hint = f" (for example “{suggestion}”)" if suggestion and suggestion != slug else ""
        raise SkipFile(f"slug in the front matter: “{meta['slug']}” cannot be an address: use "
                       f"lower-case letters, digits and hyphens{hint}, and none of the wiki's own "
                       "addresses")
    return slug


def _title(meta, body, path):
    """Front matter ``title``, else the first ``# heading``, else the file name
    (a folder's ``index.md``: the folder's name)."""
    if meta.get("title") is not None:
        if not isinstance(meta["title"], str | int | float):
            raise SkipFile("title in the front matter must be text")
        candidates = [str(meta["title"])]
    else:
        heading = _HEADING.search(_FENCED.sub("", body))
        name = posixpath.basename(path)
        if name.lower() == INDEX and "/" in path:
            name = posixpath.basename(posixpath.dirname(path))
        stem = name[:-len(".md")] if name.lower().endswith(".md") else name
        candidates = [heading[1]] if heading else []
        candidates.append(stem)
    for candidate in candidates:
        title = " ".join(candidate.split())
        if slugify(title):
            if len(title) > MAX_TITLE:
                raise SkipFile(f"title is longer than {MAX_TITLE} characters")
            return title
    raise SkipFile("the title needs at least one letter or digit")


def _labels(meta):
    """``labels:`` (or ``tags:``) as a list or a comma-separated string; None if absent."""
    value = meta.get("labels", meta.get("tags"))
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise SkipFile("labels in the front matter must be a list of words")
    return [str(v).strip() for v in value if str(v).strip()]


def _link_parents(entries):
    """Folders are the tree: ``a/index.md`` (else ``a.md`` beside ``a/``) is the
    parent of the pages in ``a/``; in a folder without one, pages hang under the
    nearest folder above that has one."""
    folder_pages = {}
    for entry in entries:
        if posixpath.basename(entry.path).lower() == INDEX:
            folder_pages[posixpath.dirname(entry.path)] = entry
    for entry in entries:
        if posixpath.basename(entry.path).lower() != INDEX:
            folder_pages.setdefault(entry.path[:-len(".md")], entry)
    folder_pages.pop("", None)  # the folder's own index.md is an ordinary top-level page

    def page_of(folder):
        while folder:
            if folder in folder_pages:
                return folder_pages[folder]
            folder = posixpath.dirname(folder)
        return None

    for entry in entries:
        folder = posixpath.dirname(entry.path)
        if folder_pages.get(folder) is entry:  # a/index.md hangs under the folder above
            folder = posixpath.dirname(folder)
        entry.parent = page_of(folder)


def _depth(entry):
    depth, node = 0, entry.parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth
