"""Reading Confluence's HTML export into a ``model.Space`` of HTML bodies.

The export is what Confluence shows, saved: ``index.html`` lists the pages as
a tree (under "Available Pages", with the space's key and name in "Space
Details"); each page is ``<Title>_<id>.html`` with breadcrumbs, a
"Created by ..., last modified by ... on <day>" line, its content
(``#main-content``), then its files ("Attachments:", ``attachments/<page
id>/<file id>.<ext>``, older versions listed before the current one under the
same name) and its comments ("Comments:", each "Posted by <name> at <date>").

So it holds less than the XML export, and the space read from it says only
what it holds: each page has one version (the current text, dated to the
day), comments come without replies' threading (the export lists them flat)
or edits, files without authors or dates, people by the names shown (a
comment's poster by username, a page's author by display name; a user
mention ``data-username`` links the two). Labels are read from a page's
label list (``labels-section-content``) when the file has one. The tree
order is index.html's; a page file index.html does not list is placed by its
breadcrumbs. Dates are in the time zone of whoever exported (``timezone``,
default UTC).

Page files are parsed with lxml's HTML parser (no entities, no network) one
at a time: texts are extracted again when asked for, not kept.
"""

import html
import re
from datetime import datetime
from functools import partial
from urllib.parse import unquote, urlsplit

import lxml.html

from .model import Attachment, Comment, FileVersion, MissingData, Page, Person, Problem, Space, Version
from .source import INDEX, ExportError, time_zone, to_utc

MAX_PAGE_BYTES = 64 * 2**20  # a page file larger than this is reported and skipped
_ID = re.compile(r"(?:^|_)(\d+)\.html$")
_MONTHS = {month: n for n, month in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_DAY = r"([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4})"
_POSTED = re.compile(r"Posted by\s*(.*?)\s*at\s+" + _DAY + r"\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])?\s*$")
_ON_DAY = re.compile(r"\bon\s+" + _DAY)
_MEDIA_TYPE = re.compile(r"^\s*\(([^()]*)\)")
_ANONYMOUS = ("", "anonymous")


def _has_class(name):
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def read(export, timezone=None):
    """The space of the HTML ``export`` (an opened ``source.Export``).
    ``timezone``: the zone the export's dates are written in (a name; default UTC)."""
    zone = time_zone(timezone) if isinstance(timezone, str) else timezone
    return _Reader(export, zone).space()


class _Reader:
    """One reading of an HTML export: index.html, then each page file once;
    texts are read again from their file when asked for."""

    def __init__(self, export, zone):
        self.export, self.zone = export, zone
        self.problems = list(export.problems)
        self._cached = (None, None)

    def document(self, name):
        """The parsed page file ``name`` (the last one is kept: a page's texts
        are asked for one after the other). MissingData when it cannot be read."""
        if self._cached[0] != name:
            data = self.export.read_bytes(name, MAX_PAGE_BYTES)
            parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, no_network=True)
            try:
                document = lxml.html.document_fromstring(data, parser=parser)
            except (ValueError, lxml.etree.ParserError) as e:
                raise MissingData(f"{name}: not an HTML page ({e})") from None
            self._cached = (name, document)
        return self._cached[1]

    def space(self):
        try:
            index = self.document(INDEX)
        except MissingData as e:
            raise ExportError(str(e)) from None
        key, name = _space_details(index)
        if not key:
            key = re.sub(r"[^A-Za-z0-9]", "", name).upper()[:20] or "SPACE"
            self.problems.append(Problem(INDEX, f"it does not give the space's key: “{key}” is used"))
        self.space_name = name
        listed = _tree(index)
        files = self._files(listed)
        pages = [self._page(entry) for entry in files]
        pages = [p for p in pages if p is not None]
        self._place(pages)
        self._learn_names(pages)
        people = {}
        for page, info in pages:
            self._authors(page, info, people)
        models = [page for page, _ in pages]
        home = next((p.id for p in models if p.parent_id is None), None)
        return Space(key=key, name=name, body_format="html", home_page_id=home, pages=models,
                     people=people, problems=self.problems)

    # -- which files are pages, and where

    def _files(self, listed):
        """``[(file name, title, parent file, position)]``: index.html's tree,
        then the page files it does not list (placed by their breadcrumbs)."""
        entries, seen = [], set()
        for href, title, parent, position in listed:
            if href in seen:
                continue
            seen.add(href)
            if href not in self.export:
                self.problems.append(Problem(href, f"page “{title}” is listed in {INDEX} but its file is "
                                                   "not in the export: not imported"))
                continue
            entries.append((href, title, parent, position))
        for name in self.export.names():
            if name.endswith(".html") and "/" not in name and name != INDEX and name not in seen:
                entries.append((name, None, _BREADCRUMBS, None))
        return entries

    def _page(self, entry):
        name, title, parent, position = entry
        try:
            document = self.document(name)
        except MissingData as e:
            self.problems.append(Problem(name, f"{e}: not imported"))
            return None
        content = document.xpath('//*[@id="main-content"]')
        if not content:
            if title is not None:  # listed as a page: say why it is not one
                self.problems.append(Problem(name, "the file has no page content (#main-content): "
                                                   "not imported"))
            return None
        if parent is _BREADCRUMBS:
            crumbs = [h for h in (_href(a) for a in document.xpath('//*[@id="breadcrumbs"]//a')) if h]
            parent = next((h for h in reversed(crumbs) if h != INDEX), None)
        page = Page(id=_page_id(name), title=title or self._title(document, name), parent_id=parent,
                    position=position)
        info = _Info(name, page.id, document, self.zone)
        page.labels = info.labels
        page.attachments = self._attachments(page, info)
        return page, info

    def _title(self, document, name):
        text = " ".join(document.xpath('string(//*[@id="title-text"])').split())
        prefix = f"{self.space_name} : "
        if text.startswith(prefix):
            text = text[len(prefix):]
        return text or name.removesuffix(".html")

    def _place(self, pages):
        """Parents as page ids; a parent not among the pages: the page goes to the top."""
        ids = {page.id for page, _ in pages}
        for page, _ in pages:
            if page.parent_id is None:
                continue
            parent = _page_id(page.parent_id)
            if parent not in ids:
                self.problems.append(Problem(_where(page), f"its parent ({page.parent_id}) is not in the "
                                                           "export: imported at the top"))
                parent = None
            page.parent_id = parent

    # -- what a page file holds

    def _attachments(self, page, info):
        by_name = {}
        for path, name in info.files:
            attachment = by_name.get(name)
            if attachment is None:
                attachment = by_name[name] = Attachment(id="", name=name)
            number = len(attachment.versions) + 1
            attachment.id = _file_id(path)  # the current version's id: listed last
            if path in self.export:
                opener, size = partial(self.export.open, path), self.export.size(path)
            else:
                self.problems.append(Problem(path, f"file “{name}” (version {number}) of {_where(page)} is "
                                                   "missing from the export"))
                opener, size = partial(_missing, f"{path}: file “{name}” is missing from the export"), None
            attachment.versions.append(FileVersion(number=number, open=opener, size=size, author=None,
                                                   created=None))
        return list(by_name.values())

    def _learn_names(self, pages):
        """Pair usernames and display names, from the user mentions of every page."""
        self.username_of, self.display_of = {}, {}
        for _, info in pages:
            for username, display in info.mentions:
                self.username_of.setdefault(display, username)
                self.display_of.setdefault(username, display)

    def _person(self, people, shown, poster):
        """The key of whoever a page shows as ``shown`` (None: Anonymous): a
        comment's ``poster`` (a username, or a display name on newer
        Confluence), else a page's author (a display name)."""
        shown = " ".join((shown or "").split())
        if shown.lower() in _ANONYMOUS:
            return None
        if shown in self.display_of:
            username = shown
        elif shown in self.username_of:
            username = self.username_of[shown]
        else:
            username = shown if poster and " " not in shown else None
        key = username or shown
        if key not in people:
            display = self.display_of.get(username) or ("" if username == shown else shown)
            people[key] = Person(key=key, username=username, display_name=display)
        return key

    def _authors(self, page, info, people):
        author = self._person(people, info.editor or info.author, poster=False)
        page.versions = [Version(number=1, text=partial(self._content, info.name), author=author,
                                 created=info.day)]
        for comment_id, shown, posted in info.comments:
            page.comments.append(Comment(id=comment_id, parent_id=None,
                                         author=self._person(people, shown, poster=True),
                                         created=posted, modified=None,
                                         text=partial(self._comment, info.name, comment_id)))

    def _content(self, name):
        content = self.document(name).xpath('//*[@id="main-content"]')
        return _inner_html(content[0]) if content else ""

    def _comment(self, name, comment_id):
        cell = _comment_cells(self.document(name)).get(comment_id)
        if cell is None:
            raise MissingData(f"{name}: comment {comment_id} is not in the page file")
        body = cell.xpath(f'.//font[{_has_class("smallfont")}]')
        if body:
            return _inner_html(body[0])
        marks = cell.xpath('./a[@name] | ./span[starts-with(@id, "comment-")]')
        return _inner_html(cell, set(marks + cell.xpath(f'.//div[{_has_class("smallfont")}]')))


_BREADCRUMBS = object()  # a page file index.html does not list: its breadcrumbs say where it goes


class _Info:
    """What one page file says besides its content: authors, day, files, comments, labels, mentions."""

    def __init__(self, name, page_id, document, zone):
        self.name = name
        meta = document.xpath(f'//div[{_has_class("page-metadata")}]')
        meta = meta[0] if meta else None
        self.author = _text(meta.xpath(f'.//span[{_has_class("author")}]')) if meta is not None else None
        self.editor = _text(meta.xpath(f'.//span[{_has_class("editor")}]')) if meta is not None else None
        days = _ON_DAY.findall(" ".join(meta.text_content().split())) if meta is not None else []
        self.day = _date(*days[-1]) if days else None
        self.files = _listed_files(document, page_id)
        self.comments = []
        for comment_id, cell in _comment_cells(document).items():
            meta_lines = cell.xpath(f'.//div[{_has_class("smallfont")}]')
            posted = _POSTED.search(" ".join(meta_lines[-1].text_content().split())) if meta_lines else None
            if posted:
                shown, month, day, year, hour, minute, half = posted.groups()
                moment = _date(month, day, year, hour, minute, half)
                moment = to_utc(moment, zone) if moment and zone is not None else moment
                self.comments.append((comment_id, shown, moment))
            else:
                self.comments.append((comment_id, None, None))
        labels = document.xpath(f'//*[{_has_class("labels-section-content")} or {_has_class("label-list")}]'
                                '//a | //a[@rel="tag"]')
        self.labels = sorted({" ".join(a.text_content().split()) for a in labels} - {""})
        self.mentions = [(a.get("data-username"), " ".join(a.text_content().split()))
                         for a in document.xpath("//a[@data-username]")]


def _space_details(index):
    """``(key, name)`` from index.html's "Space Details" table (or its title)."""
    details = {}
    for row in index.xpath("//table//tr[th and td]"):
        details.setdefault(_text(row.xpath("./th")).rstrip(":").lower(), _text(row.xpath("./td")))
    name = details.get("name") or " ".join(index.xpath("string(//title)").split())
    return details.get("key", ""), name


def _tree(index):
    """``[(file, title, parent file, position)]`` of index.html's page tree, parents first."""
    lists = index.xpath('//h2[starts-with(normalize-space(.), "Available Pages")]/following::ul[1]')
    if not lists:
        lists = index.xpath('//*[@id="main-content"]//ul[not(ancestor::ul)][.//a[contains(@href, ".html")]]')
    entries = []
    if lists:
        _walk(lists[0], None, entries)
    return entries


def _walk(ul, parent, entries):
    position = 0
    for item in ul.iterchildren("li"):
        link = next((a for a in item.iter("a") if _href(a) and _owner(a, "li") is item), None)
        here = parent
        if link is not None:
            here = _href(link)
            entries.append((here, " ".join(link.text_content().split()), parent, position))
            position += 1
        for sub in item.iter("ul"):
            if _owner(sub, "li") is item:
                _walk(sub, here, entries)


def _owner(element, tag):
    """The nearest ``tag`` element above ``element``."""
    return next(element.iterancestors(tag), None)


def _href(link):
    """A link's target as a file of the export ("Title_123.html"), or None."""
    return _path(link.get("href"))


def _path(href):
    parts = urlsplit(href or "")
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return unquote(parts.path).removeprefix("./")


def _listed_files(document, page_id):
    """``[(path, name)]``: the page's files as its "Attachments" section lists
    them, then the ones of this page its content shows that the list lacks."""
    files, seen = [], set()
    section = document.xpath(f'//h2[@id="attachments"]/ancestor::div[{_has_class("pageSection")}][1]')
    for link in section[0].xpath(".//a[@href]") if section else []:
        path = _href(link)
        if path and path.startswith("attachments/") and path not in seen:
            seen.add(path)
            files.append((path, " ".join(link.text_content().split()) or path.rsplit("/", 1)[-1]))
    shown = document.xpath('//*[@id="main-content"]//img[@src] | //*[@id="main-content"]//a[@href]')
    known = {_file_id(path) for path in seen}
    own = re.compile(rf"attachments/{re.escape(page_id)}/\d+(\.[^/]*)?")
    for element in shown:
        path = _path(element.get("data-image-src") or element.get("src") or element.get("href"))
        if not path or not own.fullmatch(path) or _file_id(path) in known:
            continue
        known.add(_file_id(path))
        name = element.get("data-linked-resource-default-alias") or element.get("alt")
        files.append((path, name or path.rsplit("/", 1)[-1]))
    return files


def _comment_cells(document):
    """``{comment id: its table cell}`` of the page's "Comments" section."""
    section = document.xpath(f'//h2[@id="comments"]/ancestor::div[{_has_class("pageSection")}][1]')
    cells = {}
    for mark in section[0].xpath('.//a[starts-with(@name, "comment-")] | .//*[starts-with(@id, "comment-")]')\
            if section else []:
        comment_id = (mark.get("name") or mark.get("id")).removeprefix("comment-")
        cell = _owner(mark, "td")
        if cell is not None and comment_id not in cells:
            cells[comment_id] = cell
    return cells


def _inner_html(element, skip=()):
    """The HTML inside ``element`` (leaving out the children in ``skip``)."""
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if child in skip:
            parts.append(html.escape(child.tail or "", quote=False))
        else:
            parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


def _text(elements):
    return " ".join(elements[0].text_content().split()) if elements else None


def _date(month, day, year, hour=None, minute=None, half=None):
    """A naive datetime from "Apr 27, 2021" (and "13:12", or "1:12 PM"); None if it is no date."""
    try:
        hours = int(hour or 0)
        if half:
            hours = hours % 12 + (12 if half.lower() == "pm" else 0)
        return datetime(int(year), _MONTHS[month[:3].lower()], int(day), hours, int(minute or 0))
    except (KeyError, ValueError):
        return None


def _page_id(name):
    match = _ID.search(name)
    return match.group(1) if match else name.removesuffix(".html")


def _file_id(path):
    return path.rsplit("/", 1)[-1].split(".", 1)[0]


def _where(page):
    return f"page {page.id} “{page.title}”"


def _missing(message):
    raise MissingData(message)
