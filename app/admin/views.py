"""Staff accounts: list, create, change roles, disable and enable (administrators only)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for

from ..auth.permissions import roles_required
from ..context import staff_service
from ..services.errors import Conflict, InvalidParameter, ServiceError
from ..services.staff import Staff, StaffNotFound
from .forms import EditStaffForm, NewStaffForm

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
            )
        except (InvalidParameter, Conflict) as error:
            problems = _field_errors(form, error)
        else:
            flash(f"Staff account {staff.username} created.", "success")
            return redirect(url_for("admin.index"), code=303)
    return render_template("admin/new.html", form=form, problems=problems), 422


@bp.get("/staff/<username>")
@roles_required("admin")
def edit(username: str) -> str:
    """Roles and status of one account."""
    account = _account(username)
    form = EditStaffForm(data={"roles": sorted(account.roles), "active": account.active})
    return render_template("admin/edit.html", form=form, account=account, problems=[])


@bp.post("/staff/<username>")
@roles_required("admin")
def update(username: str) -> Response | tuple[str, int]:
    """Save roles and status; the last active administrator cannot be demoted or disabled."""
    account = _account(username)
    form = EditStaffForm()
    problems: list[str] = []
    if form.validate():
        try:
            staff_service().update(username, roles=form.roles.data or [], active=form.active.data)
        except (InvalidParameter, Conflict) as error:
            problems = _field_errors(form, error)
        else:
            flash(f"Staff account {account.username} saved.", "success")
            return redirect(url_for("admin.index"), code=303)
    return render_template("admin/edit.html", form=form, account=account, problems=problems), 422


def _account(username: str) -> Staff:
    try:
        return staff_service().get_by_username(username)
    except StaffNotFound:
        abort(404)
