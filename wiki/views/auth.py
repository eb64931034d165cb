"""Sign in, sign out, register; the account page (password, language of the
interface); the footer's choice of language."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from .. import accounts, i18n, throttle
from ..errors import render_error
from ..extensions import db
from ..forms import (
    AccountLanguageForm,
    ConfirmForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
)

bp = Blueprint("auth", __name__)


def _safe_next(target):
    """Only a path on this site: never redirect a visitor to another host."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (target or "").startswith("/") or target.startswith("//"):
        return url_for("pages.home")
    return target


def _too_many(form, template, reason, wait):
    flash(f"{reason} {throttle.try_again(wait)}", "error")  # two sentences, each translated
    response = make_response(render_template(template, form=form), 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    elif form.validate():
        username, source = form.username.data.strip(), throttle.client_hash()
        limits = current_app.config
        wait_user, _attempt = throttle.attempt("login", limits["LOGIN_RATE_LIMIT"], source, username)
        wait_ip, by_ip = throttle.attempt("login-ip", limits["LOGIN_IP_RATE_LIMIT"], source)
        if wait_user or wait_ip:
            return _too_many(form, "auth/login.html", _("Too many failed sign-ins."),
                             max(wait_user, wait_ip))
        user = accounts.authenticate(username, form.password.data)
        if user is not None:
            throttle.forget("login", source, username)  # a success clears the failures
            throttle.cancel(by_ip)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Signed in as %(name)s.", name=user.display_name), "success")
            return redirect(_safe_next(form.next.data))
        # One message for both cases: it does not tell which usernames exist.
        flash(_("Unknown username or wrong password."), "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("Signed out."), "success")
        return redirect(url_for("pages.home"))
    return render_template("auth/logout.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if not current_app.config["REGISTRATION_ENABLED"]:
        abort(404)
    form = RegisterForm()
    if form.validate_on_submit():
        wait, _attempt = throttle.attempt("register", current_app.config["REGISTER_RATE_LIMIT"],
                                          throttle.client_hash())
        if wait:
            return _too_many(form, "auth/register.html",
                             _("Too many accounts were created from your network."), wait)
        try:
            user = accounts.register(form.username.data, form.password.data,
                                     form.display_name.data)
        except accounts.AccountError as e:  # refused attempts count too: no free probing
            flash(str(e), "error")
            return render_template("auth/register.html", form=form), 400
        login_user(user)
        flash(_("Welcome, %(name)s! You are signed in as the wiki's administrator.", name=user.display_name)
              if user.is_admin else _("Welcome, %(name)s! You are signed in.", name=user.display_name),
              "success")
        return redirect(url_for("pages.home"))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


def _account_page(form=None, language_form=None, status=200):
    """The account page: the password form and the language form, either
    one as it was sent back (with its errors)."""
    if language_form is None:
        language_form = AccountLanguageForm(formdata=None,
                                            language=i18n.offered_language(current_user.language) or "")
    return render_template("auth/password.html", form=form or PasswordChangeForm(formdata=None),
                           language_form=language_form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """The account page (its address from when it only changed the password)."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.password.data)
        except accounts.AccountError as e:
            flash(str(e), "error")
            return _account_page(form, status=400)
        # This session stays signed in under the new session id.
        login_user(current_user._get_current_object(),
                   remember=request.cookies.get("remember_token") is not None)
        flash(_("Password changed. Your other sessions were signed out."), "success")
        return redirect(url_for("pages.home"))
    return _account_page(form, status=400 if form.errors else 200)


@bp.route("/account/language", methods=["POST"])
@login_required
def account_language():
    """The account's language of the interface: one the wiki offers, or none
    ("as my browser asks"), which also forgets this browser's switcher choice,
    so the browser's own languages decide."""
    form = AccountLanguageForm()
    if not form.validate_on_submit():
        return _account_page(language_form=form, status=400)
    code = i18n.offered_language(form.language.data)  # None: the browser asks
    current_user.language = code
    db.session.commit()
    g.pop("wiki_language", None)
    refresh()  # this request's own messages in the new language
    response = redirect(url_for("auth.password"))
    if code:
        flash(_("Language of the interface: %(language)s.", language=i18n.language_name(code)), "success")
        _remember_language(response, code)
    else:
        flash(_("The interface now speaks the language your browser asks for."), "success")
        response.delete_cookie(i18n.COOKIE, samesite="Lax", httponly=True,
                               secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _remember_language(response, code):
    response.set_cookie(i18n.COOKIE, code, max_age=i18n.COOKIE_AGE, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


@bp.route("/language", methods=["POST"])
def language():
    """The footer's switcher: the interface language for this browser (a
    cookie, a year) and, for a signed-in member, their account's choice."""
    form = LanguageForm()
    code = i18n.offered_language(form.language.data) if form.validate_on_submit() else None
    if code is None:
        return render_error(400, _("This wiki does not offer that language."))
    if current_user.is_authenticated and current_user.language != code:
        current_user.language = code
        db.session.commit()
    response = redirect(_safe_next(form.next.data))
    _remember_language(response, code)
    return response
