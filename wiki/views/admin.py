"""Administration: users (roles, whether they may sign in, passwords and
reset links), the trash of deleted pages."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import accounts, mail, services
from ..extensions import db
from ..forms import ROLE_LABELS, ConfirmForm, RoleForm, SetPasswordForm
from ..models import Page, User
from ..security import require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@require_role("admin")
def users():
    return _users_page()


def _users_page(refused=None):
    """The users page; ``refused``: ``(user id, form)`` of a password form
    that was sent back, shown open with its errors."""
    people = db.session.scalars(db.select(User).order_by(User.username)).all()
    # formdata=None: only the form that was sent reads the request.
    forms = {u.id: RoleForm(formdata=None, prefix=f"u{u.id}", role=u.role, active=u.active) for u in people}
    # Not for oneself: changing one's own password asks for the current one (auth.password).
    passwords = {u.id: SetPasswordForm(formdata=None, prefix=f"p{u.id}")
                 for u in people if u.id != current_user.id}
    links = {u.id: ConfirmForm(formdata=None, prefix=f"r{u.id}") for u in people if u.id != current_user.id}
    if refused is not None:
        passwords[refused[0]] = refused[1]
    return render_template("admin/users.html", users=people, forms=forms, passwords=passwords, links=links,
                           opened=refused[0] if refused else None, mail_enabled=mail.enabled())


@bp.route("/users/<int:user_id>", methods=["POST"])
@require_role("admin")
def update_user(user_id):
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.validate():
        flash(_("Choose a valid role."), "error")
    else:
        try:
            accounts.set_role(user, form.role.data, form.active.data, current_user)
        except accounts.AccountError as e:
            flash(str(e), "error")
        else:
            role = ROLE_LABELS.get(user.role, user.role)
            flash(_("%(username)s is now %(role)s.", username=user.username, role=role) if user.active
                  else _("%(username)s is now %(role)s (inactive).", username=user.username, role=role),
                  "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require_role("admin")
def set_password(user_id):
    """Give an account a password: an account an import made has none and
    cannot sign in until it gets one. The account's sessions end, as after a
    password change."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("Change your own password on your Account page: it asks for the current one."), "error")
        return _users_page(), 400
    form = SetPasswordForm(prefix=f"p{user.id}")
    first = not user.has_password
    try:
        if not form.validate():
            raise accounts.AccountError(next(iter(form.errors.values()))[0])
        accounts.set_password(user, form.password.data)
    except accounts.AccountError as e:
        flash(_("No password was set for %(username)s: %(reason)s", username=user.username, reason=e),
              "error")
        return _users_page(refused=(user.id, form)), 400
    flash(_("%(username)s has a password: they can sign in now.", username=user.username) if first else
          _("%(username)s has a new password; their sessions were signed out.", username=user.username),
          "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@require_role("admin")
def send_reset_link(user_id):
    """Mail an account a link to choose a new password itself (its confirmed
    address only: an unconfirmed one may not be theirs)."""
    user = db.get_or_404(User, user_id)  # the CSRF token: checked for every form (wiki.extensions)
    if not mail.enabled():
        flash(_("This wiki sends no e-mail: set a new password for %(username)s instead.",
                username=user.username), "error")
        return _users_page(), 400
    if not accounts.reachable(user):
        flash(_("%(username)s has no confirmed e-mail address: set a new password for them instead.",
                username=user.username) if user.active else
              _("%(username)s is disabled: enable the account first.", username=user.username), "error")
        return _users_page(), 400
    accounts.queue_reset_link(user)
    db.session.commit()
    mail.wake()
    flash(_("A reset link was sent to %(username)s at %(address)s.", username=user.username,
            address=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/trash")
@require_role("admin")
def trash():
    pages = db.session.scalars(
        db.select(Page).where(Page.deleted_at.is_not(None)).order_by(Page.deleted_at.desc())
    ).all()
    return render_template("admin/trash.html", pages=pages, form=ConfirmForm())


@bp.route("/trash/<int:page_id>/restore", methods=["POST"])
@require_role("admin")
def restore(page_id):
    page = db.get_or_404(Page, page_id)
    services.restore_page(page, current_user)
    flash(_("“%(title)s” was restored.", title=page.title), "success")
    return redirect(url_for("pages.view", slug=page.slug))
