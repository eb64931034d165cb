"""Opening a Confluence space export: a zip file or the folder it unzips to,
of either kind Confluence writes (``detect``), and reading its files safely.

    with open_export(path) as export:       # ExportError: it cannot be read at all
        space = xmlexport.read(export)      # or htmlexport.read, as export.kind says

Nothing is extracted: each file is read as a stream, from the zip or the
folder, when a reader asks for it. What could reach outside the export or
exhaust the machine is refused and reported in ``export.problems`` (a
``model.Problem`` each), the rest is read:

- zip member names that are absolute, climb out (``..``), use backslashes or
  hold a NUL; symbolic links, in a zip or in the folder (never followed);
- zip bombs: a member declaring more bytes than ``Limits`` allows, or far more
  than it compresses (``max_ratio``); members whose compressed data overlap
  (one stream counted many times) refuse the whole zip. A member never yields
  more than it declares (``zipfile`` stops there), and damaged data raises
  ``model.MissingData`` while it is read.

A zip that holds the export in one folder (``COP/index.html``, as the HTML
export's zip does) is read from inside that folder.
"""

import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import MissingData, Problem

ENTITIES = "entities.xml"  # the XML export
DESCRIPTOR = "exportDescriptor.properties"
INDEX = "index.html"  # the HTML export
_SNIFF = 64 * 1024  # bytes of index.html read to recognise the HTML export
# What only Confluence's index.html holds together: its page list or space table, its title block.
_HTML_MARKS = (re.compile(rb"Available Pages|Space Details|pageSection"),
               re.compile(rb"title-text|pagetitle"))
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_ZIP_LOCAL_HEADER = 30  # bytes before a member's name in its local header


class ExportError(Exception):
    """PATH cannot be read as a Confluence export at all: ``str(e)`` says why."""


@dataclass(frozen=True)
class Limits:
    """How much a zip may declare (the folder's files are read as they are)."""

    max_member_bytes: int = 32 * 2**30  # one file: entities.xml of a large space is a few GB
    max_total_bytes: int = 512 * 2**30  # everything the zip declares
    max_ratio: int = 200  # declared / compressed size, for members above ratio_floor
    ratio_floor: int = 16 * 2**20


def time_zone(name):
    """The time zone called ``name`` ("Europe/Berlin", "UTC"); ValueError when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone “{name}” (a name such as Europe/Berlin or UTC)") from None


def to_utc(moment, zone):
    """``moment``, a naive time read in ``zone``, as a naive UTC datetime."""
    return moment.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def detect(path):
    """``"xml"``, ``"html"`` or None: which kind of Confluence export PATH is.
    Never raises: None also for what cannot be read (``open_export`` says why)."""
    path = Path(path)
    if path.is_dir() and not any((folder / name).is_file() for folder in _roots(path)
                                 for name in (ENTITIES, INDEX)):
        return None  # a folder of other things (Markdown files, say): not walked
    try:
        with open_export(path) as export:
            return export.kind
    except ExportError:
        return None


def open_export(path, limits=Limits(), scratch=None):
    """The export at ``path`` (a zip file or a folder), opened: use it as a
    context manager, or ``close()`` it. ``scratch``: the folder under which a
    reader may keep temporary files (default: the system's). Raises
    ``ExportError`` when ``path`` is missing, is a damaged zip, or is not a
    Confluence export."""
    path = Path(path)
    if path.is_dir():
        members = _FolderMembers(path)
    elif path.is_file():
        members = _ZipMembers(path, limits)
    else:
        raise ExportError(f"{path}: no such file or folder")
    try:
        return Export(path, members, scratch)
    except BaseException:
        members.close()
        raise


class Export:
    """An opened export: its files by name (``/``-separated, relative to the
    export's root), ``kind`` (``"xml"`` or ``"html"``) and ``problems``."""

    def __init__(self, path, members, scratch=None):
        self.path, self._members, self._scratch_parent = path, members, scratch
        self._scratch, self._on_close, self.closed = None, [], False
        self._prefix = _root_folder(members.names)
        self.problems = list(members.problems)
        self.kind = self._kind()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close the zip and what readers registered, remove the scratch folder."""
        if self.closed:
            return
        self.closed = True
        try:
            for callback in reversed(self._on_close):
                callback()
        finally:
            self._members.close()
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)

    def on_close(self, callback):
        """Call ``callback()`` when the export is closed (a reader's temporary files)."""
        self._on_close.append(callback)

    def scratch(self):
        """A private folder for temporary files, removed when the export is closed."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="confluence-", dir=self._scratch_parent))
        return self._scratch

    def __contains__(self, name):
        return self._prefix + name in self._members.names

    def names(self):
        """Every readable file, in name order."""
        n = len(self._prefix)
        return sorted(name[n:] for name in self._members.names if name.startswith(self._prefix))

    def size(self, name):
        """The size in bytes of file ``name`` (as the zip declares it), None when absent."""
        return self._members.size(self._prefix + name) if name in self else None

    def open(self, name):
        """A binary stream of file ``name``; ``model.MissingData`` when the export
        does not hold it, or holds it damaged (then also while it is read)."""
        if self.closed:
            raise MissingData(f"{name}: the export is closed")
        if name not in self:
            raise MissingData(f"{name}: not in the export")
        return self._members.open(self._prefix + name)

    def read_bytes(self, name, max_bytes):
        """The bytes of file ``name`` when it has at most ``max_bytes`` (else MissingData)."""
        size = self.size(name)
        if size is not None and size > max_bytes:
            raise MissingData(f"{name}: too large ({size:,} bytes; at most {max_bytes:,} are read)")
        with self.open(name) as stream:
            data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise MissingData(f"{name}: too large (more than {max_bytes:,} bytes)")
        return data

    def _kind(self):
        if ENTITIES in self:
            return "xml"
        if INDEX in self:
            try:
                with self.open(INDEX) as stream:
                    head = stream.read(_SNIFF)
            except (MissingData, OSError) as e:
                raise ExportError(f"{self.path}: {INDEX} cannot be read ({e})") from None
            if all(mark.search(head) for mark in _HTML_MARKS):
                return "html"
        refused = [p.where for p in self.problems if PurePosixPath(p.where).name in (ENTITIES, INDEX)]
        if refused:
            reason = next(p.reason for p in self.problems if p.where == refused[0])
            raise ExportError(f"{self.path}: {refused[0]} is refused ({reason})")
        what = "zip file" if isinstance(self._members, _ZipMembers) else "folder"
        raise ExportError(f"{self.path}: this {what} is not a Confluence space export: it holds neither "
                          f"{ENTITIES} (the XML export) nor a Confluence {INDEX} (the HTML export)")


def _root_folder(names):
    """The one folder that holds the whole export, as a prefix ("COP/"), or ""."""
    if ENTITIES in names or INDEX in names:
        return ""
    names = [name for name in names if not _aside(name)]
    tops = {name.split("/", 1)[0] for name in names if "/" in name}
    files_at_top = any("/" not in name for name in names)
    if len(tops) == 1 and not files_at_top:
        return tops.pop() + "/"
    return ""


def _aside(name):
    """What a zip tool adds beside what it zips (``__MACOSX/``, ``.DS_Store``)."""
    return name.startswith(("__MACOSX/", "."))


def _roots(folder):
    """Where in ``folder`` an export may start: the folder, or the one folder it holds."""
    inside = [entry for entry in folder.iterdir() if not _aside(entry.name)]
    if len(inside) == 1 and inside[0].is_dir() and not inside[0].is_symlink():
        return [folder, inside[0]]
    return [folder]


# -- zip files ---------------------------------------------------------------------------


class _ZipMembers:
    def __init__(self, path, limits):
        self.problems, self.names = [], {}
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
            raise ExportError(f"{path}: not a readable zip file ({e}); if it was downloaded, "
                              "download it again") from None
        try:
            self._index(limits)
        except BaseException:
            self._zip.close()
            raise

    def _index(self, limits):
        infos = self._zip.infolist()
        _refuse_overlaps(infos, self._zip.filename)
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            reason = _unsafe_zip_member(info, limits)
            if reason is None and info.filename in self.names:
                reason = "appears twice in the zip: only the first is read"
            if reason is not None:
                self.problems.append(Problem(_printable(info.filename), reason))
                continue
            total += info.file_size
            if total > limits.max_total_bytes:
                raise ExportError(f"{self._zip.filename}: the zip declares more than "
                                  f"{limits.max_total_bytes:,} bytes: refused as a possible zip bomb")
            self.names[info.filename] = info

    def size(self, name):
        return self.names[name].file_size

    def open(self, name):
        try:
            raw = self._zip.open(self.names[name])
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as e:
            raise MissingData(f"{name}: cannot be read from the zip ({e})") from None
        return io.BufferedReader(_Guarded(raw, name), buffer_size=256 * 1024)

    def close(self):
        self._zip.close()


def _unsafe_zip_member(info, limits):
    """Why member ``info`` is not read, or None."""
    name = info.filename
    if "\0" in name:
        return "its name holds a NUL character: not read"
    if "\\" in name:
        return "its name holds a backslash (a Windows path that could point elsewhere): not read"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "its name is an absolute path: not read"
    parts = name.split("/")
    if ".." in parts:
        return "its name climbs out of the export (“..”): not read"
    if any(part in ("", ".") for part in parts):
        return "its name has an empty or “.” part: not read"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link: not followed"
    if info.file_size > limits.max_member_bytes:
        return (f"declares {info.file_size:,} bytes, more than the {limits.max_member_bytes:,} "
                "a file of an export may have: refused as a possible zip bomb")
    if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        return (f"declares {info.file_size:,} bytes from {info.compress_size:,} compressed "
                f"(more than {limits.max_ratio} times as many): refused as a possible zip bomb")
    return None


def _refuse_overlaps(infos, filename):
    """A zip bomb may point many members at the same compressed data: refuse it."""
    end = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.header_offset < end:
            raise ExportError(f"{filename}: members of the zip overlap (the same data counted many "
                              "times): refused as a possible zip bomb")
        # The local header's extra field may be longer than this: ``end`` is a lower bound.
        end = info.header_offset + _ZIP_LOCAL_HEADER + len(info.orig_filename.encode()) + info.compress_size


def _printable(name):
    return name.replace("\0", "\\0")


class _Guarded(io.RawIOBase):
    """A zip member's stream whose damage shows as ``MissingData``, naming the member."""

    def __init__(self, raw, name):
        self._raw, self._name = raw, name

    def readable(self):
        return True

    def readinto(self, buffer):
        try:
            data = self._raw.read(len(buffer))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
            raise MissingData(f"{self._name}: damaged in the zip ({e})") from None
        buffer[:len(data)] = data
        return len(data)

    def close(self):
        if not self.closed:
            self._raw.close()
        super().close()


# -- folders -----------------------------------------------------------------------------


class _FolderMembers:
    def __init__(self, root):
        self.root, self.problems, self.names = root.resolve(), [], {}

        def unreadable(error):
            where = self._rel(Path(error.filename))
            self.problems.append(Problem(where, f"cannot be read ({error.strerror})"))

        for dirpath, dirnames, filenames in os.walk(self.root, onerror=unreadable, followlinks=False):
            here = Path(dirpath)
            for name in sorted(dirnames):
                if (here / name).is_symlink():
                    self.problems.append(Problem(self._rel(here / name), "symbolic link: not followed"))
            for name in filenames:
                path = here / name
                if path.is_symlink():
                    self.problems.append(Problem(self._rel(path), "symbolic link: not followed"))
                else:
                    self.names[self._rel(path)] = path

    def _rel(self, path):
        return path.relative_to(self.root).as_posix()

    def size(self, name):
        try:
            return self.names[name].stat().st_size
        except OSError:
            return None

    def open(self, name):
        try:
            fd = os.open(self.names[name], _FLAGS)
        except OSError as e:
            raise MissingData(f"{name}: cannot be read ({e.strerror})") from None
        stream = os.fdopen(fd, "rb")
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            stream.close()
            raise MissingData(f"{name}: not a regular file")
        return stream

    def close(self):
        pass
