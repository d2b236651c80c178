"""Staff accounts: list, create, change roles, disable and enable, reset a password and sign
someone out everywhere (administrators only)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for

from ..auth.permissions import record_staff_event, roles_required
from ..context import services, staff_service
from ..services.errors import Conflict, InvalidParameter, ServiceError
from ..services.staff import Staff, StaffNotFound, describe_change, role_names
from .forms import EditStaffForm, NewStaffForm, ResetPasswordForm, SignOutEverywhereForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _field_errors(form: NewStaffForm | EditStaffForm, error: ServiceError) -> list[str]:
    """Put each service error on its field; return those that have none."""
    loose = []
    for detail in error.errors:
        field = getattr(form, detail.parameter or "", None)
        if field is not None:
            field.errors = [*field.errors, detail.message]
        else:
            loose.append(detail.message)
    return loose


@bp.get("/staff")
@roles_required("admin")
def index() -> str:
    """All staff accounts with their roles."""
    return render_template("admin/index.html", accounts=staff_service().list())


@bp.get("/staff/new")
@roles_required("admin")
def new() -> str:
    """The form for a new staff account."""
    return render_template("admin/new.html", form=NewStaffForm(), problems=[])


@bp.post("/staff")
@roles_required("admin")
def create() -> Response | tuple[str, int]:
    """Create the account, or show the form again with the errors."""
    form = NewStaffForm()
    problems: list[str] = []
    if form.validate():
        try:
            staff = staff_service().create(
                form.username.data,
                form.password.data,
                form.roles.data or [],
                form.display_name.data,
                one_time=True,
            )
        except (InvalidParameter, Conflict) as error:
            problems = _field_errors(form, error)
        else:
            record_staff_event(
                "staff.create",
                staff,
                f"created with roles {role_names(staff.roles)} and a one-time password",
            )
            flash(
                f"Staff account {staff.username} created; they choose their own password "
                "when they first sign in.",
                "success",
            )
            return redirect(url_for("admin.index"), code=303)
    return render_template("admin/new.html", form=form, problems=problems), 422


@bp.get("/staff/<username>")
@roles_required("admin")
def edit(username: str) -> str:
    """Roles and status of one account, its password reset and "sign out everywhere"."""
    return _edit_page(_account(username))


def _edit_form(account: Staff) -> EditStaffForm:
    data = {
        "display_name": account.display_name,
        "roles": sorted(account.roles),
        "active": account.active,
    }
    return EditStaffForm(formdata=None, data=data)


def _edit_page(account: Staff, **forms: object) -> str:
    context = {
        "form": _edit_form(account),
        "reset": ResetPasswordForm(formdata=None),
        "sign_out": SignOutEverywhereForm(formdata=None),
        "open_sessions": services().sessions.open_count(account.id),
        "problems": [],
        **forms,
    }
    return render_template("admin/edit.html", account=account, **context)


@bp.post("/staff/<username>/password")
@roles_required("admin")
def reset_password(username: str) -> Response | tuple[str, int]:
    """Set a one-time password for the account (to be replaced at its next sign-in); every one
    of its sessions ends."""
    account = _account(username)
    form = ResetPasswordForm()
    if form.validate():
        try:
            staff_service().set_password(username, form.password.data, one_time=True)
        except InvalidParameter as error:
            form.password.errors = [d.message for d in error.errors]
        else:
            record_staff_event(
                "staff.password", account, "one-time password set by an administrator"
            )
            flash(
                f"One-time password set for {account.username}; their sessions have ended and "
                "they must choose a new password when they next sign in.",
                "success",
            )
            return redirect(url_for("admin.edit", username=account.username), code=303)
    return _edit_page(account, reset=form), 422


@bp.post("/staff/<username>/sign-out")
@roles_required("admin")
def sign_out_everywhere(username: str) -> Response | tuple[str, int]:
    """End every session of the account (a lost laptop, a suspected stolen cookie)."""
    account = _account(username)
    form = SignOutEverywhereForm()
    if not form.validate():
        return _edit_page(account), 400
    count = staff_service().sign_out_everywhere(username)
    record_staff_event("staff.sign_out_everywhere", account, f"{count} session(s) ended")
    flash(f"{account.username} is signed out everywhere ({count} session(s) ended).", "success")
    return redirect(url_for("admin.edit", username=account.username), code=303)


@bp.post("/staff/<username>")
@roles_required("admin")
def update(username: str) -> Response | tuple[str, int]:
    """Save display name, roles and status; the last active administrator cannot be demoted
    or disabled."""
    account = _account(username)
    form = EditStaffForm()
    problems: list[str] = []
    if form.validate():
        try:
            changed = staff_service().update(
                username,
                roles=form.roles.data or [],
                active=form.active.data,
                display_name=form.display_name.data or "",
            )
        except (InvalidParameter, Conflict) as error:
            problems = _field_errors(form, error)
        else:
            if note := describe_change(account, changed):
                record_staff_event("staff.update", changed, note)
            flash(f"Staff account {account.username} saved.", "success")
            return redirect(url_for("admin.index"), code=303)
    return _edit_page(account, form=form, problems=problems), 422


def _account(username: str) -> Staff:
    try:
        return staff_service().get_by_username(username)
    except StaffNotFound:
        abort(404)
