"""The Labels field of the page editor: shown through the ``editor`` slot,
checked by ``page_form_problems``, applied by ``page_form_saved``."""

from flask import render_template, request
from flask_babel import gettext as _

from . import queries
from .service import LabelError, labels_of, parse, set_labels

FIELD = "labels"


def field(page, user):
    """The field's HTML, prefilled with the page's labels (or what was typed)."""
    if request.method == "POST":  # a preview or a refused save: keep what was typed
        value = request.form.get(FIELD, "")
    else:
        value = ", ".join(labels_of(page)) if page is not None else ""
    return render_template("labels/editor_field.html", name=FIELD, value=value,
                           suggestions=queries.suggestions(user, "", limit=30))


def problems(form):
    """A label the editor cannot take refuses the save (the text is kept in the form)."""
    try:
        parse(form.get(FIELD, ""))
    except LabelError as e:
        return [_("The page was not saved: %(problem)s Correct the Labels field, then save again.",
                  problem=e.message)]
    return []


def apply(page, form, user):
    """Set the labels typed in the editor (checked by ``problems`` before the
    save). A form without the field (another editor form, or one from before
    the plugin was enabled) leaves them alone."""
    if FIELD in form:
        set_labels(page, parse(form[FIELD]), user)
