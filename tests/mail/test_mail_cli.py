"""``flask --app wiki mail send`` and ``mail test ADDRESS``."""

import socket

from support.smtp import text_of

from wiki.extensions import db
from wiki.mail import OutboxMessage, queue


def _queue(*addresses):
    for address in addresses:
        queue(address, "Hello", "Text.")
    db.session.commit()


def test_mail_send_runs_one_pass_and_says_what_it_did(mail_app, smtp):
    _queue("a@example.org", "b@example.org")
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, to retry later 0, given up 0." in result.output
    assert len(smtp.inbox.wait_for(2)) == 2

    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert "Sent 0," in result.output and len(smtp.inbox.messages) == 2


def test_mail_send_counts_what_waits_for_a_retry(mail_app, smtp):
    _queue("a@example.org")
    smtp.inbox.refusing = True
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "Sent 0, to retry later 1, given up 0." in result.output


def test_mail_test_sends_a_message_at_once(mail_app, smtp):
    result = mail_app.test_cli_runner().invoke(args=["mail", "test", "Admin@Example.org"])
    assert result.exit_code == 0, result.output
    assert "Sent a test message to admin@example.org." in result.output
    [received] = smtp.inbox.wait_for(1)
    assert received["Subject"] == "Test message from Soil Wiki"
    assert f"127.0.0.1:{smtp.port}" in text_of(received)
    assert received["List-Unsubscribe"]


def test_mail_test_refuses_what_is_not_an_address(mail_app, smtp):
    for bad in ("not-an-address", "a@example.org\r\nBcc: b@example.org"):
        result = mail_app.test_cli_runner().invoke(args=["mail", "test", bad])
        assert result.exit_code == 1
        assert "Not an e-mail address" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0


def test_mail_test_says_when_the_server_cannot_be_reached(app_factory, smtp):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = app_factory(**{**smtp.config, "MAIL_PORT": port})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["mail", "test", "admin@example.org"])
        assert result.exit_code == 1
        assert f"Could not send to admin@example.org through 127.0.0.1:{port}" in result.output
        assert "refused" in result.output.lower()
        # A test message is not retried later behind the admin's back.
        [message] = db.session.scalars(db.select(OutboxMessage))
        assert message.failed_at is not None and message.sent_at is None
        db.session.remove()


def test_with_mail_off_the_commands_say_so(runner):
    for args in (["mail", "send"], ["mail", "test", "admin@example.org"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert "Mail is off: set MAIL_SERVER" in result.output
