"""Full-text search over pages, comments and attached files, in English and French.

The database is the source of truth: every change writes a row to the
``search_change`` log in its own transaction (``changes.py``), and each app
server applies the log to its own index before its response goes out.
The index is kept by the engine ``SEARCH_ENGINE`` names (``engines/``:
Whoosh by default, SQLite FTS5 for very large wikis) behind one interface
(``engine.py``). Docs: docs/search.md.
"""

import os
from pathlib import Path

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup

from wiki.api import db, hookimpl

from . import changes, engines, hookspecs
from .language import guess_language  # noqa: F401 - the core's hook, answered from the stop words

static = Blueprint("search_static", __name__, static_folder="static",
                   static_url_path="/plugins/search/static")


# The plugin's settings and their defaults (docs/search.md).
SETTINGS = {
    "SEARCH_ENGINE": engines.DEFAULT,  # "whoosh" or "sqlite"
    "SEARCH_INDEX_DIR": None,  # None: instance/search; each engine has a folder in it
    "SEARCH_BUILD_WAIT": 3,  # seconds a search waits for a missing index being built
    "SEARCH_LOG_DAYS": 7,  # change-log rows older than this are pruned
}


class SearchState:
    def __init__(self, app):
        for key, value in SETTINGS.items():
            app.config.setdefault(key, value)
        root = app.config["SEARCH_INDEX_DIR"] or os.path.join(app.instance_path, "search")
        self.engine = engines.create(app.config["SEARCH_ENGINE"], root)  # an unknown name stops the app
        self.indexer = changes.Indexer(self.engine, app)


@hookimpl
def register_hookspecs():
    return hookspecs  # search_changes, search_documents, search_kinds, search_count


@hookimpl
def register_models():
    from . import models  # noqa: F401

    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints(app):
    from .views import bp

    state = SearchState(app)
    app.extensions["wiki.search"] = state
    changes.listen()
    app.register_blueprint(bp)
    app.register_blueprint(static)

    @app.after_request
    def apply_changes(response):
        # Before the response leaves: a change shows in search as soon as
        # its request returns. Also polls now and then for other servers'.
        if state.indexer.needs_catch_up():
            state.indexer.catch_up(wait=0)  # a missing index is built in the background
        return response

    @app.teardown_appcontext
    def apply_cli_changes(_exc):
        # Changes made outside a request (the CLI) are applied here.
        if db.session.info.get("search_dirty"):
            state.indexer.catch_up()


@hookimpl
def register_api(api):
    from . import rest  # here, as the views are: imported when the app is built

    rest.register(api)  # /api/v1/search


@hookimpl
def register_cli(group):
    from .cli import reindex_command

    group.add_command(reindex_command)


@hookimpl
def template_slot(name):
    if name == "head":
        return Markup('<link rel="stylesheet" href="{}">').format(
            url_for("search_static.static", filename="search.css"))
    if name == "header":
        q = request.args.get("q", "") if request.endpoint == "search.results" else ""
        return Markup(render_template("search/box.html", q=q))  # noqa: S704 - autoescaped template
    return None


@hookimpl
def wiki_restored():
    # A restored database comes without its change log: index everything anew.
    from flask import current_app

    count = current_app.extensions["wiki.search"].indexer.rebuild()
    return f"Search index rebuilt: {count} documents."
