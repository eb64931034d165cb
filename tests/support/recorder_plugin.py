"""A test plugin that implements every hook of ``wiki/hookspecs.py``, and
the hooks the search and comments plugins declare (optionally: it loads
without them), and records each call (hook name and key arguments, in order).

Register an instance with ``app_factory(EXTRA_PLUGINS=[Recorder()])``. It
also gives each setup hook something visible to check end to end: a route, a
CLI command, a Markdown extension, a sanitizer allowlist entry, template slots
and a migration folder.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

import click
from flask import Blueprint
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markupsafe import Markup

from wiki.api import BlockError, hookimpl, placeholder

MIGRATIONS = Path(__file__).parent / "recorder_migrations"
EVENTS = ("page_saved", "page_renamed", "page_moved", "page_visibility_changed",
          "page_deleted", "page_restored")
# Events other plugins fire (labels, comments): recorded the same way.
PLUGIN_EVENTS = ("labels_changed", "comment_posted", "comment_edited", "comment_hidden",
                 "comment_shown", "comment_deleted")

# What the slots return: the str must come out escaped, the Markup as is.
PLAIN_SLOT = "<b>plain recorder text</b>"
MARKUP_SLOT = Markup('<b class="recorder-markup">trusted recorder html</b>')


class WaveProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        el = ET.Element("span", {"class": "wave"})
        el.text = "\N{WAVING HAND SIGN}"
        return el, m.start(0), m.end(0)


class WaveExtension(Extension):
    """``:wave:`` -> ``<span class="wave">👋</span>``; ``:echo ARGS:`` -> a
    dynamic block, filled by ``render_block`` when the page is viewed."""

    def extendMarkdown(self, md):
        # Below backticks (190) and escapes (180): `:wave:` in code stays literal.
        md.inlinePatterns.register(WaveProcessor(r":wave:", md), "recorder-wave", 175)
        md.preprocessors.register(EchoPreprocessor(md), "recorder-echo", 25)


class EchoPreprocessor(Preprocessor):
    def run(self, lines):
        return [self.md.htmlStash.store(placeholder("echo", line[6:-1]))
                if line.startswith(":echo ") and line.endswith(":") else line for line in lines]


def _slug(page):
    return page.slug if page is not None else None


class Recorder:
    """Hook implementations as methods: ``self.calls`` is a list of
    ``(hook name, {argument: value})`` in call order. Pages are recorded by
    slug at call time, since the objects change afterwards."""

    def __init__(self):
        self.calls = []
        # Kept apart from ``calls``, where tests pick a plugin's events by their prefix:
        # the hooks called in a change's transaction, before its commit (``page_saving``,
        # ``comment_publishing``), and the comment form's (``comment_form_problems``, ``_saved``).
        self.in_transaction = []
        self.form_calls = []

    def _record(self, hook, **args):
        self.calls.append((hook, args))

    def called(self, hook):
        return [args for name, args in self.calls if name == hook]

    def events(self):
        """The page lifecycle events only, as ``(hook, args)``."""
        return [(name, args) for name, args in self.calls if name in EVENTS]

    # -- setup --------------------------------------------------------------

    @hookimpl
    def register_models(self):
        # No model class: it would join the global db.metadata and be seen by
        # every other test's app too. The migration alone proves the branch runs.
        self._record("register_models")
        return MIGRATIONS

    @hookimpl
    def register_blueprints(self, app):
        self._record("register_blueprints", app=app.name)
        # A fresh blueprint per app: the tests build many apps.
        bp = Blueprint("recorder", __name__, url_prefix="/recorder")

        @bp.route("/ping")
        def ping():
            self._record("view_ping")
            return "pong from recorder"

        app.register_blueprint(bp)

    @hookimpl
    def register_api(self, api):
        self._record("register_api", api=type(api).__name__)

    @hookimpl
    def register_cli(self, group):  # fewer arguments than the spec: allowed
        self._record("register_cli", group=group.name)

        @click.command("recorder-ping")
        @click.argument("who", default="world")
        def ping(who):
            self._record("cli_ping", who=who)
            click.echo(f"pong, {who}")

        group.add_command(ping)

    # -- rendering ----------------------------------------------------------

    @hookimpl
    def markdown_extensions(self):
        self._record("markdown_extensions")
        return [WaveExtension()]  # a fresh instance per render

    @hookimpl
    def sanitizer_allowlist(self):
        self._record("sanitizer_allowlist")
        # The core allows <mark> but no attributes on it, and no <details>.
        # "onclick" must be dropped by the host, whatever the plugin asks.
        return {"tags": {"details", "summary"},
                "attributes": {"mark": ["class", "onclick"], "details": ["open"]}}

    @hookimpl
    def template_slot(self, name, context):
        self._record("template_slot", name=name, page=_slug(context.get("page")))
        if name == "page_header":
            return PLAIN_SLOT
        if name == "page_footer":
            return MARKUP_SLOT
        if name == "editor":
            return Markup('<label for="recorder_note">Recorder note</label>'
                          '<input id="recorder_note" name="recorder_note">')
        return None

    # -- events -------------------------------------------------------------

    @hookimpl
    def page_saving(self, page, revision, user, created):
        user = getattr(user, "username", None)
        self.in_transaction.append(("page_saving", {"slug": page.slug, "revision": revision.number,
                                                    "created": created, "user": user}))

    @hookimpl
    def page_saved(self, page, revision, created):
        self._record("page_saved", slug=page.slug, revision=revision.number, created=created)

    @hookimpl
    def page_renamed(self, page, old_title, old_slug):
        self._record("page_renamed", slug=page.slug, old_title=old_title, old_slug=old_slug)

    @hookimpl
    def page_moved(self, page, old_parent):
        self._record("page_moved", slug=page.slug, old_parent=_slug(old_parent),
                     parent=_slug(page.parent))

    @hookimpl
    def page_visibility_changed(self, page):
        self._record("page_visibility_changed", slug=page.slug, visibility=page.visibility,
                     members_only=page.members_only)

    @hookimpl
    def page_deleted(self, page):
        self._record("page_deleted", slug=page.slug, deleted=page.is_deleted)

    @hookimpl
    def page_restored(self, page):
        self._record("page_restored", slug=page.slug, deleted=page.is_deleted)

    @hookimpl
    def render_block(self, name, args, page, user):
        if name != "echo":
            return None
        self._record("render_block", args=args, page=_slug(page), user=user.display_name)
        if args == "bad":
            raise BlockError("echo does not take 'bad'")
        return Markup('<span class="echo">{} for {}</span>').format(args, user.display_name)

    @hookimpl
    def register_hookspecs(self):
        self._record("register_hookspecs")
        return None  # the recorder declares no hooks of its own

    @hookimpl
    def page_labels(self, page):
        return None  # a recorder keeps no labels: let a real plugin answer

    @hookimpl
    def pages_labels(self, page_ids):
        return None

    @hookimpl
    def guess_language(self, text):
        return None  # no opinion: let a real plugin guess

    @hookimpl
    def mail_tick(self, now):
        self._record("mail_tick")

    @hookimpl
    def mail_unsubscribe(self, address, scope):
        self._record("mail_unsubscribe", address=address, scope=scope)
        return None  # no scope of its own: let the core or a real plugin answer

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def comment_form_problems(self, form, user):
        self.form_calls.append(("comment_form_problems", {"fields": sorted(form)}))
        return []

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def comment_form_saved(self, comment, form):
        self.form_calls.append(("comment_form_saved", {"id": comment.id}))

    # -- search ---------------------------------------------------------------

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def search_changes(self, obj, deleted):
        return None  # the recorder has no models

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def search_documents(self, kind, keys):
        return None

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def search_count(self, kind):
        return None

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def search_kinds(self):
        return []

    # -- editor and command line --------------------------------------------

    @hookimpl
    def page_form_problems(self, form):
        self._record("page_form_problems", note=form.get("recorder_note"))
        return ["The recorder refuses this note."] if form.get("recorder_note") == "refuse" else []

    @hookimpl
    def page_form_saved(self, page, form, user):
        self._record("page_form_saved", slug=page.slug, note=form.get("recorder_note"),
                     user=user.username)

    @hookimpl
    def page_cli_options(self):
        return [click.Option(["--note", "recorder_note"], help="A note for the recorder.")]

    @hookimpl
    def page_cli_put(self, page, options, user):
        self._record("page_cli_put", slug=page.slug, note=options.get("recorder_note"))

    @hookimpl
    def set_pages_labels(self, labels, user):
        for page, names in labels.items():
            self._record("set_pages_labels", slug=page.slug, labels=names)
        return None  # a recorder keeps no labels: let a real plugin answer

    # -- events of other plugins ----------------------------------------------

    @hookimpl
    def labels_changed(self, page, added, removed, user):
        self._record("labels_changed", slug=page.slug, added=added, removed=removed)

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def comment_publishing(self, comment):
        self.in_transaction.append(("comment_publishing", {"id": comment.id, "status": comment.status}))

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def comment_posted(self, comment):
        self._record("comment_posted", id=comment.id)

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def comment_edited(self, comment):
        self._record("comment_edited", id=comment.id)

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def comment_hidden(self, comment):
        self._record("comment_hidden", id=comment.id)

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def comment_shown(self, comment):
        self._record("comment_shown", id=comment.id)

    @hookimpl(optionalhook=True)  # a plugin's hook: that plugin may be disabled
    def comment_deleted(self, comment):
        self._record("comment_deleted", id=comment.id)

    # -- files: export and import (the attachments plugin answers) --------------

    @hookimpl
    def export_page_files(self, page, folder):
        self._record("export_page_files", slug=page.slug, folder=folder.name)
        return None  # a recorder keeps no files: let a real plugin answer

    @hookimpl
    def import_file(self, name, page_title):
        self._record("import_file", name=name, page_title=page_title)
        return None

    @hookimpl
    def import_page_files(self, page, files):
        self._record("import_page_files", slug=page.slug, files=sorted(files))
        return None

    # -- comments and file versions an import brings (the comments and attachments plugins answer)

    @hookimpl
    def import_page_comments(self, page, comments):
        self._record("import_page_comments", slug=page.slug, keys=[c.key for c in comments])
        return None  # a recorder keeps no comments: let a real plugin answer

    @hookimpl
    def import_file_versions(self, page, name, versions):
        self._record("import_file_versions", slug=page.slug, name=name, numbers=[v.number for v in versions])
        return None

    # -- backup -----------------------------------------------------------------

    @hookimpl
    def backup_files(self, connection):
        self._record("backup_files")
        return []  # nothing of its own to store

    @hookimpl
    def restore_file(self, name):
        self._record("restore_file", name=name)
        return None  # not its file: the plugin it belongs to takes it

    @hookimpl
    def wiki_restored(self):
        self._record("wiki_restored")
