"""Sign in / sign out, and the gate that sends signed-out requests to the sign-in page."""

from __future__ import annotations

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
    url_for,
)
from flask_login import UserMixin, current_user, login_user, logout_user

from .. import htmx
from ..context import customer_service, staff_service
from ..extensions import login_manager
from ..health import PUBLIC_ENDPOINTS as HEALTH_ENDPOINTS
from ..services.customers import DISABLE_REASONS
from ..services.staff import ROLE_LABELS, Staff
from .forms import SignInForm
from .permissions import can

bp = Blueprint("auth", __name__)

# Endpoints a signed-out visitor may reach.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.authenticate", "static"}) | HEALTH_ENDPOINTS


class CurrentStaff(UserMixin):
    """Flask-Login's view of a staff account."""

    def __init__(self, staff: Staff) -> None:
        self.staff = staff

    def get_id(self) -> str:
        return str(self.staff.id)

    @property
    def is_active(self) -> bool:
        return self.staff.active


def register(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load(staff_id: str) -> CurrentStaff | None:
        if not staff_id.isdigit():
            return None
        staff = staff_service().get(int(staff_id))
        return CurrentStaff(staff) if staff and staff.active else None

    @app.before_request
    def _require_sign_in() -> Response | None:
        if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
            return None
        target = url_for("auth.login", next=_local_path(request.full_path))
        if htmx.is_htmx():
            return htmx.redirect_header(make_response("", 401), target)
        return redirect(target, code=303)

    @app.context_processor
    def _permissions() -> dict[str, object]:
        return {
            "can": can,
            "role_labels": ROLE_LABELS,
            "backend": _backend_badge(),
            "disable_reasons": DISABLE_REASONS,
        }


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
    """Check the credentials and start a session."""
    form = SignInForm()
    next_path = _local_path(request.args.get("next"))
    if form.validate_on_submit():
        staff = staff_service().authenticate(form.username.data, form.password.data)
        if staff is not None:
            login_user(CurrentStaff(staff), remember=form.remember.data)
            return redirect(next_path or url_for("customers.index"), code=303)
        form.password.errors.append("That username and password do not match an active account.")
    form.password.data = ""
    return render_template("auth/login.html", form=form, next=next_path), 422


@bp.post("/logout")
def logout() -> Response:
    """End the session."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)
