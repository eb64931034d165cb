"""The one-click links of the plugin's messages (``mail_unsubscribe``). The
scope says what the link stops; the address must still be the one the link
was sent to (ids may be reused after a removal)."""

from flask_babel import gettext as _

from wiki.api import User, db

from .models import AnonSubscription, Preference, Watch

KINDS = ("watch", "replies", "notify", "anon")


def _preference(user):
    row = db.session.get(Preference, user.id)
    if row is None:
        row = Preference(user_id=user.id, mode="instant", replies=True)
        db.session.add(row)
    return row


def unsubscribe(address, scope):
    """A sentence for the confirmation page, or None when ``scope`` is not the plugin's."""
    kind, _sep, key = scope.partition(":")
    if kind not in KINDS or not key.isdigit():
        return None
    ident = int(key)
    if kind == "anon":
        subscription = db.session.get(AnonSubscription, ident)
        if subscription is not None and subscription.address == address:
            db.session.delete(subscription)
            db.session.commit()
        return _("You will not be told of replies to your comment any more.")
    if kind == "watch":
        watch = db.session.get(Watch, ident)
        if watch is None or watch.user.email != address:
            return _("You do not watch this page any more.")
        title, subtree = watch.page.title, watch.subtree
        db.session.delete(watch)
        db.session.commit()
        return (_("You no longer watch “%(title)s” and the pages under it.", title=title) if subtree
                else _("You no longer watch “%(title)s”.", title=title))
    user = db.session.get(User, ident)
    if user is None or user.email != address:
        return _("There is nothing more to stop for this address.")
    if kind == "replies":
        _preference(user).replies = False
        message = _("You will not be told of replies to your comments any more. Your account page can "
                    "turn this back on.")
    else:
        _preference(user).mode = "off"
        message = _("You will get no more notifications. Your account page can turn them back on.")
    db.session.commit()
    return message
