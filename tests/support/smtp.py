"""A real SMTP server for the tests (aiosmtpd), on a free local port: it
keeps what it receives, and can refuse everything for a while (a server
that is down, then back)."""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


class Inbox:
    """What the server received: ``messages`` (``email.message.EmailMessage``,
    parsed as a mail client would), in the order they came."""

    def __init__(self):
        self.messages = []
        self.refusing = False  # answer every message with a temporary failure
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refusing:
            return "451 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, count, timeout=10):
        """Wait until ``count`` messages came in all; the messages."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def to(self, address):
        return [m for m in self.messages if address in m.envelope_to]

    def clear(self):
        with self._lock:
            self.messages.clear()


def start_server():
    """``(controller, inbox)``: a server on 127.0.0.1 and a free port
    (``controller.port``); ``controller.stop()`` when done."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks it answers on the given one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def text_of(message):
    """The plain-text part of a received message."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()
