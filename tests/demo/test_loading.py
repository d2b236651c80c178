"""Loading: the same seed gives the same customers; a big (bulk) load gives the same rows as a
small one, keeps the substring index in step and puts every index, trigger and foreign key
back as the migrations made it; the parallel load works; the pools come from the field
libraries, repeatably."""

from __future__ import annotations

import re
from typing import Any

import pycountry
import pytest
from sqlalchemy import Engine, text

from app.demo import load
from app.demo.markets import MARKETS
from app.demo.pools import build_pools, digit_template, iso_states, number_template
from app.services import rules
from app.services.customers import NewCustomer, SearchQuery, Shipping

from .conftest import rows

TABLES = ("customers", "sources", "tax_identifiers", "files", "tax_certificates")
HISTORY = ("audit_events", "forget_requests")
# Columns that number rows or follow the clock (creation times are relative to now).
UNSTABLE = {"pk", "id_", "created_time", "updated_time", "occurred_time", "requested_time"}
UNSTABLE |= {"completed_time", "start_date", "end_date"}
# The hash chain: random salts, and hashes over the times.
UNSTABLE |= {"seq", "hash", "salt", "commitment"}
_WHEN = re.compile(r"\d{4}-\d\d-\d\d([ T][\d:.]+)?")


def contents(engine: Engine) -> dict[str, list[tuple]]:
    """Every loaded table's rows without their clock-bound values, in a stable order."""
    out = {}
    for table in TABLES + HISTORY:
        kept = []
        for row in rows(engine, table):
            if table in HISTORY:
                row.pop("id")
            values = [
                _WHEN.sub("WHEN", v) if isinstance(v, str) else v
                for k, v in sorted(row.items())
                if k not in UNSTABLE
            ]
            kept.append(tuple(values))
        out[table] = sorted(kept, key=repr)
    return out


def wipe(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            tables = ", ".join(TABLES + HISTORY)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in HISTORY + TABLES[::-1]:
                connection.execute(text(f"DELETE FROM {table}"))


def schema(engine: Engine) -> list[tuple[Any, ...]]:
    """The indexes, triggers and constraints the migrations made."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
        else:
            query = (
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace"
            )
        return sorted(tuple(r) for r in connection.execute(text(query)))


def test_the_same_seed_gives_the_same_customers_and_another_seed_others(seed, engine) -> None:
    seed(150, random_seed=11)
    first = contents(engine)
    wipe(engine)
    seed(150, random_seed=11)
    again = contents(engine)
    wipe(engine)
    seed(150, random_seed=12)

    assert again == first
    assert contents(engine)["customers"] != first["customers"]


def test_a_bulk_load_gives_the_rows_of_a_small_load(seed, engine, monkeypatch) -> None:
    seed(150, random_seed=11)
    small = contents(engine)
    wipe(engine)
    monkeypatch.setattr(load, "BULK_MIN_ROWS", 100)

    seed(150, random_seed=11)

    assert contents(engine) == small


def test_a_bulk_load_puts_back_every_index_trigger_and_foreign_key(
    seed, engine, monkeypatch
) -> None:
    before = schema(engine)
    monkeypatch.setattr(load, "BULK_MIN_ROWS", 100)
    monkeypatch.setattr(load, "BATCH_SIZE", 40)

    seed(150)

    assert schema(engine) == before
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_substring_index_is_in_step_after_a_bulk_load(
    seed, engine, service, monkeypatch
) -> None:
    monkeypatch.setattr(load, "BULK_MIN_ROWS", 100)
    monkeypatch.setattr(load, "BATCH_SIZE", 40)
    seed(150)
    named = [r for r in rows(engine, "customers", "pk") if r["ship_name"]]
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            count = connection.execute(text("SELECT count(*) FROM customers_fts")).scalar()
            connection.execute(
                text("INSERT INTO customers_fts(customers_fts) VALUES ('integrity-check')")
            )
        assert count == len(rows(engine, "customers"))
    for row in named[::10]:
        found = service.search(SearchQuery(text=row["ship_name"], limit=100))
        assert row["id"] in {item.id for item in found.items}, row["ship_name"]
    # The triggers are back: a customer created afterwards is found too.
    service.create(NewCustomer(id="after-bulk", shipping=Shipping(name="Zebulon Quaxley")))
    assert [i.id for i in service.search(SearchQuery(text="quaxley")).items] == ["after-bulk"]


def test_a_parallel_load_generates_in_worker_processes(seed, engine, monkeypatch) -> None:
    monkeypatch.setattr(load, "PARALLEL_MIN_ROWS", 100)
    monkeypatch.setattr(load, "BULK_MIN_ROWS", 100)
    monkeypatch.setattr(load, "BATCH_SIZE", 50)

    assert seed(200) == 200

    customers = rows(engine, "customers")
    assert len({r["id"] for r in customers}) == 200
    for row in customers:
        assert rules.check_fields(email=row["email"], type_=row["type"]) == []
    created = [r for r in rows(engine, "audit_events") if r["action"] == "customer.create"]
    assert len(created) == 200


def test_a_plan_records_every_history_of_a_small_load_and_a_sample_of_a_big_one() -> None:
    assert load.plan(2_000, 1).history_share == 1
    big = load.plan(1_000_000, 1)
    assert big.history_share * 1_000_000 == load.FULL_HISTORY_MAX
    assert big.bulk and big.parallel and not load.plan(2_000, 1).bulk


def drawn(pools) -> dict[str, tuple]:
    """What the pools drew, market by market (the pools repeat their values by weight)."""
    values = {}
    for market in set(pools.markets):
        locales = sorted(set(market.locales), key=lambda p: p.locale)
        values[market.market.code] = (
            market.tax_ids,
            [(p.places, p.streets, p.phones, p.companies, p.email_domains) for p in locales],
        )
    values["names"] = tuple((c.male, c.female, c.last_male) for c in pools.cultures)
    return values


def test_the_pools_are_repeatable_for_a_seed() -> None:
    build = build_pools.__wrapped__
    assert drawn(build(3, 100)) == drawn(build(3, 100))
    assert drawn(build(3, 100)) != drawn(build(4, 100))


def test_the_markets_are_iso_countries_with_their_subdivisions() -> None:
    assert all(pycountry.countries.get(alpha_2=m.code) for m in MARKETS)
    us = iso_states("US")
    assert {"VA", "DC", "CA"} <= set(us) and "UM" not in us and "PR" not in us
    assert len(us) == 51
    assert "QC" in iso_states("CA") and "SP" in iso_states("BR")
    assert {"RM", "MI"} <= set(iso_states("IT")) and "62" not in iso_states("IT")


@pytest.mark.parametrize(
    ("text_", "template"),
    [
        ("+1 832-331-0123", "+1 832-331-%s%s%s%s"),
        ("08-391 50 00", "08-391 %s%s %s%s"),
        ("100% 12", "1%s%s%% %s%s"),
        ("No. 12", None),
        ("FR12 345678901", "FR12 34567%s%s%s%s"),
    ],
)
def test_a_digit_template_frees_the_last_four_digits(text_, template) -> None:
    assert digit_template(text_) == template


def test_a_number_template_redraws_house_numbers_of_the_same_length() -> None:
    assert number_template("1057 Barrera Radial Apt. 18") == (
        "%d Barrera Radial Apt. 18",
        1000,
        9000,
    )
    assert number_template("Hauptstraße 7, 100%") == ("Hauptstraße %d, 100%%", 1, 9)
    assert number_template("Am Markt %") == ("Am Markt %", 0, 0)
