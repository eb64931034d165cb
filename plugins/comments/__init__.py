"""Comments: a thread under every page, anonymous or signed, with nested
replies, moderation and spam control (docs/comments.md).

Only hook implementations live here; the work is in the modules they call.
"""

from pathlib import Path

from wiki.hookspecs import hookimpl

from . import search, settings, slots, views


@hookimpl
def register_models():
    return Path(__file__).parent / "migrations"  # models.py is imported with views.py


@hookimpl
def register_blueprints(app):
    settings.init_app(app)  # the first hook that sees the app: bad settings fail here
    app.register_blueprint(views.bp)


@hookimpl
def template_slot(name, context):
    return slots.render(name, context)


@hookimpl
def search_changes(obj):
    return search.changed_keys(obj)


@hookimpl
def search_documents(kind, keys):
    return search.documents(kind, keys)


@hookimpl
def search_kinds():
    return ["comment"]
