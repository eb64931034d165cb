"""Full-text search over pages and comments, in English and French (SQLite FTS5).

The database is the source of truth: every change writes a row to the
``search_change`` log in its own transaction (``changes.py``), and each app
server applies the log to its own index before its response goes out.
``index.py`` is the only module that knows the engine (SQLite FTS5). Docs: docs/search.md.
"""

import os
from pathlib import Path

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup

from wiki.hookspecs import hookimpl

from . import changes
from .index import SearchIndex

static = Blueprint("search_static", __name__, static_folder="static",
                   static_url_path="/plugins/search/static")


class SearchState:
    def __init__(self, root):
        self.index = SearchIndex(root)
        self.indexer = changes.Indexer(self.index)


@hookimpl
def register_models():
    from . import models  # noqa: F401

    return Path(__file__).parent / "migrations"


@hookimpl
def register_blueprints(app):
    from .views import bp

    root = app.config.get("SEARCH_INDEX_DIR") or os.path.join(app.instance_path, "search")
    state = SearchState(root)
    app.extensions["wiki.search"] = state
    changes.listen()
    app.register_blueprint(bp)
    app.register_blueprint(static)

    @app.after_request
    def apply_changes(response):
        # Before the response leaves: a change shows in search as soon as
        # its request returns. Also polls now and then for other servers'.
        if state.indexer.needs_catch_up():
            state.indexer.catch_up()
        return response

    @app.teardown_appcontext
    def apply_cli_changes(_exc):
        # Changes made outside a request (the CLI) are applied here.
        from wiki.extensions import db

        if db.session.info.get("search_dirty"):
            state.indexer.catch_up()


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
