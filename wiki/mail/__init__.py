"""E-mail: messages queued in the outbox, in the transaction of the event
that causes them, and delivered by a sender in each app server (or by
``flask --app wiki mail send``). docs/mail.md.

What the rest of the wiki uses (plugins through ``wiki.api``):

- ``enabled()``: whether the wiki sends mail (``MAIL_SERVER`` is set);
  without it nothing is queued and pages that need mail say so;
- ``queue(to, subject, text, html=None, unsubscribe=None)``: add one message
  to the outbox in the current transaction (the caller commits);
- ``queue_template(to, name, language, unsubscribe=None, **context)``: the
  same, rendered from ``templates/mail/<name>.{subject.txt,txt,html}`` in the
  recipient's language;
- ``unsubscribe_url(address, scope)``: the signed one-click link every
  message carries (scope ``"all"``, or a plugin's own, see
  ``mail_unsubscribe``);
- ``clean_address(value)``: an address as stored, or None when it is not
  one (CR/LF and the like refused: no header injection);
- ``wake()``: tell this process's sender there is mail (after a commit).
"""

from .addresses import clean_address
from .models import MailOptOut, OutboxMessage
from .outbox import enabled, queue, queue_template, unsubscribe_url, wake
from .sender import init_app as _init_sender


def init_app(app):
    """The sender of this app server (``wiki.mail.sender``): its thread, and
    the listener that wakes it when a commit queued mail."""
    _init_sender(app)


__all__ = ["MailOptOut", "OutboxMessage", "clean_address", "enabled", "queue", "queue_template",
           "unsubscribe_url", "wake"]
