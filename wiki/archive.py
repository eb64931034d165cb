"""The backup archive format: a zip file that any machine can restore.

    manifest.json           format version, dates, versions, migrations, tables
    tables/<table>.jsonl    one JSON object per row, values made portable
    instance/config.py      the instance's settings, if it has any
    instance/secret_key     only with ``backup --with-secret-key``
    files/<plugin>/<name>   files that plugins keep beside the rows (the bytes of
                            attachments: files/attachments/<sha256>), whatever the
                            store that held them, stored as they are (most are
                            compressed already: photos, PDF, office documents)

Zip rather than tar: a member can be written as a stream of unknown length
(rows and files are never all in memory), and each member carries a CRC, so
a damaged archive is refused before anything is restored.
"""

import base64
import json
import os
import tempfile
import zipfile
import zlib
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa

FORMAT = "wiki-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files/"
CHUNK = 1024 * 1024  # bytes of a file copied at a time


class ArchiveError(Exception):
    """The file is not a backup this wiki can restore, or it is damaged."""


# What reading a damaged member raises (its CRC is checked as it is read).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)


# -- values: JSON has no dates or bytes ------------------------------------------


def _portable(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)  # a float would lose digits
    raise TypeError(f"cannot store a {type(value).__name__} in a backup")


def decoder(column_type):
    """The function that turns a stored value back into one for ``column_type``
    (None when JSON gives it as is: strings, numbers, booleans)."""
    for kind, parse in ((sa.DateTime, datetime.fromisoformat), (sa.Date, date.fromisoformat),
                        (sa.Time, time.fromisoformat), (sa.LargeBinary, base64.b64decode)):
        if isinstance(column_type, kind):
            return parse
    if isinstance(column_type, sa.Numeric) and column_type.asdecimal:
        return Decimal
    return None


# -- writing ------------------------------------------------------------------------


class ArchiveWriter:
    """Writes into a temporary file next to ``path``, renamed over it only when
    everything is in: a failed backup leaves no half archive behind."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        fd, self._tmp = tempfile.mkstemp(dir=os.path.dirname(self.path),
                                         prefix=f".{os.path.basename(self.path)}.", suffix=".tmp")
        self._file = os.fdopen(fd, "wb")
        self._zip = zipfile.ZipFile(self._file, "w", zipfile.ZIP_DEFLATED)
        self.tables = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        complete = False
        try:
            self._zip.close()
            self._file.flush()
            os.fsync(self._file.fileno())
            complete = exc_type is None
        finally:
            self._file.close()
            if complete:
                os.replace(self._tmp, self.path)
            else:
                os.unlink(self._tmp)

    def write_table(self, name, columns, rows):
        """Stream ``rows`` (mappings) into ``tables/<name>.jsonl``; returns the count."""
        count = 0
        info = zipfile.ZipInfo(f"tables/{name}.jsonl", datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with self._zip.open(info, "w", force_zip64=True) as member:
            for row in rows:
                line = json.dumps(dict(row), default=_portable, ensure_ascii=False,
                                  separators=(",", ":"))
                member.write(line.encode() + b"\n")
                count += 1
        self.tables.append({"name": name, "rows": count, "columns": list(columns)})
        return count

    def write_file(self, arcname, data):
        self._zip.writestr(arcname, data)

    def write_stream(self, name, stream):
        """Copy ``stream`` into ``files/<name>``, a chunk at a time; returns
        the number of bytes."""
        info = zipfile.ZipInfo(FILES + name, datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        size = 0
        with self._zip.open(info, "w", force_zip64=True) as member:
            while data := stream.read(CHUNK):
                member.write(data)
                size += len(data)
        return size

    def write_manifest(self, files=None, **fields):
        """``files``: ``{"count": n, "bytes": n, "missing": [what was not stored]}``."""
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, **fields,
                    "tables": self.tables, "files": files or {"count": 0, "bytes": 0, "missing": []}}
        self._zip.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))


# -- reading ------------------------------------------------------------------------


class ArchiveReader:
    """Opens and checks a whole archive (every member's CRC, the manifest
    against the members) before anyone reads a row from it."""

    def __init__(self, path):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise ArchiveError(f"{path}: no such file") from None
        except (zipfile.BadZipFile, OSError) as e:
            raise ArchiveError(f"{path} is not a wiki backup or is damaged (truncated?): {e}") from None
        try:
            self._check()
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()

    def _check(self):
        try:
            damaged = self._zip.testzip()
            self.manifest = json.loads(self._zip.read(MANIFEST))
        except KeyError:
            raise ArchiveError(f"{self.path} has no {MANIFEST}: not a wiki backup") from None
        except (*DAMAGED, ValueError, OSError) as e:
            raise ArchiveError(f"{self.path} is damaged: {e}") from None
        if damaged:
            raise ArchiveError(f"{self.path} is damaged: {damaged} fails its checksum")
        m = self.manifest
        if not isinstance(m, dict) or m.get("format") != FORMAT:
            raise ArchiveError(f"{self.path} is not a wiki backup")
        if m.get("format_version") != FORMAT_VERSION:
            raise ArchiveError(f"{self.path} is a format {m.get('format_version')} backup; "
                               f"this wiki reads format {FORMAT_VERSION}: use a newer wiki")
        members = set(self._zip.namelist())
        for table in self.tables:
            if f"tables/{table['name']}.jsonl" not in members:
                raise ArchiveError(f"{self.path} is damaged: tables/{table['name']}.jsonl is missing")
        count = len(self.file_names())
        if count != self.files.get("count", 0):
            raise ArchiveError(f"{self.path} is damaged: it holds {count} files, its manifest "
                               f"says {self.files.get('count', 0)}")

    @property
    def tables(self):
        return self.manifest.get("tables", [])

    @property
    def files(self):
        """``{"count", "bytes", "missing"}`` (archives made before the wiki
        kept files have an empty list here)."""
        files = self.manifest.get("files")
        return files if isinstance(files, dict) else {"count": 0, "bytes": 0, "missing": []}

    def file_names(self):
        """The names of the stored files (``<plugin>/<name>``, without ``files/``)."""
        return [info.filename[len(FILES):] for info in self._zip.infolist()
                if info.filename.startswith(FILES) and not info.is_dir()]

    def file_size(self, name):
        return self._zip.getinfo(FILES + name).file_size

    def open_file(self, name):
        """A readable binary file of ``files/<name>`` (its CRC is checked as it is read)."""
        return self._zip.open(FILES + name)

    def has(self, arcname):
        return arcname in self._zip.namelist()

    def read(self, arcname):
        return self._zip.read(arcname)

    def rows(self, name):
        """The rows of table ``name``, one dict at a time."""
        with self._zip.open(f"tables/{name}.jsonl") as member:
            for number, line in enumerate(member, 1):
                try:
                    yield json.loads(line)
                except ValueError:
                    raise ArchiveError(f"{self.path} is damaged: tables/{name}.jsonl, "
                                       f"line {number} is not JSON") from None
