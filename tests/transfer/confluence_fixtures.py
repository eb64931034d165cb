"""Confluence space exports made in tests, the way Confluence writes them.

A small description of a space (``SpaceSpec``: pages with their versions,
comments, files and labels, and the people who wrote them) is written as
either kind of export, as a folder or a zip:

    space = workshop_space()
    write_xml_export(space, tmp_path / "xml")                       # entities.xml, attachments/...
    write_xml_export(space, tmp_path / "export.zip", zipped=True)
    write_html_export(space, tmp_path / "html")                     # index.html, Title_123.html...

The formats follow real exports (Hibernate's ``entities.xml`` with
``<object class="Page">``, ``exportDescriptor.properties``, ``attachments/
<page>/<file>/<version>``; the HTML export's page files with breadcrumbs,
``#main-content``, "Attachments:" and "Comments:" sections). Dates in a
description are naive UTC; the exports write them in ``SpaceSpec.timezone``,
as Confluence writes them in its server's zone. A body is written as given:
``storage`` (the XML export's storage format) and ``view`` (the HTML export's
rendering) are both written by hand, never converted here.

``workshop_space()`` is the community's own space rebuilt (the pages issue
17 brings over, as copied from their Confluence): the workshop page with its
agenda, its two expand macros without titles, its sessions as child pages,
its link to "Follow up" and its ten-comment thread (English and French, a nested "Me too" reply, and
anonymous comments); the "About" page; and a page with history (three
versions by two authors, with version comments), labels, a file in two
versions and an embedded image. ``generated_space()`` makes large spaces
(benchmarks, memory), lazily.
"""

import html
import random
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import md5
from pathlib import Path
from zoneinfo import ZoneInfo

from support.documents import pdf_without_pages, png

# -- the description -------------------------------------------------------------------------


@dataclass
class User:
    username: str
    display_name: str
    email: str | None = None

    @property
    def key(self):
        """A user key as Confluence makes them (32 hex digits)."""
        return "8a7f808a" + md5(self.username.encode()).hexdigest()[:24]  # noqa: S324 (not for security)


@dataclass
class Rev:
    """One version of a page's text, in the storage format."""

    storage: str
    author: str | None  # a username
    when: datetime  # UTC
    message: str = ""


@dataclass
class CommentSpec:
    id: str
    author: str | None  # a username; None: posted anonymously
    when: datetime
    body: str  # simple HTML: the same in the storage format and as shown
    reply_to: str | None = None
    edited: datetime | None = None


@dataclass
class FileRev:
    data: bytes
    author: str
    when: datetime
    message: str = ""
    id: str | None = None  # an older version's own id (Confluence gives each its own); the last: the file's


@dataclass
class FileSpec:
    id: str  # the file's id (its current version's)
    name: str
    media_type: str
    versions: list  # FileRev, oldest first

    def version_ids(self):
        return [v.id or f"{self.id}{n:02d}" for n, v in enumerate(self.versions[:-1], 1)] + [self.id]


@dataclass
class PageSpec:
    id: str
    title: str
    versions: list  # Rev, oldest first
    parent: str | None = None
    position: int | None = None
    labels: list = field(default_factory=list)
    comments: list = field(default_factory=list)  # CommentSpec, in posting order
    files: list = field(default_factory=list)  # FileSpec
    view: str | None = None  # the current text as the HTML export shows it (default: the storage text)

    @property
    def current(self):
        return self.versions[-1]


@dataclass
class SpaceSpec:
    key: str
    name: str
    pages: object  # PageSpec, parents before children (any iterable that can be read more than once)
    users: list
    id: str = "98305"
    home: str | None = None  # the home page's id
    timezone: str = "UTC"  # where the exporting server (and user) are
    exported: datetime = datetime(2021, 5, 3, 8, 0)
    # What the XML export holds and readers leave out (the HTML export never has them):
    drafts: list = field(default_factory=list)  # PageSpec
    trashed: list = field(default_factory=list)  # PageSpec, with their comments and files
    blog_posts: list = field(default_factory=list)  # PageSpec
    deleted_comments: list = field(default_factory=list)  # (page id, CommentSpec)
    personal_labels: list = field(default_factory=list)  # (page id, label, username): "my:" labels
    backup_attachments: bool = True


# -- writing the XML export ------------------------------------------------------------------

_PAGES, _CORE, _LABELS, _USERS, _SPACES, _CONTENT = (
    "com.atlassian.confluence.pages", "com.atlassian.confluence.core", "com.atlassian.confluence.labels",
    "com.atlassian.confluence.user", "com.atlassian.confluence.spaces", "com.atlassian.confluence.content")


def write_xml_export(space, path, zipped=False):
    """Write ``space`` as Confluence's XML export: a folder at ``path``, or a
    zip file there (``zipped``). Returns ``path``."""
    with _Output(Path(path), zipped) as out:
        with out.text("entities.xml") as stream:
            _XmlWriter(space, stream, out).write()
        out.write("exportDescriptor.properties", _descriptor(space).encode("latin-1"))
    return Path(path)


def entities(path):
    """The entities.xml of an unzipped XML export at ``path`` (to damage it in a test)."""
    return Path(path) / "entities.xml"


def _descriptor(space):
    zone = ZoneInfo(space.timezone)
    stamp = space.exported.replace(tzinfo=UTC).astimezone(zone)
    return (f"#{stamp.strftime('%a %b %d %H:%M:%S')} {stamp.tzname()} {stamp.year}\n"
            "exportType=space\n"
            f"spaceKey={space.key}\n"
            f"backupAttachments={'true' if space.backup_attachments else 'false'}\n"
            "createdByBuildNumber=8703\n"
            "createdByVersionNumber=7.13.0\n"
            "source=server\n"
            "defaultUsersGroup=confluence-users\n"
            f"timezoneId={space.timezone}\n")


def _cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class _XmlWriter:
    """Objects as Hibernate's export writes them, one page (with its bodies,
    versions, comments and files) after another, then the people."""

    def __init__(self, space, stream, out):
        self.space, self.stream, self.out = space, stream, out
        self.zone = ZoneInfo(space.timezone)
        self.next_id = 50_000_001
        self.users = {u.username: u for u in space.users}
        self.labels = {}  # (namespace, name) -> id

    def new_id(self):
        self.next_id += 1
        return str(self.next_id)

    def date(self, moment):
        local = moment.replace(tzinfo=UTC).astimezone(self.zone)
        return local.strftime("%Y-%m-%d %H:%M:%S.") + f"{local.microsecond // 1000:03d}"

    def emit(self, cls, package, ident, *fields, key=False):
        name = "key" if key else "id"
        value = _cdata(ident) if key else ident
        self.stream.write(f'<object class="{cls}" package="{package}">\n<id name="{name}">{value}</id>\n'
                          + "".join(f for f in fields if f) + "</object>\n")

    @staticmethod
    def prop(name, value, enum=None):
        if value is None:
            return f'<property name="{name}"/>'
        if enum:
            return f'<property name="{name}" enum-class="{enum}" package="{_SPACES}">{value}</property>\n'
        if isinstance(value, str):
            return f'<property name="{name}">{_cdata(value)}</property>\n'
        return f'<property name="{name}">{value}</property>\n'

    def ref(self, name, cls, package, ident):
        if ident is None:
            return ""
        if cls == "ConfluenceUserImpl":
            return (f'<property name="{name}" class="{cls}" package="{package}"><id name="key">'
                    f"{_cdata(ident)}</id>\n</property>\n")
        return (f'<property name="{name}" class="{cls}" package="{package}"><id name="id">{ident}</id>\n'
                "</property>\n")

    @staticmethod
    def collection(name, cls, package, ids):
        if not ids:
            return ""
        items = "".join(f'<element class="{cls}" package="{package}"><id name="id">{i}</id>\n</element>\n'
                        for i in ids)
        return f'<collection name="{name}" class="java.util.Collection">{items}</collection>\n'

    def user(self, username):
        return self.users[username].key if username else None

    def write(self):
        space = self.space
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                          f'<hibernate-generic datetime="{space.exported:%Y-%m-%d %H:%M:%S}">\n')
        description = self.new_id()
        self.emit("Space", _SPACES, space.id, self.prop("name", space.name), self.prop("key", space.key),
                  self.prop("lowerKey", space.key.lower()),
                  self.ref("description", "SpaceDescription", _SPACES, description),
                  self.ref("homePage", "Page", _PAGES, space.home),
                  self.prop("creationDate", self.date(datetime(2020, 10, 1, 8, 0))),
                  self.prop("spaceType", "global", enum="SpaceType"),
                  self.prop("spaceStatus", "CURRENT", enum="SpaceStatus"))
        self.emit("SpaceDescription", _SPACES, description, self.prop("hibernateVersion", 1),
                  self.ref("space", "Space", _SPACES, space.id))
        for page in space.pages:
            self.page(page, "current")
        for page in space.drafts:
            self.page(page, "draft")
        for page in space.trashed:
            self.page(page, "deleted")
        for page in space.blog_posts:
            self.page(page, "current", cls="BlogPost")
        for page_id, comment in space.deleted_comments:
            self.comment(page_id, comment, {}, status="deleted")
        for page_id, label, username in space.personal_labels:
            self.labelling(page_id, label, "my", username)
        for user in space.users:
            self.emit("ConfluenceUserImpl", _USERS, user.key, self.prop("name", user.username),
                      self.prop("lowerName", user.username.lower()), self.prop("email", user.email), key=True)
        for n, user in enumerate(space.users, 1):
            self.emit("InternalUser", "com.atlassian.crowd.model.user", str(n),
                      self.prop("name", user.username), self.prop("lowerName", user.username.lower()),
                      self.prop("active", "true"), self.prop("displayName", user.display_name),
                      self.prop("emailAddress", user.email))
        self.stream.write("</hibernate-generic>\n")

    def page(self, page, status, cls="Page"):
        history = [self.new_id() for _ in page.versions[:-1]]
        body = self.new_id()
        comments = {c.id: c for c in page.comments}
        first, last = page.versions[0], page.current
        self.emit(cls, _PAGES, page.id, self.prop("hibernateVersion", len(page.versions)),
                  self.prop("title", page.title), self.prop("lowerTitle", page.title.lower()),
                  self.collection("bodyContents", "BodyContent", _CORE, [body]),
                  self.prop("version", len(page.versions)),
                  self.ref("creator", "ConfluenceUserImpl", _USERS, self.user(first.author)),
                  self.prop("creationDate", self.date(first.when)),
                  self.ref("lastModifier", "ConfluenceUserImpl", _USERS, self.user(last.author)),
                  self.prop("lastModificationDate", self.date(last.when)),
                  self.prop("versionComment", last.message), self.prop("originalVersionId", None),
                  self.collection("historicalVersions", cls, _PAGES, history),
                  self.prop("contentStatus", status), self.ref("space", "Space", _SPACES, self.space.id),
                  self.prop("position", page.position), self.ref("parent", "Page", _PAGES, page.parent),
                  self.collection("comments", "Comment", _PAGES, list(comments)),
                  self.collection("attachments", "Attachment", _PAGES, [f.id for f in page.files]))
        self.body(body, page.id, cls, last.storage)
        for number, (ident, version) in enumerate(zip(history, page.versions, strict=False), 1):
            version_body = self.new_id()
            self.emit(cls, _PAGES, ident, self.prop("hibernateVersion", 1), self.prop("title", page.title),
                      self.prop("lowerTitle", page.title.lower()),
                      self.collection("bodyContents", "BodyContent", _CORE, [version_body]),
                      self.prop("version", number),
                      self.ref("creator", "ConfluenceUserImpl", _USERS, self.user(first.author)),
                      self.prop("creationDate", self.date(first.when)),
                      self.ref("lastModifier", "ConfluenceUserImpl", _USERS, self.user(version.author)),
                      self.prop("lastModificationDate", self.date(version.when)),
                      self.prop("versionComment", version.message),
                      self.ref("originalVersion", cls, _PAGES, page.id),
                      self.prop("originalVersionId", int(page.id)),
                      self.prop("contentStatus", "current"))
            self.body(version_body, ident, cls, version.storage)
        for comment in page.comments:
            self.comment(page.id, comment, comments, container=cls)
        for file in page.files:
            self.file(page.id, file, cls)
        for label in page.labels:
            self.labelling(page.id, label, "global", last.author, cls)

    def body(self, ident, content, cls, text):
        self.emit("BodyContent", _CORE, ident, self.prop("body", text),
                  self.ref("content", cls, _PAGES, content), self.prop("bodyType", 2))

    def comment(self, page_id, comment, comments, status="current", container="Page"):
        body = self.new_id()
        replies = [c.id for c in comments.values() if c.reply_to == comment.id]
        author = self.user(comment.author)
        self.emit("Comment", _PAGES, comment.id, self.prop("hibernateVersion", 1),
                  self.collection("bodyContents", "BodyContent", _CORE, [body]),
                  self.prop("version", 2 if comment.edited else 1),
                  self.ref("creator", "ConfluenceUserImpl", _USERS, author),
                  self.prop("creationDate", self.date(comment.when)),
                  self.ref("lastModifier", "ConfluenceUserImpl", _USERS, author),
                  self.prop("lastModificationDate", self.date(comment.edited or comment.when)),
                  self.prop("versionComment", ""), self.prop("originalVersionId", None),
                  self.prop("contentStatus", status),
                  self.ref("containerContent", container, _PAGES, page_id),
                  self.ref("parent", "Comment", _PAGES, comment.reply_to),
                  self.collection("children", "Comment", _PAGES, replies))
        self.body(body, comment.id, "Comment", comment.body)

    def file(self, page_id, file, container):
        ids = file.version_ids()
        for number, (ident, version) in enumerate(zip(ids, file.versions, strict=True), 1):
            current = ident == file.id
            size, kind = self.new_id(), self.new_id()
            self.emit("Attachment", _PAGES, ident, self.prop("hibernateVersion", 1),
                      self.prop("title", file.name),
                      self.prop("lowerTitle", file.name.lower()),
                      self.collection("contentProperties", "ContentProperty", _CONTENT, [size, kind]),
                      self.prop("version", number),
                      self.ref("creator", "ConfluenceUserImpl", _USERS, self.user(file.versions[0].author)),
                      self.prop("creationDate", self.date(file.versions[0].when)),
                      self.ref("lastModifier", "ConfluenceUserImpl", _USERS, self.user(version.author)),
                      self.prop("lastModificationDate", self.date(version.when)),
                      self.prop("versionComment", version.message),
                      self.ref("originalVersion", "Attachment", _PAGES, None if current else file.id),
                      self.prop("originalVersionId", None if current else int(file.id)),
                      self.prop("contentStatus", "current"),
                      self.ref("containerContent", container, _PAGES, page_id),
                      self.ref("space", "Space", _SPACES, self.space.id),
                      self.collection("historicalVersions", "Attachment", _PAGES,
                                      ids[:-1] if current else []))
            self.emit("ContentProperty", _CONTENT, size, self.prop("name", "FILESIZE"),
                      self.prop("stringValue", None), self.prop("longValue", len(version.data)))
            self.emit("ContentProperty", _CONTENT, kind, self.prop("name", "MEDIA_TYPE"),
                      self.prop("stringValue", file.media_type), self.prop("longValue", None))
            if self.space.backup_attachments:
                self.out.write(f"attachments/{page_id}/{file.id}/{number}", version.data)

    def labelling(self, page_id, name, namespace, username, cls="Page"):
        label = self.labels.get((namespace, name))
        if label is None:
            label = self.labels[(namespace, name)] = self.new_id()
            owner = ""
            if namespace == "my":
                owner = self.ref("owningUser", "ConfluenceUserImpl", _USERS, self.user(username))
            self.emit("Label", _LABELS, label, self.prop("name", name), owner,
                      self.prop("namespace", namespace),
                      self.prop("creationDate", self.date(datetime(2021, 4, 1))))
        self.emit("Labelling", _LABELS, self.new_id(), self.ref("label", "Label", _LABELS, label),
                  self.ref("content", cls, _PAGES, page_id),
                  self.ref("owningUser", "ConfluenceUserImpl", _USERS, self.user(username)),
                  self.prop("creationDate", self.date(datetime(2021, 4, 1))),
                  self.prop("labelableId", int(page_id)), self.prop("labelableType", "CONTENT"))


# -- writing the HTML export -----------------------------------------------------------------

_GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00" \
       b"\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def write_html_export(space, path, zipped=False):
    """Write ``space`` as Confluence's HTML export: a folder at ``path``, or a
    zip file there (``zipped``; it holds the export in a folder named after
    the space's key, as Confluence's does). Returns ``path``."""
    pages = list(space.pages)
    folder = f"{space.key}/" if zipped else ""
    with _Output(Path(path), zipped) as out:
        writer = _HtmlWriter(space, pages)
        out.write(folder + "index.html", writer.index().encode())
        for page in pages:
            out.write(folder + writer.file_name(page), writer.page(page).encode())
            for file in page.files:
                for ident, version in zip(file.version_ids(), file.versions, strict=True):
                    out.write(folder + writer.file_path(page, file, ident), version.data)
        out.write(folder + "styles/site.css", b"body { font-family: sans-serif; }\n")
        out.write(folder + "images/icons/bullet_blue.gif", _GIF)
        out.write(folder + "images/icons/contenttypes/comment_16.png", png(16, 16, "blue"))
    return Path(path)


def html_file_name(page):
    """The name Confluence's HTML export gives a page's file: "Follow-up_1474580.html"."""
    stem = re.sub(r"[^\w.,&()'-]+", "", page.title.replace(" ", "-"))
    return f"{stem}_{page.id}.html"


class _HtmlWriter:
    def __init__(self, space, pages):
        self.space, self.pages = space, pages
        self.by_id = {p.id: p for p in pages}
        self.zone = ZoneInfo(space.timezone)
        self.users = {u.username: u for u in space.users}

    file_name = staticmethod(html_file_name)

    def children(self, parent):
        return sorted((p for p in self.pages if p.parent == parent),
                      key=lambda p: (p.position is None, p.position or 0, p.title.lower()))

    def local(self, moment):
        return moment.replace(tzinfo=UTC).astimezone(self.zone)

    def file_path(self, page, file, ident):
        extension = file.name.rsplit(".", 1)[-1] if "." in file.name else "bin"
        return f"attachments/{page.id}/{ident}.{extension}"

    def display(self, username):
        return self.users[username].display_name

    def index(self):
        home_icon = ('<img src="images/icons/contenttypes/home_page_16.png" height="16" width="16" '
                     'border="0" align="absmiddle"/>')

        def tree(parent):
            items = []
            for page in self.children(parent):
                sub = tree(page.id)
                items.append(f'<li><a href="{self.file_name(page)}">{html.escape(page.title)}</a>'
                             + (home_icon if page.id == self.space.home else "")
                             + (f"\n<ul>{sub}</ul>\n" if sub else "") + "</li>\n")
            return "".join(items)

        name, key = html.escape(self.space.name), html.escape(self.space.key)
        return _HTML_PAGE.format(title=name, body=f"""
                <div id="main-header">
                    <h1 id="title-heading" class="pagetitle">
                        <span id="title-text">{name}</span>
                    </h1>
                </div>
                <div id="content" class="view">
                    <div id="main-content" class="pageSection">
                        <div class="pageSection group">
                            <div class="pageSectionHeader">
                                <h2 id="space-details" class="pageSectionTitle">Space Details:</h2>
                            </div>
                            <table class="confluenceTable">
                                <tr><th class="confluenceTh">Key</th><td class="confluenceTd">{key}</td></tr>
                                <tr><th class="confluenceTh">Name</th>
                                    <td class="confluenceTd">{name}</td></tr>
                                <tr><th class="confluenceTh">Description</th>
                                    <td class="confluenceTd"></td></tr>
                            </table>
                        </div>
                        <div class="pageSection group">
                            <div class="pageSectionHeader">
                                <h2 id="available-pages" class="pageSectionTitle">Available Pages:</h2>
                            </div>
                            <ul>
{tree(None)}                            </ul>
                        </div>
                    </div>
                </div>""")

    def page(self, page):
        crumbs, node = [], self.by_id.get(page.parent)
        while node is not None:
            link = f'<a href="{self.file_name(node)}">{html.escape(node.title)}</a>'
            crumbs.insert(0, f"<li><span>{link}</span></li>")
            node = self.by_id.get(node.parent)
        first, last = page.versions[0], page.current
        meta = f"Created by <span class='author'> {html.escape(self.display(first.author))}</span>"
        if last.author != first.author:
            editor = html.escape(self.display(last.author))
            meta += f", last modified by <span class='editor'> {editor}</span>"
        elif len(page.versions) > 1:
            meta += ", last modified"
        meta += f" on {self.local(last.when):%b %d, %Y}"
        title = f"{html.escape(self.space.name)} : {html.escape(page.title)}"
        return _HTML_PAGE.format(title=title, body=f"""
                <div id="main-header">
                    <div id="breadcrumb-section">
                        <ol id="breadcrumbs">
                            <li class="first">
                                <span><a href="index.html">{html.escape(self.space.name)}</a></span>
                            </li>
                            {"".join(crumbs)}
                        </ol>
                    </div>
                    <h1 id="title-heading" class="pagetitle">
                        <span id="title-text">{title}</span>
                    </h1>
                </div>
                <div id="content" class="view">
                    <div class="page-metadata">
                        {meta}
                    </div>
                    <div id="main-content" class="wiki-content group">
                    {page.view if page.view is not None else last.storage}
                    </div>
{self.labels(page)}{self.files(page)}{self.comments(page)}
                </div>""")

    def labels(self, page):
        if not page.labels:
            return ""
        items = "".join(f'<li class="aui-label" data-label-id="{n}"><a class="aui-label-split-main" '
                        f'href="/label/{self.space.key}/{html.escape(label)}" rel="tag">'
                        f"{html.escape(label)}</a></li>" for n, label in enumerate(page.labels, 1))
        return f"""                    <div class="pageSection group">
                        <div class="labels-section-content content-column" entityid="{page.id}"
                             entitytype="page">
                            <div class="labels-content"><ul class="label-list">{items}</ul></div>
                        </div>
                    </div>
"""

    def files(self, page):
        if not page.files:
            return ""
        rows = []
        for file in sorted(page.files, key=lambda f: f.name.lower()):
            for ident in file.version_ids():
                rows.append(f'<img src="images/icons/bullet_blue.gif" height="8" width="8" alt=""/>\n'
                            f'<a href="{self.file_path(page, file, ident)}">{html.escape(file.name)}</a> '
                            f"({file.media_type})\n<br/>\n")
        return f"""                    <div class="pageSection group">
                        <div class="pageSectionHeader">
                            <h2 id="attachments" class="pageSectionTitle">Attachments:</h2>
                        </div>
                        <div class="greybox" align="left">
{"".join(rows)}                        </div>
                    </div>
"""

    def comments(self, page):
        if not page.comments:
            return ""
        rows = []
        for n, comment in enumerate(page.comments):
            style = ' style="border-top: 1px dashed #666666"' if n else " "
            who = comment.author or "Anonymous"
            rows.append(f"""                        <tr>
                            <td{style}>
                                <a name="comment-{comment.id}"></a>
                                <font class="smallfont">{comment.body}</font>
                                <div align="left" class="smallfont"
                                     style="color: #666666; width: 98%; margin-bottom: 10px;">
                                    <img src="images/icons/contenttypes/comment_16.png" height="16" width="16"
                                         border="0" align="absmiddle"/>
                                    Posted by {html.escape(who)} at {self.local(comment.when):%b %d, %Y %H:%M}
                                </div>
                            </td>
                        </tr>
""")
        return f"""                    <div class="pageSection group">
                        <div class="pageSectionHeader">
                            <h2 id="comments" class="pageSectionTitle">Comments:</h2>
                        </div>
                        <table border="0" width="100%">
{"".join(rows)}                        </table>
                    </div>
"""


_HTML_PAGE = """<!DOCTYPE html>
<html>
    <head>
        <title>{title}</title>
        <link rel="stylesheet" href="styles/site.css" type="text/css" />
        <META http-equiv="Content-Type" content="text/html; charset=UTF-8">
    </head>

    <body class="theme-default aui-theme-default">
        <div id="page">
            <div id="main" class="aui-page-panel">{body}
            </div>
            <div id="footer" role="contentinfo">
                <section class="footer-body">
                    <p>Document generated by Confluence on May 03, 2021 10:00</p>
                    <div id="footer-logo"><a href="http://www.atlassian.com/">Atlassian</a></div>
                </section>
            </div>
        </div>
    </body>
</html>
"""


# -- output: a folder or a zip ---------------------------------------------------------------


class _Output:
    """Files written into a folder; for a zip, a temporary folder zipped at the end."""

    def __init__(self, path, zipped):
        self.path, self.zipped = path, zipped

    def __enter__(self):
        if self.zipped:
            self._temporary = tempfile.TemporaryDirectory()
            self.folder = Path(self._temporary.name)
        else:
            self.folder = self.path
            self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc):
        if not self.zipped:
            return
        try:
            if exc[0] is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                    for file in sorted(p for p in self.folder.rglob("*") if p.is_file()):
                        archive.write(file, file.relative_to(self.folder).as_posix())
        finally:
            self._temporary.cleanup()

    def write(self, name, data):
        target = self.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def text(self, name):
        """A text stream to the file ``name`` (UTF-8), written as it goes."""
        return (self.folder / name).open("w", encoding="utf-8")


# -- bodies: the same content in the storage format and as the HTML export shows it ------------


class _Storage:
    """Confluence's storage format."""

    def __init__(self, titles):
        self.titles = titles  # page id -> title

    def page_link(self, page_id, text=None):
        body = f"<ac:plain-text-link-body>{_cdata(text)}</ac:plain-text-link-body>" if text else ""
        return f'<ac:link><ri:page ri:content-title="{html.escape(self.titles[page_id])}" />{body}</ac:link>'

    @staticmethod
    def expand(inner, macro_id):
        return (f'<ac:structured-macro ac:name="expand" ac:schema-version="1" ac:macro-id="{macro_id}">'
                f"<ac:rich-text-body>{inner}</ac:rich-text-body></ac:structured-macro>")

    @staticmethod
    def children(macro_id):
        return f'<ac:structured-macro ac:name="children" ac:schema-version="2" ac:macro-id="{macro_id}" />'

    @staticmethod
    def image(page_id, file):
        return (f'<ac:image ac:height="250"><ri:attachment ri:filename="{html.escape(file.name)}" />'
                "</ac:image>")

    @staticmethod
    def file_link(page_id, file):
        return f'<ac:link><ri:attachment ri:filename="{html.escape(file.name)}" /></ac:link>'

    @staticmethod
    def mention(user):
        return f'<ac:link><ri:user ri:userkey="{user.key}" /></ac:link>'


class _View:
    """The HTML export's rendering of the same content."""

    def __init__(self, titles, children=None):
        self.titles, self.child_pages = titles, children or {}

    def page_link(self, page_id, text=None):
        name = html_file_name(PageSpec(page_id, self.titles[page_id], []))
        return (f'<a href="{name}" data-linked-resource-id="{page_id}" data-linked-resource-version="1" '
                f'data-linked-resource-type="page">{html.escape(text or self.titles[page_id])}</a>')

    @staticmethod
    def expand(inner, macro_id):
        number = int(md5(macro_id.encode()).hexdigest()[:8], 16)  # noqa: S324 (an element id)
        return (f'<div id="expander-{number}" class="expand-container">'
                f'<div id="expander-control-{number}" class="expand-control">'
                '<span class="expand-control-icon icon">&nbsp;</span>'
                '<span class="expand-control-text">Click here to expand...</span></div>'
                f'<div id="expander-content-{number}" class="expand-content">{inner}</div></div>')

    def children(self, macro_id):
        items = "".join(f"<li>{self.page_link(i)}</li>" for i in self.child_pages.get(macro_id, []))
        return f'<ul class="childpages-macro">{items}</ul>'

    @staticmethod
    def image(page_id, file):
        path = f"attachments/{page_id}/{file.id}.{file.name.rsplit('.', 1)[-1]}"
        return (f'<span class="confluence-embedded-file-wrapper confluence-embedded-manual-size">'
                f'<img class="confluence-embedded-image" height="250" src="{path}" data-image-src="{path}" '
                f'data-linked-resource-id="{file.id}" data-linked-resource-version="{len(file.versions)}" '
                f'data-linked-resource-type="attachment" '
                f'data-linked-resource-default-alias="{html.escape(file.name)}" '
                f'data-linked-resource-content-type="{file.media_type}" '
                f'data-linked-resource-container-id="{page_id}"></span>')

    @staticmethod
    def file_link(page_id, file):
        path = f"attachments/{page_id}/{file.id}.{file.name.rsplit('.', 1)[-1]}"
        return (f'<a href="{path}" data-linked-resource-id="{file.id}" '
                'data-linked-resource-type="attachment" '
                f'data-linked-resource-default-alias="{html.escape(file.name)}" '
                f'data-nice-type="PDF Document">{html.escape(file.name)}</a>')

    @staticmethod
    def mention(user):
        return (f'<a class="confluence-userlink user-mention" data-username="{user.username}" '
                f'href="https://wiki.example.org/display/~{user.username}" '
                'data-linked-resource-type="userinfo">'
                f"{html.escape(user.display_name)}</a>")


# -- the community's space ---------------------------------------------------------------------

USERS = [
    User("lhoffmann", "Lena Hoffmann", "lena.hoffmann@example.org"),
    User("mdubois", "Marc Dubois", "marc.dubois@example.org"),
    User("akone", "Awa Koné", "awa.kone@example.org"),
    User("pmwangi", "Peter Mwangi", "peter.mwangi@example.org"),
    User("rsharma", "Ravi Sharma", "ravi.sharma@example.org"),
    User("noettle", "Noel Oettle", "noel.oettle@example.org"),
    User("sreyes", "Sofia Reyes", "sofia.reyes@example.org"),
    User("jweber", "Jonas Weber", "jonas.weber@example.org"),
]
# Page ids
HOME, WORKSHOP, FOLLOW_UP, ABOUT, TOOLKIT = "65538", "1474563", "1474580", "65541", "2097153"
SESSIONS = ["1474570", "1474571", "1474572", "1474573"]
WORKSHOP_TITLE = ("Monitoring Climate Benefits of Sustainable Land Management with a Focus on Soil "
                  "Organic Carbon")
SESSION_TITLES = [
    "Session 1 - Topic 1 - Carbon Benefits Project, LandPKS and WOCAT",
    "Session 1 - Topic 2 - Monitoring using the SALM approach and integration in national monitoring "
    "programs",
    "Session 2 - Topic 1 & 2 - CarbASIA-Project - Carbon Storage Assessment and Interaction with National "
    "Institutions in Kyrgyzstan",
    "Session 3 - Topic 1 - Landscape Scale Assessments of Soil Organic Carbon and other Key Indicators of "
    "Land and Soil Health (Land Degradation Surveillance Framework)",
]
ME_TOO = "1474612"  # the reply, to comment 6 (NOEL)
NOEL = "1474611"
ANONYMOUS_COMMENTS = ["1474608", "1474609", "1474618"]
EXPANDS = ("a3f1c2de-5b7e-4c1f-9d0a-1e2f3a4b5c6d", "b4e2d3ef-6c8f-4d20-8e1b-2f3a4b5c6d7e")
CHILDREN_MACRO = "c5f3e4a0-7d9a-4e31-9f2c-3a4b5c6d7e8f"
PDF_V1, PDF_V2 = pdf_without_pages("field guide, first edition"), pdf_without_pages("field guide, corrected")
GRID = png(40, 30, "green")


def _utc(*parts):
    return datetime(*parts)


def _agenda():
    def session(name, day, hours, utc, items):
        rows = "".join(f"<li>{item}</li>" for item in items)
        return (f"<p><strong>{name}</strong></p><p>{day}  {hours} CEST </p><p>({utc})</p>"
                f"<ol>{rows}</ol>")
    return (
        "<h2>27-29 April 2021</h2>"
        + session("Session 1:", "Tuesday, April 27", "01:00 pm - 03:15 pm", "UTC 11:00 am - 01:15 pm", [
            "Welcome note and setting the scene by 4per1000/GIZ (15 minutes Juliane Wiesenhuetter, GIZ and "
            "Paul Luu, 4per1000)",
            "Workshop presentation on Carbon Benefits Project, LandPKS and WOCAT (Eleanor Milne ,Colorado "
            "State University, Tatenda Lemann, WOCAT Executive Team and Jeff Herrick, LandPKS)",
            "Workshop presentation on Monitoring using the SALM approach and integration in national "
            "monitoring programs (Mamadou Batiene, REDD+ Focal Point Burkina Faso and Georges Kuate, REDD+ "
            "Consultant). French language with translation into English."])
        + session("Session 2:", "Wednesday, April 28", "01:00 pm - 03:00 pm", "UTC 11:00 am - 01:00 pm", [
            "Workshop presentation on CarbASIA-Project  Carbon Storage Assessment for the Country Kyrgyzstan "
            "through Sampling of Representative Land Units (1 hour, led by Margarete Korintenberg, "
            "Humboldt-Universität zu Berlin) ",
            "Workshop presentation on CarbASIA-Project  Interaction with and Support to National "
            "Institutions in the Field of LDN Reporting (1 hour, led by Klaus Eisenack, Humboldt-Universität "
            "zu Berlin) "])
        + session("Session 3:", "Thursday, April 29", "01:00 pm - 02:30 pm", "UTC 11:00 am - 12:30 pm", [
            "Workshop presentation on Landscape Scale Assessments of Soil Organic Carbon and other Key "
            "Indicators of Land and Soil Health - Land Degradation Surveillance Framework (1 hour, led by "
            "Leigh Ann Winowiecki, World Agroforestry ICRAF) ",
            "Final wrap-up of the workshop by 4p1000/GIZ (15 minutes)",
            "Q&amp;A on next steps for the CoP (15 minutes)"]))


_BACKGROUND = (
    "<p>Building on the success of the last event in October 2020, the Climate-Soil Community of Practice "
    "(CoP) and the 4 per 1000 Initiative are pleased to announce their next event. The CoP members are "
    "professionals in the field of international cooperation and development as well as practitioners "
    "looking to improve their technical skills regarding the Climate-Soil-Nexus. The CoP has selected the "
    "topic \"Monitoring climate benefits of sustainable land management, with a focus on Soil Organic Carbon "
    "(SOC)\" with special attention to different methodological approaches including remote sensing, "
    "farmer-led monitoring in the field, monitoring and upscaling of soil organic carbon with a "
    "stratification approach, as well as institutional challenges in applying them.</p><p>Sustainable land "
    "management is receiving increasing attention as a promising climate action option. As part of GIZ's "
    "Sector Project on Soil Protection, 'climate protection through soil conservation' has been defined as a "
    "priority area for its activities from 2020 to 2023. Last CoP-Event provided an insight into the growing "
    "voluntary carbon market and the role of soil carbon projects in offsetting emissions.</p><p>The need of "
    "transparent, accurate, consistent and comparable methods for accounting changes in SOC stocks and net "
    "GHG emissions remains a challenge, particularly the quantification of the climate effects of "
    "sustainable land management interventions. Nevertheless, there are successful pragmatic, "
    "farmer-centered approaches, which need to be highlighted to enable collective learning from these "
    "experiences.</p><p>This CoP is meant to provide a space for actors to exchange knowledge and "
    "experiences, to present their work, to learn from each other, and to develop partnerships. At this "
    "upcoming event, we invite you to go back to the roots of a true workshop format aiming for "
    "participatory presentations, hands-on learning, small-group activities and collective problem solving. "
    "For the specific topic of monitoring, we propose to address these subjects illustrated by real-life "
    "case studies:</p><ol><li>Systematic monitoring framework for assessing soil and land health at "
    "landscape-level (Southern African countries)</li><li>Farmer-led monitoring nested into national carbon "
    "monitoring platform (Burkina Faso)</li><li>Soil carbon monitoring of large areas with a stratification "
    "approach (Kyrgyzstan)</li><li>Integration of monitoring in national programs (Burkina "
    "Faso)</li></ol><p>Throughout the workshop, the discussion will revolve around these guiding "
    "questions:</p><ul><li>How does monitoring work on the ground?</li><li>What are strengths and weaknesses "
    "of different monitoring approaches?</li><li>How can monitoring be efficiently organized at the national "
    "and local level?</li><li>How can responsible organizations and research institutions cooperate "
    "involving farmers/land users?</li><li>How to bridge the gap between anecdotal and experience-based "
    "knowledge from farmers and scientifically robust data (incl. data collection and processing)?</li></ul>")

_STRUCTURE = (
    "<p>The event will take place on April 27 to 29 and will be structured as a three-day workshop composed "
    "of three moderated 2-hour sessions. While we hope that you can attend the entire workshop, participants "
    "can pick and choose which session they want to attend.</p><p>Importantly, we want to move away from "
    "traditional formats of presentations, followed by short questions and answer sessions. Instead, we are "
    "proposing interactive sessions, composed of one-hour presentations, that will facilitate knowledge "
    "exchange between participants and presenters. Therefore, the moderated sessions will be conceived as a "
    "case study presentation followed by an interactive discussion and knowledge exchange or may include "
    "breakout groups on specific questions (to be determined by the presenter of each session).</p>")


def _workshop_body(f):
    sessions = "".join(f"<p>{f.page_link(i)}</p>" for i in SESSIONS)
    return (_agenda()
            + "<h2>Follow up</h2>"
            + f"<p>{f.page_link(FOLLOW_UP, 'Click here')} to to to the Follow up page to drop your questions "
              "and "
              "suggestions</p>"
            + "<h2>Sessions and topics</h2>" + sessions
            + f.expand(_BACKGROUND, EXPANDS[0])
            + "<h2>Proposed structure</h2>"
            + f.expand(_STRUCTURE, EXPANDS[1]))


_ABOUT = (
    "<h1>Nature and Purpose</h1><p>Communities of practice are groups of people who share a concern or a "
    "passion for something they do and learn how to do it better as they interact regularly. This CoP is "
    "composed of professionals working in development cooperation who are dealing with issues related to the "
    "climate-soil nexus.</p><p>The CoP is made possible through a supporting partnership. These partners "
    "work together and support each other financially and organizationally within the framework of their own "
    "ongoing relevant activities. Currently these are:</p><p>This decentralized approach contributes "
    "significantly to the sustainability and vitality of the CoP. From the supporters' point of view, the "
    "partnership allows to capitalize on the past accomplishments, the existing network and the platform, "
    "thus increasing the return on investment. Please contact the Executive Secretariat of the \"4 per "
    "1000\" Initiative if you would like to contribute. To register as a member of the CoP, please follow "
    "this link:</p><p><a href=\"https://www.example.org/climate-soil-cop/registration\">Registration for the "
    "Climate-Soil Community of Practice</a></p><p>Healthy soils are vital for our environment and food "
    "systems. They are fundamental for food security and biodiversity, mitigate greenhouse gas emissions, "
    "and help with adaptation to the adverse impacts of climate change. Nature-based Solutions that increase "
    "the amount of soil organic carbon (SOC) can significantly reduce the CO2-concentration in the "
    "atmosphere related to human activity, while contributing to fertile soils and suitable habitats for "
    "micro and macro fauna. Herewith, they are a crucial element to meet the targets of international "
    "agendas, like the Paris Agreement and the Sustainable Development Goals. Even though the potential of "
    "sustainable land management (SLM) and soil carbon is increasingly recognized at the international "
    "level, upscaling of soil-carbon practices on a broader scale is not yet achieved.</p><p>Together with "
    "the \"4 per 1000\" initiative, we want to promote awareness of the climate potential of sustainable "
    "land management and soil-carbon practices and identify concrete pathways for improvement and "
    "implementation. Specifically, we want to advocate increased and concrete consideration of soil organic "
    "carbon in relevant interventions and politicy processes, such as the National Determined Contributions "
    "(NDCs).</p><p>The \"Climate-Soil Community of Practice\" (CoP) aims to disseminate information on "
    "successful land management and soil carbon projects, highlight good practices for overcoming adoption "
    "barriers and strengthen the case for sustainable land management as a key to effective climate action. "
    "While \"4 per 1000\" facilitates related activities at the global level, this \"community of practice\" "
    "focuses on the development cooperation context.</p><p>This CoP provides a space for actors to exchange "
    "knowledge and experience, to present their work, to learn from each other and to develop partnerships. "
    "The process for their development is catalyzed by a series of events on selected topics. In cooperation "
    "with \"4 per 1000\", we will provide a platform for follow-up and networking for project development. "
    "</p><p>The discussions and exchange formats elaborate on the climate-soil nexus. Thus far, the "
    "community has focused on the following topics:</p><ul><li>Voluntary carbon markets (VCM) for soil "
    "organic carbon projects</li><li>Alignment of soil, agriculture, and climate policies</li><li>Biochar "
    "production and application models</li><li>Monitoring climate benefits of sustainable land "
    "management</li><li>Creating an Enabling Framework for Carbon Market Projects for Soil "
    "Protection</li></ul><p>As mentioned, the aim of the CoP is collective learning and the development and "
    "improvement of skills for community fellows working in the international cooperation sector.</p><p>We "
    "have envisaged and partly implemented these series of steps</p><p>survey to identify topics that matter "
    "in the field</p><ol><li>identification of priority topics, through kickoff workshop and polling "
    "</li><li>members share relevant data (documents, multimedia stuff, ...) and map ongoing and past "
    "projects, through the electronic platform</li><li>identify a few specialist who are doing "
    "it</li><li>organize the event, where people can learn, meet, discuss and identify key issues that need "
    "to be addressed</li><li>animate the discussion on the issues in RocketChat</li><li>document and share "
    "progress</li><li>initiate joint projects or activities</li></ol>")


def _workshop_comments():
    """The thread, in posting order: ten comments, and the reply to the sixth."""
    c = CommentSpec
    return [
        c("1474604", "akone", _utc(2021, 4, 21, 9, 12),
          "<p>Bonjour à toute l'équipe d'organisation.<br />Je viens demander comment s'inscrire car je vois "
          "pas de lien. Le sujet est très important dans le cadre de l'amélioration de la bonne santé du sol "
          "à travers l'augmentation et la conservation du carbone organique du sol. Ce thème, vu son "
          "importance doit être un événement pendant la COP26 à Glasgow. J'aimerais participer activement à "
          "l'atelier virtuel et à la cop 26</p>"),
        c("1474606", "pmwangi", _utc(2021, 4, 21, 14, 40),
          "<p>Thanks very much for linking us will this wonderful capacity building opportunity. knowledge "
          "is the powerful tool for effective response in Climate change. Its my sincere hope that you will "
          "continue building our capacity to effectively work will relevant and innovative actions.</p>"),
        c(ANONYMOUS_COMMENTS[0], None, _utc(2021, 4, 22, 8, 3),
          "<p>Nous sommes tellement intéressés de pouvoir participer à cette noble session du fait que notre "
          "sol est toujours emporté par les aléas climatiques et par conséquent nous croupissons dans des "
          "défis interminables. </p>"),
        c(ANONYMOUS_COMMENTS[1], None, _utc(2021, 4, 23, 17, 25),
          "<p>Soils are crucial for society development and game changer for human and global "
          "challenges.</p>"),
        c("1474610", "rsharma", _utc(2021, 4, 27, 11, 4),
          "<p>I get an error when trying to join the sessions</p>"),
        c(NOEL, "noettle", _utc(2021, 4, 27, 11, 7),
          "<p>I have been unable to join the session, and repeatedly receive an error message</p><p>Noel "
          "Oettle, South Africa</p>"),
        c(ME_TOO, "sreyes", _utc(2021, 4, 27, 11, 9), "<p>Me too. I am getting this error</p>",
          reply_to=NOEL),
        c("1474614", "jweber", _utc(2021, 4, 27, 11, 10), "<p>Same here in Germany</p>"),
        c("1474615", "lhoffmann", _utc(2021, 4, 27, 11, 15),
          "<p>There is a technical problem, we are trying to restart at 14:00 CEST. Please be patient!</p>"),
        c("1474616", "lhoffmann", _utc(2021, 4, 28, 7, 30),
          "<p>Yesterday there were some global technical problems by our provider Microsoft Teams. Thats the "
          "reason why many participants were not able to enter the session. We are very sorry for the "
          "inconvenience.</p><p>Today all links should work.</p>", edited=_utc(2021, 4, 28, 7, 42)),
        c(ANONYMOUS_COMMENTS[2], None, _utc(2021, 4, 28, 9, 5),
          "<p>I will be join first time Session 2: Wednesday, April 28  01:00 pm - 03:00 pm CEST.</p><p>Can "
          "I join from this page?</p><p>Will you give us a link to join the session?</p><p>Best "
          "regargds.</p>"),
    ]


def workshop_space(timezone="Europe/Berlin"):
    """The community's space (see the module's docstring), in ``timezone``."""
    titles = {HOME: "Climate-Soil CoP Home", WORKSHOP: WORKSHOP_TITLE, FOLLOW_UP: "Follow up", ABOUT: "About",
              TOOLKIT: "Soil Carbon Toolkit", **dict(zip(SESSIONS, SESSION_TITLES, strict=True))}
    storage = _Storage(titles)
    view = _View(titles, {CHILDREN_MACRO: [WORKSHOP, TOOLKIT, ABOUT]})
    guide = FileSpec("2097170", "field-guide.pdf", "application/pdf", [
        FileRev(PDF_V1, "lhoffmann", _utc(2021, 3, 9, 14, 35), "First edition", id="2097190"),
        FileRev(PDF_V2, "mdubois", _utc(2021, 4, 12, 8, 0), "Corrected figures")])
    grid = FileSpec("2097175", "sampling-grid.png", "image/png",
                    [FileRev(GRID, "lhoffmann", _utc(2021, 4, 12, 8, 2))])

    def toolkit(f, step):
        text = "<p>Tools for measuring soil organic carbon in the field.</p>"
        if step >= 2:
            text += ("<h2>Sampling protocol</h2><ol><li>Mark a grid of sampling points.</li>"
                     "<li>Take cores at 0-30 cm.</li><li>Dry, sieve and weigh.</li></ol>")
        if step >= 3:
            text += (f"<p>The {f.file_link(TOOLKIT, guide)} explains each step.</p>"
                     f"<p>{f.image(TOOLKIT, grid)}</p>"
                     f"<p>Questions? Ask {f.mention(USERS[0])} or {f.mention(USERS[1])}.</p>")
        return text

    welcome = "<p>Welcome to the space of the Climate-Soil Community of Practice.</p>"

    def simple(page_id, text, when, position, parent=WORKSHOP, author="lhoffmann"):
        return PageSpec(page_id, titles[page_id], [Rev(text, author, when)], parent=parent, position=position)

    pages = [
        PageSpec(HOME, titles[HOME], [Rev(welcome + storage.children(CHILDREN_MACRO), "lhoffmann",
                                          _utc(2020, 10, 1, 8, 0))],
                 view=welcome + view.children(CHILDREN_MACRO)),
        PageSpec(WORKSHOP, WORKSHOP_TITLE,
                 [Rev(_workshop_body(storage), "lhoffmann", _utc(2021, 4, 15, 9, 0))],
                 parent=HOME, position=0, comments=_workshop_comments(), view=_workshop_body(view)),
        *[simple(page_id, f"<p>Slides and recording of {title.split(' - ')[0].lower()}, "
                          f"{html.escape(title.split(' - ')[1].lower())}.</p>", _utc(2021, 4, 29, 16, n), n)
          for n, (page_id, title) in enumerate(zip(SESSIONS, SESSION_TITLES, strict=True))],
        simple(FOLLOW_UP, "<p>Drop your questions and suggestions in the comments below.</p>",
               _utc(2021, 4, 26, 10, 0), 4),
        PageSpec(TOOLKIT, titles[TOOLKIT], [
            Rev(toolkit(storage, 1), "lhoffmann", _utc(2021, 3, 2, 10, 15), "First draft"),
            Rev(toolkit(storage, 2), "mdubois", _utc(2021, 3, 9, 14, 40), "Added the sampling protocol"),
            Rev(toolkit(storage, 3), "lhoffmann", _utc(2021, 4, 12, 8, 5),
                "Linked the field guide and the grid")],
            parent=HOME, position=1, labels=["monitoring", "soil-carbon", "toolkit"], files=[guide, grid],
            view=toolkit(view, 3), comments=[
                CommentSpec("2097200", "mdubois", _utc(2021, 4, 13, 9, 30),
                            "<p>Should we add the lab protocol too?</p>"),
                CommentSpec("2097201", "lhoffmann", _utc(2021, 4, 13, 10, 5),
                            "<p>Yes, next week.</p>", reply_to="2097200", edited=_utc(2021, 4, 13, 10, 20))]),
        simple(ABOUT, _ABOUT, _utc(2020, 11, 2, 10, 30), 2, parent=HOME),
    ]
    old_agenda = PageSpec(
        "1474590", "Old agenda", [Rev("<p>Superseded.</p>", "lhoffmann", _utc(2021, 3, 1, 9))],
        parent=WORKSHOP, position=5,
        comments=[CommentSpec("1474591", "jweber", _utc(2021, 3, 2, 9), "<p>Outdated?</p>")],
        files=[FileSpec("1474592", "old.pdf", "application/pdf",
                        [FileRev(pdf_without_pages("old"), "lhoffmann", _utc(2021, 3, 1, 9))])])
    draft = PageSpec("1474595", "Workshop report",
                     [Rev("<p>To be written.</p>", "mdubois", _utc(2021, 5, 1, 9))],
                     parent=WORKSHOP, position=6)
    return SpaceSpec(key="COP", name="Climate-Soil Community of Practice", pages=pages, users=USERS,
                     home=HOME, timezone=timezone, trashed=[old_agenda], drafts=[draft],
                     deleted_comments=[(WORKSHOP, CommentSpec("1474619", "jweber", _utc(2021, 4, 28, 9, 30),
                                                              "<p>Spam, removed.</p>"))],
                     personal_labels=[(TOOLKIT, "favourite", "mdubois")])


# -- large spaces ------------------------------------------------------------------------------

_WORDS = ("soil", "carbon", "monitoring", "field", "sample", "grid", "climate", "land", "management",
          "practice", "community", "project", "data", "method", "report", "season", "farmer", "plot")


class _Generated:
    """Pages made as they are read (so a space of any size costs no memory), the same each time."""

    def __init__(self, pages, comments, files, body_chars, users):
        self.pages, self.comments, self.files = pages, comments, files
        self.body_chars, self.users = body_chars, users

    def __iter__(self):
        rng = random.Random(17)
        start = datetime(2020, 1, 1, 9, 0)
        comments_each, extra_comments = divmod(self.comments, self.pages)
        for n in range(self.pages):
            page_id = str(3_000_000 + n)
            when = start + timedelta(hours=n)
            author = self.users[n % len(self.users)].username
            sentence = " ".join(rng.choice(_WORDS) for _ in range(40)) + ". "
            text = (sentence * (self.body_chars // len(sentence) + 1))[:self.body_chars]
            body = f"<h2>Page {n}</h2><p>{text}</p>"
            poster = self.users[n % len(self.users)].username
            comments = [CommentSpec(str(5_000_000 + n * 100 + k), poster, when + timedelta(minutes=k + 1),
                                    f"<p>Comment {k} on page {n}.</p>")
                        for k in range(comments_each + (1 if n < extra_comments else 0))]
            files = [FileSpec(str(7_000_000 + n), f"file-{n}.txt", "text/plain",
                              [FileRev(f"file {n}\n".encode(), author, when)])] if n < self.files else []
            yield PageSpec(page_id, f"Generated page {n}", [Rev(body, author, when)],
                           parent=None if n == 0 else str(3_000_000 + (n - 1) // 10), position=(n - 1) % 10,
                           labels=["generated"] if n % 3 == 0 else [], comments=comments, files=files)


def generated_space(pages=2000, comments=10000, files=1000, body_chars=2000, timezone="UTC"):
    """A large space, made as it is written: ``pages`` pages (ten children
    each, from the first), ``comments`` comments spread over them, one file on
    each of the first ``files`` pages, bodies of about ``body_chars``."""
    users = [User(f"user{n}", f"User {n}", f"user{n}@example.org") for n in range(20)]
    return SpaceSpec(key="GEN", name="Generated", pages=_Generated(pages, comments, files, body_chars, users),
                     users=users, home="3000000", timezone=timezone)
