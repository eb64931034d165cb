"""The unsubscribe link every message carries: a page with a button, and
the one-click POST mail programs send on their own (RFC 8058)."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from ..errors import render_error
from ..extensions import csrf, db
from ..forms import ConfirmForm
from ..mail import MailOptOut, clean_address
from ..mail.outbox import read_unsubscribe_token
from ..plugins import hook

bp = Blueprint("mail", __name__, url_prefix="/mail")

ONE_CLICK = "One-Click"  # the body of RFC 8058's POST: List-Unsubscribe=One-Click


def _stop_everything(address):
    """No more mail the wiki sends on its own to ``address`` (idempotent)."""
    if db.session.get(MailOptOut, address) is None:
        db.session.add(MailOptOut(address=address))
        try:
            db.session.commit()
        except IntegrityError:  # the same link followed twice at once: done either way
            db.session.rollback()


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authentication; the page's own form still checks CSRF below
def unsubscribe(token):
    found = read_unsubscribe_token(token)
    address = clean_address(found[0]) if found else None
    if address is None:
        return render_error(404, _("This unsubscribe link is not valid: it may have been cut by your mail "
                                   "program. Copy the whole link, or use the one in a newer message."))
    scope = found[1]
    if request.method == "GET":
        return render_template("mail_unsubscribe.html", form=ConfirmForm(), address=address, scope=scope)

    one_click = request.form.get("List-Unsubscribe") == ONE_CLICK
    if not one_click and not ConfirmForm().validate():
        raise CSRFError()  # the page's button without its token: the usual message
    if scope == "all":
        _stop_everything(address)
        done = _("No more messages will be sent to %(address)s, except those you ask for (such as a "
                 "password reset link).", address=address)
    else:
        done = hook().mail_unsubscribe(address=address, scope=scope)
        if done is None:
            return render_error(400, _("This link stops something the wiki no longer knows about, "
                                       "so there is nothing left to stop."))
    return render_template("mail_unsubscribe.html", done=done, address=address, scope=scope)
