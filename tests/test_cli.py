"""The command line: init, users, pages, demo."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wiki.extensions import db
from wiki.models import Page, User


def test_init_is_idempotent_and_matches_the_models(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert "Database is up to date." in result.output
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == [], "models and migrations differ: run `flask --app wiki db migrate`"


def test_init_creates_instance_folder_and_database(tmp_path, monkeypatch):
    from wiki import create_app

    instance = tmp_path / "fresh"
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(instance))
    app = create_app({"TESTING": True})
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert (instance / "wiki.sqlite").exists() and (instance / "secret_key").exists()
    with app.app_context():
        assert sa.inspect(db.engine).has_table("page")
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def test_users_create(app, runner):
    result = runner.invoke(args=["users", "create", "ada", "--role", "editor",
                                 "--password", "s3cret-enough", "--display-name", "Ada L."])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.username == "ada"))
    assert (user.role, user.display_name) == ("editor", "Ada L.")
    assert user.check_password("s3cret-enough")
    again = runner.invoke(args=["users", "create", "ada", "--password", "s3cret-enough"])
    assert again.exit_code != 0 and "taken" in again.output
    bad_role = runner.invoke(args=["users", "create", "bob", "--role", "king", "--password", "x" * 9])
    assert bad_role.exit_code != 0


def test_users_create_prompts_for_password(app, runner):
    result = runner.invoke(args=["users", "create", "eve"], input="pass word 1\npass word 1\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(User).where(User.username == "eve")).check_password("pass word 1")


def test_pages_put_and_get(app, runner, tmp_path):
    result = runner.invoke(args=["pages", "put", "workshop", "--title", "Workshop"],
                           input="# Agenda\n\nDay one.\n")
    assert result.exit_code == 0, result.output
    assert "Created workshop" in result.output
    source = tmp_path / "s1.md"
    source.write_text("Session one, *members only*.\n", encoding="utf-8")
    result = runner.invoke(args=["pages", "put", "session-1", "--title", "Session 1", "--parent",
                                 "workshop", "--visibility", "members", "--file", str(source)])
    assert result.exit_code == 0, result.output
    child = db.session.scalar(db.select(Page).where(Page.slug == "session-1"))
    assert child.parent.slug == "workshop" and child.members_only
    # put on an existing page adds a revision; unchanged text adds none
    assert "revision 2" in runner.invoke(args=["pages", "put", "workshop"], input="Day two.\n").output
    assert "unchanged" in runner.invoke(args=["pages", "put", "workshop"], input="Day two.\n").output
    got = runner.invoke(args=["pages", "get", "workshop"])
    assert got.exit_code == 0 and got.output == "Day two.\n"


def test_pages_errors_are_clear(app, runner):
    missing = runner.invoke(args=["pages", "get", "nope"])
    assert missing.exit_code != 0 and "No page 'nope'" in missing.output
    no_title = runner.invoke(args=["pages", "put", "new-page"], input="x")
    assert no_title.exit_code != 0 and "needs --title" in no_title.output
    bad = runner.invoke(args=["pages", "put", "Workshop 2021!", "--title", "Workshop"], input="x")
    assert bad.exit_code != 0 and "“Workshop 2021!” cannot be an address" in bad.output
    assert "for example “workshop-2021”" in bad.output
    reserved = runner.invoke(args=["pages", "put", "search", "--title", "Search tips"], input="x")
    assert reserved.exit_code != 0 and "one of the wiki's own addresses" in reserved.output
    no_parent = runner.invoke(args=["pages", "put", "a", "--title", "A", "--parent", "zzz"], input="x")
    assert no_parent.exit_code != 0 and "No page 'zzz'" in no_parent.output


def test_demo_loads_a_workshop_space_once(app, runner, client):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0 and "Demo content loaded" in result.output
    workshop = db.session.scalar(db.select(Page).where(
        Page.slug == "soil-carbon-monitoring-workshop-2026"))
    assert len(workshop.children) >= 3
    assert all(c.current_revision.body for c in workshop.children)
    html = client.get(f"/wiki/{workshop.slug}").get_data(as_text=True)
    assert "missing" not in html  # every wiki link of the demo points to a demo page
    again = runner.invoke(args=["demo", "--if-empty"])
    assert "no demo content loaded" in again.output
    count = db.session.scalar(db.select(db.func.count(Page.id)))
    assert runner.invoke(args=["demo"]).exit_code == 0  # existing pages are skipped
    assert db.session.scalar(db.select(db.func.count(Page.id))) == count


def test_gunicorn_can_load_the_app_factory(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "--check-config", "wiki:create_app()"],
        env={"WIKI_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
