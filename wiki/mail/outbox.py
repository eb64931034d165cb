"""Putting messages in the outbox: rendered at once, in the recipient's
language, and written in the caller's transaction, so that what causes a
message and the message itself are committed (or lost) together."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer

from ..extensions import db
from .addresses import clean_address, one_line
from .models import MailOptOut, OutboxMessage

UNSUBSCRIBE_SALT = "wiki-mail-unsubscribe"


def enabled():
    """Whether the wiki sends mail: ``MAIL_SERVER`` is set."""
    return bool(current_app.config.get("MAIL_SERVER"))


def external_url(endpoint, **values):
    """An absolute link for a message: on ``BASE_URL`` when set (a message may
    be written outside any request: a digest, the command line), else on the
    address of the current request."""
    base = current_app.config.get("BASE_URL")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://127.0.0.1:5000")
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(address, scope="all"):
    """The signed link that stops what ``scope`` names for ``address``:
    ``"all"`` (every message the wiki sends on its own), or a plugin's scope
    (its ``mail_unsubscribe`` hook understands it)."""
    token = _serializer().dumps({"a": address, "s": scope})
    return external_url("mail.unsubscribe", token=token)


def read_unsubscribe_token(token):
    """``(address, scope)`` of a link made by ``unsubscribe_url``, or None."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), str) or not isinstance(data.get("s"), str):
        return None
    return data["a"], data["s"]


def opted_out(address):
    return db.session.get(MailOptOut, address) is not None


def queue(to, subject, text, html=None, unsubscribe=None, requested=False):
    """Add a message for ``to`` to the outbox in the current transaction; the
    caller commits (then ``wake()``). None, and nothing queued, when mail is
    off, the address is not one, or it unsubscribed from everything (unless
    the person ``requested`` this message: a reset link, a confirmation).
    ``unsubscribe``: the link it carries (``unsubscribe_url``), by default
    the one that stops everything."""
    address = _recipient(to, requested)
    return None if address is None else _add(address, subject, text, html, unsubscribe)


def _recipient(to, requested):
    """``to`` as stored when a message may go there now, else None."""
    address = clean_address(to)
    if not enabled() or address is None or (not requested and opted_out(address)):
        return None
    return address


def _add(address, subject, text, html, unsubscribe):
    message = OutboxMessage(to_address=address, subject=one_line(subject, 300), text=text, html=html,
                            unsubscribe_url=unsubscribe or unsubscribe_url(address))
    db.session.add(message)
    return message


def queue_template(to, name, language=None, unsubscribe=None, requested=False, **context):
    """``queue`` a message rendered from ``templates/mail/<name>.subject.txt``,
    ``<name>.txt`` and ``<name>.html`` in ``language`` (the recipient's:
    their account's choice, else the wiki's default). The templates get
    ``context``, ``site_name``, ``language`` and ``unsubscribe_url``; they
    extend ``mail/_layout.txt`` and ``mail/_layout.html`` (the wiki's name
    and the unsubscribe link at the foot)."""
    address = _recipient(to, requested)
    if address is None:
        return None
    unsubscribe = unsubscribe or unsubscribe_url(address)
    language = language or current_app.config["DEFAULT_LANGUAGE"]
    values = {"site_name": current_app.config["SITE_NAME"], "unsubscribe_url": unsubscribe,
              "language": language, **context}
    with force_locale(language):
        subject = render_template(f"mail/{name}.subject.txt", **values)
        text = render_template(f"mail/{name}.txt", **values)
        html = render_template(f"mail/{name}.html", **values)
    return _add(address, subject, text, html, unsubscribe)


def wake():
    """Tell this process's sender that mail is waiting (after the commit)."""
    sender = current_app.extensions.get("wiki.mail.sender")
    if sender is not None:
        sender.wake()
