"""Staff administration pages: only administrators, and never without an administrator."""

import pytest

from tests.conftest import PASSWORD, csrf_token, sign_in


@pytest.mark.parametrize("role", ["viewer", "agent", "fraud", "privacy"])
def test_only_administrators_reach_the_staff_pages(client_as, make_staff, role):
    client = client_as(role)
    target = make_staff("viewer")
    token = csrf_token(client, "/")
    assert client.get("/admin/staff").status_code == 403
    assert client.get("/admin/staff/new").status_code == 403
    assert client.get(f"/admin/staff/{target}").status_code == 403
    response = client.post(
        "/admin/staff",
        data={"username": "mallory", "password": PASSWORD, "roles": "admin", "csrf_token": token},
    )
    assert response.status_code == 403
    response = client.post(
        f"/admin/staff/{target}", data={"roles": "admin", "active": "y", "csrf_token": token}
    )
    assert response.status_code == 403


def test_an_administrator_creates_an_account_that_can_sign_in_with_its_roles(app, client_as, staff):
    admin = client_as("admin")
    token = csrf_token(admin, "/admin/staff/new")
    response = admin.post(
        "/admin/staff",
        data={
            "username": "dana",
            "display_name": "Dana Agent",
            "password": PASSWORD,
            "roles": ["agent", "fraud"],
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/staff"
    assert staff.get_by_username("dana").roles == {"agent", "fraud"}
    listing = admin.get("/admin/staff").get_data(as_text=True)
    assert "dana" in listing and "agent, fraud" in listing
    dana = app.test_client()
    sign_in(dana, "dana")
    assert dana.get("/new-customer").status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "x", "password": PASSWORD, "roles": "agent"}, "Usernames are"),
        ({"username": "erin", "password": "short", "roles": "agent"}, "at least 10"),
        ({"username": "erin", "password": PASSWORD}, "Roles must be"),
    ],
)
def test_a_bad_new_account_is_refused_next_to_its_field(client_as, staff, data, message):
    admin = client_as("admin")
    data = {**data, "csrf_token": csrf_token(admin, "/admin/staff/new")}
    response = admin.post("/admin/staff", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert [s.username for s in staff.list() if s.username == "erin"] == []


def test_a_duplicate_username_is_refused(client_as, make_staff):
    admin = client_as("admin")
    existing = make_staff("viewer")
    response = admin.post(
        "/admin/staff",
        data={
            "username": existing,
            "password": PASSWORD,
            "roles": "agent",
            "csrf_token": csrf_token(admin, "/admin/staff/new"),
        },
    )
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_an_administrator_changes_roles_and_disables_an_account(app, client_as, make_staff, staff):
    admin = client_as("admin")
    target = make_staff("viewer")
    token = csrf_token(admin, f"/admin/staff/{target}")
    response = admin.post(f"/admin/staff/{target}", data={"roles": ["agent"], "csrf_token": token})
    assert response.status_code == 303
    account = staff.get_by_username(target)
    assert account.roles == {"agent"} and not account.active
    assert staff.authenticate(target, PASSWORD) is None


def test_the_last_active_administrator_cannot_be_demoted_or_disabled(client_as, staff):
    admin = client_as("admin")
    me = next(s.username for s in staff.list() if "admin" in s.roles)
    token = csrf_token(admin, f"/admin/staff/{me}")
    response = admin.post(
        f"/admin/staff/{me}", data={"roles": ["viewer"], "active": "y", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "last active administrator" in response.get_data(as_text=True)
    assert staff.get_by_username(me).roles == {"admin"}
    response = admin.post(f"/admin/staff/{me}", data={"roles": ["admin"], "csrf_token": token})
    assert response.status_code == 422
    assert staff.get_by_username(me).active


def test_an_unknown_staff_account_is_a_404(client_as):
    assert client_as("admin").get("/admin/staff/nobody").status_code == 404
