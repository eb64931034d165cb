"""Page templates (docs/templates.md): ordinary pages directly under the
"Templates" page (the address of the setting ``TEMPLATES_PAGE``); a
template's own child pages are created with a page made from it.

What a template is, its description and variables, expanding it, and
creating a page and its child pages from it. The Templates branch is
hidden from the tree and from search for readers who cannot edit
(``hidden_ids``): its pages are tools for editors, not content.
"""

import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _

from . import services
from .extensions import db
from .models import Page, can_see, utcnow
from .pagecache import content_version
from .plugins import hook
from .text import title_key

# The first line of a template may describe it; it is not copied into new pages.
DESCRIPTION = re.compile(r"\A[ \t]*<!--[ \t]*description:[ \t]*(.*?)[ \t]*-->[ \t]*(?:\n|\Z)", re.I | re.S)
# ``{{name}}``, spaces allowed inside the braces; ``\{{name}}`` stays as written.
PLACEHOLDER = re.compile(r"(?<!\\)\{\{[ \t]*([^\W\d][\w-]*)[ \t]*\}\}")
# A line holding only ``{{name ...}}`` is a macro (plugins/macros): never a note of ours.
MACRO_LINE = re.compile(r"^[ \t]*\{\{[^{}\n]*\}\}[ \t]*$", re.M)
# Each variable, and its French name (templates are written in both languages).
ALIASES = {"titre": "title", "auteur": "author", "année": "year", "annee": "year"}
VARIABLES = ("title", "date", "year", "parent", "author")


@dataclass
class Template:
    """A template page, its description and its child pages (a tree of Pages)."""

    page: Page
    description: str = ""
    children: list = field(default_factory=list)  # [(Page, [its children...])]

    @property
    def child_pages(self):
        """Every page of the template's subtree, in creation order (depth first)."""
        out = []

        def walk(nodes):
            for page, below in nodes:
                out.append(page)
                walk(below)
        walk(self.children)
        return out


# -- where templates are ------------------------------------------------------------


def templates_page():
    """The live Templates page, or None; an old address of it still leads to it."""
    page, moved = services.find_page(current_app.config.get("TEMPLATES_PAGE") or "templates")
    return page or moved


def branch_ids():
    """Ids of the Templates page and every live page under it, worked out
    once per version of the content and kept by the app (each listing of a
    reader who cannot edit asks)."""
    version = content_version()
    known = current_app.extensions.get("wiki.templates_branch")
    if known is not None and known[0] == version:
        return known[1]
    root = templates_page()
    ids = set()
    if root is not None:
        ids, frontier = {root.id}, [root.id]
        while frontier:
            below = db.session.scalars(db.select(Page.id).where(
                Page.parent_id.in_(frontier), Page.deleted_at.is_(None))).all()
            frontier = [i for i in below if i not in ids]
            ids.update(frontier)
    ids = frozenset(ids)
    current_app.extensions["wiki.templates_branch"] = (version, ids)  # one assignment: safe across threads
    return ids


def hidden_ids(user):
    """Page ids left out of the tree, the page index and search for ``user``
    unless asked for: the Templates branch, for readers who cannot edit."""
    return frozenset() if user.can_edit else branch_ids()


def _subtree(page, user):
    return [(c, _subtree(c, user)) for c in page.visible_children(user)]


def _template(page, user):
    return Template(page, describe(page.current_revision.body)[0], _subtree(page, user))


def templates_for(user):
    """The templates ``user`` may see, in the Templates page's order."""
    root = templates_page()
    if root is None or not user.can_edit:
        return []
    return [_template(p, user) for p in root.visible_children(user)]


def find_template(ref, user):
    """The template named by ``ref`` (an address, an old address, or an id as
    the form carries it), or ``(None, message)``: the message says why."""
    ref = str(ref or "").strip()
    page = db.session.get(Page, int(ref)) if ref.isdigit() else None
    if page is None:
        found, moved = services.find_page(ref, include_deleted=True)
        page = found or moved
    root = templates_page()
    if page is not None and page.is_deleted:
        return None, _("The template “%(title)s” was deleted meanwhile: your text is kept, without "
                       "the template's pages.", title=page.title)
    if page is None or not can_see(user, page):
        return None, _("There is no template “%(name)s”.", name=ref[:200])
    if root is None or page.parent_id != root.id:
        return None, _("“%(title)s” is no longer a template (it is not under the Templates page).",
                       title=page.title)
    return _template(page, user), None


# -- description and variables ------------------------------------------------------


def describe(body):
    """``(description, text)``: the template's description (its first line
    ``<!-- description: … -->``) and its text without that line."""
    match = DESCRIPTION.match(body or "")
    if not match:
        return "", body or ""
    return " ".join(match.group(1).split()), body[match.end():]


def variables(title, parent_title, user, today=None):
    """The values of the variables, for a page titled ``title`` under a page
    titled ``parent_title`` (None or "" at the top level)."""
    today = today or utcnow().date()
    return {"title": title or "", "date": today.isoformat(), "year": str(today.year),
            "parent": parent_title or "",
            # The command line acts as no one: no name to give.
            "author": (user.display_name or "") if getattr(user, "id", None) else ""}


def expand(text, values):
    """``text`` with each variable filled; anything else in braces stays as written."""
    def fill(match):
        name = match.group(1).lower()
        name = ALIASES.get(name, name)
        return values[name] if name in values else match.group(0)
    return PLACEHOLDER.sub(fill, text or "")


def fill(text, title, parent, user):
    """``text`` of a page titled ``title`` under ``parent`` (a Page or None),
    its variables filled, as saving it will."""
    return expand(text, variables(" ".join((title or "").split()), parent.title if parent else "", user))


def unknown(text):
    """``{{name}}`` s of ``text`` that are no variables (macro lines aside), once each."""
    text = MACRO_LINE.sub("", text or "")
    found = []
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1).lower()
        if ALIASES.get(name, name) not in VARIABLES and match.group(0) not in found:
            found.append(match.group(0))
    return found


def notes(text):
    """What the editor is told about ``unknown`` placeholders."""
    return [_("%(placeholder)s is not a variable of templates: it stays as written.", placeholder=p)
            for p in unknown(text)]


# -- creating pages from a template -------------------------------------------------


@dataclass
class Planned:
    template: Page  # the page of the template this one is copied from
    title: str
    body: str
    under: int | None  # index of its parent among the planned pages; None: the new page


def plan_children(template, title, user):
    """The child pages to create under a new page titled ``title``, with
    variables filled: in a child's title, ``{{title}}`` and ``{{parent}}`` are
    both the title of the page it goes under; in its text, ``{{title}}`` is
    its own title."""
    planned = []

    def walk(nodes, parent_title, under):
        for page, below in nodes:
            names = variables(parent_title, parent_title, user)
            child_title = " ".join(expand(page.title, names).split())
            body = expand(describe(page.current_revision.body)[1], variables(child_title, parent_title, user))
            planned.append(Planned(page, child_title, body, under))
            walk(below, child_title, len(planned) - 1)
    walk(template.children, title, None)
    return planned


def _check_all(title, slug, planned, parent):
    """Raise ``PageError`` naming the first title or address that cannot be
    taken, before anything is written."""
    services.check_title(title)
    services.check_slug(slug if slug else services.default_slug(title))
    services.check_move(None, parent)
    titles, slugs = {title_key(title)}, {slug or services.default_slug(title)}
    limit = current_app.config["MAX_PAGE_CHARS"]
    for item in planned:
        try:
            child_title = services.check_title(item.title)
            child_slug = services.check_slug(services.default_slug(child_title))
        except services.PageError as e:
            raise services.PageError(_("The template's page “%(title)s” cannot be created: %(problem)s "
                                       "Nothing was created.", title=item.title, problem=e.message),
                                     e.status) from None
        if title_key(child_title) in titles or child_slug in slugs:
            raise services.PageError(_("The template would create two pages called “%(title)s”: give the "
                                       "new page another title. Nothing was created.", title=child_title),
                                     409)
        if len(item.body) > limit:
            raise services.PageError(_("The template's page “%(title)s” is too long. Nothing was created.",
                                       title=child_title), 413)
        titles.add(title_key(child_title))
        slugs.add(child_slug)


def create_from_template(template, title, body, user, summary="", parent=None, visibility="public",
                         slug=None, language=None, children=True):
    """Create the page ``title`` with ``body`` (variables filled) and, with
    ``children``, the template's child pages under it, in the template's
    order. Every title and address is checked first: ``PageError`` and
    nothing written when one is refused. Returns ``(page, created children)``;
    the labels are the caller's (``copy_labels``), after its own."""
    title = services.check_title(title)
    body = fill(describe(body)[1], title, parent, user)
    planned = plan_children(template, title, user) if children else []
    _check_all(title, (slug or "").strip() or None, planned, parent)
    page = services.create_page(title, body, user, summary, parent=parent, visibility=visibility,
                                slug=(slug or "").strip() or None, language=language)
    made = []
    for item in planned:
        under = page if item.under is None else made[item.under]
        made.append(services.create_page(item.title, item.body, user, summary or _("From a template"),
                                         parent=under, visibility=item.template.visibility,
                                         language=item.template.lang))
    _keep_order(made, planned)
    return page, made


def _keep_order(made, planned):
    """Sibling pages sort by title unless they have a position: give the new
    ones the template's order (the sessions before the follow-up)."""
    counters = {}
    for child, item in zip(made, planned, strict=True):
        child.position = counters.setdefault(item.under, 0)
        counters[item.under] += 1
    if made:
        db.session.commit()


def copy_labels(template, page, made, user):
    """Give ``page`` (made from ``template``) and ``made`` (its child pages,
    as ``create_from_template`` returns them) the labels of the template page
    each was copied from, beside those they have already (typed in the
    editor). Quietly nothing when no plugin keeps labels."""
    wanted = {}
    for new, source in [(page, template.page), *zip(made, template.child_pages, strict=False)]:
        from_template = hook().page_labels(page=source)
        if from_template is None:
            return
        if from_template:
            wanted[new] = sorted({*(hook().page_labels(page=new) or []), *from_template})
    if wanted:
        hook().set_pages_labels(labels=wanted, user=user)
