"""Delivery: passes over the outbox, and the thread that runs them.

A pass claims the messages that are due with one UPDATE that only takes rows
nobody holds (``claimed_until`` passed or empty), so that several senders (the
threads of several app servers, ``flask --app wiki mail send`` from cron)
never send one message twice; it sends them over one SMTP connection, then
records each outcome in its own commit: sent, to retry later (exponential
backoff), or given up after ``MAIL_GIVE_UP_AFTER`` (with a warning in the
log). A sender that dies mid-way leaves claims that expire: another one
takes the messages again then.

Each app has a ``Sender``: a daemon thread, started at the app's first
request or first ``wake()``, that runs a pass when woken (a commit that
queued mail wakes it) and every ``MAIL_POLL_SECONDS`` anyway. None runs
while mail is off, or in tests unless one starts it.
"""

import logging
import os
import smtplib
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import click
from flask import current_app, has_app_context
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import utcnow
from ..plugins import hook
from . import smtp
from .addresses import one_line
from .models import OutboxMessage
from .outbox import enabled

log = logging.getLogger(__name__)

THREAD_NAME = "mail-sender"
BATCH = 10  # messages claimed at once: at most TIMEOUT seconds each, well within CLAIM
CLAIM = timedelta(minutes=15)  # a claim older than this belongs to a sender that died
FIRST_RETRY, LAST_RETRY = 30, 3600  # seconds: 30 s, 1 min, 2 min... at most an hour apart
POLL_SECONDS = 10

_COLUMNS = ("id", "to_address", "subject", "text", "html", "unsubscribe_url", "created_at", "attempts")


@dataclass
class Outcome:
    """What a pass did: messages sent, left to retry, given up."""

    sent: int = 0
    retried: int = 0
    given_up: int = 0


def backoff(attempts):
    """Seconds to wait after the ``attempts``-th failed attempt."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


def _due(now):
    message = OutboxMessage
    return (message.sent_at.is_(None), message.failed_at.is_(None), message.next_attempt_at <= now,
            or_(message.claimed_until.is_(None), message.claimed_until < now))


def claim(now, limit=BATCH, ids=None):
    """``(token, rows)``: up to ``limit`` due messages (of ``ids`` when given)
    that this sender now holds, as plain values, the transaction committed."""
    token = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"
    wanted = select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(limit)
    if ids is not None:
        wanted = wanted.where(OutboxMessage.id.in_(ids))
    # The conditions again on the row itself: on PostgreSQL a sender that
    # waited for another's claim sees that row claimed and leaves it (SQLite
    # runs one writer at a time). SKIP LOCKED saves the wait (not on SQLite).
    taken = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(wanted.with_for_update(skip_locked=True)), *_due(now))
        .values(claimed_by=token, claimed_until=now + CLAIM)
        .execution_options(synchronize_session=False))
    rows = []
    if taken.rowcount:
        found = db.session.scalars(select(OutboxMessage).where(OutboxMessage.claimed_by == token)
                                   .order_by(OutboxMessage.id))
        rows = [SimpleNamespace(**{name: getattr(m, name) for name in _COLUMNS}) for m in found]
    db.session.commit()  # the claim is public before any SMTP work starts
    return token, rows


def _record(token, row, **values):
    """Store what became of a claimed message, and let it go."""
    done = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == token)
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if done.rowcount != 1:  # our claim expired and another sender took the message
        log.warning("mail: message %s was claimed again while this sender held it", row.id)


# smtplib's errors after which the connection is no use (as after any
# other OSError): the rest of the pass waits for the next one.
_CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError,
                      smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError)


class _Delivery:
    """The messages of one pass, over one connection."""

    def __init__(self, config, now, outcome, retry=True):
        self.config, self.now, self.outcome, self.retry = config, now, outcome, retry
        self.connection = smtp.Connection(config)
        self.down = None  # why the server cannot be reached, once it could not

    def run(self, ids=None):
        while True:
            token, rows = claim(self.now, ids=ids)
            if not rows:
                return
            for row in rows:
                self.send(token, row)

    def send(self, token, row):
        if self.down is not None:
            self.failed(token, row, self.down)
            return
        try:
            self.connection.send(smtp.build_message(self.config, row))
        except smtp.BadMessage as e:
            self.failed(token, row, f"BadMessage: {e}", final=True)
        except smtp.BadSettings as e:
            self.down = f"BadSettings: {e}"
            self.failed(token, row, self.down)
        except OSError as e:  # the network's errors, and smtplib's (SMTPException is one)
            if isinstance(e, smtplib.SMTPException) and not isinstance(e, _CONNECTION_ERRORS):
                # The server refused this message: the next one may go.
                self.failed(token, row, smtp.describe(e, self.config), final=smtp.permanent(e))
                return
            self.connection.close()
            self.down = smtp.describe(e, self.config)
            self.failed(token, row, self.down)
        else:
            _record(token, row, sent_at=self.now, last_error=None)
            self.outcome.sent += 1

    def failed(self, token, row, error, final=False):
        attempts = row.attempts + 1
        give_up_after = timedelta(seconds=self.config["MAIL_GIVE_UP_AFTER"])
        if final or not self.retry or self.now - row.created_at >= give_up_after:
            log.warning("mail: gave up on message %s to %s after %s attempt(s): %s",
                        row.id, one_line(row.to_address, 254), attempts, error)
            _record(token, row, attempts=attempts, last_error=error, failed_at=self.now)
            self.outcome.given_up += 1
        else:
            _record(token, row, attempts=attempts, last_error=error,
                    next_attempt_at=self.now + timedelta(seconds=backoff(attempts)))
            self.outcome.retried += 1


def deliver_pending(now=None):
    """One delivery pass, in an app context: send what is due, let the
    plugins queue what is due at ``now`` (``mail_tick``: digests), send that
    too. An ``Outcome``; nothing at all while mail is off."""
    outcome = Outcome()
    if not enabled():
        return outcome
    now = now or utcnow()
    delivery = _Delivery(current_app.config, now, outcome)
    with delivery.connection:
        delivery.run()
        try:
            hook().mail_tick(now=now)
        except Exception:  # a plugin's bug must not stop the wiki's mail
            db.session.rollback()
            log.exception("mail: a plugin's mail_tick failed")
        delivery.now = max(now, utcnow())  # what it queued is due from the moment it was queued
        delivery.run()
    return outcome


def send_now(message_id, now=None):
    """Send one queued message at once, and only once (``mail test``): None
    when the server took it, else why not."""
    delivery = _Delivery(current_app.config, now or utcnow(), Outcome(), retry=False)
    with delivery.connection:
        token, rows = claim(delivery.now, ids=[message_id])
        if rows:
            delivery.send(token, rows[0])
    if delivery.outcome.sent:
        return None
    if rows:
        return db.session.get(OutboxMessage, message_id).last_error
    return _answer_of_another(message_id)


def _answer_of_another(message_id, timeout=2 * smtp.TIMEOUT):
    """An app server's sender took the message first: what came of it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh look at what the other sender committed
        message = db.session.get(OutboxMessage, message_id)
        if message.sent_at is not None:
            return None
        if message.last_error:
            return message.last_error
        time.sleep(0.5)
    return "another sender took the message and has not sent it yet"


def _in_command_line():
    """Inside a ``flask`` command: a process that ends when it is done (a
    thread started there could be cut off mid-send)."""
    return click.get_current_context(silent=True) is not None


class Sender:
    """The delivery thread of one app (``app.extensions["wiki.mail.sender"]``)."""

    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread = None
        self._pid = None
        self._last_error = None

    @property
    def running(self):
        thread = self._thread
        return thread is not None and thread.is_alive() and self._pid == os.getpid()

    def start(self):
        """Start the thread (tests call this; servers start it on their
        own): False, and no thread, while mail is off."""
        if not self.app.config.get("MAIL_SERVER"):
            return False
        with self._lock:
            if not self.running:  # (a forked worker has none of its parent's threads)
                self._stopping.clear()
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
                self._thread.start()
        return True

    def autostart(self):
        """Start on the first request of an app server (not in tests)."""
        if not self.running and not self.app.config.get("TESTING"):
            self.start()

    def wake(self):
        """Mail is waiting: run a pass now."""
        if not _in_command_line():
            self.autostart()
        self._woken.set()

    def stop(self, timeout=30):
        """End the thread after its current pass, and wait for it."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopping.set()
            self._woken.set()
        if thread is not None and thread.is_alive():
            thread.join(timeout)

    def _run(self):
        poll = float(self.app.config.get("MAIL_POLL_SECONDS") or POLL_SECONDS)
        while not self._stopping.is_set():
            self._woken.clear()
            self._pass()
            self._woken.wait(poll)

    def _pass(self):
        with self.app.app_context():
            try:
                deliver_pending()
            except Exception as e:  # the database is down, say: try again at the next pass
                db.session.rollback()
                if str(e) != self._last_error:  # once, not every few seconds
                    log.exception("mail: a delivery pass failed")
                self._last_error = str(e)
            else:
                self._last_error = None


# A commit that queued mail wakes the sender of its app: callers need not.
_SENDER_KEY = "wiki.mail.sender"


def _note_queued(session, _context):
    if has_app_context() and any(isinstance(obj, OutboxMessage) for obj in session.new):
        sender = current_app.extensions.get(_SENDER_KEY)
        if sender is not None:
            session.info[_SENDER_KEY] = sender


def _wake_after_commit(session):
    sender = session.info.pop(_SENDER_KEY, None)
    if sender is not None:
        sender.wake()


def _forget_after_rollback(session):
    session.info.pop(_SENDER_KEY, None)


_listening = False


def init_app(app):
    global _listening
    sender = Sender(app)
    app.extensions[_SENDER_KEY] = sender
    if app.config.get("MAIL_SERVER") and not app.config.get("TESTING"):
        app.before_request(sender.autostart)
    if not _listening:  # one set of listeners per process, for every app's sessions
        event.listen(Session, "after_flush", _note_queued)
        event.listen(Session, "after_commit", _wake_after_commit)
        event.listen(Session, "after_rollback", _forget_after_rollback)
        _listening = True
