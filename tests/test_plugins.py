"""The plugin host end to end: every hook of the contract is called and has its
effect, page events fire after commit in order, and plugins are found (the
``plugins/`` folder, entry points, EXTRA_PLUGINS) or kept out (PLUGINS,
DISABLED_PLUGINS) as configured."""

import importlib
import sys
import textwrap

import pytest
import sqlalchemy as sa
from markupsafe import escape
from pluggy import PluginValidationError
from support.recorder_plugin import MARKUP_SLOT, PLAIN_SLOT, Recorder

import plugins as plugins_package
from wiki import services
from wiki.extensions import db
from wiki.hookspecs import hookimpl
from wiki.models import Page, User
from wiki.plugins import loaded_plugin_names
from wiki.render import render_markdown
from wiki.sanitize import Sanitizer


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def app(app_factory, recorder):
    """Overrides conftest's ``app``, so ``client``, ``users``, ``make_page``...
    all run with the recorder. (Don't build a recorder-less app on the same
    instance afterwards: its Alembic would not know the recorder's revision.)"""
    app = app_factory(PLUGINS=[], EXTRA_PLUGINS=[recorder])  # the core alone, plus the recorder
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def editor(users):
    return db.session.get(User, users["editor"])


def manager(app):
    return app.extensions["wiki.plugins"]


def names_loaded(app):
    with app.app_context():
        return loaded_plugin_names()


# -- the recorder: every hook is called and works -------------------------------


def test_recorder_implements_every_hook(app, recorder):
    """Every hook of the core, and optionally the hooks plugins declare."""
    import plugins.comments.hookspecs
    import plugins.search.hookspecs

    pm = manager(app)
    specs = {name for name, caller in vars(pm.hook).items() if caller.spec is not None}
    implemented = {caller.name for caller in pm.get_hookcallers(recorder)}
    plugin_hooks = {name for module in (plugins.search.hookspecs, plugins.comments.hookspecs)
                    for name, f in vars(module).items() if hasattr(f, "wiki_spec")}
    assert implemented - plugin_hooks == specs  # this app loads no plugin: the core's hooks
    assert implemented & plugin_hooks == plugin_hooks
    assert len(specs) == 35  # a new hook? implement it in the recorder too


def test_setup_hooks_run_once_in_order(app, recorder):
    assert recorder.calls == [
        ("register_hookspecs", {}),
        ("register_models", {}),
        ("register_blueprints", {"app": app.name}),
        ("register_cli", {"group": app.cli.name}),
        ("sanitizer_allowlist", {}),
        ("register_api", {"api": "Api"}),  # after the plugins and the renderer: endpoints render pages
    ]


def test_blueprint_route_is_reachable(client, recorder):
    response = client.get("/recorder/ping")
    assert response.status_code == 200
    assert response.text == "pong from recorder"
    assert recorder.called("view_ping") == [{}]


def test_cli_command_runs(app, recorder):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["recorder-ping", "tester"])
    assert result.exit_code == 0, result.output
    assert result.output == "pong, tester\n"
    assert recorder.called("cli_ping") == [{"who": "tester"}]
    # Listed beside the core's commands, in the same group.
    help_text = runner.invoke(args=["--help"]).output
    assert "recorder-ping" in help_text and "init" in help_text


def test_dynamic_block_is_filled_for_each_reader(client, auth, make_page, recorder):
    make_page("Echo", "before\n\n:echo hello <b>:\n\n:echo bad:\n\n:echo nobody:\n")
    page = db.session.scalar(sa.select(Page).where(Page.slug == "echo"))
    assert 'data-block="echo"' in page.current_revision.html  # cached as a placeholder
    anonymous = client.get("/wiki/echo").get_data(as_text=True)
    assert '<span class="echo">hello &lt;b&gt; for Anonymous</span>' in anonymous
    assert "does not take" not in anonymous  # readers do not see block errors
    auth.login("editor")
    editor = client.get("/wiki/echo").get_data(as_text=True)
    assert "for Editor Person" in editor
    assert "echo: echo does not take &#39;bad&#39;" in editor  # editors do
    assert {"args": "hello <b>", "page": "echo", "user": "Anonymous"} in recorder.called("render_block")


def test_unknown_block_shows_to_editors_only(client, auth, make_page):
    from wiki.blocks import placeholder

    make_page("Unknown", f"{placeholder('nosuch', 'x')}\n")
    assert "Unknown block" not in client.get("/wiki/unknown").get_data(as_text=True)
    auth.login("editor")
    assert "Unknown block “nosuch”" in client.get("/wiki/unknown").get_data(as_text=True)


def test_editor_slot_field_reaches_page_form_saved(as_editor, make_page, recorder):
    assert 'name="recorder_note"' in as_editor.get("/new").get_data(as_text=True)
    as_editor.post("/new", data={"title": "Noted", "body": "x", "visibility": "public",
                                 "recorder_note": "from the form"})
    as_editor.post("/wiki/noted/edit", data={"title": "Noted", "body": "y", "base_revision": 1,
                                             "recorder_note": "again"})
    assert recorder.called("page_form_saved") == [
        {"slug": "noted", "note": "from the form", "user": "editor"},
        {"slug": "noted", "note": "again", "user": "editor"},
    ]


def test_a_plugin_field_can_refuse_the_save_before_anything_is_written(as_editor, make_page,
                                                                        recorder):
    page = make_page("Noted", "First text.\n")
    response = as_editor.post("/wiki/noted/edit", data={
        "title": "Noted", "body": "Second text.", "base_revision": 1, "recorder_note": "refuse"})
    assert response.status_code == 400
    assert "The recorder refuses this note." in response.text
    assert page.current_revision.number == 1
    assert recorder.called("page_form_saved") == []
    response = as_editor.post("/new", data={"title": "Other", "body": "x", "visibility": "public",
                                            "recorder_note": "refuse"})
    assert response.status_code == 400 and "The recorder refuses this note." in response.text
    assert services.find_page("other") == (None, None)
    assert recorder.called("page_form_problems") == [{"note": "refuse"}, {"note": "refuse"}]

def test_cli_options_reach_page_cli_put(app, recorder):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pages", "put", "cli-page", "--title", "CLI page", "--note", "hi"],
                           input="text")
    assert result.exit_code == 0, result.output
    runner.invoke(args=["pages", "put", "cli-page"], input="more text")
    assert recorder.called("page_cli_put") == [{"slug": "cli-page", "note": "hi"},
                                              {"slug": "cli-page", "note": None}]


def test_cli_options_do_not_leak_to_apps_without_the_plugin(app_factory, tmp_path, monkeypatch):
    with_recorder = app_factory(EXTRA_PLUGINS=[Recorder()])
    assert "--note" in with_recorder.test_cli_runner().invoke(args=["pages", "put", "--help"]).output
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "other"))
    plain = app_factory()
    assert "--note" not in plain.test_cli_runner().invoke(args=["pages", "put", "--help"]).output


def test_plugin_migrations_join_the_schema(app):
    assert sa.inspect(db.engine).has_table("recorder_note")
    heads = set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    assert "recorder_0001" in heads


def test_markdown_extension_shows_in_rendered_page(client, make_page, recorder):
    page = make_page("Greetings", "Hello :wave: there, but not in `:wave:` code.\n")
    html = client.get(f"/wiki/{page.slug}").text
    assert 'Hello <span class="wave">\N{WAVING HAND SIGN}</span> there' in html
    assert "<code>:wave:</code>" in html
    assert recorder.called("markdown_extensions")  # once per render


def test_sanitizer_allowlist_entry_survives(app):
    source = ('<mark class="hl" onclick="steal()">hi</mark>\n\n'
              "<details open><summary>More</summary></details>\n")
    html = render_markdown(source)
    assert '<mark class="hl">hi</mark>' in html
    assert "<details open" in html and "<summary>More</summary>" in html
    assert "onclick" not in html  # asked for by the plugin, refused by the host
    # The core allowlist alone strips both: the recorder's entry is what kept them.
    core_only = Sanitizer().clean(source)
    assert "<mark>hi</mark>" in core_only and "details" not in core_only


def test_template_slots_escape_str_and_keep_markup(client, make_page, recorder):
    page = make_page("Slotted")
    recorder.calls.clear()
    html = client.get(f"/wiki/{page.slug}").text
    assert str(escape(PLAIN_SLOT)) in html and PLAIN_SLOT not in html
    assert str(MARKUP_SLOT) in html
    seen = {args["name"]: args["page"] for args in recorder.called("template_slot")}
    assert seen == {name: "slotted" for name in
                    ("head", "header", "sidebar", "page_header", "page_actions", "page_footer")}


def test_home_slot_has_no_page(client, recorder):
    assert client.get("/").status_code == 200
    assert {"name": "home", "page": None} in recorder.called("template_slot")


# -- page events ------------------------------------------------------------------


def test_page_events_fire_in_order_with_their_arguments(app, editor, recorder):
    parent = services.create_page("Parent", "Up.\n", editor)
    page = services.create_page("Child", "One.\n", editor)
    services.save_page(page, "Two.\n", editor)
    services.change_settings(page, editor, title="Kid", slug="kid")
    services.move_page(page, parent, editor)
    services.set_visibility(page, "members", editor)
    services.delete_page(page, editor)
    services.restore_page(page, editor)

    assert recorder.events() == [
        ("page_saved", {"slug": "parent", "revision": 1, "created": True}),
        ("page_saved", {"slug": "child", "revision": 1, "created": True}),
        ("page_saved", {"slug": "child", "revision": 2, "created": False}),
        ("page_renamed", {"slug": "kid", "old_title": "Child", "old_slug": "child"}),
        ("page_saved", {"slug": "kid", "revision": 3, "created": False}),
        ("page_moved", {"slug": "kid", "old_parent": None, "parent": "parent"}),
        ("page_visibility_changed", {"slug": "kid", "visibility": "members", "members_only": True}),
        ("page_deleted", {"slug": "kid", "deleted": True}),
        ("page_restored", {"slug": "kid", "deleted": False}),
    ]


def test_deleting_a_parent_moves_its_children_first(app, make_page, editor, recorder):
    parent = make_page("Parent")
    make_page("Child", parent=parent)
    recorder.calls.clear()
    services.delete_page(parent, editor)
    assert recorder.events() == [
        ("page_moved", {"slug": "child", "old_parent": "parent", "parent": None}),
        ("page_deleted", {"slug": "parent", "deleted": True}),
    ]


def test_changes_that_change_nothing_fire_nothing(app, editor, recorder):
    page = services.create_page("Still", "Same.\n", editor)
    recorder.calls.clear()
    services.save_page(page, "Same.\n", editor)
    services.move_page(page, None, editor)
    services.set_visibility(page, "public", editor)
    services.restore_page(page, editor)
    assert recorder.events() == []


def test_page_created_through_the_web_fires_page_saved(as_editor, recorder):
    response = as_editor.post("/new", data={"title": "From the web", "body": "Hi.", "visibility": "public"})
    assert response.status_code == 302
    assert recorder.events() == [("page_saved", {"slug": "from-the-web", "revision": 1, "created": True})]


class CommitProbe:
    """Reads through a connection of its own, which sees only committed rows."""

    def __init__(self):
        self.seen = []

    def _committed(self, column, page):
        with db.engine.connect() as connection:
            return connection.scalar(sa.select(column).where(Page.id == page.id))

    @hookimpl
    def page_saved(self, page):  # fewer arguments than the spec is allowed
        self.seen.append(("saved", self._committed(Page.title, page)))

    @hookimpl
    def page_deleted(self, page):
        self.seen.append(("deleted", self._committed(Page.deleted_at, page) is not None))


def test_events_fire_after_commit(app_factory):
    probe = CommitProbe()
    app = app_factory(EXTRA_PLUGINS=[probe])
    with app.app_context():
        page = services.create_page("Committed", "Text.\n", None)
        services.rename_page(page, "Renamed", None)
        services.delete_page(page, None)
        db.session.remove()
    assert probe.seen == [("saved", "Committed"), ("saved", "Renamed"), ("deleted", True)]


# -- finding plugins: the plugins/ folder ------------------------------------------

FOLDER_PLUGIN = "folder_probe"
FOLDER_MODULE = f"plugins.{FOLDER_PLUGIN}"
FOLDER_MARK = "folder plugin was here"


@pytest.fixture
def folder_plugin(tmp_path, monkeypatch):
    """A package in a second folder of the ``plugins`` package, as if it sat in
    plugins/. Once imported it stays in sys.modules: that is how the tests see
    whether the host imported it at all."""
    root = tmp_path / "more_plugins"
    (root / FOLDER_PLUGIN).mkdir(parents=True)
    (root / FOLDER_PLUGIN / "__init__.py").write_text(textwrap.dedent(f"""\
        from wiki.hookspecs import hookimpl

        @hookimpl
        def template_slot(name):
            return "{FOLDER_MARK}" if name == "sidebar" else None
        """))
    monkeypatch.setattr(plugins_package, "__path__", [*plugins_package.__path__, str(root)])
    importlib.invalidate_caches()
    assert FOLDER_MODULE not in sys.modules
    yield FOLDER_PLUGIN
    sys.modules.pop(FOLDER_MODULE, None)
    if hasattr(plugins_package, FOLDER_PLUGIN):
        delattr(plugins_package, FOLDER_PLUGIN)
    sys.path_importer_cache.pop(str(root), None)


def test_folder_plugin_is_discovered_and_loaded(app_factory, folder_plugin):
    app = app_factory()
    assert folder_plugin in names_loaded(app)
    assert FOLDER_MODULE in sys.modules
    assert FOLDER_MARK in app.test_client().get("/").text


@pytest.mark.parametrize("how", ["DISABLED_PLUGINS", "instance_config", "environment", "PLUGINS"])
def test_blocked_folder_plugin_is_never_imported(app_factory, folder_plugin, tmp_path, monkeypatch, how):
    if how == "DISABLED_PLUGINS":
        app = app_factory(DISABLED_PLUGINS=[folder_plugin])
    elif how == "instance_config":
        (tmp_path / "instance").mkdir(exist_ok=True)
        (tmp_path / "instance" / "config.py").write_text(f"DISABLED_PLUGINS = [{folder_plugin!r}]\n")
        app = app_factory()
    elif how == "environment":  # Flask's from_prefixed_env parses the JSON list
        monkeypatch.setenv("WIKI_DISABLED_PLUGINS", f'["{folder_plugin}"]')
        app = app_factory()
    else:
        app = app_factory(PLUGINS=["some_other_plugin"])
    assert FOLDER_MODULE not in sys.modules
    assert folder_plugin not in names_loaded(app)
    assert FOLDER_MARK not in app.test_client().get("/").text


# -- finding plugins: entry points of installed distributions -----------------------

EP_NAME, EP_MODULE = "fake", "fake_wiki_plugin"
EP_MARK = "entry point plugin was here"


@pytest.fixture
def fake_distribution(tmp_path, monkeypatch):
    """An installed distribution ``fakeplugin`` whose entry point ``fake``
    (group ``wiki.plugins``) names the module ``fake_wiki_plugin``."""
    site = tmp_path / "site"
    info = site / "fakeplugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeplugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[wiki.plugins]\n{EP_NAME} = {EP_MODULE}\n")
    (site / f"{EP_MODULE}.py").write_text(textwrap.dedent(f"""\
        from wiki.hookspecs import hookimpl

        @hookimpl
        def template_slot(name, context):
            return "{EP_MARK}" if name == "home" else None
        """))
    monkeypatch.syspath_prepend(str(site))  # also clears importlib's caches
    assert EP_MODULE not in sys.modules
    yield EP_NAME
    sys.modules.pop(EP_MODULE, None)


@pytest.mark.parametrize("config", [{}, {"PLUGINS": [EP_NAME]}])
def test_entry_point_plugin_is_loaded(app_factory, fake_distribution, config):
    app = app_factory(**config)
    assert fake_distribution in names_loaded(app)
    assert [dist.project_name for _, dist in manager(app).list_plugin_distinfo()] == ["fakeplugin"]
    assert EP_MARK in app.test_client().get("/").text


@pytest.mark.parametrize("config", [{"DISABLED_PLUGINS": [EP_NAME]}, {"PLUGINS": ["some_other_plugin"]}])
def test_blocked_entry_point_is_never_imported(app_factory, fake_distribution, config):
    app = app_factory(**config)
    assert EP_MODULE not in sys.modules
    assert fake_distribution not in names_loaded(app)
    assert EP_MARK not in app.test_client().get("/").text


def test_app_runs_with_every_plugin_disabled(app_factory, folder_plugin, fake_distribution):
    app = app_factory(PLUGINS=[])
    assert names_loaded(app) == []
    assert FOLDER_MODULE not in sys.modules and EP_MODULE not in sys.modules
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/login").status_code == 200  # the core's blueprints are still there


def test_extra_plugins_accept_dotted_module_names(app_factory, tmp_path, monkeypatch):
    (tmp_path / "dotted_probe.py").write_text(textwrap.dedent("""\
        from wiki.hookspecs import hookimpl

        @hookimpl
        def template_slot(name):
            return "dotted plugin was here" if name == "header" else None
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "dotted_probe", raising=False)
    try:
        app = app_factory(EXTRA_PLUGINS=["dotted_probe"])
        assert "dotted plugin was here" in app.test_client().get("/").text
    finally:
        sys.modules.pop("dotted_probe", None)


# -- mistakes fail loudly, when the app is created -----------------------------------


class ScriptAllowlist:
    @hookimpl
    def sanitizer_allowlist(self):
        return {"tags": {"script"}}


class JavascriptProtocol:
    @hookimpl
    def sanitizer_allowlist(self):
        return {"protocols": {"javascript"}}


@pytest.mark.parametrize("plugin, refused", [(ScriptAllowlist(), "script"),
                                             (JavascriptProtocol(), "javascript")])
def test_allowlist_with_script_capable_entries_fails_app_creation(app_factory, plugin, refused):
    with pytest.raises(ValueError, match=refused):
        app_factory(EXTRA_PLUGINS=[plugin])


class MisspelledHook:
    @hookimpl
    def page_save(self, page):  # page_saved
        pass


class MisspelledArgument:
    @hookimpl
    def page_saved(self, page, revison):  # revision
        pass


@pytest.mark.parametrize("plugin, typo", [(MisspelledHook(), "page_save"),
                                          (MisspelledArgument(), "revison")])
def test_misspelled_hookimpl_fails_app_creation(app_factory, plugin, typo):
    with pytest.raises(PluginValidationError, match=typo):
        app_factory(EXTRA_PLUGINS=[plugin])


def test_the_core_cannot_be_disabled(app_factory):
    # pluggy's set_blocked would unregister it, leaving an app with no views.
    with pytest.raises(ValueError, match="core"):
        app_factory(DISABLED_PLUGINS=["core"])
