"""The plugin contract: every hook the wiki calls, in one file.

A plugin is a module (or object) with functions marked ``@hookimpl`` whose
names match the specs below. An implementation may accept fewer arguments
than its spec, so hooks can grow without breaking plugins. See
docs/plugins.md for a walk-through.

    from wiki.hookspecs import hookimpl

    @hookimpl
    def page_saved(page, revision):
        print(page.slug, revision.number)
"""

import pluggy

PROJECT = "wiki"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- Setup: called once by ``create_app`` ---------------------------------


@hookspec
def register_models():
    """Import the plugin's model modules so their tables join ``db.metadata``.

    Return the path of a folder of Alembic migration scripts for those tables
    (with their own ``branch_labels``), or None::

        @hookimpl
        def register_models():
            from . import models  # noqa: F401
            return Path(__file__).parent / "migrations"
    """


@hookspec
def register_blueprints(app):
    """Register Flask blueprints (views, templates, static files)::

        @hookimpl
        def register_blueprints(app):
            app.register_blueprint(bp)
    """


@hookspec
def register_cli(group):
    """Add click commands to ``group`` (the ``flask --app wiki`` command group)::

        @hookimpl
        def register_cli(group):
            group.add_command(my_command)
    """


# -- Rendering --------------------------------------------------------------


@hookspec
def markdown_extensions():
    """Return a list of Python-Markdown extensions (instances or names) to add
    to the rendering pipeline, e.g. ``[MyExtension()]``. A fresh ``Markdown``
    is built for every render, so extensions may keep per-render state."""


@hookspec
def sanitizer_allowlist():
    """Return a dict with any of ``tags`` (set), ``attributes`` (tag -> list)
    and ``protocols`` (set) that the plugin's Markdown output needs, e.g.
    ``{"tags": {"details", "summary"}, "attributes": {"details": ["open"]}}``.
    Script-capable tags, event handler and style attributes are refused."""


@hookspec
def template_slot(name, context):
    """Return HTML for the named slot of a page, or None.

    Slots: ``head`` (in <head>: stylesheets, scripts), ``header`` (site header,
    e.g. a search box), ``sidebar``, ``page_header`` (under the page title),
    ``page_footer`` (under the page text), ``page_actions`` (buttons beside
    Edit), ``home`` (on the home page, under recent changes). ``context``
    holds ``page`` (or None) and ``user``.

    A plain ``str`` is escaped; return ``markupsafe.Markup`` only for HTML the
    plugin built safely, e.g. ``Markup(render_template("myplugin/box.html"))``
    (Jinja escapes the values inside).
    """


# -- Events: called after the change is committed -------------------------


@hookspec
def page_saved(page, revision, created):
    """A new revision of ``page`` was saved (``created`` on the first one)."""


@hookspec
def page_renamed(page, old_title, old_slug):
    """``page`` got a new title (and slug); the old slug now redirects."""


@hookspec
def page_moved(page, old_parent):
    """``page`` moved under another parent (``None`` is the top level)."""


@hookspec
def page_visibility_changed(page):
    """``page`` (and maybe its subtree) changed between public and members-only."""


@hookspec
def page_deleted(page):
    """``page`` was deleted (softly: an admin can restore it)."""


@hookspec
def page_restored(page):
    """A deleted ``page`` was restored by an admin."""
