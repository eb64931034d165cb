"""Comments: a thread under every page, anonymous or signed, with nested
replies, moderation and spam control (docs/comments.md).

Only hook implementations live here; the work is in the modules they call.
"""

from pathlib import Path

from wiki.api import hookimpl

from . import hookspecs, imported, rest, search, settings, slots, views


@hookimpl
def register_hookspecs():
    return hookspecs  # comment_posted and the other comment events


@hookimpl
def register_models():
    return Path(__file__).parent / "migrations"  # models.py is imported with views.py


@hookimpl
def register_blueprints(app):
    settings.init_app(app)  # the first hook that sees the app: bad settings fail here
    app.register_blueprint(views.bp)


@hookimpl
def register_api(api):
    rest.register(api)  # a page's thread, posting, editing, moderation under /api/v1


@hookimpl
def template_slot(name, context):
    return slots.render(name, context)


@hookimpl
def import_page_comments(page, comments, note):
    return imported.store_thread(page, comments, note)  # an import (docs/import-confluence.md)


# The search plugin's hooks (plugins/search/hookspecs.py): optional, so that
# comments work with the search plugin disabled.


@hookimpl(optionalhook=True)
def search_changes(obj):
    return search.changed_keys(obj)


@hookimpl(optionalhook=True)
def search_documents(kind, keys):
    return search.documents(kind, keys)


@hookimpl(optionalhook=True)
def search_kinds():
    return ["comment"]


@hookimpl(optionalhook=True)
def search_count(kind):
    return search.count() if kind == "comment" else None
