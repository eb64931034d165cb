"""Administration: users and roles, the trash of deleted pages."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import accounts, services
from ..extensions import db
from ..forms import ConfirmForm, RoleForm
from ..models import Page, User
from ..security import require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@require_role("admin")
def users():
    people = db.session.scalars(db.select(User).order_by(User.username)).all()
    forms = {u.id: RoleForm(prefix=f"u{u.id}", role=u.role, active=u.active) for u in people}
    return render_template("admin/users.html", users=people, forms=forms)


@bp.route("/users/<int:user_id>", methods=["POST"])
@require_role("admin")
def update_user(user_id):
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.validate():
        flash("Choose a valid role.", "error")
    else:
        try:
            accounts.set_role(user, form.role.data, form.active.data, current_user)
        except accounts.AccountError as e:
            flash(str(e), "error")
        else:
            flash(f"{user.username} is now {user.role}{'' if user.active else ' (inactive)'}.",
                  "success")
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
    flash(f"“{page.title}” was restored.", "success")
    return redirect(url_for("pages.view", slug=page.slug))
