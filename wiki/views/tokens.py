"""The account page's API tokens: make one (shown once) and revoke one."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import ApiTokenForm, ConfirmForm
from ..rest.tokens import TokenError, create_token, revoke_token
from .auth import account_page

bp = Blueprint("tokens", __name__)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create():
    form = ApiTokenForm(prefix="token")
    if not form.validate_on_submit():
        return account_page(token_form=form, status=400)
    try:
        row, token = create_token(current_user._get_current_object(), form.name.data, form.scope.data,
                                  int(form.days.data) if form.days.data else None)
    except TokenError as e:
        flash(str(e), "error")
        return account_page(token_form=form, status=400)
    # Shown in this answer only (never flashed: the session cookie is
    # signed, not encrypted), and kept out of every cache.
    body, status = account_page(new_token=(row, token))
    return body, status, {"Cache-Control": "no-store"}


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id):
    if not ConfirmForm(prefix="revoke").validate_on_submit():
        return account_page(status=400)
    if revoke_token(current_user._get_current_object(), token_id):
        flash(_("The token was revoked: scripts using it get “401 Unauthorized” from now on."), "success")
    else:
        flash(_("You have no such token (it may be revoked already)."), "error")
    return redirect(url_for("auth.account") + "#tokens-heading")
