"""Staff administration pages: only administrators, and never without an administrator."""

import pytest

from app.services.audit import AuditQuery
from app.services.staff import ROLE_EXPLANATIONS, ROLE_LABELS, ROLES
from tests.conftest import PASSWORD, csrf_token, sign_in

from .conftest import html
from .dom import field_error

ONE_TIME = "temporary-plum-kite-47"


def audit_notes(app, action: str) -> list[str]:
    """The notes of the audit events of ``action``, oldest first."""
    events = app.extensions["customer_desk"].audit.search(AuditQuery(action=action)).events
    return [e.note for e in reversed(events)]


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
    account = staff.get_by_username("dana")
    assert account.roles == {"agent", "fraud"} and account.must_change_password
    listing = html(admin.get("/admin/staff"))
    row = listing.find("a", href="/admin/staff/dana").closest("tr")
    assert "Support agent, Fraud analyst" in row.text
    assert "one-time password" in row.text
    dana = app.test_client()
    sign_in(dana, "dana")
    assert dana.get("/new-customer").headers["Location"] == "/account/password"
    token = csrf_token(dana, "/account/password")
    new = "chose-this-one-myself"
    dana.post("/account/password", data={"new": new, "confirm": new, "csrf_token": token})
    assert dana.get("/new-customer").status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "x", "password": PASSWORD, "roles": "agent"}, "Usernames are"),
        ({"username": "erin", "password": "short", "roles": "agent"}, "at least 12"),
        ({"username": "erin", "password": "iloveyou1234", "roles": "agent"}, "common password"),
        ({"username": "erin", "password": "erin-at-the-desk", "roles": "agent"}, "username"),
        ({"username": "erin", "password": PASSWORD}, "Choose one or more roles"),
        ({"username": "erin", "password": PASSWORD, "roles": "agent", "display_name": "x" * 129},
         "at most 128"),
    ],
)  # fmt: skip
def test_a_bad_new_account_is_refused_next_to_its_field_and_in_the_summary(
    client_as, staff, data, message
):
    admin = client_as("admin")
    data = {**data, "csrf_token": csrf_token(admin, "/admin/staff/new")}
    response = admin.post("/admin/staff", data=data)
    assert response.status_code == 422
    page = html(response)
    summary = page.by_id("error-summary")
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1"
    assert "data-error-summary" in summary.attrs
    link = next(a for a in summary.find_all("a") if message in a.text)
    target = link.get("href").removeprefix("#")
    assert page.by_id(target).tag == "input"
    if target.startswith("roles-"):
        assert message in page.by_id("roles-error").text
    else:
        assert message in field_error(page, target)
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
    response = admin.post(
        f"/admin/staff/{target}",
        data={"display_name": "Vera Viewer", "roles": ["agent"], "csrf_token": token},
    )
    assert response.status_code == 303
    account = staff.get_by_username(target)
    assert account.roles == {"agent"} and not account.active
    assert account.display_name == "Vera Viewer"
    assert staff.authenticate(target, PASSWORD) is None
    assert audit_notes(app, "staff.update") == [
        f"{target}: display name “{target.title()}” → “Vera Viewer”; roles Viewer → Support "
        "agent; disabled (every session ended)"
    ]


def test_creating_an_account_is_audited_and_saving_no_change_records_nothing(app, client_as):
    admin = client_as("admin")
    token = csrf_token(admin, "/admin/staff/new")
    admin.post(
        "/admin/staff",
        data={"username": "dana", "password": PASSWORD, "roles": ["fraud", "agent"],
              "csrf_token": token},
    )  # fmt: skip
    admin.post(
        "/admin/staff/dana",
        data={"display_name": "dana", "roles": ["agent", "fraud"], "active": "y",
              "csrf_token": token},
    )  # fmt: skip

    assert audit_notes(app, "staff.create") == [
        "dana: created with roles Support agent, Fraud analyst and a one-time password"
    ]
    assert audit_notes(app, "staff.update") == []
    listing = html(admin.get("/audit?action=staff.create")).text
    assert "Created a staff account" in listing


def test_an_administrator_renames_an_account_and_a_blank_name_falls_back_to_the_username(
    app, client_as, make_staff, staff
):
    admin = client_as("admin")
    target = make_staff("agent")
    page = html(admin.get(f"/admin/staff/{target}"))
    assert page.by_id("display_name").get("value") == target.title()
    token = csrf_token(admin, f"/admin/staff/{target}")

    renamed = admin.post(
        f"/admin/staff/{target}",
        data={"display_name": "  Ada Lovelace ", "roles": "agent", "active": "y",
              "csrf_token": token},
    )  # fmt: skip
    assert renamed.status_code == 303
    assert staff.get_by_username(target).display_name == "Ada Lovelace"
    member = app.test_client()
    sign_in(member, target)
    assert "Ada Lovelace" in html(member.get("/")).find("header").text

    blank = admin.post(
        f"/admin/staff/{target}",
        data={"display_name": "", "roles": "agent", "active": "y", "csrf_token": token},
    )
    assert blank.status_code == 303
    assert staff.get_by_username(target).display_name == target


def test_roles_show_their_names_and_what_they_may_do_never_their_codes(client_as, make_staff):
    admin = client_as("admin")
    make_staff("fraud", "privacy", username="fiona")

    listing = html(admin.get("/admin/staff"))
    row = listing.find("a", href="/admin/staff/fiona").closest("tr")
    assert row.find("td", **{"data-label": "Roles"}).text == "Fraud analyst, Privacy officer"
    legend = listing.by_id("roles-legend").text
    for role in ROLES:
        assert ROLE_LABELS[role] in legend and ROLE_EXPLANATIONS[role] in legend

    form = html(admin.get("/admin/staff/fiona"))
    for index, role in enumerate(ROLES):
        box = form.by_id(f"roles-{index}")
        assert box.get("value") == role
        assert form.find("label", **{"for": f"roles-{index}"}).text == ROLE_LABELS[role]
        assert box.get("aria-describedby") == f"roles-{index}-hint"
        assert form.by_id(f"roles-{index}-hint").text == ROLE_EXPLANATIONS[role]
    assert "checked" in form.by_id("roles-2").attrs

    header = form.find("header").find(None, "roles")
    assert header.text == "(Administrator)"
    assert header.find("span").get("title") == ROLE_EXPLANATIONS["admin"]


def test_the_last_active_administrator_cannot_be_demoted_or_disabled(client_as, staff):
    admin = client_as("admin")
    me = next(s.username for s in staff.list() if "admin" in s.roles)
    token = csrf_token(admin, f"/admin/staff/{me}")
    response = admin.post(
        f"/admin/staff/{me}", data={"roles": ["viewer"], "active": "y", "csrf_token": token}
    )
    assert response.status_code == 422
    summary = html(response).by_id("error-summary")
    assert "last active administrator" in summary.text
    assert staff.get_by_username(me).roles == {"admin"}
    response = admin.post(f"/admin/staff/{me}", data={"roles": ["admin"], "csrf_token": token})
    assert response.status_code == 422
    assert staff.get_by_username(me).active


def test_an_unknown_staff_account_is_a_404(client_as):
    assert client_as("admin").get("/admin/staff/nobody").status_code == 404


def test_a_reset_sets_a_one_time_password_the_member_must_replace_before_anything_else(
    app, client_as, make_staff, staff
):
    admin = client_as("admin")
    target = make_staff("agent")
    token = csrf_token(admin, f"/admin/staff/{target}")
    response = admin.post(
        f"/admin/staff/{target}/password", data={"password": ONE_TIME, "csrf_token": token}
    )
    assert response.status_code == 303
    assert staff.get_by_username(target).must_change_password
    assert "must choose a new password" in html(admin.get(f"/admin/staff/{target}")).text

    member = app.test_client()
    token = csrf_token(member)
    signed = member.post(
        "/login?next=/customers/cus_1",
        data={"username": target, "password": ONE_TIME, "csrf_token": token},
    )
    assert signed.status_code == 303
    assert signed.headers["Location"] == "/account/password?next=/customers/cus_1"
    for path in ("/", "/customers/cus_1", "/new-customer", "/account/password/../../admin/staff"):
        assert member.get(path).headers.get("Location") == "/account/password", path
    hx = member.get("/", headers={"HX-Request": "true"})
    assert hx.headers["HX-Redirect"] == "/account/password"
    page = html(member.get("/account/password"))
    assert page.find("h1").text == "Choose a new password"
    assert not page.has("input", name="current")

    token = csrf_token(member, "/account/password")
    same = member.post(
        "/account/password", data={"new": ONE_TIME, "confirm": ONE_TIME, "csrf_token": token}
    )
    assert same.status_code == 422
    assert "differ from your one-time password" in field_error(html(same), "new")
    assert html(same).by_id("error-summary").find("a").get("href") == "#new"

    mine = "agent-picked-a-passphrase"
    chosen = member.post(
        "/account/password?next=/customers/cus_1",
        data={"new": mine, "confirm": mine, "csrf_token": token},
    )
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == "/customers/cus_1"
    assert member.get("/").status_code == 200
    assert not staff.get_by_username(target).must_change_password
    assert staff.authenticate(target, ONE_TIME) is None
    assert staff.authenticate(target, mine) is not None


def test_a_one_time_password_must_pass_the_rules_too(client_as, make_staff, staff):
    admin = client_as("admin")
    target = make_staff("viewer")
    token = csrf_token(admin, f"/admin/staff/{target}")
    response = admin.post(
        f"/admin/staff/{target}/password", data={"password": "Password123!", "csrf_token": token}
    )
    assert response.status_code == 422
    page = html(response)
    assert "common password" in field_error(page, "password")
    assert page.by_id("error-summary").find("a").get("href") == "#password"
    assert not staff.get_by_username(target).must_change_password
