"""Fixtures of the load and fault tests (a package, so its module names
never clash with tests/conftest.py)."""

import pytest

from wiki.accounts import create_user
from wiki.extensions import db

from .loadserver import PASSWORD, Server


@pytest.fixture
def server_factory(app_factory, monkeypatch):
    """An initialised instance (migrations, accounts), then gunicorn on it."""
    app = app_factory()
    with app.app_context():
        for name, role in (("editor1", "editor"), ("editor2", "editor"), ("editor3", "editor"),
                           ("member1", "member")):
            create_user(name, PASSWORD, role)
        db.session.remove()
    servers = []

    def start(workers=4, env=None):
        servers.append(Server(workers, env))
        return servers[-1]

    yield app, start
    for server in servers:
        server.stop()
