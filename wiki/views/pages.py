"""Page views: read, create, edit (with merge and conflict), history, diff,
restore, settings (rename, move, visibility), delete; the Markdown as a file;
old Confluence addresses of imported pages (``confluence.py``)."""

import re
import unicodedata
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from .. import page_templates, pagecache, services, tree
from ..diff import diff_rows, diff_stats
from ..errors import render_error
from ..extensions import db
from ..forms import ConfirmForm, PageForm, PageSettingsForm, PreviewForm
from ..i18n import interface_language, language_name, normal_tag
from ..lookup import load_page
from ..models import Page, PageEvent, Revision, can_see
from ..plugins import hook
from ..render import finish_html, render_markdown
from ..security import require_role
from ..text import slugify
from . import confluence

bp = Blueprint("pages", __name__)
bp.register_blueprint(confluence.bp)  # old Confluence addresses of imported pages redirect to them


def parent_from_form(value):
    """A parent named by slug or title; '' is the top level."""
    value = (value or "").strip()
    if not value:
        return None
    page = services.find_page(value)[0]
    if page is None:
        page = services.find_page(slugify(value))[0]
    if page is None or not can_see(current_user, page):
        raise services.PageError(_("There is no page “%(name)s” to put this page under.", name=value))
    return page


def _proposed_language(parent_value):
    """The language a new page starts with: its parent's (named as in the
    form), else the wiki's default."""
    parent = None
    if (parent_value or "").strip():
        try:
            parent = parent_from_form(parent_value)
        except services.PageError:
            parent = None
    return parent.lang if parent else current_app.config["DEFAULT_LANGUAGE"]


def _content_language(form, page):
    """The language the editor's text is in, for its ``lang`` attributes (the
    text area's spelling, the preview): the one typed if it is a tag."""
    typed = normal_tag(form.language.data or "")
    if typed:
        return typed
    return page.lang if page else _proposed_language(form.parent.data)


def get_revision(page, number):
    rev = services.revision(page, number)
    if rev is None:
        abort(404)
    return rev


@bp.app_context_processor
def layout_context():
    return {"sidebar_tree": _sidebar_tree, "event_kind": event_kind, "event_detail": event_detail,
            "language_name": language_name}


# -- how history lines read -----------------------------------------------------------
# PageEvent.kind and the details the wiki writes stay English in the database;
# this is the one place they are put in the reader's language (the bundled
# plugins' kinds too). An unknown kind shows as it is stored.
EVENT_KINDS = {
    "created": _l("page created"),
    "edited": _l("text edited"),
    "reverted": _l("revision restored"),
    "renamed": _l("page renamed"),
    "address": _l("address changed"),
    "moved": _l("page moved"),
    "visibility": _l("visibility changed"),
    "language": _l("language changed"),
    "deleted": _l("page deleted"),
    "restored": _l("page restored"),
    "labels": _l("labels changed"),
    "attached": _l("file attached"),
    "file deleted": _l("file deleted"),
    "file restored": _l("file restored"),
}
_DETAILS = {  # what services.py writes, word for word
    "now public": _l("now readable by everyone"),
    "now members": _l("now for signed-in members only"),
    "top level": _l("top level"),
    "a members-only page": _l("a members-only page"),
    "Renamed": _l("Renamed"),
}
_DELETED_PLACE = re.compile(r"(.+) was deleted")
_RESTORED = re.compile(r"Restored revision (\d+)")


def event_kind(kind):
    """A history line's kind as readers read it: ``page created``, ``page créée``."""
    return str(EVENT_KINDS.get(kind, kind))


def event_detail(event):
    """A history line's detail for readers: what the wiki wrote (language tags,
    places, visibility) in their language; what people wrote (summaries,
    titles, addresses) as it is."""
    detail = event.detail or ""
    if event.kind == "language":  # "en → fr": "English → French"
        return " → ".join(language_name(tag, interface_language()) for tag in detail.split(" → "))
    if event.kind == "moved":
        return " → ".join(_place_name(part) for part in detail.split(" → "))
    restored = _RESTORED.fullmatch(detail)
    if event.kind == "reverted" and restored:
        return _("Restored revision %(number)s", number=restored.group(1))
    if event.kind in ("visibility", "edited") and detail in _DETAILS:
        return str(_DETAILS[detail])
    return detail


def _place_name(part):
    deleted = _DELETED_PLACE.fullmatch(part)
    if deleted:
        return _("%(place)s was deleted", place=_place_name(deleted.group(1)))
    return str(_DETAILS[part]) if part in ("top level", "a members-only page") else part


def _sidebar_tree(page=None):
    """The sidebar's page tree, kept until the content changes: a wiki with
    hundreds of top-level pages would otherwise render them on every view."""
    def render():
        macro = get_template_attribute("_macros.html", "sidebar_tree")
        return macro(tree.sidebar_tree(current_user, page), page)

    key = ("sidebar", current_user.is_member, current_user.can_edit, page.id if page else None)
    return Markup(pagecache.cache().fragment(key, render, pagecache.content_version()))  # noqa: S704 - a rendered template


@bp.route("/")
def home():
    recent = db.session.scalars(
        db.select(PageEvent)
        .join(Page, PageEvent.page_id == Page.id)
        .where(Page.id.in_(tree.listed_pages(current_user).with_only_columns(Page.id)))
        .order_by(PageEvent.created_at.desc(), PageEvent.id.desc())
        .limit(20)
    ).all()
    return render_template("pages/home.html", top=tree.level(current_user), recent=recent)


INDEX_PER_PAGE = 50


@bp.route("/pages")
def index():
    """All pages the reader may see, A to Z, a page of them at a time;
    ``q`` filters by title, ``parent`` lists one page's children (in sibling
    order, as the tree shows them: this is where its "more…" link leads)."""
    query, parent, order = tree.listed_pages(current_user), None, (Page.title_key, Page.id)
    if request.args.get("parent"):
        parent = load_page(request.args["parent"], "pages.view")
        query = tree.listed_pages(current_user, parent.id).where(Page.parent_id == parent.id)
        order = Page.sibling_order()
    text = " ".join(request.args.get("q", "").split())[:200]
    if text:
        query = query.where(tree.titles_holding(text))
    total = db.session.scalar(query.with_only_columns(db.func.count(Page.id)))
    pages = max(1, -(-total // INDEX_PER_PAGE))
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    found = db.session.scalars(query.order_by(*order).options(selectinload(Page.parent))
                               .offset((number - 1) * INDEX_PER_PAGE).limit(INDEX_PER_PAGE)).all()
    return render_template("pages/index.html", found=found, total=total, q=text, parent=parent,
                           number=number, pages=pages)


@bp.route("/wiki/<slug>/children")
def children(slug):
    """The children of a page, as a branch of the tree (an HTML fragment the
    sidebar and the home page open in place)."""
    page = load_page(slug, "pages.children")
    branch = tree.level(current_user, page.id)
    macro = get_template_attribute("_macros.html", "tree")
    return macro(branch.nodes, None, branch.more, url_for("pages.index", parent=page.slug))


@bp.route("/wiki/<slug>")
def view(slug):
    # The content version is read before the page: a change that lands in
    # between then makes this view stale at once instead of cached as current.
    version = pagecache.content_version()

    def render():
        # Only when the view is not cached: the page, whether this reader may
        # see it, where an old address leads, can only change with the content.
        page = load_page(slug)
        rev = page.current_revision
        return render_template(
            "pages/view.html",
            page=page,
            revision=rev,
            content=finish_html(rev.html, page, current_user),
            children=page.visible_children(current_user),
        )

    # Per reader: what a page shows depends on who reads it.
    reader = (current_user.id, current_user.role, getattr(current_user, "session_version", None))
    return pagecache.cache().view(("page", slug, reader), render, version)


@bp.route("/wiki/<slug>.md")
def markdown_source(slug):
    """The current Markdown of a page, as a file (slugs never contain dots)."""
    page = load_page(slug, "pages.markdown_source")
    response = make_response(page.current_revision.body)
    response.mimetype = "text/markdown"  # Flask adds charset=utf-8
    name = f"{page.slug}.md"
    disposition = f'inline; filename="{name}"'
    if not name.isascii():  # slugs keep accents: RFC 6266 name, with an ASCII fallback
        fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        disposition = f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    response.headers["Content-Disposition"] = disposition
    return response


@bp.route("/new", methods=["GET", "POST"])
@require_role("editor")
def new():
    """A new page, blank or from a template (docs/templates.md): ``?template=``
    reloads the form with the template's text (no JavaScript needed); the
    form carries the template's id through previews and the save."""
    form = PageForm()
    template, problem = None, None
    if request.method == "GET":
        form.title.data = request.args.get("title", "")
        form.parent.data = request.args.get("parent", "")
        form.language.data = _proposed_language(form.parent.data)
        if request.args.get("template"):
            template, problem = page_templates.find_template(request.args["template"], current_user)
        if template is not None:
            form.template.data = str(template.page.id)
            form.body.data = page_templates.describe(template.page.current_revision.body)[1]
            form.language.data = template.page.lang
        if problem:
            flash(problem, "error")
        return _new_form(form, template, 404 if problem else 200)
    if form.template.data:
        template, problem = page_templates.find_template(form.template.data, current_user)
        if problem:  # deleted or moved meanwhile: the text typed is kept, the template forgotten
            flash(problem, "error")
            form.template.data = ""
            return _new_form(form, None, 409)
    if "preview" not in request.form and _accepted(form):
        try:
            page = _create(form, template)
        except services.PageError as e:
            flash(e.message, "error")
            return _new_form(form, template, e.status)
        flash(_("Page created."), "success")
        return redirect(url_for("pages.view", slug=page.slug))
    return _new_form(form, template)


def _create(form, template):
    """Create the page of the form (and its template's pages); labels typed
    in the editor first, then the template's added."""
    parent = parent_from_form(form.parent.data)
    fields = dict(parent=parent, visibility=form.visibility.data, slug=(form.slug.data or "").strip() or None,
                  language=form.language.data or (parent.lang if parent else None))
    if template is None:
        page = services.create_page(form.title.data, form.body.data, current_user, form.summary.data or "",
                                    **fields)
        hook().page_form_saved(page=page, form=request.form, user=current_user)
        return page
    page, made = page_templates.create_from_template(
        template, form.title.data, form.body.data, current_user, form.summary.data or "",
        children=form.template_children.data, **fields)
    hook().page_form_saved(page=page, form=request.form, user=current_user)
    page_templates.copy_labels(template, page, made, current_user)
    if made:
        flash(ngettext("%(num)d page of the template was created under it.",
                       "%(num)d pages of the template were created under it.", len(made)), "success")
    return page


def _new_form(form, template, status=200):
    """The new-page form, with the templates to choose from or the one chosen."""
    preview, notes, labels = None, [], []
    title = " ".join((form.title.data or "").split())
    if template is not None:
        notes = page_templates.notes(form.body.data)
        labels = hook().page_labels(page=template.page) or []
        child_titles = ([p.title for p in page_templates.plan_children(template, title, current_user)]
                        if title else [p.title for p in template.child_pages])
    if request.method == "POST" and "preview" in request.form:
        body = form.body.data or ""
        if template is not None:
            body = page_templates.fill(body, title, _parent_or_none(form.parent.data), current_user)
        preview = finish_html(render_markdown(body), None, current_user)
    elif request.method == "POST" and status == 200:
        status = 400  # a save that comes back to the form was refused
    choices = [(t, finish_html(t.page.current_revision.html, t.page, current_user))
               for t in (page_templates.templates_for(current_user) if template is None else [])]
    return render_template(
        "pages/edit.html", form=form, page=None, preview=preview, content_lang=_content_language(form, None),
        templates=choices, template=template, template_notes=notes, template_labels=labels,
        template_child_titles=child_titles if template is not None else [],
        template_args={k: v for k, v in (("title", form.title.data), ("parent", form.parent.data)) if v},
    ), status


def _parent_or_none(value):
    try:
        return parent_from_form(value)
    except services.PageError:
        return None


def _accepted(form):
    """Whether the editor's fields, the core's and those plugins add, are all
    valid. Every refusal shows at once: the core's beside their fields, the
    plugins' as error messages."""
    valid = form.validate()
    problems = [message for found in hook().page_form_problems(form=request.form) for message in found]
    for message in problems:
        flash(message, "error")
    return valid and not problems


def _edit_form(form, page, status=200):
    preview = None
    if request.method == "POST" and "preview" in request.form:
        preview = finish_html(render_markdown(form.body.data or ""), page, current_user)
    elif request.method == "POST" and status == 200:
        status = 400  # a save that comes back to the form was refused
    return render_template("pages/edit.html", form=form, page=page, preview=preview,
                           content_lang=_content_language(form, page)), status


@bp.route("/wiki/<slug>/edit", methods=["GET", "POST"])
@require_role("editor")
def edit(slug):
    page = load_page(slug, "pages.edit")
    form = PageForm()
    if request.method == "GET":
        form.title.data = page.title
        form.body.data = page.current_revision.body
        form.base_revision.data = page.current_revision.number
        form.language.data = page.lang
        return _edit_form(form, page)
    if "preview" in request.form or not _accepted(form):
        return _edit_form(form, page)
    old_language = page.lang
    try:
        result = services.save_page(
            page, form.body.data, current_user, form.summary.data or "",
            base_number=form.base_revision.data, title=form.title.data,
            language=form.language.data or None,
        )
    except services.EditConflict as conflict:
        return _conflict(form, conflict)
    except services.PageError as e:
        flash(e.message, "error")
        return _edit_form(form, page, e.status)
    hook().page_form_saved(page=page, form=request.form, user=current_user)
    if result.revision is None and page.lang != old_language:
        flash(_("Language of the page saved: %(language)s.", language=language_name(page.lang)), "success")
    elif result.revision is None:
        flash(_("No changes to save."), "info")
    elif result.merged:
        flash(_("Someone saved this page while you were editing; your changes were merged "
                "with theirs."), "success")
    else:
        flash(_("Page saved."), "success")
    return redirect(url_for("pages.view", slug=page.slug))


def _conflict(form, conflict):
    """Both versions side by side; the editor keeps the user's text, now based on
    the current revision, so saving it again is a deliberate choice."""
    form.base_revision.data = conflict.current.number
    form.base_revision.raw_data = None  # otherwise the submitted (stale) number is rendered
    form.body.data = conflict.mine
    rows = diff_rows(conflict.current.body, conflict.mine)
    return render_template(
        "pages/conflict.html", form=form, page=conflict.page, current=conflict.current,
        rows=rows, merged=conflict.merge.text, content_lang=_content_language(form, conflict.page),
    ), 409


@bp.route("/preview", methods=["POST"])
@require_role("editor")
def preview():
    form = PreviewForm()
    page = services.find_page(form.slug.data)[0] if form.slug.data else None
    if page is not None and not can_see(current_user, page):
        page = None
    body, notes = form.body.data or "", []
    if form.template.data and page is None:  # a new page from a template, as it will be saved
        template, _problem = page_templates.find_template(form.template.data, current_user)
        if template is not None:
            notes = page_templates.notes(body)
            body = page_templates.fill(body, form.title.data, _parent_or_none(form.parent.data), current_user)
    html = finish_html(render_markdown(body), page, current_user)
    if notes:
        html = render_template("pages/_template_notes.html", notes=notes) + html
    return jsonify(html=str(html))


@bp.route("/wiki/<slug>/history")
def history(slug):
    page = load_page(slug, "pages.history")
    events = db.paginate(
        db.select(PageEvent).where(PageEvent.page_id == page.id)
        .order_by(PageEvent.created_at.desc(), PageEvent.id.desc()),
        per_page=50,
    )
    return render_template("pages/history.html", page=page, events=events)


@bp.route("/wiki/<slug>/revisions/<int:number>")
def revision(slug, number):
    page = load_page(slug, "pages.revision")
    rev = get_revision(page, number)
    return render_template("pages/revision.html", page=page, revision=rev,
                           content=finish_html(rev.html, page, current_user), form=ConfirmForm())


@bp.route("/wiki/<slug>/diff")
def diff(slug):
    page = load_page(slug, "pages.diff")
    current = page.current_revision.number
    to = request.args.get("to", current, type=int)
    frm = request.args.get("from", max(to - 1, 1), type=int)
    mode = "inline" if request.args.get("mode") == "inline" else "side"
    old, new = get_revision(page, frm), get_revision(page, to)
    rows = diff_rows(old.body, new.body)
    added, removed = diff_stats(rows)
    numbers = db.session.scalars(
        db.select(Revision.number).where(Revision.page_id == page.id).order_by(Revision.number)
    ).all()
    return render_template("pages/diff.html", page=page, old=old, new=new, rows=rows,
                           mode=mode, added=added, removed=removed, numbers=numbers)


@bp.route("/wiki/<slug>/revert/<int:number>", methods=["POST"])
@require_role("editor")
def revert(slug, number):
    page = load_page(slug)
    try:
        result = services.revert_page(page, number, current_user)
    except services.PageError as e:
        return render_error(e.status, e.message)
    if result.revision is None:
        flash(_("Revision %(number)s is the same as the current text.", number=number), "info")
    else:
        flash(_("Revision %(number)s restored as revision %(new)s.", number=number,
                new=result.revision.number), "success")
    return redirect(url_for("pages.view", slug=page.slug))


@bp.route("/wiki/<slug>/settings", methods=["GET", "POST"])
@require_role("editor")
def settings(slug):
    page = load_page(slug, "pages.settings")
    form = PageSettingsForm(obj=page if request.method == "GET" else None)
    if request.method == "GET":
        form.parent.data = page.parent.slug if page.parent else ""
        form.language.data = page.lang
    elif form.validate():
        try:
            services.change_settings(page, current_user, title=form.title.data,
                                     slug=(form.slug.data or "").strip() or None,
                                     parent=parent_from_form(form.parent.data),
                                     visibility=form.visibility.data,
                                     language=form.language.data or None)
        except services.PageError as e:
            db.session.rollback()
            flash(e.message, "error")
            return render_template("pages/settings.html", form=form, page=page), e.status
        flash(_("Page settings saved."), "success")
        return redirect(url_for("pages.view", slug=page.slug))
    status = 400 if form.errors else 200
    return render_template("pages/settings.html", form=form, page=page), status


@bp.route("/wiki/<slug>/delete", methods=["GET", "POST"])
@require_role("editor")
def delete(slug):
    page = load_page(slug, "pages.delete")
    form = ConfirmForm()
    if form.validate_on_submit():
        parent = page.parent
        services.delete_page(page, current_user)
        flash(_("“%(title)s” was deleted. An admin can restore it from the trash.", title=page.title),
              "success")
        return redirect(url_for("pages.view", slug=parent.slug) if parent else url_for("pages.home"))
    return render_template("pages/delete.html", form=form, page=page)
