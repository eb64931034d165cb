"""The Labels field of the page editor: shown through the ``editor`` slot,
applied by ``page_form_saved``."""

from flask import flash, render_template, request

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


def apply(page, form, user):
    """Set the labels typed in the editor. A form without the field (another
    editor form, or one from before the plugin was enabled) leaves them alone.
    The text is saved already, so a refused label only costs the label change."""
    if FIELD not in form:
        return
    try:
        names = parse(form[FIELD])
    except LabelError as e:
        flash(f"The page was saved but its labels were not changed: {e.message}", "error")
        return
    set_labels(page, names, user)
