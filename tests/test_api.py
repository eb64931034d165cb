"""The plugin API (wiki/api.py) and the import rules that keep plugins to it:
every name documented, the built-in plugins and the core within the rules,
the messages a plugin author gets, and a third-party plugin written only
against the API (docs/examples/greeting, shown in docs/plugins.md)."""

import inspect
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wiki import api, hookspecs, importrules
from wiki.extensions import db

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "greeting"
# Described in the module's docstring:
VALUES = ("hookimpl", "hookspec", "db", "ROLES", "VISIBILITIES", "ApiTimestamp")


def test_every_name_of_the_api_is_documented():
    assert sorted(api.__all__) == sorted(set(api.__all__)), "a name listed twice"
    for name in api.__all__:
        obj = getattr(api, name)
        if name in VALUES:
            assert f"``{name}``" in api.__doc__, name
        else:
            assert inspect.isfunction(obj) or inspect.isclass(obj), name
            assert inspect.getdoc(obj) and obj.__doc__ is not None, f"{name} has no docstring"


def test_the_built_in_plugins_and_the_core_keep_the_rules():
    assert importrules.check_core() == []
    for folder in sorted((ROOT / "plugins").iterdir()):
        if (folder / "__init__.py").is_file():
            assert importrules.check_plugin(folder) == [], folder.name


def run_rules(*args, cwd):
    return subprocess.run([sys.executable, "-m", "wiki.importrules", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_a_plugin_that_reaches_past_the_api_is_told_where_and_why(tmp_path):
    write(tmp_path / "wiki_badge" / "__init__.py", """\
        from wiki.api import hookimpl
        from wiki.models import Page
        from . import views
        """)
    write(tmp_path / "wiki_badge" / "views.py", """\
        def badge():
            from wiki.views.pages import load_page  # not in the API
            return load_page
        """)
    write(tmp_path / "wiki_badge" / "sly.py", "from wiki import services, api\nimport wiki.text as text\n")
    done = run_rules("wiki_badge", cwd=tmp_path)
    assert done.returncode == 1
    rule = "a plugin imports the wiki only through wiki.api (and wiki.hookspecs), see docs/plugins.md"
    assert done.stdout.splitlines() == [
        f"wiki_badge/__init__.py:2: imports wiki.models: {rule}",
        f"wiki_badge/sly.py:1: imports wiki.services: {rule}",
        f"wiki_badge/sly.py:2: imports wiki.text: {rule}",
        f"wiki_badge/views.py:2: imports wiki.views.pages: {rule}",
    ]
    assert "4 import rule(s) broken" in done.stderr
    # The same plugin, through the API only, passes.
    write(tmp_path / "wiki_badge" / "__init__.py", "from wiki.api import Page, hookimpl\n")
    write(tmp_path / "wiki_badge" / "views.py", "from wiki.api import load_page\n")
    write(tmp_path / "wiki_badge" / "sly.py", "from wiki import api, hookspecs\n")
    done = run_rules("wiki_badge", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == "Import rules: all kept.\n"


def test_the_core_rules_find_a_cycle_an_import_of_a_plugin_and_an_unexplained_late_import(tmp_path):
    core = tmp_path / "wiki"
    write(core / "__init__.py", "")
    write(core / "render.py", "from .plugins import hook\n")
    write(core / "plugins.py", "from . import render\nimport plugins.search\n")
    write(core / "views.py", """\
        def view():
            from .render import hook
            # Here, not at the top: the views use the plugin host.
            from .plugins import hook as again
            return hook, again
        """)
    problems = [str(p) for p in importrules.check_core(core)]
    assert any(p.endswith("plugins.py:2: imports plugins.search: the core never imports a plugin; "
                          "plugins reach it through hooks") for p in problems), problems
    assert any(p.endswith("views.py:2: imports wiki.render inside a function without a comment "
                          "saying why") for p in problems), problems
    assert not any("views.py:4" in p for p in problems)  # that one says why
    assert any(p.endswith("import cycle: wiki.plugins -> wiki.render -> wiki.plugins")
               for p in problems), problems


def test_the_core_spec_file_holds_only_the_cores_hooks():
    names = [n for n, f in vars(hookspecs).items() if callable(f) and hasattr(f, "wiki_spec")]
    assert names and not [n for n in names if n.startswith(("search_", "comment_"))]


def test_plugins_declare_their_own_hooks_and_others_implement_them_optionally():
    from wiki.plugins import build_manager

    hooks = build_manager({}).hook
    assert hooks.search_documents.spec is not None and hooks.comment_posted.spec is not None
    implementers = sorted(impl.plugin_name for impl in hooks.search_changes.get_hookimpls())
    assert implementers == ["attachments", "comments", "labels"]
    # They implement the search plugin's hooks, optionally:
    # without search they still load, and nobody declares those hooks.
    hooks = build_manager({"DISABLED_PLUGINS": ["search"]}).hook
    assert hooks.search_documents.spec is None and hooks.comment_posted.spec is not None
    hooks = build_manager({"DISABLED_PLUGINS": ["comments"]}).hook
    assert hooks.search_documents.spec is not None and not hasattr(hooks, "comment_posted")


def test_the_search_document_of_the_hooks_is_the_engines_document():
    from plugins.search.engine import Document
    from plugins.search.hookspecs import SearchDocument

    assert list(SearchDocument.__annotations__) == [f for f in Document.__dataclass_fields__]


# -- a third-party plugin, written only against the API ------------------------------------


@pytest.fixture
def app(app_factory, monkeypatch):
    """The app of these tests has the example plugin, as if installed."""
    monkeypatch.syspath_prepend(str(EXAMPLE))
    app = app_factory(EXTRA_PLUGINS=["wiki_greeting"])
    with app.app_context():
        yield app
        db.session.remove()


def test_the_example_plugin_keeps_the_rules():
    assert importrules.check_plugin(EXAMPLE / "wiki_greeting") == []


def test_the_example_plugin_works(app, make_page, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="wiki_greeting")
    make_page("Open day", "For everyone.")
    make_page("Board notes", "For members.", visibility="members")
    client = app.test_client()
    page = client.get("/wiki/open-day").get_data(as_text=True)
    assert '<p class="greeting">Hello, reader of Open day!</p>' in page
    latest = client.get("/greeting/").get_data(as_text=True)
    assert "Open day" in latest and "Board notes" not in latest  # what this reader may see
    assert client.get("/greeting/open-day").status_code == 200
    assert client.get("/greeting/board-notes").status_code == 404
    hello = client.get("/api/v1/greetings/open-day")
    assert hello.get_json() == {"page": {"slug": "open-day", "title": "Open day"},
                                "text": "Hello, reader of Open day!"}
    assert client.get("/api/v1/greetings/board-notes").status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/greetings/{slug}"]["get"]["summary"] == "A page's greeting"
    assert "open-day saved as revision 1 (new page)" in caplog.text


def test_docs_show_the_example_plugin_as_it_is():
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    source = (EXAMPLE / "wiki_greeting" / "__init__.py").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", docs, re.S)
    assert source in blocks
