"""The one module that speaks SMTP: an outbox row made into a message, and a
connection to the server of the settings (``MAIL_*``, docs/mail.md)."""

import email.policy
import hashlib
import smtplib
import ssl
from datetime import UTC
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from .addresses import clean_address, one_line

TIMEOUT = 30  # seconds an SMTP server may take to answer, each step
# Lines up to SMTP's limit (RFC 5322: 998): folding at 78 would turn a long
# unbroken value (the List-Unsubscribe link) into an encoded word that mail
# programs do not read as a link.
POLICY = email.policy.SMTP.clone(max_line_length=998)


class BadMessage(ValueError):
    """A row no server could take (its address is not one): never retried."""


class BadSettings(ValueError):
    """The settings cannot make a message (``MAIL_FROM`` is not an address):
    every message waits until they are fixed."""


def build_message(config, row):
    """The ``EmailMessage`` of an outbox row (``OutboxMessage``, or anything
    with its attributes). Every header value is one line: a name, a subject
    or an address cannot add a header of its own."""
    to = clean_address(row.to_address)
    sender = clean_address(config["MAIL_FROM"])
    if to is None:
        raise BadMessage(f"not an address: {one_line(row.to_address, 80)!r}")
    if sender is None:
        raise BadSettings(f"MAIL_FROM is not an address: {one_line(str(config['MAIL_FROM']), 80)!r}")
    local, domain = sender.split("@")
    message = EmailMessage(policy=POLICY)
    message["From"] = Address(display_name=one_line(config["SITE_NAME"], 100), username=local, domain=domain)
    message["To"] = to
    message["Subject"] = one_line(row.subject, 300)
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=UTC))
    message["Message-ID"] = message_id(row, domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    link = one_line(row.unsubscribe_url or "", 1000)
    if link.startswith(("https://", "http://")) and not any(c in link for c in "<> "):
        message["List-Unsubscribe"] = f"<{link}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message.set_content(row.text)
    if row.html:
        message.add_alternative(row.html, subtype="html")
    return message


def message_id(row, domain):
    """The same for every attempt at one row: a client that got it twice
    (the server took it, the answer was lost) can tell."""
    tag = hashlib.sha256(f"{row.id}:{row.created_at.isoformat()}:{row.to_address}".encode()).hexdigest()[:16]
    return f"<wiki.{row.id}.{tag}@{domain}>"


class Connection:
    """One SMTP session for a delivery pass, opened at its first message:
    ``with Connection(config) as smtp: smtp.send(message)``."""

    def __init__(self, config):
        self.config = config
        self._smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()

    def send(self, message):
        if self._smtp is None:
            self._smtp = connect(self.config)
        self._smtp.send_message(message)

    def close(self):
        """Say goodbye, or just hang up when the server is gone."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def connect(config):
    """A logged-in SMTP session to ``MAIL_SERVER``: SMTP over TLS with
    ``MAIL_USE_SSL``, upgraded with STARTTLS with ``MAIL_USE_TLS``."""
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def describe(error, config):
    """What went wrong, for ``last_error`` and the log: one line, without
    the password (a server may echo what it was sent)."""
    text = one_line(f"{type(error).__name__}: {error}", 500)
    password = config.get("MAIL_PASSWORD")
    if password:
        text = text.replace(password, "***")
    return text


def permanent(error):
    """Whether the server refused for good (5xx for the recipient): no
    retry will change its mind."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return False
