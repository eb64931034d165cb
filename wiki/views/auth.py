"""Sign in, sign out, register; forgotten passwords (a reset link by
e-mail); the account page (display name and e-mail address, password,
language of the interface) and the confirmation of addresses; the footer's
choice of language."""

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

from .. import accounts, i18n, mail, throttle
from ..errors import render_error
from ..extensions import db
from ..forms import (
    AccountLanguageForm,
    ApiTokenForm,
    ConfirmForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from ..mail import tokens
from ..mail.tokens import TokenError
from ..rest.tokens import tokens_of

# Defaults of the settings (count, seconds): reset links per address, requests per client.
RESET_RATE_LIMIT = (3, 3600)
RESET_IP_RATE_LIMIT = (10, 3600)
CONFIRM_RATE_LIMIT = (3, 3600)  # confirmation links an account sends

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
                                     form.display_name.data, form.email.data)
        except accounts.AccountError as e:  # refused attempts count too: no free probing
            flash(str(e), "error")
            return render_template("auth/register.html", form=form), 400
        login_user(user)
        flash(_("Welcome, %(name)s! You are signed in as the wiki's administrator.", name=user.display_name)
              if user.is_admin else _("Welcome, %(name)s! You are signed in.", name=user.display_name),
              "success")
        if user.email:
            _say_confirmation_sent(user)
        return redirect(url_for("pages.home"))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


def account_page(form=None, language_form=None, profile_form=None, status=200, **more):
    """The account page: the profile, password and language forms, any one
    of them as it was sent back (with its errors); ``more`` goes to the
    template (the API tokens' part: wiki.views.tokens)."""
    if language_form is None:
        language_form = AccountLanguageForm(formdata=None,
                                            language=i18n.offered_language(current_user.language) or "")
    if profile_form is None:
        profile_form = ProfileForm(formdata=None, display_name=current_user.display_name,
                                   email=current_user.email or "")
    return render_template("auth/password.html", form=form or PasswordChangeForm(formdata=None),
                           language_form=language_form, profile_form=profile_form,
                           confirm_form=ConfirmForm(formdata=None, prefix="confirm"),
                           mail_enabled=mail.enabled(), **_tokens_part(**more)), status


def _tokens_part(token_form=None, new_token=None):
    return {"token_form": token_form or ApiTokenForm(formdata=None, prefix="token"),
            "api_tokens": tokens_of(current_user), "new_token": new_token,
            "revoke_form": ConfirmForm(formdata=None, prefix="revoke")}


@bp.route("/account")
@login_required
def account():
    """The account page; it sends its forms to their own addresses."""
    return account_page()


@bp.route("/account/profile", methods=["POST"])
@login_required
def profile():
    """A member's display name and e-mail address; a new address gets its
    confirmation link and receives nothing else until it is followed."""
    form = ProfileForm()
    if not form.validate_on_submit():
        return account_page(profile_form=form, status=400)
    user = current_user._get_current_object()
    try:
        changed = accounts.update_profile(user, form.display_name.data, form.email.data)
    except accounts.AccountError as e:
        flash(str(e), "error")
        return account_page(profile_form=form, status=400)
    flash(_("Your account was saved."), "success")
    if changed and user.email:
        _send_confirmation(user)
    return redirect(url_for("auth.account"))


@bp.route("/account/confirm", methods=["POST"])
@login_required
def resend_confirmation():
    """Send the confirmation link of the account's address again."""
    form = ConfirmForm(prefix="confirm")
    user = current_user._get_current_object()
    if not form.validate_on_submit() or not user.email or user.email_confirmed_at is not None:
        flash(_("There is no address to confirm."), "error")
        return account_page(status=400)
    _send_confirmation(user)
    return redirect(url_for("auth.account"))


def _send_confirmation(user):
    """Send ``user`` the link that confirms their address, a few times an hour at most."""
    limit = current_app.config.get("CONFIRM_RATE_LIMIT", CONFIRM_RATE_LIMIT)
    try:
        throttle.take_slot("email-confirm", limit, str(user.id))
    except throttle.RateLimited as e:
        reason = _("Too many confirmation links were sent.")
        flash(f"{reason} {throttle.try_again(e.wait)}", "error")  # two sentences, each translated
        return
    accounts.send_confirmation(user)  # commits the slot with the message
    _say_confirmation_sent(user)


def _say_confirmation_sent(user):
    if mail.enabled():
        flash(_("A confirmation link was sent to %(address)s: follow it to receive mail from the wiki.",
                address=user.email), "info")
    else:
        flash(_("This wiki sends no e-mail at the moment: your address stays unconfirmed until it does."),
              "info")


@bp.route("/account/confirm/<token>")
def confirm_email(token):
    """The link of a confirmation message (signed in or not: it may be
    opened on another device)."""
    try:
        user = accounts.confirm_email(token)
    except TokenError as e:
        message = _("This confirmation link has expired.") if e.reason == "expired" else \
            _("This confirmation link does not work: it is incomplete, or your account has another "
              "address now.")
        return render_template("auth/confirmed.html", problem=message), 400
    return render_template("auth/confirmed.html", user=user)


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
            return account_page(form, status=400)
        # This session stays signed in under the new session id.
        login_user(current_user._get_current_object(),
                   remember=request.cookies.get("remember_token") is not None)
        flash(_("Password changed. Your other sessions were signed out."), "success")
        return redirect(url_for("pages.home"))
    return account_page(form, status=400 if form.errors else 200)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link. The answer is the same whether an account
    matches or not (nobody learns which accounts exist); a link goes only to
    a confirmed address, a few times an hour at most per address (more are
    dropped in silence: saying so would tell the address has an account)."""
    form = ForgotPasswordForm()
    if not mail.enabled():  # nothing to send with: an admin sets passwords
        return render_template("auth/forgot.html", form=None)
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form), 400 if form.errors else 200
    config = current_app.config
    by_client = config.get("PASSWORD_RESET_IP_RATE_LIMIT", RESET_IP_RATE_LIMIT)
    wait, _attempt = throttle.attempt("password-reset-ip", by_client, throttle.client_hash())
    if wait:
        return _too_many(form, "auth/forgot.html",
                         _("Too many reset links were asked for from your network."), wait)
    user = accounts.find_by_login(form.login.data)
    if user is not None and accounts.reachable(user):
        try:
            throttle.take_slot("password-reset", config.get("PASSWORD_RESET_RATE_LIMIT", RESET_RATE_LIMIT),
                               user.email)
        except throttle.RateLimited:
            pass  # the same answer; the links sent a moment ago still work
        else:
            if accounts.queue_reset_link(user):
                db.session.commit()
                mail.wake()
    return render_template("auth/forgot.html", form=None, sent=True)


def _reset_problem(error):
    message = _("This reset link has expired.") if error.reason == "expired" else \
        _("This reset link does not work: it was used already, the password was changed since, or the "
          "link is incomplete.")
    return _no_referrer(make_response(render_template("auth/reset.html", form=None, problem=message), 400))


def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """The link of a reset message: choose a new password (twice). The link
    then stops working and every session of the account ends."""
    try:
        user = tokens.read_reset_token(token)
    except TokenError as e:
        return _reset_problem(e)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except TokenError as e:
            return _reset_problem(e)
        except accounts.AccountError as e:
            flash(str(e), "error")
        else:
            if current_user.is_authenticated:
                logout_user()  # whoever was signed in here: the account's sessions ended
            flash(_("Your password was changed and your sessions were signed out: sign in with the new "
                    "one."), "success")
            return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return _no_referrer(make_response(render_template("auth/reset.html", form=form, user=user), status))


@bp.route("/account/language", methods=["POST"])
@login_required
def account_language():
    """The account's language of the interface: one the wiki offers, or none
    ("as my browser asks"), which also forgets this browser's switcher choice,
    so the browser's own languages decide."""
    form = AccountLanguageForm()
    if not form.validate_on_submit():
        return account_page(language_form=form, status=400)
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
