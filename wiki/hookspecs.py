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
def register_hookspecs():
    """Return a module (or class) of hook specs your plugin declares: hooks
    that you call and that other plugins may implement. Declare them with
    ``wiki.api.hookspec``; a plugin implementing another plugin's hook marks
    it ``@hookimpl(optionalhook=True)``, so it still loads when that plugin
    is disabled::

        @hookimpl
        def register_hookspecs():
            from . import hookspecs
            return hookspecs
    """


@hookspec
def register_cli(group, app):
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
    Edit), ``home`` (on the home page, under recent changes), ``editor``
    (inside the page editor's form, under the text; also gets ``form``).
    ``context`` holds ``page`` (or None) and ``user``.

    A plain ``str`` is escaped; return ``markupsafe.Markup`` only for HTML the
    plugin built safely, e.g. ``Markup(render_template("myplugin/box.html"))``
    (Jinja escapes the values inside).
    """


@hookspec(firstresult=True)
def render_block(name, args, page, user):
    """Render the dynamic block ``name`` of a page being viewed, or return None
    if the block is not yours.

    A block is a placeholder in a revision's cached HTML,
    ``<div class="wiki-block" data-block="NAME" data-args="ARGS"></div>``
    (``wiki.blocks.placeholder(name, args)`` writes one), filled in when the
    page is viewed: its output may depend on other pages (a list of children)
    without re-rendering any Markdown. ``args`` is the placeholder's string;
    ``page`` is None in the editor preview of a new page. Return Markup built
    safely (escape what you insert); raise ``wiki.blocks.BlockError(message)``
    for bad arguments: editors see the message, readers see nothing.
    """


# -- Data that plugins share --------------------------------------------------


@hookspec(firstresult=True)
def page_labels(page):
    """Return the sorted list of labels of ``page`` (the labels plugin answers);
    None when no plugin keeps labels, so callers can degrade quietly."""


@hookspec(firstresult=True)
def pages_labels(page_ids):
    """Return ``{page id: sorted list of labels}`` for many pages at once
    (pages without labels may be left out), in one query rather than one
    per page; None when no plugin keeps labels."""


# -- Editor and command line --------------------------------------------------


@hookspec
def page_form_problems(form):
    """Check the fields you added to the page editor, before anything is
    saved: return a list of messages for the editor (empty when all is well).
    Any message refuses the save; the form comes back as typed (HTTP 400)."""


@hookspec
def page_form_saved(page, form, user):
    """The page editor saved ``page`` (created or edited); ``form`` is the
    submitted form (a MultiDict), with any fields the plugin added through the
    ``editor`` template slot."""


@hookspec
def page_cli_options():
    """Return a list of ``click.Option`` to add to ``flask --app wiki pages put``,
    e.g. ``[click.Option(["--label", "labels"], multiple=True)]``."""


@hookspec
def page_cli_put(page, options, user):
    """``pages put`` saved ``page``; ``options`` maps each added option's name to
    its value. Apply yours."""


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


@hookspec
def labels_changed(page, added, removed, user):
    """The labels of ``page`` changed: ``added`` and ``removed`` are lists of labels."""


# -- Import ---------------------------------------------------------------------


@hookspec(firstresult=True)
def set_pages_labels(labels, user):
    """Give each page of ``labels`` (a dict: page -> label names as written,
    e.g. in an imported file's front matter: normalise them your way) exactly
    those labels, recording each change as any label change; an import passes
    a batch of pages at once. Return a dict: page id -> the message refusing
    that page's labels (it keeps the labels it had), empty when all were set.
    None lets the caller know that no plugin keeps labels. Changes are
    committed: call it with nothing else pending in the session."""


# -- Backup ---------------------------------------------------------------------


@hookspec
def wiki_restored():
    """The database was restored from a backup; rebuild derived data.

    Called after ``flask --app wiki restore`` committed every row. Return a
    line for the restore's summary (e.g. ``"Search index rebuilt: 42
    documents."``) or None."""
