"""Forgetting a customer in the local store leaves no personal data behind (SQLite, or
PostgreSQL with TEST_DATABASE_URL): a customer holding every kind of personal data, and an
audit history of edits with notes, is forgotten; then every text, JSON and binary column of
every table in the live database (SQLite's full-text index tables included) is scanned for the
former email, name, phone, address and the rest, and none is found. The audit trail still
says who did what to which field, and when."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text

from app.services.audit import AuditQuery


def _cells(service):
    """(table, column, lowered text) of every readable cell of every table."""
    engine = service.engine
    inspector = inspect(engine)
    names = inspector.get_table_names()
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names += (
                connection.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%fts%'"
                    )
                )
                .scalars()
                .all()
            )
        for table in sorted(set(names)):
            quoted = engine.dialect.identifier_preparer.quote(table)
            result = connection.execute(text(f"SELECT * FROM {quoted}"))
            columns = list(result.keys())
            for record in result:
                for column, value in zip(columns, record, strict=True):
                    if value is None or isinstance(value, (int, float, dt.datetime)):
                        continue
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        lowered = bytes(value).decode("utf-8", "ignore").lower()
                    else:
                        lowered = str(value).lower()
                    yield table, column, lowered


def test_the_scan_finds_every_piece_before_forgetting(service, needles, seeded):
    """The control: each needle is somewhere before, so its absence after means erasure."""
    cells = [cell for _, _, cell in _cells(service)]
    assert {n for n in needles if not any(n in cell for cell in cells)} == set()


def test_no_personal_data_is_left_in_any_column_of_any_table(service, needles, forgotten):
    found = [
        (table, column, needle)
        for table, column, cell in _cells(service)
        for needle in needles
        if needle in cell
    ]
    assert found == []
    # Sanity: the scan does read the tables (the id is still there).
    assert any(forgotten.id in cell for _, _, cell in _cells(service))


def test_the_substring_index_no_longer_finds_the_former_name(service, person, forgotten):
    sqlite = service.engine.dialect.name == "sqlite"
    query = (
        "SELECT rowid FROM customers_fts WHERE customers_fts MATCH :term"
        if sqlite
        else "SELECT pk FROM customers WHERE search_text LIKE :term"
    )
    with service.engine.connect() as connection:
        for term in (person["name"].lower(), person["line1"].lower(), person["phone_digits"]):
            needle = '"' + term[-12:] + '"' if sqlite else "%" + term[-12:] + "%"
            hits = connection.execute(text(query), {"term": needle}).all()
            assert hits == [], term


def test_what_is_kept_cannot_identify_the_person(service, forgotten):
    after = service.get(forgotten.id)
    assert after.request_to_be_forgotten
    assert (after.id, after.created_time, after.type, after.locale, after.enabled) == (
        forgotten.id,
        forgotten.created_time,
        forgotten.type,
        forgotten.locale,
        forgotten.enabled,
    )
    assert after.email is None and after.shipping.is_empty() and dict(after.metadata) == {}
    assert [t.value for t in after.tax_identifiers] == [""]
    assert [t.type for t in after.tax_identifiers] == ["de"]
    (certificate,) = after.tax_certificates
    assert certificate.company_name == "" and certificate.file_id == ""
    assert certificate.start_date == forgotten.tax_certificates[0].start_date
    assert [(s.owner_name, s.owner_email) for s in after.sources] == [(None, None)]
    assert after.sources[0].last_four == "1111"
    assert service.sharing_email(forgotten) == ()


def test_the_audit_trail_keeps_who_when_what_but_no_values(service, app, forgotten):
    audit = app.extensions["customer_desk"].audit
    events = audit.search(AuditQuery(customer_id=forgotten.id, limit=100)).events
    actions = [e.action for e in reversed(events)]
    assert actions[0] == "customer.create" and actions[-1] == "customer.forget"
    assert "customer.disable" in actions and "tax_certificate.add" in actions
    for event in events:
        assert event.actor_username in ("eddie", "priya") and event.occurred_time
        assert all(c.before is None and c.after is None for c in event.changes), event
    edited = {c.field for e in events if e.action == "customer.update" for c in e.changes}
    assert {"email", "metadata.crm"} <= edited
    disable = next(e for e in events if e.action == "customer.disable")
    assert disable.reason_code == "other" and disable.note is None
    forget = events[0]
    assert forget.action == "customer.forget" and forget.note == "PRIV-2024-0042"
    assert forget.actor_username == "priya"
    assert {"email", "shipping.name", "requestToBeForgotten"} <= {c.field for c in forget.changes}
