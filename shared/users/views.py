"""Sign-in pages and the user administration pages."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from shared.api import paginate
from shared.db import utcnow
from shared.errors import Throttled
from shared.forms import run_form
from shared.http import client_ip, local_path
from shared.permissions import public, require, signed_in
from shared.queries import search
from shared.users import services, throttle
from shared.users.forms import (
    ROLE_LABELS,
    TOKEN_SCOPE_LABELS,
    EmptyForm,
    LoginForm,
    TokenForm,
    UserForm,
)
from shared.users.models import User

bp = Blueprint("users", __name__)


def _safe_next(target: str | None) -> str:
    # A control character (a newline) in a Location header answered 500: local_path refuses it.
    return local_path(target) or url_for("ui.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("ui.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        known = throttle.known_device_user(request.cookies.get(throttle.DEVICE_COOKIE))
        try:
            user = services.check_credentials(form.email.data or "", form.password.data or "",
                                              client_ip(), known_user_id=known)
        except Throttled as exc:
            form.form_errors.append(exc.message)
            return render_template("shared/users/login.html", form=form), 429, \
                {"Retry-After": str(exc.extra.get("retry_after", 60))}
        if user is not None:
            locale = session.get("locale")
            session.clear()  # a fresh session at sign-in: no fixation, new CSRF token
            user.session_token = services.start_session(user.id)
            login_user(user)
            if locale and not user.locale:
                services.set_locale(user.id, locale)
            response = redirect(_safe_next(request.args.get("next")))
            # This browser may sign in to this account even while its address is throttled.
            response.set_cookie(throttle.DEVICE_COOKIE, throttle.device_cookie_value(user.id),
                                max_age=throttle.device_cookie_max_age(),
                                path=url_for("users.login"), httponly=True, samesite="Lax",
                                secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
            return response
        form.form_errors.append(_("Invalid email or password."))
        status = 401
    return render_template("shared/users/login.html", form=form), status


@bp.post("/logout")
@signed_in
def logout():
    if EmptyForm().validate_on_submit():
        if current_user.session_token:
            services.end_session(current_user.session_token)  # the cookie is dead everywhere
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
    return redirect(url_for("users.login"))


@bp.get("/admin/users")
@require("users", "read")
def list_users():
    q = request.args.get("q", "")
    stmt = search(select(User).order_by(User.name), q, [User.email, User.name])
    return render_template("shared/users/list.html", page=paginate(stmt), q=q,
                           role_labels=ROLE_LABELS)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require("users", "write")
def new_user():
    form = UserForm()
    user = run_form(form, services.create_user)
    if user is not None:
        flash(_("User %(email)s created.", email=user.email), "success")
        return redirect(url_for("users.list_users"))
    return render_template("shared/users/form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("users", "write")
def edit_user(user_id: int):
    user = services.get_user(user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.roles.data = user.roles
    if run_form(form, lambda values: services.update_user(user_id, values)) is not None:
        flash(_("User saved."), "success")
        return redirect(url_for("users.list_users"))
    return render_template("shared/users/form.html", form=form, user=user)


@bp.route("/account/tokens", methods=["GET", "POST"])
@signed_in
def api_tokens():
    """The signed-in user's own API tokens: the list, a new one (its secret shown on this
    answer only, never stored or sent again) and revoking one."""
    form = TokenForm()
    created = run_form(form, lambda values: services.issue_token(values,
                                                                 user_id=current_user.id))
    secret = None
    if created is not None:
        secret = created[0]
        form = TokenForm(formdata=None)
    response = make_response(render_template(
        "shared/users/tokens.html", form=form, secret=secret,
        tokens=services.user_tokens(current_user.id), now=utcnow(),
        scope_labels=TOKEN_SCOPE_LABELS, revoke_form=EmptyForm()))
    response.headers["Cache-Control"] = "no-store"  # the secret stays in no cache
    return response


@bp.post("/account/tokens/<int:token_id>/revoke")
@signed_in
def revoke_api_token(token_id: int):
    if EmptyForm().validate_on_submit():
        services.revoke_token(token_id, user_id=current_user.id)
        flash(_("The token is revoked: programs that use it are refused from now on."),
              "success")
    return redirect(url_for("users.api_tokens"))
