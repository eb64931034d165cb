"""Reading the folder to import: every ``*.md`` file, or the reason it is skipped.

Symbolic links are never followed out of the folder: a link to a file inside
it is read, a link to a folder is not walked (it could loop or lead outside).
Files are opened without following a link swapped in after the check, and
never read past the size limit. A page's files folder (``a.files/`` beside
``a.md``, as the export writes it) holds files, not pages: it is not walked.
"""

import os
import stat
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".md"
FILES_SUFFIX = ".files"  # a page's files: "a.files/" beside "a.md"
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


@dataclass(frozen=True)
class SourceFile:
    path: str  # relative to the folder, with "/" separators: "sessions/day-1.md"
    text: str  # decoded, LF newlines


@dataclass(frozen=True, order=True)
class Note:
    """What happened to one file: why it was skipped, or what was refused."""

    path: str
    reason: str


class SkipFile(Exception):
    """Raised with the reason a file is not imported."""


def read_folder(root, max_chars):
    """``(files, skipped)`` under ``root``, both in path order. Hidden files
    and folders (``.git``, ``.obsidian``) are passed over silently."""
    root = Path(root).resolve()
    files, skipped = [], []

    def unreadable(error):  # a folder os.walk cannot list
        skipped.append(Note(_rel(Path(error.filename), root), f"cannot be read ({error.strerror})"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=False):
        here = Path(dirpath)
        names = {name.lower() for name in filenames}
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not is_files_folder(d, names))
        for name in dirnames:
            if (here / name).is_symlink():
                skipped.append(Note(_rel(here / name, root), "symbolic link to a folder: not followed"))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(SUFFIX):
                continue
            path = here / name
            try:
                files.append(SourceFile(_rel(path, root), _read(path, root, max_chars)))
            except SkipFile as e:
                skipped.append(Note(_rel(path, root), str(e)))
    return sorted(files, key=lambda f: f.path), sorted(skipped)


def is_files_folder(name, names):
    """Whether the folder ``name`` is the files folder of a page, among the
    file ``names`` (lower-case) beside it."""
    stem = name[:-len(FILES_SUFFIX)]
    return name.lower().endswith(FILES_SUFFIX) and bool(stem) and f"{stem}{SUFFIX}".lower() in names


def _rel(path, root):
    return path.relative_to(root).as_posix()


def _read(path, root, max_chars):
    """The text of ``path``; raise ``SkipFile`` with the reason it cannot be imported."""
    real = path
    if path.is_symlink():
        real = path.resolve()
        if not real.is_relative_to(root):
            raise SkipFile("symbolic link to a file outside the folder: not followed")
        if not real.exists():
            raise SkipFile("broken symbolic link")
    max_bytes = max_chars * 4  # a character is at most 4 bytes of UTF-8
    try:
        fd = os.open(real, _FLAGS)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise SkipFile("not a regular file")
            if info.st_size > max_bytes:
                raise SkipFile(f"too large ({info.st_size:,} bytes; pages have at most "
                               f"{max_chars:,} characters)")
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise SkipFile(f"cannot be read ({e.strerror})") from None
    if b"\0" in data:
        raise SkipFile("binary file (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")  # strict; a byte-order mark is dropped
    except UnicodeDecodeError as e:
        raise SkipFile(f"not UTF-8 (invalid byte at offset {e.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
