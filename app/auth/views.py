"""Sign in / sign out, and the gate that sends signed-out requests to the sign-in page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import UserMixin, current_user, login_user, logout_user, user_loaded_from_cookie

from .. import htmx
from ..context import audit_log, customer_service, services, staff_service
from ..extensions import login_manager
from ..health import PUBLIC_ENDPOINTS as HEALTH_ENDPOINTS
from ..services.audit import AuditEvent
from ..services.audit import now as audit_now
from ..services.customers import REASON_LABELS
from ..services.errors import InvalidParameter
from ..services.staff import ROLE_EXPLANATIONS, ROLE_LABELS, ROLES, Staff, describe_change
from ..services.throttle import Attempt, Lockout
from .forms import AccountForm, ChangePasswordForm, ChoosePasswordForm, SignInForm
from .permissions import can, current_actor, record_staff_event, signed_in_staff

bp = Blueprint("auth", __name__)

# Endpoints a signed-out visitor may reach.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.authenticate", "static"}) | HEALTH_ENDPOINTS
# What a staff member with a one-time password may reach until they have chosen their own.
ONE_TIME_PASSWORD_ENDPOINTS = PUBLIC_ENDPOINTS | {"auth.change_password", "auth.logout"}


class CurrentStaff(UserMixin):
    """Flask-Login's view of a signed-in staff member: the account and its session token.
    The id Flask-Login keeps (in the session cookie and the remember-me cookie) is
    ``staff id:token``, so every cookie names a server-side session that can be revoked."""

    def __init__(self, staff: Staff, token: str, *, remembered: bool = False) -> None:
        self.staff = staff
        self.token = token
        self.remembered = remembered

    def get_id(self) -> str:
        return f"{self.staff.id}:{self.token}"

    @property
    def is_active(self) -> bool:
        return self.staff.active


def _resume(cookie_id: str) -> CurrentStaff | None:
    """The staff member of a session cookie's (or remember-me cookie's) id, when its
    session is still good."""
    staff_id, _, token = cookie_id.partition(":")
    if not staff_id.isascii() or not staff_id.isdigit() or len(staff_id) > 18 or not token:
        return None
    resumed = services().sessions.resume(int(staff_id), token)
    if resumed is None:
        return None
    return CurrentStaff(resumed.staff, resumed.token, remembered=resumed.remembered)


def register(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_resume)
    user_loaded_from_cookie.connect(_rotate_remembered, app)

    @app.before_request
    def _require_sign_in() -> Response | None:
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if current_user.is_authenticated:
            return _require_own_password()
        target = url_for("auth.login", next=_local_path(request.full_path))
        if htmx.is_htmx():
            return htmx.redirect_header(make_response("", 401), target)
        return redirect(target, code=303)

    @app.context_processor
    def _permissions() -> dict[str, object]:
        return {
            "can": can,
            "current_actor": current_actor,
            "role_labels": ROLE_LABELS,
            "role_explanations": ROLE_EXPLANATIONS,
            "all_roles": ROLES,
            "backend": _backend_badge(),
            "disable_reasons": REASON_LABELS,
        }


def _require_own_password() -> Response | None:
    """A staff member signed in with a one-time password reaches only the page that replaces
    it (and signing out): every other request is sent there."""
    staff = signed_in_staff()
    if staff is None or not staff.must_change_password:
        return None
    if request.endpoint in ONE_TIME_PASSWORD_ENDPOINTS:
        return None
    target = url_for("auth.change_password")
    if htmx.is_htmx():
        return htmx.redirect_header(make_response("", 200), target)
    return redirect(target, code=303)


def _backend_badge() -> dict[str, object]:
    service = customer_service()
    if service.backend_name == "local":
        title = "Local store: test data, no real orders"
    else:
        title = "Digital River test mode: no real orders"
    return {"name": service.backend_name, "live_mode": service.live_mode, "title": title}


def _local_path(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target.rstrip("?") or None


@bp.get("/login")
def login() -> str | Response:
    """Show the sign-in form."""
    if current_user.is_authenticated:
        return redirect(url_for("customers.index"), code=303)
    return render_template("auth/login.html", form=SignInForm(), next=request.args.get("next"))


@bp.post("/login")
def authenticate() -> tuple[str, int] | Response:
    """Check the credentials and start a session; throttled per account and address."""
    form = SignInForm()
    next_path = _local_path(request.args.get("next"))
    if form.validate_on_submit():
        attempt = Attempt(form.username.data, request.remote_addr or "")
        throttle = services().throttle
        wait = throttle.retry_after(attempt)
        if wait is not None:
            return _throttled(form, next_path, wait)
        staff = staff_service().authenticate(form.username.data, form.password.data)
        if staff is not None:
            throttle.succeeded(attempt)
            _start_session(staff, remember=bool(form.remember.data))
            if staff.must_change_password:
                return redirect(url_for("auth.change_password", next=next_path), code=303)
            return redirect(next_path or url_for("customers.index"), code=303)
        lockouts = throttle.failed(attempt)
        for lockout in lockouts:
            _audit_lockout(lockout, attempt)
        if lockouts:
            return _throttled(form, next_path, throttle.retry_after(attempt) or 1)
        form.password.errors.append("That username and password do not match an active account.")
    form.password.data = ""
    return render_template("auth/login.html", form=form, next=next_path), 422


def _start_session(staff: Staff, *, remember: bool) -> None:
    """A new server-side session, in a fresh cookie session (no fixation; a new CSRF token)."""
    session.clear()
    token = services().sessions.open(staff.id, remembered=remember)
    login_user(CurrentStaff(staff, token, remembered=remember), remember=remember)


def _rotate_remembered(app: Flask, user: CurrentStaff) -> None:
    """A remember-me cookie opened this session: it is used up, and a new one (for a new
    session with the same expiry) is set on this response."""
    token = services().sessions.rotate(user.staff.id, user.token)
    if token is None:  # pragma: no cover - resumed a moment ago
        logout_user()
        return
    session.pop("csrf_token", None)
    login_user(CurrentStaff(user.staff, token, remembered=True), remember=True)


def _throttled(form: SignInForm, next_path: str | None, wait: int) -> Response:
    form.password.data = ""
    minutes, seconds = divmod(wait, 60)
    when = f"{minutes} min {seconds} s" if minutes else f"{seconds} seconds"
    message = (
        f"Too many failed sign-ins for this account or from this address. Try again in {when}."
    )
    form.password.errors.append(message)
    body = render_template("auth/login.html", form=form, next=next_path)
    response = make_response(body, 429)
    response.headers["Retry-After"] = str(wait)
    return response


def _audit_lockout(lockout: Lockout, attempt: Attempt) -> None:
    seconds = int((lockout.until - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds())
    audit_log().record(
        AuditEvent(
            occurred_time=audit_now(),
            actor_id=None,
            actor_username="sign-in",
            action="staff.lockout",
            customer_id=None,
            outcome="failed",
            backend="console",
            note=f"{lockout.key} locked for {max(seconds, 1)} s after {lockout.failures} "
            f"failed sign-ins (address {attempt.address or 'unknown'}).",
        )
    )


@bp.get("/account")
def account() -> str:
    """One's own account: username, roles and what they allow, the display name."""
    staff = signed_in_staff()
    assert staff is not None
    form = AccountForm(formdata=None, data={"display_name": staff.display_name})
    return render_template("auth/account.html", staff=staff, form=form)


@bp.post("/account")
def update_account() -> Response | tuple[str, int]:
    """Save one's own display name."""
    staff = signed_in_staff()
    assert staff is not None
    form = AccountForm()
    if form.validate():
        try:
            changed = staff_service().update(
                staff.username, display_name=form.display_name.data or ""
            )
        except InvalidParameter as error:
            form.display_name.errors = [d.message for d in error.errors]
        else:
            if note := describe_change(staff, changed):
                record_staff_event("staff.update", changed, f"{note} (their own)")
            flash("Your display name is saved.", "success")
            return redirect(url_for("auth.account"), code=303)
    return render_template("auth/account.html", staff=staff, form=form), 422


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> tuple[str, int] | str | Response:
    """Change one's own password (the current one required), or choose one in place of a
    one-time password; every other session of the account ends."""
    staff = signed_in_staff()
    assert staff is not None
    one_time = staff.must_change_password
    form = ChoosePasswordForm() if one_time else ChangePasswordForm()
    next_path = _local_path(request.args.get("next"))
    if form.validate_on_submit():
        current = None if one_time else form.current.data
        service = staff_service()
        try:
            changed = service.change_password(staff.username, form.new.data, current=current)
        except InvalidParameter as error:
            for detail in error.errors:
                field = form.current if detail.parameter == "current" and not one_time else form.new
                field.errors = [*field.errors, detail.message]
        else:
            note = "replaced a one-time password" if one_time else "changed their own password"
            record_staff_event("staff.password", staff, note)
            _start_session(changed, remember=False)
            flash("Password changed; every other session has ended.", "success")
            return redirect(next_path or url_for("customers.index"), code=303)
    status = 422 if request.method == "POST" else 200
    page = render_template("auth/password.html", form=form, one_time=one_time, next=next_path)
    return page, status


@bp.post("/logout")
def logout() -> Response:
    """End the session: its server-side record too, so no copy of the cookie works."""
    if current_user.is_authenticated:
        services().sessions.revoke(current_user.token)
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)
