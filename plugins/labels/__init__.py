"""Labels: pages carry labels, as in Confluence (docs/labels.md).

Only hook implementations live here; the work is in the modules they call.
"""

from pathlib import Path

from wiki.api import hookimpl

from . import cli, editor, rest, slots, views
from .models import PageLabel
from .service import labels_of, labels_of_pages, set_many


@hookimpl
def register_models():
    return Path(__file__).parent / "migrations"  # models.py is imported with service.py


@hookimpl
def register_blueprints(app):
    app.register_blueprint(views.bp)


@hookimpl
def register_api(api):
    rest.register(api)  # /api/v1/labels and a page's labels


@hookimpl
def template_slot(name, context):
    return slots.render(name, context)


@hookimpl
def page_labels(page):
    return labels_of(page)


@hookimpl
def pages_labels(page_ids):
    return labels_of_pages(page_ids)


@hookimpl
def page_form_problems(form):
    return editor.problems(form)


@hookimpl
def page_form_saved(page, form, user):
    editor.apply(page, form, user)


@hookimpl
def page_cli_options():
    return cli.options()


@hookimpl
def page_cli_put(page, options, user):
    cli.apply(page, options, user)


@hookimpl(optionalhook=True)  # the search plugin's hook: search may be disabled
def search_changes(obj):
    # A page's labels are part of its search document.
    return [("page", obj.page_id)] if isinstance(obj, PageLabel) else None


@hookimpl
def set_pages_labels(labels, user):
    return set_many(labels, user)
