"""Reading Confluence's XML export (``entities.xml``, ``attachments/`` and
``exportDescriptor.properties``) into a ``model.Space`` of storage-format bodies.

``entities.xml`` is a flat list of Hibernate objects (``<object class="Page">``
with ``<property>``, references to other objects by id, ``<collection>``)
in any order, so it is read once, streamed (defusedxml's iterparse: entity
declarations and external references are refused), every object cleared
once read. Bodies (``BodyContent``) go to a SQLite file in the export's
scratch folder, keyed by id: ``Version.text`` and ``Comment.text`` read them
back, so memory holds the space's outline only, whatever the file's size.

What is read, and what is left out on purpose:

- pages with status ``current``; a page's older versions are the objects
  whose ``originalVersionId`` names it. Drafts, pages in the trash, blog
  posts (counted in a problem) and other spaces' pages are left out, with
  their comments and files;
- comments (``containerContent``, ``parent`` for a reply; no ``creator``:
  Anonymous), attachments with their versions (``attachments/<page id>/
  <attachment id>/<version>``), labels (``global`` and ``team`` ones, not
  personal ``my:`` ones), people (``ConfluenceUserImpl``; display names from
  the Crowd users, ``InternalUser``, when the export holds them).

Dates are written in the exporting server's time zone, which Confluence
records as ``timezoneId`` in the descriptor; when it does not (older
exports), in ``read(..., timezone=...)``, else UTC. They come out naive UTC.

A file cut short (or damaged in its zip) is read up to where it stops: what
came before is kept and a problem on ``entities.xml`` says where it stopped
and that the rest is missing (export again for a complete import). XML that
is not a Confluence export, or declares entities, is refused whole
(``ExportError``).
"""

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from xml.etree.ElementTree import ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

from .model import Attachment, Comment, FileVersion, MissingData, Page, Person, Problem, Space, Version
from .source import DESCRIPTOR, ENTITIES, ExportError, time_zone, to_utc

_LIVE = ("current", "")  # contentStatus of what Confluence shows ("draft", "deleted": left out)
_STORAGE = 2  # BodyContent.bodyType of the storage format (0: raw, 1: wiki markup)
_LABEL_NAMESPACES = ("global", "team", "")  # "my": someone's favourites; "system": Confluence's own
_DESCRIPTOR_BYTES = 1024 * 1024
_SPOOL_BYTES = 4 * 2**20  # bodies held before they are written to the spool
_ANY_SPACE = object()
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?")


def read(export, timezone=None):
    """The space of the XML ``export`` (an opened ``source.Export``).
    ``timezone``: the zone the export's dates are written in (a name), for an
    export whose descriptor does not name one (``timezoneId``); default UTC.
    Raises ``ExportError`` when ``entities.xml`` cannot be read at all."""
    descriptor = _descriptor(export)
    problems = list(export.problems)
    zone = _zone(timezone, descriptor, problems)
    spool = _Spool(export.scratch() / "bodies.sqlite")
    export.on_close(spool.close)
    objects = _Objects(zone, spool)
    try:
        with export.open(ENTITIES) as stream:
            objects.parse(stream, problems)
    except MissingData as e:
        raise ExportError(f"{ENTITIES}: {e}") from None
    spool.finish()
    return _Assembly(objects, descriptor, export, problems).space()


def properties(text):
    """The ``key=value`` pairs of a Java properties file (``exportDescriptor.properties``)."""
    values, pending = {}, ""
    for line in text.splitlines():
        line = pending + line.lstrip()
        pending = ""
        if not line or line[0] in "#!":
            continue
        if re.search(r"(?<!\\)(\\\\)*\\$", line):  # an odd number of final backslashes: continued
            pending = line[:-1]
            continue
        match = re.match(r"((?:[^\\:=\s]|\\.)*)\s*[:=\s]\s*(.*)", line)
        if match:
            values[_unescape(match.group(1))] = _unescape(match.group(2))
    return values


def _unescape(text):
    def one(match):
        code = match.group(1)
        if code.startswith("u") and len(code) == 5:
            return chr(int(code[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(code, code)
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", one, text)


def _descriptor(export):
    if DESCRIPTOR not in export:
        return {}
    try:
        return properties(export.read_bytes(DESCRIPTOR, _DESCRIPTOR_BYTES).decode("latin-1"))
    except MissingData:
        return {}


def _zone(timezone, descriptor, problems):
    """The zone of the export's dates: the descriptor's, else ``timezone``, else None (UTC)."""
    given = time_zone(timezone) if isinstance(timezone, str) else timezone
    name = descriptor.get("timezoneId")
    if not name:
        return given
    try:
        return time_zone(name)
    except ValueError as e:
        problems.append(Problem(DESCRIPTOR, f"{e}: dates are taken as {timezone or 'UTC'}"))
        return given


# -- the objects of entities.xml ---------------------------------------------------------


@dataclass(slots=True)
class _Content:
    """A page, comment or attachment object (or one of their older versions)."""

    id: str
    status: str
    original: str | None  # the object this is an older version of
    number: int  # its version
    title: str
    author: str | None  # the person who wrote this version (a key of _Objects.users, or a username)
    created: datetime | None
    modified: datetime | None
    message: str
    bodies: tuple = ()
    container: tuple | None = None  # (class, id) of a comment's page or an attachment's
    parent: str | None = None  # a page's parent page, a comment's parent comment
    position: int | None = None
    space: str | None = None
    properties: tuple = ()  # content property ids (an attachment's size)
    size: int | None = None


@dataclass
class _Objects:
    """What ``entities.xml`` holds, by class, bodies aside."""

    zone: object
    spool: "_Spool"
    spaces: dict = field(default_factory=dict)  # id -> (key, name, home page id, status)
    pages: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)
    attachments: dict = field(default_factory=dict)
    blog_posts: set = field(default_factory=set)
    sizes: dict = field(default_factory=dict)  # FILESIZE content property id -> bytes
    sizes_of: dict = field(default_factory=dict)  # content id -> bytes (property that names its content)
    labels: dict = field(default_factory=dict)  # id -> (name, namespace)
    labellings: list = field(default_factory=list)  # (label id, content id)
    users: dict = field(default_factory=dict)  # user key -> (username, email, display name)
    crowd: dict = field(default_factory=dict)  # lower-case username -> (display name, email)
    usernames: set = field(default_factory=set)  # authors named by username (older exports)
    count: int = 0

    def parse(self, stream, problems):
        depth, root = 0, None
        try:
            for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                if event == "start":
                    depth += 1
                    if root is None:
                        root = element
                        if element.tag != "hibernate-generic":
                            raise ExportError(f"{ENTITIES} is not a Confluence export: it holds "
                                              f"<{element.tag}>, not <hibernate-generic>")
                    continue
                depth -= 1
                if depth == 1:
                    if element.tag == "object":
                        self.object(element)
                        self.count += 1
                    root.clear()  # what was read is not kept: memory stays flat
        except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
            raise ExportError(f"{ENTITIES} declares a document type (<!DOCTYPE>), which a Confluence export "
                              "never does: refused, for its entities could read other files or expand "
                              "without bound") from None
        except (ParseError, MissingData) as e:
            if isinstance(e, ParseError):
                where = "line {}, column {}".format(*e.position)
                why = re.sub(r": line \d+, column \d+$", "", str(e))
            else:
                where, why = "a damaged part", str(e)
            if not self.count:
                raise ExportError(f"{ENTITIES} cannot be read as XML: {why} at {where}") from None
            problems.append(Problem(ENTITIES, f"the file stops at {where} ({why}): it is cut short or "
                                              f"damaged. The {self.count:,} objects before were read; what "
                                              "came after is missing. Export the space again for a complete "
                                              "import."))

    def object(self, element):
        kind = element.get("class", "")
        handler = _HANDLERS.get(kind)
        if handler is None:
            return
        ident, values, refs, collections = _fields(element)
        if ident:
            handler(self, ident, values, refs, collections)

    # One method per class of object read.

    def space(self, ident, values, refs, collections):
        home = refs.get("homePage", (None, None))[1]
        self.spaces[ident] = (values.get("key", "").strip(), values.get("name", "").strip(), home,
                              values.get("spaceStatus", "CURRENT").strip())

    def content(self, ident, values, refs, collections):
        return _Content(
            id=ident, status=values.get("contentStatus", "").strip().lower(),
            original=_original(values, refs), number=_int(values.get("version")) or 1,
            title=values.get("title", values.get("fileName", "")).strip(),
            author=self.person(values, refs, "lastModifier") or self.person(values, refs, "creator"),
            created=self.date(values.get("creationDate")),
            modified=self.date(values.get("lastModificationDate")),
            message=(values.get("versionComment") or "").strip(),
            bodies=tuple(collections.get("bodyContents", ())))

    def page(self, ident, values, refs, collections):
        page = self.content(ident, values, refs, collections)
        page.parent = refs.get("parent", (None, None))[1]
        page.position = _int(values.get("position"))
        page.space = refs.get("space", (None, None))[1]
        self.pages[ident] = page

    def comment(self, ident, values, refs, collections):
        comment = self.content(ident, values, refs, collections)
        comment.author = self.person(values, refs, "creator")  # whoever posted it, even if edited since
        comment.container = refs.get("containerContent") or refs.get("owner") or refs.get("page")
        comment.parent = refs.get("parent", (None, None))[1]
        self.comments[ident] = comment

    def attachment(self, ident, values, refs, collections):
        attachment = self.content(ident, values, refs, collections)
        attachment.container = refs.get("containerContent") or refs.get("content") or refs.get("page")
        attachment.properties = tuple(collections.get("contentProperties", ()))
        attachment.size = _int(values.get("fileSize"))
        self.attachments[ident] = attachment

    def blog_post(self, ident, values, refs, collections):
        if values.get("contentStatus", "").strip() in _LIVE and _original(values, refs) is None:
            self.blog_posts.add(ident)

    def body(self, ident, values, refs, collections):
        kind, content = refs.get("content", ("", None))
        if kind in ("Page", "Comment", ""):  # not blog posts', space descriptions', plugins' data
            self.spool.add(ident, content, _int(values.get("bodyType")), values.get("body", ""))

    def content_property(self, ident, values, refs, collections):
        if values.get("name", "").strip() == "FILESIZE":
            size = _int(values.get("longValue") or values.get("stringValue"))
            self.sizes[ident] = size
            if "content" in refs:
                self.sizes_of[refs["content"][1]] = size

    def label(self, ident, values, refs, collections):
        self.labels[ident] = (values.get("name", "").strip(), values.get("namespace", "").strip().lower())

    def labelling(self, ident, values, refs, collections):
        label, content = refs.get("label"), refs.get("content")
        content_id = content[1] if content else values.get("labelableId", "").strip()
        if label and content_id:
            self.labellings.append((label[1], content_id))

    def user(self, ident, values, refs, collections):
        display = values.get("displayName") or values.get("fullName") or ""
        self.users[ident] = (values.get("name", "").strip() or None, values.get("email", "").strip() or None,
                             display.strip())

    def crowd_user(self, ident, values, refs, collections):
        name = values.get("lowerName") or values.get("name") or ""
        self.crowd[name.strip().lower()] = (values.get("displayName", "").strip(),
                                            values.get("emailAddress", "").strip() or None)

    def person(self, values, refs, role):
        """The key of who holds ``role`` ("creator"...): their user key, or, in
        exports older than user keys, their username (``creatorName``)."""
        ref = refs.get(role)
        if ref and ref[1]:
            return ref[1]
        name = (values.get(f"{role}Name") or "").strip()
        if name:
            self.usernames.add(name)
            return name
        return None

    def date(self, text):
        text = (text or "").strip()
        if text.isdigit():  # milliseconds since 1970 (newer exports' instants)
            return datetime.fromtimestamp(int(text) / 1000, UTC).replace(tzinfo=None)
        match = _DATE.match(text)
        if not match:
            return None
        *parts, fraction = match.groups()
        try:
            moment = datetime(*(int(p or 0) for p in parts), int((fraction or "0").ljust(6, "0")))
        except ValueError:  # "2021-13-45 ...": no such day
            return None
        return to_utc(moment, self.zone) if self.zone is not None else moment


_HANDLERS = {
    "Space": _Objects.space, "Page": _Objects.page, "Comment": _Objects.comment,
    "Attachment": _Objects.attachment, "BlogPost": _Objects.blog_post, "BodyContent": _Objects.body,
    "ContentProperty": _Objects.content_property, "Label": _Objects.label, "Labelling": _Objects.labelling,
    "ConfluenceUserImpl": _Objects.user, "InternalUser": _Objects.crowd_user,
}
_COLLECTIONS = ("bodyContents", "contentProperties")


def _fields(element):
    """``(id, values, references, collections)`` of one ``<object>``: plain
    properties by name, references to other objects by name (``(class, id)``),
    and the ids in the collections the reader needs."""
    ident, values, refs, collections = None, {}, {}, {}
    for child in element:
        if child.tag == "id":
            ident = (child.text or "").strip()
        elif child.tag == "property":
            ref = child.find("id")
            if ref is not None:
                refs[child.get("name")] = (child.get("class", ""), (ref.text or "").strip())
            else:
                values[child.get("name")] = child.text or ""
        elif child.tag == "collection" and child.get("name") in _COLLECTIONS:
            collections[child.get("name")] = [(item.findtext("id") or "").strip() for item in child]
    return ident, values, refs, collections


def _original(values, refs):
    ref = refs.get("originalVersion")
    original = ref[1] if ref else values.get("originalVersionId") or values.get("originalVersion") or ""
    original = original.strip()
    return original if original and original not in ("0", "-1") else None


def _int(text):
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def _number(ident):
    """Sort key of an id: numbers in numeric order, anything else after."""
    return (0, int(ident), "") if ident.isdigit() else (1, 0, ident)


# -- bodies on disk ----------------------------------------------------------------------


class _Spool:
    """Bodies in a SQLite file, read back when a version's or comment's text is asked for."""

    def __init__(self, path):
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE body (id TEXT PRIMARY KEY, content TEXT, type INTEGER, text TEXT)")
        self._pending, self._pending_size = [], 0
        self.closed = False

    def add(self, ident, content, kind, text):
        self._pending.append((ident, content, _STORAGE if kind is None else kind, text))
        self._pending_size += len(text)
        if self._pending_size >= _SPOOL_BYTES:
            self._flush()

    def _flush(self):
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO body VALUES (?, ?, ?, ?)", self._pending)
        self._db.execute("COMMIT")
        self._pending, self._pending_size = [], 0

    def finish(self):
        self._flush()
        self._db.execute("CREATE INDEX body_content ON body (content)")

    def text(self, content, ids):
        """The body of ``content`` (listed as ``ids`` in its object, or naming it), storage format first."""
        if self.closed:
            raise MissingData("the export is closed")
        marks = ",".join("?" * len(ids))
        query = (f"SELECT text FROM body WHERE id IN ({marks}) OR content = ? "  # noqa: S608 (only "?")
                 f"ORDER BY type = ? DESC, id IN ({marks}) DESC LIMIT 1")
        row = self._db.execute(query, (*ids, content, _STORAGE, *ids)).fetchone()
        return row[0] if row else None

    def close(self):
        if not self.closed:
            self.closed = True
            self._db.close()


# -- from objects to the space -----------------------------------------------------------


class _Assembly:
    """The space from the objects read: what is live, in Confluence's order,
    each thing attached to its page, and a problem for what cannot be."""

    def __init__(self, objects, descriptor, export, problems):
        self.o, self.descriptor, self.export, self.problems = objects, descriptor, export, problems
        self.missing_people = defaultdict(lambda: defaultdict(int))  # key -> what they signed -> how many

    def space(self):
        space_id, (key, name, home, _status) = self._space()
        self.current = {i: p for i, p in self.o.pages.items()
                        if p.original is None and p.status in _LIVE
                        and (space_id is _ANY_SPACE or p.space in (None, space_id))}
        # A version of a page stands for the page (comments, files and labels may name one).
        self.page_of = {i: p.original for i, p in self.o.pages.items() if p.original}
        self.left_out = {i for i, p in self.o.pages.items() if p.original is None and i not in self.current}
        pages = self._pages()
        by_id = {page.id: page for page in pages}
        self._comments(by_id)
        self._attachments(by_id)
        self._labels(by_id)
        if self.o.blog_posts:
            n = len(self.o.blog_posts)
            self.problems.append(Problem(ENTITIES, f"{n} blog post{'s' if n > 1 else ''}: not imported "
                                                   "(the wiki has no blog)"))
        people = self._people()
        for person, signed in self.missing_people.items():
            what = " and ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in signed.items())
            self.problems.append(Problem(f"person “{person}”", f"signs {what} but is not in the export: "
                                                               "imported without an author"))
        return Space(key=key, name=name, body_format="storage",
                     home_page_id=home if home in by_id else None, pages=pages, people=people,
                     problems=self.problems)

    def _space(self):
        spaces = self.o.spaces
        wanted = self.descriptor.get("spaceKey")
        chosen = [i for i, s in spaces.items() if s[0] == wanted] or list(spaces)
        if not chosen:
            if wanted:  # no Space object, but the descriptor names it: every page is the space's
                return _ANY_SPACE, (wanted, "", None, "")
            raise ExportError(f"{ENTITIES} describes no space (no <object class=\"Space\">)")
        if len(chosen) > 1:
            counts = defaultdict(int)
            for page in self.o.pages.values():
                counts[page.space] += 1
            chosen.sort(key=lambda i: -counts[i])
            self.problems.append(Problem(ENTITIES, f"the export holds {len(chosen)} spaces: only "
                                                   f"{spaces[chosen[0]][0]} is read"))
        return chosen[0], spaces[chosen[0]]

    def _resolve(self, content_id):
        return self.page_of.get(content_id, content_id)

    def _author(self, key, signed):
        """``key`` if the export holds the person, else None (noted: ``signed`` says what they signed)."""
        if key is None or key in self.o.users or key in self.o.usernames:
            return key
        self.missing_people[key][signed] += 1
        return None

    def _text(self, content, ids, what):
        text = self.o.spool.text(content, ids)
        if text is None:
            if ids:
                raise MissingData(f"{what}: its text is not in the export")
            return ""  # an empty page: Confluence stores no body for it
        return text

    def _lacks_body(self, content):
        """Whether ``content`` lists a body the export does not hold."""
        return bool(content.bodies) and self.o.spool.text(content.id, content.bodies) is None

    # -- pages

    def _pages(self):
        children, roots = defaultdict(list), []
        for page in self.current.values():
            parent = page.parent
            if parent is not None and parent not in self.current:
                why = ("a draft or in the trash" if self._resolve(parent) in self.left_out
                       else "not in the export")
                self.problems.append(Problem(_where(page), f"its parent (page {parent}) is {why}: "
                                                           "imported at the top"))
                page.parent = parent = None
            (children[parent] if parent is not None else roots).append(page)
        history = defaultdict(list)
        for version in self.o.pages.values():
            if version.original in self.current and version.status in (*_LIVE, "historical"):
                history[version.original].append(version)
        ordered, placed = [], set()
        stack = _in_order(roots, self.o.spaces)[::-1]
        while stack:
            source, position = stack.pop()
            placed.add(source.id)
            ordered.append(self._page(source, position, history[source.id]))
            stack.extend(_in_order(children[source.id])[::-1])
        for source in sorted(self.current.values(), key=lambda p: _number(p.id)):
            if source.id not in placed:  # a loop of parents: the writer reports and places them
                ordered.append(self._page(source, None, history[source.id]))
        return ordered

    def _page(self, source, position, older):
        page = Page(id=source.id, title=source.title, parent_id=source.parent, position=position)
        for version in sorted(older, key=lambda v: (v.number, _number(v.id))) + [source]:
            if version.number >= source.number and version is not source:
                continue  # a stray copy of the current version
            what = f"{_where(page)}, version {version.number}"
            if self._lacks_body(version):
                if version is not source:
                    self.problems.append(Problem(_where(page), f"version {version.number}: its text is not "
                                                               "in the export: left out of the history"))
                    continue
                self.problems.append(Problem(_where(page), "its text is not in the export"))
            page.versions.append(Version(
                number=version.number, text=partial(self._text, version.id, version.bodies, what),
                author=self._author(version.author, "version"),
                created=version.modified or version.created, message=version.message))
        return page

    # -- comments, files, labels

    def _comments(self, pages):
        kept = defaultdict(list)
        for comment in self.o.comments.values():
            if comment.original is not None or comment.status not in _LIVE:
                continue
            page = self._container(comment, pages, "comment")
            if page is not None:
                kept[page].append(comment)
        for page_id, comments in kept.items():
            page = pages[page_id]
            ids = {c.id for c in comments}
            for source in sorted(comments, key=lambda c: (c.created or datetime.min, _number(c.id))):
                parent = source.parent
                if parent is not None and parent not in ids:
                    why = "deleted" if parent in self.o.comments else "not in the export"
                    self.problems.append(Problem(f"comment {source.id} on {_where(page)}",
                                                 f"it answers comment {parent}, which is {why}: "
                                                 "shown at the top of the thread"))
                    parent = None
                what = f"comment {source.id} on {_where(page)}"
                if self._lacks_body(source):
                    self.problems.append(Problem(what, "its text is not in the export"))
                edited = (source.modified if source.modified and source.created
                          and source.modified > source.created else None)  # else: never edited
                page.comments.append(Comment(
                    id=source.id, parent_id=parent, author=self._author(source.author, "comment"),
                    created=source.created, modified=edited,
                    text=partial(self._text, source.id, source.bodies, what)))

    def _attachments(self, pages):
        older = defaultdict(list)
        for attachment in self.o.attachments.values():
            if attachment.original is not None and attachment.status in (*_LIVE, "historical"):
                older[attachment.original].append(attachment)
        unsaved = self.descriptor.get("backupAttachments", "").strip().lower() == "false"
        missing = 0
        for source in sorted(self.o.attachments.values(), key=lambda a: _number(a.id)):
            if source.original is not None or source.status not in _LIVE:
                continue
            page_id = self._container(source, pages, "file")
            if page_id is None:
                continue
            page = pages[page_id]
            attachment = Attachment(id=source.id, name=source.title)
            versions = sorted(older[source.id] + [source], key=lambda a: (a.number, _number(a.id)))
            for version in versions:
                path = self._file(page_id, source, version)
                size = self._size(version)
                if path is None:
                    path = f"attachments/{page_id}/{source.id}/{version.number}"
                    missing += 1
                    if not unsaved:
                        self.problems.append(Problem(path, f"file “{source.title}” (version "
                                                           f"{version.number}) of {_where(page)} is "
                                                           "missing from the export"))
                    opener = partial(_missing, f"{path}: file “{source.title}” is missing from the export")
                else:
                    opener = partial(self.export.open, path)
                    size = size if size is not None else self.export.size(path)
                attachment.versions.append(FileVersion(
                    number=version.number, open=opener, size=size,
                    author=self._author(version.author, "file"),
                    created=version.modified or version.created, message=version.message))
            page.attachments.append(attachment)
        if unsaved and missing:
            self.problems.append(Problem(DESCRIPTOR, "the space was exported without its attachments "
                                                     f"(backupAttachments=false): {missing} files are "
                                                     "missing"))

    def _file(self, page_id, current, version):
        """Where the bytes of ``version`` are: under the current attachment's id
        (Confluence's layout), else under the version's own."""
        for ident in dict.fromkeys((current.id, version.id)):
            path = f"attachments/{page_id}/{ident}/{version.number}"
            if path in self.export:
                return path
        return None

    def _size(self, version):
        for ident in version.properties:
            if self.o.sizes.get(ident) is not None:
                return self.o.sizes[ident]
        return self.o.sizes_of.get(version.id, version.size)

    def _container(self, content, pages, what):
        """The id of the page ``content`` (a comment or file) belongs to, or None
        (left out: with a reported problem unless its page is left out on purpose)."""
        if content.container is None:
            self.problems.append(Problem(f"{what} {content.id}", "it belongs to no page: not imported"))
            return None
        kind, ident = content.container
        page_id = self._resolve(ident)
        if page_id in pages:
            return page_id
        if kind not in ("Page", "") or page_id in self.left_out or ident in self.o.blog_posts:
            return None  # a blog post's, a draft's, a page in the trash's
        name = f"“{content.title}”" if what == "file" and content.title else content.id
        self.problems.append(Problem(f"{what} {name}", f"its page ({ident}) is not in the export: "
                                                       "not imported"))
        return None

    def _labels(self, pages):
        for label_id, content_id in self.o.labellings:
            page = pages.get(self._resolve(content_id))
            name, namespace = self.o.labels.get(label_id, ("", ""))
            if page is not None and name and namespace in _LABEL_NAMESPACES and name not in page.labels:
                page.labels.append(name)
        for page in pages.values():
            page.labels.sort()

    # -- people

    def _people(self):
        people = {}
        for key, (username, email, display) in self.o.users.items():
            crowd_display, crowd_email = self.o.crowd.get((username or "").lower(), ("", None))
            people[key] = Person(key=key, username=username, email=email or crowd_email,
                                 display_name=display or crowd_display)
        for username in self.o.usernames:
            if username not in people:
                display, email = self.o.crowd.get(username.lower(), ("", None))
                people[username] = Person(key=username, username=username, email=email, display_name=display)
        return people


def _in_order(pages, spaces=None):
    """``[(page, position)]``: sibling pages in Confluence's order, by position
    (pages never moved have none: after), then title; at the top, the space's
    home page first. ``position`` counts from 0."""
    homes = {s[2] for s in (spaces or {}).values()}
    ordered = sorted(pages, key=lambda p: (p.id not in homes, p.position is None, p.position or 0,
                                           p.title.casefold(), _number(p.id)))
    return [(page, n) for n, page in enumerate(ordered)]


def _where(page):
    return f"page {page.id} “{page.title}”"


def _missing(message):
    raise MissingData(message)
