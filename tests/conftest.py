"""Fixtures: a fresh app on a temporary instance folder per test, a client,
the CLI runner, accounts for each role, and helpers that act as a user would."""

import os
import re
import threading
import uuid

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from wiki import create_app
from wiki.accounts import create_user
from wiki.extensions import db
from wiki.models import User

PASSWORD = "correct horse battery"


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: a fresh
    ``g`` (Flask-Login caches the user there) and a fresh database session,
    even while the test itself holds an app context."""

    def open(self, *args, **kwargs):
        outer = has_app_context()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer:
            db.session.expire_all()  # the test's session sees what the request wrote
        return response


# The suite runs on SQLite in the instance folder, or, with this set to a
# server URL (e.g. postgresql+psycopg://postgres@/postgres?host=/tmp/wiki-test-postgres),
# on a fresh database of that server per test: .ci/postgres starts one.
SERVER_URL = os.environ.get("WIKI_TEST_DATABASE_URL")


BACKGROUND_THREADS = ("search-index-build", "attachments-extract", "mail-sender")


def join_background_threads():
    """Wait for every thread of the plugins still using a database, whatever
    app started it (an extraction may start an index build after its app was
    joined): a test's database must not go while one still connects to it."""
    for thread in threading.enumerate():
        if thread.name in BACKGROUND_THREADS:
            thread.join(60)


@pytest.fixture
def server_databases(monkeypatch):
    """On a test server, a fresh database per instance folder, as SQLite has
    (None on SQLite). It goes in the environment, so subprocesses use it too."""
    if not SERVER_URL:
        yield None
        return
    engine = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    made = {}

    def for_instance(instance_path):
        if instance_path not in made:
            name = f"wiki_test_{uuid.uuid4().hex[:12]}"
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            made[instance_path] = name
        url = sa.engine.make_url(SERVER_URL).set(database=made[instance_path])
        monkeypatch.setenv("WIKI_SQLALCHEMY_DATABASE_URI", url.render_as_string(hide_password=False))

    yield for_instance
    join_background_threads()
    with engine.connect() as conn:
        for name in made.values():
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def app_factory(tmp_path, monkeypatch, server_databases):
    """Build apps on one temporary instance folder; the schema comes from the
    real migrations, as ``flask --app wiki init`` makes it."""
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "instance"))
    apps = []

    def make(**config):
        if server_databases:
            server_databases(os.environ["WIKI_INSTANCE_PATH"])
        settings = {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            # Fast hashing in tests; production keeps scrypt (tested in test_auth).
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            **config,
        }
        app = create_app(settings)
        app.test_client_class = IsolatedClient
        with app.app_context():
            upgrade(revision="heads")
        apps.append(app)
        return app

    yield make
    for app in apps:  # close pooled connections, so the test database can go
        sender = app.extensions.get("wiki.mail.sender")
        if sender is not None:
            sender.stop()  # it loops until told to stop
        extraction = app.extensions.get("wiki.attachments.extraction")
        if extraction is not None:
            extraction.join()  # the text extraction of attached files uses the database
        search = app.extensions.get("wiki.search")
        if search is not None:
            search.indexer.join_build()  # so does an index built in the background
    join_background_threads()
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def smtp():
    """A real SMTP server and what it received: ``smtp.inbox``, and
    ``smtp.config`` (the settings that make the wiki send to it)."""
    from support.smtp import start_server

    controller, inbox = start_server()
    controller.inbox = inbox
    controller.config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port,
                         "MAIL_FROM": "wiki@example.org", "BASE_URL": "http://wiki.example.org"}
    yield controller
    controller.stop()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """One account per role: ``users["admin"]``, ``["editor"]``, ``["member"]``."""
    made = {role: create_user(role, PASSWORD, role, display_name=f"{role.title()} Person")
            for role in ("admin", "editor", "member")}
    return {role: u.id for role, u in made.items()}


class Auth:
    """Signs in through the real login view."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD):
        response = self.client.post("/login", data={"username": username, "password": password})
        assert response.status_code in (302, 401), response.status_code
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client, users):
    return Auth(client)


@pytest.fixture
def as_editor(client, auth):
    auth.login("editor")
    return client


@pytest.fixture
def as_admin(client, auth):
    auth.login("admin")
    return client


@pytest.fixture
def as_member(client, auth):
    auth.login("member")
    return client


@pytest.fixture
def make_page(app, users):
    """Create a page through the page service, as the editor."""
    from wiki import services

    def make(title, body="Some text.\n", parent=None, visibility="public"):
        editor = db.session.get(User, users["editor"])
        return services.create_page(title, body, editor, parent=parent, visibility=visibility)

    return make


def csrf_token(html):
    """The CSRF token of the first form in ``html``."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
