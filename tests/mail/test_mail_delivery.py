"""Delivery: what a message looks like when it arrives, a server that is down
then back, backoff and giving up, several senders at once, header injection,
mail turned off, the sender thread."""

import logging
import smtplib
import socket
import threading
import time
from datetime import timedelta

import pytest
from support.smtp import html_of, text_of

from wiki.extensions import db
from wiki.hookspecs import hookimpl
from wiki.mail import OutboxMessage, queue, queue_template
from wiki.mail import sender as mail_sender
from wiki.mail.sender import backoff, deliver_pending
from wiki.models import utcnow


def _queue(to, subject="Hello", text="Body text.", html="<p>Body <b>text</b>.</p>"):
    message = queue(to, subject, text, html)
    db.session.commit()
    return message


def _row(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_a_message_arrives_with_both_parts_and_its_headers(mail_app, smtp):
    message = queue_template("Alice@Example.org", "test", "en", server="mail.example.org")
    db.session.commit()

    assert deliver_pending().sent == 1
    [received] = smtp.inbox.wait_for(1)
    assert received.envelope_to == ["alice@example.org"]
    assert received["From"].addresses[0].display_name == "Soil Wiki"
    assert received["From"].addresses[0].addr_spec == "wiki@example.org"
    assert received["To"] == "alice@example.org"
    assert received["Subject"] == "Test message from Soil Wiki"
    assert received["Date"] and received["Message-ID"].endswith("@example.org>")
    assert received["Auto-Submitted"] == "auto-generated"
    assert "mail.example.org" in text_of(received) and "<p>" in html_of(received)
    # The unsubscribe link, as a mail program reads it: the raw header, not an encoded word.
    raw = dict(received.raw_items())
    link = message.unsubscribe_url
    assert link.startswith("http://wiki.example.org/mail/unsubscribe/")
    assert raw["List-Unsubscribe"] == f"<{link}>"
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in text_of(received) and link in html_of(received)

    row = _row(message.id)
    assert row.sent_at is not None and row.claimed_by is None and row.attempts == 0
    assert deliver_pending().sent == 0  # sent once, never again
    assert len(smtp.inbox.messages) == 1


def test_one_connection_carries_a_whole_pass(mail_app, smtp, monkeypatch):
    connections, real_connect = [], mail_sender.smtp.connect
    monkeypatch.setattr(mail_sender.smtp, "connect", lambda conf: connections.append(1) or real_connect(conf))
    for i in range(mail_sender.BATCH + 3):  # more than one claim's worth
        queue(f"reader{i}@example.org", "Hello", "Text.")
    db.session.commit()

    assert deliver_pending().sent == mail_sender.BATCH + 3
    assert len(connections) == 1
    assert deliver_pending().sent == 0 and len(connections) == 1  # nothing due: no connection at all


def test_a_server_that_refuses_then_takes_them_loses_and_repeats_nothing(mail_app, smtp):
    first, second = _queue("a@example.org"), _queue("b@example.org")
    smtp.inbox.refusing = True
    now = utcnow()

    outcome = deliver_pending(now)
    assert (outcome.sent, outcome.retried, outcome.given_up) == (0, 2, 0)
    row = _row(first.id)
    assert row.attempts == 1 and row.sent_at is None and row.failed_at is None
    assert "451" in row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=30)
    assert deliver_pending(now + timedelta(seconds=5)).retried == 0  # not due yet: not tried

    smtp.inbox.refusing = False
    assert deliver_pending(now + timedelta(seconds=31)).sent == 2
    assert deliver_pending(now + timedelta(hours=3)).sent == 0
    assert sorted(m["To"] for m in smtp.inbox.wait_for(2)) == ["a@example.org", "b@example.org"]
    assert len(smtp.inbox.messages) == 2
    assert _row(second.id).last_error is None


def test_a_server_out_of_reach_is_tried_once_per_pass_and_the_mail_waits(app_factory, smtp, monkeypatch):
    down = app_factory(**{**smtp.config, "MAIL_PORT": _closed_port()})
    up = app_factory(**smtp.config)  # another app server on the same database, whose server works
    attempts, real_connect = [], mail_sender.smtp.connect
    monkeypatch.setattr(mail_sender.smtp, "connect", lambda conf: attempts.append(1) or real_connect(conf))
    with down.app_context():
        for name in ("a", "b", "c"):
            queue(f"{name}@example.org", "Hello", "Text.")
        db.session.commit()
        outcome = deliver_pending()
        assert outcome.retried == 3 and len(attempts) == 1
        assert all("Connection refused" in m.last_error or "Errno" in m.last_error
                   for m in db.session.scalars(db.select(OutboxMessage)))
        db.session.remove()
    with up.app_context():
        assert deliver_pending(utcnow() + timedelta(minutes=1)).sent == 3
        db.session.remove()
    assert len(smtp.inbox.wait_for(3)) == 3


def _closed_port():
    """A local port nothing listens on: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_retries_back_off_then_give_up_with_a_log_line(app_factory, smtp, caplog):
    app = app_factory(MAIL_GIVE_UP_AFTER=3 * 3600, **smtp.config)
    with app.app_context():
        message = _queue("late@example.org")
        smtp.inbox.refusing = True
        created = _row(message.id).created_at
        now, waits = _row(message.id).next_attempt_at, []
        while True:
            outcome = deliver_pending(now)
            row = _row(message.id)
            if row.failed_at is not None:
                break
            assert outcome.retried == 1
            waits.append((row.next_attempt_at - now).total_seconds())
            now = row.next_attempt_at
        assert waits[:5] == [30, 60, 120, 240, 480]
        assert max(waits) == 3600 and waits.count(3600) >= 2  # an hour apart at most
        assert now - created >= timedelta(hours=3)
        assert row.attempts == len(waits) + 1 and "451" in row.last_error
        assert outcome.given_up == 1
        assert any(r.levelno == logging.WARNING and "gave up" in r.getMessage()
                   and "late@example.org" in r.getMessage() for r in caplog.records)
        smtp.inbox.refusing = False
        assert deliver_pending(now + timedelta(days=1)).sent == 0  # given up is given up
        assert smtp.inbox.messages == []
        db.session.remove()


def test_backoff_grows_and_stops_at_an_hour():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(8) == backoff(30) == 3600


def test_two_app_servers_with_two_threads_each_send_every_message_once(app_factory, smtp):
    apps = [app_factory(**smtp.config), app_factory(**smtp.config)]  # one database
    count = 40
    with apps[0].app_context():
        for i in range(count):
            queue(f"reader{i}@example.org", f"Message {i}", "Text.")
        db.session.commit()
        db.session.remove()

    outcomes, errors = [], []
    start = threading.Barrier(4)

    def sender(app):
        with app.app_context():
            try:
                start.wait()
                outcomes.append(deliver_pending())
            except Exception as e:  # reported below: a thread's failure must fail the test
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender, args=(app,)) for app in apps for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(o.sent for o in outcomes) == count
    smtp.inbox.wait_for(count)
    time.sleep(0.3)  # a duplicate would arrive now
    assert sorted(m["Subject"] for m in smtp.inbox.messages) == sorted(f"Message {i}" for i in range(count))


def test_header_injection_is_neutralised_or_refused(app_factory, smtp, caplog):
    app = app_factory(SITE_NAME="Wiki\r\nBcc: site@evil.example", **smtp.config)
    with app.app_context():
        assert queue("victim@example.org\r\nBcc: spy@evil.example", "Hi", "Text.") is None
        assert queue("victim@example.org\nCc: spy@evil.example", "Hi", "Text.") is None
        _queue("reader@example.org", subject="Hello\r\nBcc: spy@evil.example\r\n\r\nInjected body")
        # A row written some other way, around queue()'s checks, never reaches the server.
        bad = OutboxMessage(to_address="x@example.org\r\nBcc: spy@evil.example", subject="S", text="T")
        db.session.add(bad)
        db.session.commit()

        outcome = deliver_pending()
        assert (outcome.sent, outcome.given_up) == (1, 1)
        assert _row(bad.id).failed_at is not None
        db.session.remove()
    [received] = smtp.inbox.wait_for(1)
    assert received.envelope_to == ["reader@example.org"]
    assert received["Bcc"] is None and received["Cc"] is None
    assert received["Subject"] == "Hello Bcc: spy@evil.example Injected body"
    assert received["From"].addresses[0].display_name == "Wiki Bcc: site@evil.example"
    assert received["From"].addresses[0].addr_spec == "wiki@example.org"
    assert "Injected" not in text_of(received)


def test_plugins_queue_in_mail_tick_and_the_same_pass_sends_it(app_factory, smtp):
    class Digest:
        @hookimpl
        def mail_tick(self, now):
            if not db.session.scalar(db.select(OutboxMessage.id).limit(1)):
                queue_template("digest@example.org", "test", "en", server="tick")
                db.session.commit()

    app = app_factory(EXTRA_PLUGINS=[Digest()], **smtp.config)
    with app.app_context():
        assert deliver_pending().sent == 1
        assert deliver_pending().sent == 0
        db.session.remove()
    assert smtp.inbox.wait_for(1)[0].envelope_to == ["digest@example.org"]


def test_with_mail_off_nothing_is_queued_and_no_thread_runs(app):
    assert queue("reader@example.org", "Hello", "Text.") is None
    assert queue_template("reader@example.org", "test", "en", server="x") is None
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0
    sender = app.extensions["wiki.mail.sender"]
    assert sender.start() is False
    sender.wake()
    assert not sender.running
    assert deliver_pending().sent == 0


def _threads():
    return [t for t in threading.enumerate() if t.name == mail_sender.THREAD_NAME]


def test_in_tests_a_commit_starts_no_thread(mail_app, smtp):
    _queue("reader@example.org")
    assert not mail_app.extensions["wiki.mail.sender"].running
    assert _threads() == []


def test_the_sender_thread_delivers_within_seconds_of_the_commit(app_factory, smtp):
    # Polling once a minute: only the wake-up on commit can deliver this fast.
    app = app_factory(MAIL_POLL_SECONDS=60, **smtp.config)
    sender = app.extensions["wiki.mail.sender"]
    try:
        assert sender.start() is True
        assert [t.daemon for t in _threads()] == [True]
        time.sleep(0.2)  # the thread's first pass found nothing: it waits now
        with app.app_context():
            started = time.monotonic()
            _queue("fast@example.org")  # no wake() here: the commit does it
            db.session.remove()
        assert len(smtp.inbox.wait_for(1, timeout=5)) == 1
        assert time.monotonic() - started < 5
    finally:
        sender.stop()
    assert not sender.running and _threads() == []


def test_an_app_server_starts_its_sender_at_its_first_request(app_factory, smtp):
    app = app_factory(TESTING=False, MAIL_POLL_SECONDS=60, **smtp.config)
    sender = app.extensions["wiki.mail.sender"]
    try:
        assert not sender.running
        with app.test_client() as client:
            client.get("/").close()
        assert sender.running
    finally:
        sender.stop()
    assert _threads() == []


@pytest.mark.parametrize("code, retried", [(450, 1), (550, 0)])
def test_a_refused_recipient_is_retried_unless_refused_for_good(mail_app, smtp, monkeypatch, code, retried):
    def refuse(self, message):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (code, b"No such user")})

    monkeypatch.setattr(mail_sender.smtp.Connection, "send", refuse)
    _queue("x@example.org")
    outcome = deliver_pending()
    assert (outcome.retried, outcome.given_up) == (retried, 1 - retried)


def test_a_sender_address_that_is_not_one_keeps_the_mail_waiting(app_factory, smtp):
    broken = app_factory(**{**smtp.config, "MAIL_FROM": "wiki@example.org\r\nBcc: spy@evil.example"})
    fixed = app_factory(**smtp.config)  # the settings corrected: the same database
    with broken.app_context():
        _queue("a@example.org")
        _queue("b@example.org")
        outcome = deliver_pending()
        assert (outcome.retried, outcome.given_up) == (2, 0)
        assert all("MAIL_FROM is not an address" in m.last_error
                   for m in db.session.scalars(db.select(OutboxMessage)))
        db.session.remove()
    with fixed.app_context():
        assert deliver_pending(utcnow() + timedelta(minutes=1)).sent == 2
        db.session.remove()
    assert len(smtp.inbox.wait_for(2)) == 2


def test_sending_at_once_waits_for_the_sender_that_took_the_message_first(mail_app, smtp):
    message = _queue("a@example.org")
    token, [row] = mail_sender.claim(utcnow())  # an app server's sender, a moment sooner

    def other_sender_finishes():
        time.sleep(0.3)
        with mail_app.app_context():
            mail_sender._record(token, row, sent_at=utcnow())
            db.session.remove()

    thread = threading.Thread(target=other_sender_finishes)
    thread.start()
    try:
        assert mail_sender.send_now(message.id) is None
    finally:
        thread.join()
    assert smtp.inbox.messages == []  # that sender sent it (here, pretended to): not this one too
