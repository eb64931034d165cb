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


@hookspec
def register_api(api):
    """Declare endpoints of the REST API under /api/v1 (docs/api.md); they
    join the OpenAPI document::

        @hookimpl
        def register_api(api):
            @api.get("/greetings", response=Greetings, summary="The greetings", tag="Greeting")
            def list_greetings():
                return {"items": [...]}

    ``api.get``, ``post``, ``put``, ``patch``, ``delete`` take the path (Flask's
    rule syntax), ``summary``, ``tag`` and the options of
    ``wiki.rest.registry.Endpoint``: ``response``, ``body``, ``query`` (pydantic
    models built on ``ApiBody``, ``ApiOut``, ``ApiQuery`` of ``wiki.api``),
    ``role``, ``scope``, ``status``, ``problems``. Raise ``ApiError`` for errors.
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
    (inside the page editor's form, under the text; also gets ``form``),
    ``admin_trash`` (on the admins' trash page, under the deleted pages:
    what else a plugin keeps for admins to restore), ``account`` (on a
    member's account page: their settings of your plugin), ``editor_toolbar``
    (buttons of the editor's toolbar: ``<button type="button" class="tool"
    tabindex="-1">``; ``aria-controls`` opens a ``.toolbar-panel`` of the same
    id, whose ``data-insert`` buttons insert their text, docs/plugins.md); the comments
    plugin adds ``comment_form`` (extra fields of its form).
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
    (``wiki.blocks.placeholder(name, args)`` writes one; ``inline=True``
    makes it a ``span``, for a block inside a line of text), filled in when
    the page is viewed: its output may depend on other pages (a list of
    children) without re-rendering any Markdown. ``args`` is the
    placeholder's string; ``page`` is None in the editor preview of a new
    page. Return Markup built safely (escape what you insert); raise
    ``wiki.blocks.BlockError(message)`` for bad arguments: editors see the
    message, readers see nothing. A placeholder written with a ``fallback``
    text shows that text when no plugin renders it (yours was turned off).
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


@hookspec(firstresult=True)
def guess_language(text):
    """Return the language ``text`` is written in, as a BCP 47 tag (``"fr"``),
    or None when its words do not say clearly: callers then fall back to a
    language they know (a comment to its page's, an imported page to the
    wiki's ``DEFAULT_LANGUAGE``), so a wrong guess is worse than none. The
    search plugin answers for English and French; a third-party plugin is
    asked before the built-in ones (pluggy calls the last registered first),
    so it may know more languages. Callers check the answer with
    ``wiki.api.normal_tag``::

        @hookimpl
        def guess_language(text):
            return "es" if count_spanish_words(text) >= 3 else None
    """


# -- Mail ----------------------------------------------------------------------


@hookspec
def mail_tick(now):
    """Called by each delivery pass of the mail sender (every few seconds in
    each app server, and by ``flask --app wiki mail send``), in an app
    context, ``now`` a naive UTC datetime: queue what is due (a daily digest)
    with ``wiki.api.queue_template`` and commit. Several servers may call it
    at once: make what you queue once a day safe to race (a row you claim)."""


@hookspec(firstresult=True)
def mail_unsubscribe(address, scope):
    """Someone followed the unsubscribe link of a message you queued with
    ``unsubscribe=wiki.api.unsubscribe_url(address, scope)``: stop what
    ``scope`` (a string you chose, e.g. ``"watch:12"``) names for
    ``address`` and commit. Return a sentence for the confirmation page,
    or None when the scope is not yours (first answer wins). The core
    handles ``"all"``: no more mail the wiki sends on its own."""


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


# -- In the transaction of a change, before it commits ---------------------


@hookspec
def page_saving(page, revision, user, created):
    """Called in the transaction that saves ``revision`` of ``page`` (by
    ``user``, the one given to the service: an anonymous-like user without
    an id from the command line; ``created`` on the first one), before it
    commits; both are flushed (they have their ids). Add the rows
    that must be committed with it or not at all (a notification in the mail
    outbox); never commit. It may be called again for the same change when
    the save is retried after a write race: the rows of the attempt that was
    rolled back went with it. What imports write in bulk does not call it
    (``page_saved`` only); pages they change through ``save_page`` do."""


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


# -- Import and export ----------------------------------------------------------


@hookspec(firstresult=True)
def set_pages_labels(labels, user):
    """Give each page of ``labels`` (a dict: page -> label names as written,
    e.g. in an imported file's front matter: normalise them your way) exactly
    those labels, recording each change as any label change; an import passes
    a batch of pages at once. Return a dict: page id -> the message refusing
    that page's labels (it keeps the labels it had), empty when all were set.
    None lets the caller know that no plugin keeps labels. Changes are
    committed: call it with nothing else pending in the session."""


@hookspec(firstresult=True)
def export_page_files(page, text, folder, link, note):
    """``pages export`` is writing ``page``, whose Markdown is ``text``: write
    the files your plugin keeps for the page into ``folder`` (a
    ``pathlib.Path`` that does not exist yet: create it only when the page
    has files), and return ``text`` with your references to files made
    links that work in the exported folder. ``link(page, name)`` is the
    relative link, from this page's Markdown file, to the file ``name``
    written for ``page`` (this one or another; None when that page is not
    exported). Rewrite outside code only (``wiki.api.outside_code``); call
    ``note(message)`` for what could not be exported. Return None when no
    file is yours to write (the text is then written as it is)::

        @hookimpl
        def export_page_files(page, text, folder, link):
            if not has_files(page):
                return None
            folder.mkdir()
            write_files(page, folder)
            return outside_code(text, lambda part: MY_REF.sub(
                lambda m: f"[{m[1]}]({link(page, m[2])})", part))
    """


@hookspec(firstresult=True)
def import_file(path, name, text, image, page_title):
    """``pages import`` found a file to attach: ``path`` (a ``pathlib.Path``
    of a regular file inside the imported folder), to become the file
    ``name`` of a page. Check it as you would an upload, without keeping
    anything, and return the Markdown that refers to it from the linking
    page's text: ``text`` is the link's text (``image``: an image link),
    ``page_title`` the title of the page that holds the file when it is not
    the linking page (None when it is). A file of a page's own files folder
    that no link names comes with ``text`` None: check it only (return any
    string, such as ``""``). Raise ``wiki.api.PageError`` with the reason
    you refuse it: the link stays as written and the import reports it.
    None: no plugin keeps files (the links stay, and the import says that
    files were not imported)::

        @hookimpl
        def import_file(path, name, text, image, page_title):
            if path.stat().st_size == 0:
                raise PageError(f"“{name}” is empty.")
            return f"[{text}]({name})" if page_title is None else f"[[{page_title}^{name}|{text}]]"
    """


@hookspec(firstresult=True)
def import_page_files(page, files, user, note):
    """``pages import`` wrote ``page`` (committed) and accepted ``files`` for
    it with ``import_file``: a dict, name -> ``pathlib.Path``. Attach each
    as ``user``, adding nothing when the page's file of that name has the
    same bytes already (importing again changes nothing); call
    ``note(message)`` for a file you could not attach. Return how many files
    you attached (new files and new versions); None when no plugin keeps
    files. Changes are committed::

        @hookimpl
        def import_page_files(page, files, user, note):
            return sum(attach(page, name, path, user) for name, path in files.items())
    """


@hookspec(firstresult=True)
def import_page_comments(page, comments, note):
    """An import (``pages import`` of a Confluence space) brings ``page``'s
    comment thread: ``comments`` is a list of
    ``wiki.api.CommentRecord``, parents before their replies, in posting
    order. Store each with its author, dates and place in the thread (a reply
    stays under the comment it answers). Importing again must not duplicate:
    a record whose ``key`` you stored already is updated when its text or
    dates changed, else left alone. Call ``note(message)`` for a comment you
    could not store, or stored otherwise than given (a reply whose parent is
    missing goes to the top; the rest go on). Return ``(created, updated,
    unchanged)`` counts; None when no plugin keeps comments. Changes are
    committed::

        @hookimpl
        def import_page_comments(page, comments, note):
            return store_thread(page, comments)  # (3, 0, 7)
    """


@hookspec(firstresult=True)
def import_file_versions(page, name, versions, note):
    """An import brings the file ``name`` of ``page`` with its history:
    ``versions`` is a list of ``wiki.api.FileVersionRecord``, oldest first.
    Attach each version not there yet, as its uploader and at its date,
    checked as an upload is; a version whose bytes the page's file has
    already at that place in its history is left alone, so importing again
    changes nothing. Call ``note(message)`` for a version you refuse or
    cannot read (its ``open()`` may raise). Return ``(created, unchanged)``
    counts of versions; None when no plugin keeps files. Changes are
    committed::

        @hookimpl
        def import_file_versions(page, name, versions, note):
            return attach_versions(page, name, versions)  # (2, 0)
    """


# -- Backup ---------------------------------------------------------------------


@hookspec
def backup_files(connection):
    """``flask --app wiki backup`` asks for the files your plugin keeps beside
    the database's rows (bytes of uploads, say), to store them under
    ``files/`` in the archive. Return (or yield) ``(name, open)`` pairs:
    ``name`` a path starting with your plugin's name
    (``"greeting/<sha256>"``), ``open()`` a readable binary file of its
    bytes, read in chunks and closed by the backup. When the bytes are
    missing, ``open()`` raises ``LookupError`` or ``OSError`` with a message
    saying what is missing: the backup goes on without that file and lists
    it. ``connection`` reads the database at the moment of the backup's
    snapshot: list the files its rows refer to. A table whose rows hold
    bytes you store this way declares ``info={"backup": False}``::

        @hookimpl
        def backup_files(connection):
            for sha256 in connection.scalars(sa.text("SELECT sha256 FROM greeting_upload")):
                yield f"greeting/{sha256}", functools.partial(open_blob, sha256)
    """


@hookspec(firstresult=True)
def restore_file(name, stream):
    """``flask --app wiki restore`` found ``files/<name>`` in the archive
    (every member's checksum was checked first). If ``name`` is yours,
    keep the bytes of ``stream`` (a readable binary file: read it in chunks)
    where your plugin keeps files and return True, or a message saying why
    you refuse them; None when the name is not yours. Called after the
    tables are created and before their rows go in, so a restore that fails
    midway can be run again::

        @hookimpl
        def restore_file(name, stream):
            if name.startswith("greeting/"):
                save_blob(name.removeprefix("greeting/"), stream)
                return True
            return None
    """


@hookspec
def wiki_restored():
    """The database was restored from a backup; rebuild derived data.

    Called after ``flask --app wiki restore`` committed every row. Return a
    line for the restore's summary (e.g. ``"Search index rebuilt: 42
    documents."``) or None."""
