"""What only the local store promises: its search index, its migrations, its tie-breaking.

These tests reach under the CustomerService protocol (SQL, the engine, Alembic), so they do
not belong in the contract suite that other backends will run."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.migrate import downgrade, upgrade
from app.services import rules
from app.services.audit import SYSTEM
from app.services.customers import (
    Address,
    CustomerUpdate,
    NewCustomer,
    SearchQuery,
    Shipping,
)
from app.services.errors import StaleVersion
from app.services.index_text import index_text_of
from app.services.local import LocalCustomerService, make_engine
from app.services.local.db import write_session
from app.services.local.models import Base, CustomerRow
from tests.cards import save_card

TIE = dt.datetime(2024, 5, 1, 12, 0, 0)


def ids(page) -> list[str]:
    return [summary.id for summary in page.items]


def fts_match(service: LocalCustomerService, phrase: str) -> set[str]:
    """Customer ids the SQLite trigram index returns for a phrase."""
    with service.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.id FROM customers c JOIN customers_fts f ON f.rowid = c.pk "
                "WHERE customers_fts MATCH :phrase"
            ),
            {"phrase": f'"{phrase}"'},
        )
        return {row.id for row in rows}


def fts_integrity_check(service: LocalCustomerService) -> None:
    """Raises if the FTS index disagrees with the customers table (rank 1: check content)."""
    with service.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO customers_fts(customers_fts, rank) VALUES ('integrity-check', 1)")
        )


def search_text_of(service: LocalCustomerService, customer_id: str) -> str:
    with service.engine.connect() as connection:
        return connection.scalar(
            text("SELECT search_text FROM customers WHERE id = :id"), {"id": customer_id}
        )


# -- the substring index ---------------------------------------------------------------------


def segments(**fields: list[str]) -> str:
    """The index text of these fields, as ``index_text`` lays it out (tag -> values)."""
    return "".join(f"\x1f{tag}\x1e" + "".join(v + "\x1e" for v in vs) for tag, vs in fields.items())


def test_the_search_text_column_holds_each_field_in_its_segment(service):
    created = service.create(
        NewCustomer(
            email="Anna.Lee@Example.com",
            shipping=Shipping(
                name=" Anna Lëe ",
                phone="+1 (555) 010-2030",
                organization="ACME GmbH",
                address=Address(city="Zürich", state="ZH", postal_code="8001", country="CH"),
            ),
            metadata={"order": "A-1043"},
        )
    )

    assert (
        search_text_of(service, created.id)
        == segments(
            n=["anna lee"],
            e=["anna.lee@example.com"],
            p=["+1 (555) 010-2030", "15550102030"],
            o=["acme gmbh"],
            z=["8001"],
            c=["zurich"],
            s=["zh", "zurich"],
            m=["order:a-1043"],
        )
        + "\x1f"
    )


def test_the_search_text_column_follows_a_shipping_update(service):
    created = service.create(NewCustomer(shipping=Shipping(name="Oldname", phone="555 0100")))

    service.update(created.id, CustomerUpdate(shipping=Shipping(name="Newname")))

    assert search_text_of(service, created.id) == segments(n=["newname"]) + "\x1f"


def test_the_search_text_column_follows_the_cards_tax_ids_and_metadata(service):
    created = service.create(NewCustomer(email="card@example.com", type="business"))
    source_id = save_card(service, created.id, "Visa", "4242")
    service.add_tax_identifier(created.id, "de", " DE 123 456 789 ")
    service.update(created.id, CustomerUpdate(metadata={"crmId": "X-1"}))

    assert (
        search_text_of(service, created.id)
        == segments(
            e=["card@example.com"], t=["de123456789"], m=["crmid:x-1"], l=["4242", "visa 4242"]
        )
        + "\x1f"
    )

    service.detach_source(created.id, source_id)
    assert "4242" not in search_text_of(service, created.id)


def test_the_trigram_index_stays_in_sync_after_updates(service, engine_name):
    kept = service.create(NewCustomer(shipping=Shipping(name="Steady Stella")))
    moved = service.create(NewCustomer(shipping=Shipping(name="Oldname Olga")))
    cleared = service.create(NewCustomer(shipping=Shipping(name="Vanishing Vera")))

    service.update(moved.id, CustomerUpdate(shipping=Shipping(name="Newname Nora")))
    service.update(cleared.id, CustomerUpdate(shipping=None))
    service.update(kept.id, CustomerUpdate(email="stella@example.com"))

    if engine_name == "sqlite":
        fts_integrity_check(service)
        matches = lambda needle: fts_match(service, needle)  # noqa: E731
    else:
        matches = lambda needle: {s.id for s in service.search(SearchQuery(text=needle)).items}  # noqa: E731
    assert matches("oldname") == set()
    assert matches("newname") == {moved.id}
    assert matches("vanishing") == set()
    assert matches("steady") == {kept.id}


def test_the_engines_substring_index_exists(service, engine_name):
    inspector = inspect(service.engine)
    if engine_name == "sqlite":
        assert "customers_fts" in inspector.get_table_names()
    else:
        indexes = {index["name"] for index in inspector.get_indexes("customers")}
        assert "ix_customers_search_trgm" in indexes


# -- migrations ------------------------------------------------------------------------------


def test_the_migrations_go_up_down_and_up_again(database_url, engine_name):
    engine = make_engine(database_url)
    try:
        downgrade(database_url, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}

        upgrade(database_url)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        if engine_name == "sqlite":
            assert "customers_fts" in tables

        service = LocalCustomerService(engine)
        created = service.create(NewCustomer(shipping=Shipping(name="Migrated Mia")))
        assert ids(service.search(SearchQuery(text="rated m"))) == [created.id]
    finally:
        upgrade(database_url)
        engine.dispose()


def test_the_index_text_migration_lays_out_existing_customers(database_url):
    engine = make_engine(database_url)
    try:
        downgrade(database_url, "0006")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO customers (id, email, ship_phone, addr_city, addr_country, "
                    "metadata, search_text, enabled, request_to_be_forgotten, live_mode, "
                    "created_time, version) VALUES ('cus-old', 'old@acme.example', "
                    "'07700 900123', 'Zürich', 'GB', :meta, '07700 900123 | 07700900123', "
                    ":yes, :no, :no, :now, 1)"
                ),
                {"yes": True, "no": False, "now": TIE, "meta": '{"order": "A-1043"}'},
            )
        upgrade(database_url)
        service = LocalCustomerService(engine)
        assert search_text_of(service, "cus-old") == index_text_of(service.get("cus-old"))
        for term in ("+44 7700 900123", "acme.example", "city:zurich", "order:a-1043"):
            assert ids(service.search(SearchQuery(text=term))) == ["cus-old"], term
    finally:
        upgrade(database_url)
        engine.dispose()


def test_the_migrated_tables_have_the_columns_the_models_declare(database_url):
    engine = make_engine(database_url)
    try:
        inspector = inspect(engine)
        for name, table in Base.metadata.tables.items():
            migrated = {column["name"] for column in inspector.get_columns(name)}
            assert migrated == {column.name for column in table.columns}, name
    finally:
        engine.dispose()


# -- ordering and ties -----------------------------------------------------------------------


def test_a_summary_row_holds_the_summary_fields_in_their_order():
    """summary_of reads rows by position: SUMMARY_FIELDS must follow CustomerSummary's fields,
    each from a column of the customers table."""
    from dataclasses import fields

    from app.services.customers import CustomerSummary
    from app.services.local.search.common import SUMMARY_COLUMNS, SUMMARY_FIELDS

    assert [name for name, _ in SUMMARY_FIELDS] == [f.name for f in fields(CustomerSummary)]
    assert [c.name for c in SUMMARY_COLUMNS] == [column for _, column in SUMMARY_FIELDS]


def test_a_searched_row_carries_each_value_in_its_field(service):
    created = service.create(
        NewCustomer(
            id="cus-fields",
            email="ada@example.com",
            type="business",
            locale="en_GB",
            shipping=Shipping(
                name="Ada Lovelace",
                organization="Engines Ltd",
                phone="+44 20 7946 0123",
                address=Address(
                    line1="12 Babbage St",
                    line2="Flat 2",
                    city="London",
                    state="Greater London",
                    postal_code="N1 9GU",
                    country="GB",
                ),
            ),
        )
    )
    (row,) = service.search(SearchQuery(text="cus-fields")).items
    assert (row.id, row.email, row.name, row.organization, row.phone) == (
        "cus-fields",
        "ada@example.com",
        "Ada Lovelace",
        "Engines Ltd",
        "+44 20 7946 0123",
    )
    assert (row.postal_code, row.country, row.type, row.locale) == (
        "N1 9GU",
        "GB",
        "business",
        "en_GB",
    )
    assert (row.line1, row.line2, row.city, row.state) == (
        "12 Babbage St",
        "Flat 2",
        "London",
        "Greater London",
    )
    assert row.enabled is True and row.request_to_be_forgotten is False
    assert row.created_time == created.created_time and row.created_time.tzinfo is not None


def test_a_summary_is_read_alike_whether_its_columns_lead_the_row_or_not(service):
    from app.services.local.search.common import SUMMARY_COLUMNS, TABLE, summary_of

    service.create(NewCustomer(id="cus-order", email="o@example.com", type="individual"))
    with service.engine.connect() as connection:
        leading = connection.execute(select(*SUMMARY_COLUMNS, TABLE.pk)).one()
        trailing = connection.execute(
            select(TABLE.pk, TABLE.email_lower, *reversed(SUMMARY_COLUMNS))
        ).one()
    assert summary_of(trailing) == summary_of(leading)
    assert summary_of(leading).id == "cus-order" and summary_of(leading).type == "individual"


def test_search_lists_customers_in_reverse_creation_order(service):
    created = [service.create(NewCustomer()) for _ in range(6)]

    page = service.search(SearchQuery())

    assert ids(page) == [c.id for c in reversed(created)]
    assert [c.created_time for c in created] == sorted({c.created_time for c in created})


@pytest.fixture
def tied(service) -> list[str]:
    """Five customers sharing one created_time, ids in ascending order."""
    made = [service.create(NewCustomer(id=f"tie-{i}")) for i in range(5)]
    with service.engine.begin() as connection:
        connection.execute(update(CustomerRow).values(created_time=TIE))
    return [c.id for c in made]


def test_customers_created_in_the_same_instant_are_ordered_by_id_descending(service, tied):
    page = service.search(SearchQuery())

    assert ids(page) == ["tie-4", "tie-3", "tie-2", "tie-1", "tie-0"]
    assert {item.created_time for item in page.items} == {TIE.replace(tzinfo=dt.UTC)}


def test_paging_through_tied_created_times_skips_and_repeats_nothing(service, tied):
    pages = [service.search(SearchQuery(limit=2))]
    while pages[-1].next_cursor is not None:
        assert len(pages) < 5, "next_cursor never ran out"
        pages.append(service.search(SearchQuery(limit=2, after=pages[-1].next_cursor)))
    back = [pages[-1]]
    while back[-1].prev_cursor is not None:
        assert len(back) < 5, "prev_cursor never ran out"
        back.append(service.search(SearchQuery(limit=2, before=back[-1].prev_cursor)))

    assert [ids(p) for p in pages] == [["tie-4", "tie-3"], ["tie-2", "tie-1"], ["tie-0"]]
    assert [ids(p) for p in reversed(back)] == [["tie-4", "tie-3"], ["tie-2", "tie-1"], ["tie-0"]]


@pytest.mark.parametrize(("limit", "size"), [(0, 1), (-5, 1), (1, 1), (100, 100), (500, 100)])
def test_the_page_size_is_kept_between_1_and_100(service, limit, size):
    for _ in range(101):
        service.create(NewCustomer())

    assert len(service.search(SearchQuery(limit=limit)).items) == size


def test_an_empty_store_gives_an_empty_page_without_cursors(service):
    page = service.search(SearchQuery(text="anything"))

    assert (page.items, page.next_cursor, page.prev_cursor, page.exact_id_match) == (
        (),
        None,
        None,
        None,
    )


# -- what the protocol cannot set ------------------------------------------------------------


def test_the_forget_requested_filter_finds_customers_flagged_in_the_store(service):
    flagged = service.create(NewCustomer(email="forget@example.com"))
    plain = service.create(NewCustomer(email="keep@example.com"))
    with service.engine.begin() as connection:
        connection.execute(
            update(CustomerRow)
            .where(CustomerRow.id == flagged.id)
            .values(request_to_be_forgotten=True)
        )

    assert ids(service.search(SearchQuery(forget_requested=True))) == [flagged.id]
    assert ids(service.search(SearchQuery(forget_requested=False))) == [plain.id]
    assert service.get(flagged.id).request_to_be_forgotten is True


def test_a_generated_id_that_is_taken_is_replaced_by_a_free_one(service, monkeypatch):
    service.create(NewCustomer(id="123456780336"))
    candidates = iter(["123456780336", "876543210336"])
    monkeypatch.setattr(rules, "generate_customer_id", lambda: next(candidates))

    created = service.create(NewCustomer())

    assert created.id == "876543210336"


def test_emails_and_shipping_fields_are_stored_without_surrounding_spaces(service):
    created = service.create(
        NewCustomer(email="  ann@example.com ", shipping=Shipping(name="  Ann  ", phone="   "))
    )

    stored = service.get(created.id)
    assert (stored.email, stored.shipping.name, stored.shipping.phone) == (
        "ann@example.com",
        "Ann",
        None,
    )
    assert ids(service.search(SearchQuery(text="ann@example.com"))) == [created.id]


# -- no lost update ----------------------------------------------------------------------------


def test_a_write_based_on_a_row_that_moved_on_is_refused_by_the_update_itself(service):
    """The version guard in the UPDATE: even a change that read the row without the write lock
    cannot overwrite a change committed after its read."""
    service.create(NewCustomer(id="cus_guard", email="first@example.com"))
    with Session(service.engine) as session:
        row = session.scalar(select(CustomerRow).where(CustomerRow.id == "cus_guard"))
        before = service._to_customer(session, row)
        # Another change commits after this session read version 1.
        service.update("cus_guard", CustomerUpdate(email="other@example.com"), expected_version=1)
        row.email = "mine@example.com"
        with pytest.raises(StaleVersion):
            service._commit_change(session, row, before, action="customer.update", actor=SYSTEM)
    customer = service.get("cus_guard")
    assert (customer.email, customer.version) == ("other@example.com", 2)
    assert [e.version_after for e in service.audit.for_customer("cus_guard")] == [2, 1]


def test_an_open_change_holds_the_lock_another_writer_needs(service, engine_name):
    """While one change is open, another writer of the same customer must wait: BEGIN
    IMMEDIATE on SQLite (the database's write lock), SELECT … FOR UPDATE on PostgreSQL."""
    service.create(NewCustomer(id="cus_lock"))
    with write_session(service._sessions) as session:
        service._locked(session, "cus_lock")
        if engine_name == "sqlite":
            other = sqlite3.connect(service.engine.url.database, timeout=0.1, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        else:
            with service.engine.connect() as other, pytest.raises(OperationalError):
                other.execute(
                    text("SELECT pk FROM customers WHERE id = 'cus_lock' FOR UPDATE NOWAIT")
                )


# -- phone numbers through libphonenumber ------------------------------------------------------

SPELLINGS = ["+44 7700 900123", "07700 900123", "447700900123", "+44 (0)7700 900123", "7700900123"]


@pytest.mark.parametrize("stored", ["07700 900123", "+44 7700 900123", "+447700900123"])
@pytest.mark.parametrize("typed", SPELLINGS)
def test_a_phone_is_found_from_its_national_and_international_spellings(service, stored, typed):
    service.create(NewCustomer(id="cus-other", shipping=Shipping(phone="+1 202 555 0143")))
    created = service.create(
        NewCustomer(shipping=Shipping(phone=stored, address=Address(city="Leeds", country="GB")))
    )

    assert ids(service.search(SearchQuery(text=typed))) == [created.id]


def test_a_national_spelling_needs_the_shipping_country_to_be_understood(service):
    """Without a country a national number cannot be read (which country's trunk prefix?):
    it is found as typed, not from its international spelling."""
    created = service.create(NewCustomer(shipping=Shipping(phone="07700 900123")))

    assert ids(service.search(SearchQuery(text="07700 900123"))) == [created.id]
    assert ids(service.search(SearchQuery(text="+44 7700 900123"))) == []


def test_an_unparseable_phone_is_indexed_as_typed_and_as_digits(service):
    created = service.create(
        NewCustomer(shipping=Shipping(phone="ext. 12-345 (desk)", address=Address(country="DE")))
    )

    assert search_text_of(service, created.id) == (
        segments(p=["ext. 12-345 (desk)", "12345"]) + "\x1f"
    )
