"""Fixtures of the mail tests: a wiki that sends to the test SMTP server."""

import pytest

from wiki.extensions import db


@pytest.fixture
def mail_app(app_factory, smtp):
    """An app whose mail goes to ``smtp``, its context pushed; the sender
    thread, if a test started it, stops at the end."""
    app = app_factory(SITE_NAME="Soil Wiki", **smtp.config)
    with app.app_context():
        yield app
        app.extensions["wiki.mail.sender"].stop()
        db.session.remove()
