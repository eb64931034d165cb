"""Visitors without an account: an e-mail address left in the comment form,
to be told of replies to that comment. Opt-in (the field is empty unless
they fill it), confirmed by a link sent to it before anything else goes
there, shown to nobody, and ended by the link in every message."""

from datetime import timedelta

from flask import current_app, flash, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from wiki.api import (
    RateLimited,
    clean_address,
    db,
    external_url,
    interface_language,
    mail_enabled,
    queue_template,
    take_slot,
    unsubscribe_url,
    utcnow,
    wake_mail,
)

from .models import AnonSubscription

FIELD = "notify-email"
CONFIRM_SALT = "notify-anon-confirm"
CONFIRM_MAX_AGE = timedelta(days=7)
# Confirmation messages per address: the form must not let anyone flood an inbox.
CONFIRM_LIMIT = (3, 24 * 3600)


class LinkError(ValueError):
    def __init__(self, message, status):
        super().__init__(message)
        self.message, self.status = message, status


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def asked(user):
    """Whether the comment form offers the field to ``user``."""
    return mail_enabled() and not user.is_authenticated


def typed_address():
    """What the visitor typed in the field (the form shown again keeps it)."""
    return request.form.get(FIELD, "") if request.method == "POST" else ""


def problems(form, user):
    if not asked(user):
        return []
    value = (form.get(FIELD) or "").strip()
    if value and clean_address(value) is None:
        return [_("The e-mail address for replies does not look like one (name@example.org). "
                  "Correct it, or leave the field empty.")]
    return []


def subscribe(comment, form):
    """Keep the address typed with ``comment`` (unconfirmed) and send the link that confirms it."""
    if comment.author_id is not None or not mail_enabled():
        return
    address = clean_address((form.get(FIELD) or "").strip())
    if address is None:
        return
    try:
        take_slot("notify-confirm", CONFIRM_LIMIT, address)
    except RateLimited:
        flash(_("Too many confirmation links went to this address today: you will not be told of "
                "replies to this comment."), "error")
        return
    subscription = AnonSubscription(comment_id=comment.id, page_id=comment.page_id, address=address,
                                    language=interface_language())
    db.session.add(subscription)
    db.session.flush()
    queue_template(address, "notify_confirm", subscription.language, requested=True,
                   unsubscribe=unsubscribe_url(address, f"anon:{subscription.id}"),
                   title=comment.page.title, page_url=external_url("pages.view", slug=comment.page.slug),
                   confirm_url=external_url("notify.confirm", token=_serializer().dumps(subscription.id)))
    db.session.commit()
    wake_mail()
    flash(_("We sent a link to your e-mail address: follow it to be told of replies to your comment."),
          "info")


def from_token(token):
    """The subscription a confirmation link names, or ``LinkError``."""
    try:
        subscription_id = _serializer().loads(token, max_age=int(CONFIRM_MAX_AGE.total_seconds()))
    except SignatureExpired:
        raise LinkError(_("This confirmation link has expired. Post a comment again with your address to "
                          "get a new one."), 410) from None
    except BadSignature:
        raise LinkError(_("This confirmation link is not valid: copy the whole link from the message."),
                        400) from None
    subscription = db.session.get(AnonSubscription, subscription_id) if isinstance(subscription_id, int) \
        else None
    if subscription is None:
        raise LinkError(_("This subscription was removed: you will not be told of replies."), 404)
    return subscription


def confirm(subscription):
    if subscription.confirmed_at is None:
        subscription.confirmed_at = utcnow()
        db.session.commit()
