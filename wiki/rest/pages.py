"""The API of pages: list, read, create, update (with If-Match and the
editor's three-way merge), rename, move, delete; revisions and diffs."""

import difflib
import re
from typing import Literal

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from .. import page_templates, services, tree
from ..extensions import db
from ..lookup import redirect_moved
from ..models import Page, Revision, can_see, visible_pages
from ..plugins import hook
from ..render import finish_html
from ..text import title_key
from .paging import paginate
from .problems import ApiError
from .schemas import Body, Listing, Out, PageQuery, PageRef, PageSummary, Person, Query, Timestamp

TAG = "Pages"

# -- shapes ---------------------------------------------------------------------------


class PageOut(Out):
    """A page, with its current text."""

    slug: str
    title: str
    url: str = Field(description="The page in the browser.")
    parent: PageRef | None
    ancestors: list[PageRef] = Field(description="From the top of the tree down to the parent.")
    children: list[PageRef] = Field(description="The child pages the caller may see, in order.")
    labels: list[str]
    visibility: Literal["public", "members"]
    members_only: bool
    language: str = Field(description="The language of its text (BCP 47).")
    revision: int = Field(description="The current revision; the ETag names it too.")
    author: Person | None = Field(description="Who saved the current revision.")
    summary: str = Field(description="The summary of the current revision.")
    created_at: Timestamp
    updated_at: Timestamp
    markdown: str
    html: str = Field(description="The rendered, sanitized HTML, as the page shows it to the caller.")


class PageUpdated(PageOut):
    merged: bool = Field(description="Whether the change was merged with one saved since the "
                                     "revision of If-Match.")
    changed: bool = Field(description="False when nothing differed from the current page.")


class NewPage(Body):
    title: str = Field(max_length=200)
    markdown: str | None = Field(None, description="The text; empty when left out, or the "
                                 "template's when one is named.")
    template: str | None = Field(None, description="The address of a page template (docs/templates.md): "
                                 "its text, labels and child pages are copied, variables filled.")
    template_children: bool = Field(True, description="With a template: also create its child pages.")
    slug: str | None = Field(None, description="The address; made from the title when left out.")
    parent: str | None = Field(None, description="The parent's address; None: the top level.")
    visibility: Literal["public", "members"] = "public"
    language: str | None = Field(None, description="BCP 47; the wiki's default when left out.")
    summary: str = Field("", max_length=300)


class PageText(Body):
    """The whole text (and title) of a page, as the editor saves it."""

    markdown: str
    title: str | None = Field(None, max_length=200)
    summary: str = Field("", max_length=300)
    language: str | None = None


class PageChange(Body):
    """Any of: the text, the title (rename), the address, the parent (move:
    None is the top level), the visibility, the language."""

    markdown: str | None = None
    title: str | None = Field(None, max_length=200)
    summary: str = Field("", max_length=300)
    slug: str | None = None
    parent: str | None = Field(None, description="The new parent's address; null: the top "
                                                "level; left out: unchanged.")
    visibility: Literal["public", "members"] | None = None
    language: str | None = None


class PagesQuery(PageQuery):
    parent: str | None = Field(None, description="Only the children of this page, in tree order.")
    top: bool = Field(False, description="Only the pages at the top of the tree, in tree order.")
    q: str | None = Field(None, max_length=200, description="Only pages whose title holds this text "
                          "(case, accents and punctuation aside), titles that start with it first: "
                          "the editor's suggestions of wiki links.")


class RevisionSummary(Out):
    number: int
    title: str
    summary: str
    author: Person | None
    created_at: Timestamp


class RevisionOut(RevisionSummary):
    markdown: str
    html: str


class DiffQuery(Query):

    old: int | None = Field(None, alias="from", ge=1, description="The older revision; the one "
                                                                  "before `to` when left out.")
    new: int | None = Field(None, alias="to", ge=1, description="The newer revision; the current "
                                                               "one when left out.")


class DiffOut(Out):
    page: PageRef
    from_revision: int
    to_revision: int
    added: int = Field(description="Lines added.")
    removed: int = Field(description="Lines removed.")
    unified: str = Field(description="The change as a unified diff of the Markdown.")


# -- helpers ---------------------------------------------------------------------------


def person(user):
    """How an answer names an account (a ``Person``); None for none."""
    if user is None:
        return None
    return {"username": user.username, "display_name": user.display_name}


def page_ref(page):
    """How an answer names a page (a ``PageRef``)."""
    return {"slug": page.slug, "title": page.title}


def etag(page):
    """The strong ETag of ``page``'s current revision: ``"12-3"``, page 12 at
    revision 3 (an ETag of another page never matches)."""
    return f'"{page.id}-{page.current_revision.number}"'


def get_page(slug):
    """The page at ``slug`` if the caller may see it; an old address answers
    with a redirect to the same call at the new one; else 404."""
    page, moved = services.find_page(slug)
    if moved is not None and can_see(current_user, moved):
        redirect_moved(moved, request.endpoint)
    if page is None or not can_see(current_user, page):
        raise ApiError(404, _("There is no page at “%(slug)s” (or you may not see it).", slug=slug[:200]))
    return page


def page_summary(page, children=0):
    """``page`` as a list shows it (a ``PageSummary``); ``children``: how many
    child pages the caller may see."""
    return {"slug": page.slug, "title": page.title, "parent": page.parent.slug if page.parent else None,
            "visibility": page.visibility, "members_only": page.members_only, "language": page.lang,
            "revision": page.current_revision.number, "updated_at": page.updated_at,
            "children": children, "url": url_for("pages.view", slug=page.slug, _external=True)}


def page_summaries(pages):
    """``page_summary`` of each of ``pages``, their visible children counted
    in one query."""
    ids = [page.id for page in pages]
    counts = dict(db.session.execute(
        visible_pages(current_user).with_only_columns(Page.parent_id, db.func.count())
        .where(Page.parent_id.in_(ids)).group_by(Page.parent_id)).all()) if ids else {}
    return [page_summary(page, counts.get(page.id, 0)) for page in pages]


def page_out(page, **more):
    rev = page.current_revision
    return {"slug": page.slug, "title": page.title,
            "url": url_for("pages.view", slug=page.slug, _external=True),
            "parent": page_ref(page.parent) if page.parent else None,
            "ancestors": [page_ref(p) for p in page.ancestors()],
            "children": [page_ref(c) for c in page.visible_children(current_user)],
            "labels": hook().page_labels(page=page) or [],
            "visibility": page.visibility, "members_only": page.members_only, "language": page.lang,
            "revision": rev.number, "author": person(rev.author), "summary": rev.summary,
            "created_at": page.created_at, "updated_at": page.updated_at,
            "markdown": rev.body, "html": finish_html(rev.html, page, current_user), **more}


def _answer(page, status=200, **more):
    headers = {"ETag": etag(page)}
    if status == 201:
        headers["Location"] = url_for("rest.read_page", slug=page.slug, _external=True)
    return (PageUpdated if more else PageOut).model_validate(page_out(page, **more)), status, headers


_ETAG = re.compile(r'^"(\d+)-(\d+)"$')


def base_revision(page):
    """The revision number If-Match names (None for ``*``: on top of the
    current one); 412 when it names no revision of this page."""
    header = request.headers.get("If-Match", "").strip()
    if header == "*":
        return None
    for tag in (t.strip() for t in header.split(",")):
        match = _ETAG.match(tag)
        number = int(match.group(2)) if match else 0
        if match and int(match.group(1)) == page.id and 1 <= number <= page.current_revision.number:
            return number
    raise ApiError(412, _("If-Match names no revision of this page: GET the page and use its ETag "
                          "(current: %(etag)s).", etag=etag(page)), "stale",
                   headers={"ETag": etag(page)}, current_revision=page.current_revision.number)


def _named(slug):
    """The page at ``slug`` or that had it, if the caller may see it, else
    None: a page a body or a query parameter names (never redirected)."""
    page, moved = services.find_page(slug)
    page = page or moved
    return page if page is not None and can_see(current_user, page) else None


def _parent(slug):
    """The page a body names as parent (None: the top level); 422 when there
    is none the caller may see."""
    if slug is None:
        return None
    page = _named(slug)
    if page is None:
        raise ApiError(422, _("There is no page at “%(slug)s” to be the parent.", slug=slug[:200]),
                       "validation", errors=[{"field": "parent", "message": _("No such page.")}])
    return page


def _listed_parent(slug):
    """The page ``?parent=`` names; 404 when the caller may see none."""
    page = _named(slug)
    if page is None:
        raise ApiError(404, _("There is no page at “%(slug)s” (or you may not see it).", slug=slug[:200]))
    return page


def _check_fields(page, title=None, slug=None, language=None, parent=services.UNCHANGED):
    """Check what a body asks of ``page`` (None: a new page) before anything
    is saved; a refusal names its field."""
    checks = (("title", title, lambda: services.check_title(title, page)),
              ("slug", slug, lambda: services.check_slug(slug, page)),
              ("language", language, lambda: services.check_language(language)),
              ("parent", parent, lambda: services.check_move(page, parent)))
    for field, value, check in checks:
        if value is not None and value is not services.UNCHANGED:
            try:
                check()
            except services.PageError as e:
                raise _refused(e, field) from None


def _refused(error: services.PageError, field=None):
    status = 422 if error.status == 400 else error.status
    extra = {"errors": [{"field": field, "message": error.message}]} if status == 422 else {}
    return ApiError(status, error.message, "validation" if status == 422 else None, **extra)


def _conflict(conflict: services.EditConflict):
    page, current = conflict.page, conflict.current
    db.session.rollback()
    return ApiError(
        409, _("Someone saved revision %(number)s of this page since yours started, changing the "
               "same lines: merge the conflicting parts and send again with If-Match %(etag)s.",
               number=current.number, etag=etag(page)),
        "edit-conflict", headers={"ETag": etag(page)},
        current_revision=current.number, current_markdown=current.body,
        merged_markdown=conflict.merge.text,
        conflicts=[{"base": base, "current": saved, "yours": mine}
                   for base, saved, mine in conflict.merge.regions])


def _title_conflict(page, base, title):
    """A rename on a stale revision whose title someone else changed meanwhile."""
    base_rev = services.revision(page, base)
    current = page.current_revision
    if base_rev and base_rev.title != current.title and title != current.title:
        raise ApiError(409, _("Someone renamed this page to “%(title)s” since revision %(number)s.",
                              title=current.title, number=base), "edit-conflict",
                       headers={"ETag": etag(page)}, current_revision=current.number,
                       conflicts=[{"field": "title", "base": base_rev.title, "current": current.title,
                                   "yours": title}])


def _save_text(page, markdown, title, summary, language, base):
    try:
        return services.save_page(page, markdown, current_user, summary=summary, base_number=base,
                                  title=title, language=language)
    except services.EditConflict as conflict:
        raise _conflict(conflict) from None
    except services.PageError as e:
        db.session.rollback()
        raise _refused(e, "title" if e.status == 409 else "markdown") from None


def _from_template(body, parent):
    """POST /pages naming a template: as the new-page form makes it."""
    template, problem = page_templates.find_template(body.template, current_user)
    if problem:
        raise ApiError(422, problem, "validation", errors=[{"field": "template", "message": problem}])
    text = body.markdown if body.markdown is not None else \
        page_templates.describe(template.page.current_revision.body)[1]
    try:
        page, made = page_templates.create_from_template(
            template, body.title, text, current_user, body.summary, parent=parent,
            visibility=body.visibility, slug=body.slug, language=body.language or template.page.lang,
            children=body.template_children)
    except services.PageError as e:  # a child page's title or address, or the text
        db.session.rollback()
        raise _refused(e, "template") from None
    page_templates.copy_labels(template, page, made, current_user)
    return _answer(page, 201)


# -- endpoints -------------------------------------------------------------------------


def register(api):
    @api.get("/pages", response=Listing[PageSummary], query=PagesQuery, problems=(404,),
             summary="List pages", tag=TAG)
    def list_pages(query):
        """The pages the caller may see: all of them A to Z, or the children of
        one page (``parent``, 404 when there is none the caller may see) or the
        top level (``top``) in tree order. As in the page index, the Templates
        branch is left out for callers who cannot edit unless ``parent`` asks
        for it."""
        select = visible_pages(current_user) if query.parent is not None else tree.listed_pages(current_user)
        if query.parent is not None:
            parent = _listed_parent(query.parent)
            select = select.where(Page.parent_id == parent.id).order_by(*Page.sibling_order())
        elif query.top:
            select = select.where(Page.parent_id.is_(None)).order_by(*Page.sibling_order())
        key = title_key(" ".join((query.q or "").split()))
        if query.q is not None:
            select = select.where(tree.titles_holding(query.q))
        if query.parent is None and not query.top:
            first = [db.case((Page.title_key.startswith(key, autoescape=True), 0), else_=1)] if key else []
            select = select.order_by(*first, Page.title_key, Page.id)
        listing = paginate(select, query)
        listing.items = page_summaries(listing.items)
        return listing

    @api.post("/pages", body=NewPage, response=PageOut, status=201, role="editor", problems=(409,),
              summary="Create a page", tag=TAG)
    def create_page(body):
        parent = _parent(body.parent)
        _check_fields(None, title=body.title, slug=body.slug, language=body.language)
        if body.template is not None:
            return _from_template(body, parent)
        try:
            page = services.create_page(body.title, body.markdown or "", current_user, summary=body.summary,
                                        parent=parent, visibility=body.visibility, slug=body.slug,
                                        language=body.language)
        except services.PageError as e:  # the fields were checked: the text, or a race for the address
            db.session.rollback()
            raise _refused(e, "markdown") from None
        return _answer(page, 201)

    @api.get("/pages/<slug>", response=PageOut, etag=True, summary="Read a page", tag=TAG)
    def read_page(slug):
        """The page, its place in the tree, labels and current text (Markdown
        and HTML); the ETag names its revision, for If-Match."""
        return _answer(get_page(slug))

    @api.put("/pages/<slug>", body=PageText, response=PageUpdated, role="editor", if_match="required",
             etag=True, problems=(409,), summary="Save a page's text", tag=TAG)
    def save_page(slug, body):
        """Save the whole text (and title). If-Match names the revision the
        text started from: a change saved since then is merged in, as the
        editor does; overlapping changes answer 409 with the conflicting parts,
        and nothing is saved."""
        page = get_page(slug)
        base = base_revision(page)
        _check_fields(page, title=body.title, language=body.language)
        if body.title is not None and base is not None:
            _title_conflict(page, base, body.title)
        language = page.lang
        result = _save_text(page, body.markdown, body.title, body.summary, body.language, base)
        # A new language alone adds no revision, but it is a change all the same.
        changed = result.revision is not None or page.lang != language
        return _answer(page, merged=result.merged, changed=changed)

    @api.patch("/pages/<slug>", body=PageChange, response=PageUpdated, role="editor",
               if_match="required", etag=True, problems=(409,), summary="Change a page", tag=TAG)
    def change_page(slug, body):
        """Change any of the text, title, address, parent, visibility and
        language at once: everything is checked before anything is saved. A
        new address keeps the old one as a redirect."""
        page = get_page(slug)
        base = base_revision(page)
        fields = body.model_fields_set
        moving = "parent" in fields
        parent = _parent(body.parent) if moving else services.UNCHANGED
        # every check first: a refused part leaves the page as it was
        _check_fields(page, title=body.title, slug=body.slug, language=body.language, parent=parent)
        if body.title is not None and base is not None:
            _title_conflict(page, base, body.title)
        merged = changed = False
        if body.markdown is not None or body.title is not None:
            text = body.markdown if body.markdown is not None else page.current_revision.body
            result = _save_text(page, text, body.title, body.summary, body.language,
                                base if body.markdown is not None else None)
            merged, changed = result.merged, result.revision is not None
        before = (page.slug, page.parent_id, page.visibility, page.lang)
        try:
            services.change_settings(page, current_user, slug=body.slug, parent=parent,
                                     visibility=body.visibility, language=body.language)
        except services.PageError as e:  # a race lost since the checks
            db.session.rollback()
            raise _refused(e) from None
        changed = changed or before != (page.slug, page.parent_id, page.visibility, page.lang)
        return _answer(page, merged=merged, changed=changed)

    @api.delete("/pages/<slug>", role="editor", status=204, if_match="optional",
                summary="Delete a page", tag=TAG)
    def delete_page(slug):
        """Delete softly: an admin can restore the page from the trash; its
        children move up to its parent. With If-Match, only if the page is
        still at that revision."""
        page = get_page(slug)
        if "If-Match" in request.headers:
            base = base_revision(page)
            if base is not None and base != page.current_revision.number:
                raise ApiError(412, _("The page changed since revision %(number)s: read it again "
                                      "before deleting it.", number=base), "stale",
                               headers={"ETag": etag(page)}, current_revision=page.current_revision.number)
        services.delete_page(page, current_user)
        return None

    @api.get("/pages/<slug>/revisions", response=Listing[RevisionSummary], query=PageQuery,
             summary="A page's revisions", tag=TAG)
    def list_revisions(slug, query):
        """Newest first."""
        page = get_page(slug)
        select = (db.select(Revision).where(Revision.page_id == page.id)
                  .order_by(Revision.number.desc()))
        return paginate(select, query, revision_summary)

    @api.get("/pages/<slug>/revisions/<int:number>", response=RevisionOut,
             summary="One revision of a page", tag=TAG)
    def read_revision(slug, number):
        page = get_page(slug)
        rev = _revision(page, number)
        return {**revision_summary(rev), "markdown": rev.body,
                "html": finish_html(rev.html, page, current_user)}

    @api.get("/pages/<slug>/diff", response=DiffOut, query=DiffQuery,
             summary="What changed between two revisions", tag=TAG)
    def diff_revisions(slug, query):
        page = get_page(slug)
        new = _revision(page, query.new or page.current_revision.number)
        old = _revision(page, query.old or max(new.number - 1, 1))
        lines = list(difflib.unified_diff(old.body.splitlines(), new.body.splitlines(),
                                          f"{page.slug}@{old.number}", f"{page.slug}@{new.number}",
                                          lineterm=""))
        changes = [line for line in lines[2:] if not line.startswith("@@")]  # past the file names
        return {"page": page_ref(page), "from_revision": old.number, "to_revision": new.number,
                "added": sum(1 for line in changes if line.startswith("+")),
                "removed": sum(1 for line in changes if line.startswith("-")),
                "unified": "".join(line + "\n" for line in lines)}


def revision_summary(rev):
    return {"number": rev.number, "title": rev.title, "summary": rev.summary,
            "author": person(rev.author), "created_at": rev.created_at}


def _revision(page, number):
    # Past the current one there is none: not asked of the database, where a
    # number beyond 64 bits would be an error (the address takes any digits).
    rev = services.revision(page, number) if number <= page.current_revision.number else None
    if rev is None:
        raise ApiError(404, _("“%(title)s” has no revision %(number)s.", title=page.title, number=number))
    return rev
