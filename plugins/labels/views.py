"""Label pages: the index with counts, pages by label (combined with ``+``),
suggestions as JSON, and the add/remove endpoints behind the inline form."""

from babel.lists import format_list
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from wiki.api import db, load_page

from . import queries
from .forms import LabelForm
from .service import LabelError, add_labels, labels_of, normalise, parse_all, remove_labels, sort_key

PER_PAGE = 20

bp = Blueprint("labels", __name__, template_folder="templates", static_folder="static",
               static_url_path="/plugins/labels/static")


def box_context(page, user, form=None):
    """What ``labels/_box.html`` shows: the labels, and the form for editors."""
    can_edit = bool(user is not None and user.can_edit)
    labels = labels_of(page)
    suggestions = queries.suggestions(user, "", limit=30) if can_edit else []
    return {
        "page": page,
        "labels": labels,
        "can_edit": can_edit,
        "form": form,
        "suggestions": [row for row in suggestions if row[0] not in labels],
    }


# -- changing a page's labels (editors) -------------------------------------------


def _require_editor():
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    if not current_user.can_edit:
        abort(403)


def _back_to(page):
    return redirect(url_for("pages.view", slug=page.slug, _anchor="labels"))


@bp.route("/wiki/<slug>/labels", methods=["GET", "POST"])
def edit(slug):
    """GET: the page's labels on a page of their own. POST: add the typed labels;
    a refused one shows here again (400) with its message and the typed text."""
    _require_editor()
    page = load_page(slug, request.endpoint)
    form = LabelForm()
    if form.validate_on_submit():
        change = add_labels(page, form.names, current_user)
        if change:
            flash(ngettext("Added label %(labels)s.", "Added labels %(labels)s.", len(change.added),
                           labels=", ".join(change.added)), "success")
        else:
            flash(_("The page has these labels already."), "info")
        return _back_to(page)
    status = 400 if form.errors else 200
    return render_template("labels/edit.html", **box_context(page, current_user, form)), status


@bp.route("/wiki/<slug>/labels/remove", methods=["POST"])
def remove(slug):
    _require_editor()
    page = load_page(slug, request.endpoint)
    form = LabelForm()
    if not form.validate():
        abort(400)
    change = remove_labels(page, form.names, current_user)
    if change:
        flash(ngettext("Removed label %(labels)s.", "Removed labels %(labels)s.", len(change.removed),
                       labels=", ".join(change.removed)), "success")
    return _back_to(page)


def quoted_list(names):
    """``“a” and “b”`` / ``« a » et « b »``: label names as a phrase of the
    interface language (plain text: the template escapes it)."""
    quoted = [_("“%(label)s”", label=name) for name in names]
    return format_list(quoted, locale=get_locale() or "en")


# -- reading (everyone, over the pages they may see) --------------------------------


@bp.route("/labels")
def index():
    sort = "count" if request.args.get("sort") == "count" else "name"
    return render_template("labels/index.html", labels=queries.label_counts(current_user, sort),
                           sort=sort)


@bp.route("/labels/<names>")
def pages(names):
    """Pages carrying every label of ``a+b``, newest first. An unknown label is
    an empty list, as a label only hidden pages carry is: nothing leaks."""
    try:
        wanted = parse_all(names)
    except LabelError:
        abort(404)
    canonical = "+".join(wanted)
    if canonical != names:
        url = url_for("labels.pages", names=canonical)
        if request.query_string:  # kept as sent, never read as url_for arguments
            url += "?" + request.query_string.decode("latin-1")
        return redirect(url, 301)
    results = db.paginate(queries.pages_with_all(current_user, wanted), per_page=PER_PAGE,
                          error_out=False)
    labels = queries.labels_by_page(results.items)
    related = sorted({name for found in labels.values() for name in found} - set(wanted), key=sort_key)
    return render_template("labels/pages.html", names=wanted, results=results, labels=labels,
                           related=related, label_list=quoted_list(wanted))


@bp.route("/labels.json")
def suggest():
    """``?prefix=so`` -> ``{"prefix": "so", "labels": [{"name": "soil-carbon", "pages": 3,
    "text": "3 pages"}]}``, most used first; for the inline editor's suggestions (``text``
    in the interface language)."""
    typed = request.args.get("prefix", "")
    try:
        prefix = normalise(typed) if typed.strip() else ""
    except LabelError:
        return jsonify(prefix=typed, labels=[])
    rows = queries.suggestions(current_user, prefix)
    return jsonify(prefix=prefix, labels=[{"name": name, "pages": count, "text": _pages(count)}
                                          for name, count in rows])


def _pages(count):
    # Not ``num``: flask_babel's ngettext takes the count under that name.
    return ngettext("%(count)s page", "%(count)s pages", count, count=format_decimal(count))
