"""Every form of the app, posted (or queried) with random and hostile values by the role that
uses it: the answer is never a 5xx, and where a 4xx answer is cheap to check, nothing changed.

Each form runs 2,000 examples (derandomized, no example database, so every run is the same);
one app serves all examples of a form, so a success changes the world the next examples see,
as it would in production. Where a success would make the rest of the examples pointless (a
disabled customer cannot be disabled again), the world is put back."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from app.services.audit import ACTIONS
from app.services.customers import (
    DISABLE_REASONS,
    ENABLE_REASONS,
    SUPPORTED_LOCALES,
    TAX_IDENTIFIER_TYPES,
    US_STATES,
)
from app.services.local.models import CustomerRow, ForgetRequestRow, StaffRow, TaxIdentifierRow
from app.services.privacy import STATUSES
from app.services.staff import ROLES
from tests.conftest import PASSWORD
from tests.web.inline_helpers import JPG, PDF, PNG

from .conftest import TARGET, Probe, reattach, release_sources, segment, set_enabled
from .strategies import (
    Submission,
    day,
    key_token,
    nasty,
    rows,
    submission,
    value,
    version,
)

FUZZ = settings(
    max_examples=2000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SHIPPING = {
    "email": ("grace@example.com", "new@example.org"),
    "type": ("", "individual", "business"),
    "locale": ("", "en_US", "de_DE", *SUPPORTED_LOCALES[:3]),
    "ship_name": ("Grace Hopper", ""),
    "ship_phone": ("+1 (555) 010-9876", "030 1234567"),
    "ship_email": ("ship@example.net", ""),
    "ship_organization": ("Navy Lab", ""),
    "line1": ("1 Harbor Way", ""),
    "line2": ("Suite 9", ""),
    "city": ("Arlington", "Berlin"),
    "postal_code": ("22201", "10115"),
    "state": ("VA", "BE", ""),
    "country": ("US", "DE", "", "ZZ", "usa"),
    "neighborhood": ("",),
    "division": ("",),
    "phonetic_name": ("",),
}
METADATA_ROWS = {"metadata": (("key", "value"), rows(("key", "value"), "tier", "gold", ""))}


def current_version(probe: Probe) -> int | None:
    """cus-1's version, read again only after an answer that may have changed it."""
    if "version" not in probe.state:
        probe.state["version"] = probe.version()
    return probe.state["version"]


def refused_changes_nothing(probe: Probe, response, before: int | None) -> None:
    """A 4xx answer left the customer at the version it had."""
    if 400 <= response.status_code < 500:
        assert probe.version() == before, response.status_code
    else:
        probe.state.pop("version", None)


def changed(response) -> bool:
    """Whether the change went through (the customer fragment, or a redirect to the page)."""
    return response.status_code in (200, 204, 303)


# -- signing in and searching -----------------------------------------------------------------


@FUZZ
@given(
    form=submission(
        {
            "username": ("signer", "nobody"),
            "password": (PASSWORD, "wrong-password"),
        },
        flags=("remember",),
    ),
    next_path=value("/", "/customers/cus-1", "//evil.example", "https://evil.example/"),
    # A few addresses that lock out after five failures, and many that never do.
    address=st.one_of(
        st.sampled_from(["127.0.0.1", "10.0.0.1", "::1"]), st.ip_addresses().map(str)
    ),
)
def test_sign_in(probe_as, form: Submission, next_path: str, address: str) -> None:
    probe = probe_as()
    probe.client.environ_base["REMOTE_ADDR"] = address
    response = probe.send("POST", f"/login?next={segment(next_path)}", form)
    if response.status_code == 303:
        # Signed in: start over signed out, with the new session's token.
        probe.client = probe.app.test_client()
        probe.refresh_token("/login")


@FUZZ
@given(
    form=submission(
        {
            "q": ("smith", "cus-1", "grace@example.com", "gra", "+49 30", "ab"),
            "enabled": ("", "yes", "no"),
            "type": ("", "individual", "business"),
            "locale": ("", "en_US"),
            "forget": ("", "yes", "no"),
            "created_from": day(),
            "created_to": day(),
            "after": key_token(),
            "before": key_token(),
            "limit": ("", "1", "10", "100", "101"),
        }
    )
)
def test_search(probe_as, form: Submission) -> None:
    probe = probe_as("viewer")
    probe.send("GET", "/", form)


# -- creating and editing ---------------------------------------------------------------------


@FUZZ
@given(
    form=submission(
        {"id": ("", "cus-new", "x" * 40), "draft_id": ("123456780336", ""), **SHIPPING},
        lists=METADATA_ROWS,
    )
)
def test_create(probe_as, form: Submission) -> None:
    probe = probe_as("agent")
    before = probe.count(CustomerRow.pk)
    response = probe.send("POST", "/customers", form)
    if 400 <= response.status_code < 500:
        assert probe.count(CustomerRow.pk) == before


@FUZZ
@given(form=submission({"version": version(), **SHIPPING}, lists=METADATA_ROWS))
def test_edit(probe_as, form: Submission) -> None:
    probe = probe_as("agent")
    before = current_version(probe)
    response = probe.send("POST", f"/customers/{TARGET}", form, version=before)
    refused_changes_nothing(probe, response, before)


# -- the inline forms of the customer page ----------------------------------------------------


@FUZZ
@given(
    form=submission(
        {
            "version": version(),
            "reason": ("", *DISABLE_REASONS),
            "note": ("Per bank", ""),
            "place": ("detail", "row"),
        }
    )
)
def test_disable(probe_as, form: Submission) -> None:
    probe = probe_as("fraud")
    before = current_version(probe)
    response = probe.send("POST", f"/customers/{TARGET}/disable", form, version=before)
    refused_changes_nothing(probe, response, before)
    if changed(response):
        set_enabled(probe, True)


@FUZZ
@given(
    form=submission(
        {
            "version": version(),
            "reason": ("", *ENABLE_REASONS),
            "note": ("Checked with the bank", ""),
            "place": ("detail", "row"),
        }
    )
)
def test_enable(probe_as, form: Submission) -> None:
    probe = probe_as("fraud")
    if probe.state.setdefault("enabled", True):
        set_enabled(probe, False)
        probe.state["enabled"] = False
    before = current_version(probe)
    response = probe.send("POST", f"/customers/{TARGET}/enable", form, version=before)
    refused_changes_nothing(probe, response, before)
    probe.state["enabled"] = changed(response)


@FUZZ
@given(
    form=submission(
        {"version": version(), "source_id": ("src-free", "src-visa", "src-single", "nope")}
    )
)
def test_attach_source(probe_as, form: Submission) -> None:
    probe = probe_as("agent")
    before = current_version(probe)
    response = probe.send("POST", f"/customers/{TARGET}/sources", form, version=before)
    refused_changes_nothing(probe, response, before)
    if changed(response):
        release_sources(probe)


SOURCE_IDS = value("src-master", "src-visa", "src-free")


@FUZZ
@given(form=submission({"version": version()}), source_id=SOURCE_IDS)
def test_detach_source(probe_as, form: Submission, source_id: str) -> None:
    probe = probe_as("agent")
    before = current_version(probe)
    path = f"/customers/{TARGET}/sources/{segment(source_id)}/detach"
    response = probe.send("POST", path, form, version=before)
    refused_changes_nothing(probe, response, before)
    if changed(response):
        reattach(probe, source_id)


@FUZZ
@given(form=submission({"version": version()}), source_id=SOURCE_IDS)
def test_default_source(probe_as, form: Submission, source_id: str) -> None:
    probe = probe_as("agent")
    before = current_version(probe)
    path = f"/customers/{TARGET}/sources/{segment(source_id)}/default"
    response = probe.send("POST", path, form, version=before)
    refused_changes_nothing(probe, response, before)


@FUZZ
@given(
    form=submission(
        {
            "version": version(),
            "type": ("", "de", "at", "it", "be", *TAX_IDENTIFIER_TYPES[:3]),
            "value": ("ATU12345678", "DE123456789", "IT12345678901", "BE0123456789"),
        }
    )
)
def test_add_tax_identifier(probe_as, form: Submission) -> None:
    probe = probe_as("agent")
    before = current_version(probe)
    response = probe.send("POST", f"/customers/{TARGET}/tax-identifiers", form, version=before)
    refused_changes_nothing(probe, response, before)


@FUZZ
@given(form=submission({"version": version()}), which=st.one_of(st.just(""), nasty(), nasty()))
def test_remove_tax_identifier(probe_as, service, form: Submission, which: str) -> None:
    probe = probe_as("agent")
    if "tax_id" not in probe.state:
        with probe.engine.connect() as connection:
            probe.state["tax_id"] = connection.scalar(
                select(TaxIdentifierRow.id).where(TaxIdentifierRow.customer_id == TARGET)
            )
    before = current_version(probe)
    path = f"/customers/{TARGET}/tax-identifiers/{segment(which or probe.state['tax_id'])}/remove"
    response = probe.send("POST", path, form, version=before)
    refused_changes_nothing(probe, response, before)
    if changed(response):
        del probe.state["tax_id"]
        if not service.get(TARGET).tax_identifiers:
            service.add_tax_identifier(TARGET, "de", "DE123456789")
            probe.state.pop("version", None)


FILE_CONTENTS = st.sampled_from(
    [PDF, PNG, JPG, PDF, PNG, JPG, b"", b"GIF89a" + bytes(32), b"%PDF", b"\x00" * 64]
)


@FUZZ
@given(
    form=submission(
        {
            "version": version(),
            "company_name": ("Hopper Industries",),
            "tax_authority": tuple(US_STATES[:5]),
            "start_date": ("2025-01-01", "0001-01-01", "2025-12-31"),
            "end_date": ("2025-12-31", "9999-12-31"),
        }
    ),
    content=FILE_CONTENTS,
    file_name=value("exemption.pdf", "cert.html", "scan.png"),
    with_file=st.integers(0, 9),
)
def test_upload_tax_certificate(
    probe_as, form: Submission, content: bytes, file_name: str, with_file: int
) -> None:
    probe = probe_as("agent")
    before = current_version(probe)
    files = {"file": (content, file_name)} if with_file else None
    if files is None:
        form.pairs.append(("file", "not a file"))
    response = probe.send(
        "POST", f"/customers/{TARGET}/tax-certificates", form, version=before, files=files
    )
    refused_changes_nothing(probe, response, before)


@FUZZ
@given(
    form=submission(
        {"version": version()},
        lists={
            "metadata": (
                ("original", "key", "value"),
                rows(("original", "key", "value"), "tier", "gold", "crm", ""),
            )
        },
        flags=("add_row",),
    )
)
def test_metadata(probe_as, form: Submission) -> None:
    probe = probe_as("agent")
    before = current_version(probe)
    response = probe.send("POST", f"/customers/{TARGET}/metadata", form, version=before)
    refused_changes_nothing(probe, response, before)


# -- requests to be forgotten, the audit trail, the privacy page ------------------------------


@FUZZ
@given(
    form=submission(
        {
            "confirm_id": ("cus-1", "cus-gone", "CUS-1", " cus-1 "),
            "reason": ("Ticket 1234", ""),
            "version": version(),
        }
    ),
    customer_id=value("cus-1", "cus-gone"),
)
def test_forget(probe_as, form: Submission, customer_id: str) -> None:
    probe = probe_as("privacy")
    before = current_version(probe)
    response = probe.send("POST", f"/customers/{segment(customer_id)}/forget", form)
    if customer_id != TARGET:
        return
    refused_changes_nothing(probe, response, before)
    if changed(response):
        # Forgotten for good: later examples would only ever hear "already forgotten".
        probe.execute(delete(ForgetRequestRow).where(ForgetRequestRow.customer_id == TARGET))
        probe.execute(
            update(CustomerRow)
            .where(CustomerRow.id == TARGET)
            .values(request_to_be_forgotten=False)
        )


AUDIT_FILTERS = {
    "actor": ("", "system", "olga", "signer"),
    "action": ("", *ACTIONS),
    "customer": ("", "cus-1", "cus-gone"),
    "since": day(),
    "until": day(),
    "after": key_token(),
}
PRIVACY_FILTERS = {
    "customer": ("", "cus-1", "cus-gone"),
    "requested_by": ("", "olga"),
    "status": ("", *STATUSES),
    "since": day(),
    "until": day(),
    "after": key_token(),
}


@FUZZ
@given(form=submission(AUDIT_FILTERS))
def test_audit_filters(probe_as, form: Submission) -> None:
    probe_as("fraud").send("GET", "/audit", form)


@FUZZ
@given(form=submission(AUDIT_FILTERS))
def test_audit_export(probe_as, form: Submission) -> None:
    probe_as("fraud").send("GET", "/audit.csv", form)


@FUZZ
@given(form=submission(PRIVACY_FILTERS))
def test_privacy_filters(probe_as, form: Submission) -> None:
    probe_as("privacy").send("GET", "/privacy", form)


@FUZZ
@given(form=submission(PRIVACY_FILTERS))
def test_privacy_export(probe_as, form: Submission) -> None:
    probe_as("privacy").send("GET", "/privacy.csv", form)


# -- staff administration ---------------------------------------------------------------------

ROLE_VALUES = st.lists(value(*ROLES), max_size=3)


@FUZZ
@given(
    form=submission(
        {
            "username": ("dana", "erin", "signer"),
            "display_name": ("Dana Agent", ""),
            "password": (PASSWORD, "short"),
        }
    ),
    roles=ROLE_VALUES,
)
def test_create_staff(probe_as, form: Submission, roles: list[str]) -> None:
    probe = probe_as("admin")
    form.pairs += [("roles", role) for role in roles]
    before = probe.count(StaffRow.id)
    response = probe.send("POST", "/admin/staff", form)
    if 400 <= response.status_code < 500:
        assert probe.count(StaffRow.id) == before


@FUZZ
@given(
    form=submission({}, flags=("active",)),
    roles=ROLE_VALUES,
    username=value("victim"),
)
def test_edit_staff(probe_as, form: Submission, roles: list[str], username: str) -> None:
    probe = probe_as("admin")
    form.pairs += [("roles", role) for role in roles]

    def account() -> tuple[str, bool] | None:
        with probe.engine.connect() as connection:
            row = connection.execute(
                select(StaffRow.roles, StaffRow.active).where(StaffRow.username == "victim")
            ).first()
        return None if row is None else (row.roles, row.active)

    before = account()
    response = probe.send("POST", f"/admin/staff/{segment(username)}", form)
    if 400 <= response.status_code < 500:
        assert account() == before
