"""Links from imported pages to other files of the folder -> files of pages.

``![map](images/map.png)`` or ``[slides](../files/deck.pdf)``: a relative
link to a file inside the folder (not a page's ``.md``) brings that file in,
attached to the linking page, and the link becomes a reference to it by name
(``![map](map.png)``). Every file of a page's files folder (``a.files/``
beside ``a.md``, as the export writes it) is that page's, linked or not; a
link to one of them from another page refers to that page's file. A link
outside the folder, to a missing file, or to a file the plugin refuses stays
as it was, with a note. Only inline links are read, and never inside code.

The core decides which file goes to which page; the plugin that keeps files
(hooks ``import_file`` and ``import_page_files``: the attachments plugin)
checks each file, writes the reference and attaches the files once the pages
are written. Without one, links stay as they are and the import says so.
"""

import os
import posixpath
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from ..plugins import hook
from ..services import PageError
from .links import outside_code
from .source import FILES_SUFFIX, SUFFIX

# ![text](target "title") or [text](target): no nested brackets in the text.
_FILE_LINK = re.compile(
    r"(?<![\\\[])(?P<image>!?)\[(?P<text>[^\[\]]*)\]"
    r"\(\s*(?P<target><[^<>\n]+>|[^\s()<>]+)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # https:, mailto:, data:, C: ...


def link_files(entries, root, sources):
    """Give each entry the files its page gets (``entry.files``) and rewrite
    its links to them; ``sources`` are the paths of the folder's ``.md``
    files (pages, not files). Nothing is written."""
    linker = _FileLinker(Path(root).resolve(), sources)
    for entry in entries:
        linker.own_folder(entry)
    for entry in entries:
        entry.body = outside_code(entry.body, lambda part, entry=entry: _FILE_LINK.sub(
            lambda match: linker.link(entry, match), part))


def files_folder(path):
    """``a/b.md`` -> ``a/b.files``: where a page's own files are."""
    return path[:-len(SUFFIX)] + FILES_SUFFIX


class _FileLinker:
    def __init__(self, root, sources):
        self.root, self.sources = root, set(sources)
        self.owners = {}  # files folder -> the entry whose page holds its files

    def own_folder(self, entry):
        """Every file of the entry's files folder goes to its page."""
        folder = files_folder(entry.path)
        path = self.root / folder
        if path.is_symlink() or not path.is_dir():
            return
        self.owners[folder] = entry
        for item in sorted(os.scandir(path), key=lambda item: item.name):
            if item.name.startswith("."):
                continue
            if item.is_symlink():
                _note(entry, f"{folder}/{item.name}: symbolic link, not attached")
            elif item.is_file(follow_symlinks=False):
                self._accept(entry, entry, Path(item.path), item.name, None, False, f"{folder}/{item.name}")

    def link(self, entry, match):
        """The Markdown that replaces the link ``match`` of ``entry``'s text."""
        target = match["target"]
        written = target[1:-1] if target.startswith("<") else target
        if _SCHEME.match(written) or written.startswith(("/", "#")):
            return match[0]  # another site, an address of this one, an anchor
        file = unquote(written.split("#", 1)[0].split("?", 1)[0])
        if not posixpath.splitext(posixpath.basename(file))[1]:
            return match[0]  # no extension: not a file (a folder, a page's address)
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), file))
        if rel in self.sources:
            return match[0]  # a page: a wiki link already if it is imported (links.py)
        page_link = rel.lower().endswith(SUFFIX)  # a missing .md is a page that is not here

        def left(reason):
            if not page_link:
                _note(entry, f"link to {written}: {reason}, left as it is")
            return match[0]

        if rel == ".." or rel.startswith("../"):
            return left("outside the imported folder")
        try:
            real = (self.root / rel).resolve(strict=True)
        except (OSError, ValueError, RuntimeError):  # missing, a NUL byte, a loop of links
            return left("no such file")
        if not real.is_relative_to(self.root):
            return left("outside the imported folder (a symbolic link)")
        if not real.is_file():
            return left("not a file")
        folder, name = posixpath.split(rel)
        holder = self.owners.get(folder, entry)
        if holder is not entry and _nfc(name) not in holder.files:
            if holder.files_kept:
                entry.files_kept += 1
                return match[0]
            return left(f"the file is not attached to {holder.path} (see its note)")
        path = self.root / rel if holder is not entry else real
        reference = self._accept(holder, entry, path, name, match["text"], bool(match["image"]), written)
        return match[0] if reference is None else reference

    def _accept(self, holder, entry, path, name, text, image, written):
        """Ask the plugin about the file ``name`` of ``holder``'s page, linked
        from ``entry``'s page: the reference, or None (link left, noted)."""
        name = _nfc(name)
        other = holder.files.get(name)
        if other is not None and other != path:
            _note(entry, f"link to {written}: the page has another file called {name}, left as it is")
            return None
        try:
            reference = hook().import_file(path=path, name=name, text=text, image=image,
                                           page_title=None if holder is entry else holder.title)
        except PageError as e:
            _note(entry, f"{written}: not attached: {e.message}")
            return None
        if reference is None:  # no plugin keeps files
            entry.files_kept += 1
            return None
        holder.files[name] = path
        return reference


def _nfc(name):
    return unicodedata.normalize("NFC", name)


def _note(entry, message):
    if message not in entry.notes:
        entry.notes.append(message)
