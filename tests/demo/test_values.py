"""The demo customers are realistic and valid: they pass Digital River's rules, live in real
countries and states, have phones of their country, emails built from their names, cards
and VAT numbers of the right kind, and some cards belong to nobody yet."""

from __future__ import annotations

import collections
import re

import pycountry
import pytest

from app.demo.markets import CARD_BRANDS, MARKETS
from app.demo.names import fold
from app.demo.pools import build_pools, pool_size
from app.services import geography, phones, rules
from app.services.actors import Actor
from app.services.customers import SUPPORTED_LOCALES, US_STATES, NewTaxCertificate
from app.services.index_text import index_text_of

COUNT = 400
AGENT = Actor(1, "agent", "Agent")


@pytest.fixture
def customers(seed, read) -> list[dict]:
    """400 seeded customers' rows."""
    seed(COUNT)
    return read("customers", "pk")


def test_every_seeded_customer_passes_digital_rivers_rules(customers, service) -> None:
    for row in customers:
        customer = service.get(row["id"])
        assert rules.customer_id_problem(customer.id) is None
        problems = rules.check_fields(
            email=customer.email,
            shipping=customer.shipping,
            type_=customer.type,
            locale=customer.locale,
        )
        assert problems == [], (customer.id, problems)
        assert rules.metadata_problems(customer.metadata, customer.metadata) == []
        assert customer.locale is None or customer.locale in SUPPORTED_LOCALES
        for tax_id in customer.tax_identifiers:
            assert rules.tax_identifier_problems(tax_id.type, tax_id.value) == []


def test_the_tax_certificates_are_valid_documents_of_us_states(customers, service) -> None:
    certificates = [
        (row["id"], cert)
        for row in customers
        if row["addr_country"] == "US" and row["type"] == "business"
        for cert in service.get(row["id"]).tax_certificates
    ]
    assert certificates, "the first US business of a load always has a certificate"
    for customer_id, cert in certificates:
        stored = service.get_file(cert.file_id)
        new = NewTaxCertificate(
            company_name=cert.company_name,
            tax_authority=cert.tax_authority,
            start_date=cert.start_date,
            end_date=cert.end_date,
            file_name=stored.file_name,
            content=stored.content,
        )
        assert rules.tax_certificate_problems(new) == [], customer_id
        assert cert.tax_authority in US_STATES


def test_countries_are_iso_codes_of_the_markets(customers) -> None:
    countries = collections.Counter(r["addr_country"] for r in customers if r["addr_country"])
    assert set(countries) <= {m.code for m in MARKETS}
    assert all(pycountry.countries.get(alpha_2=code) for code in countries)
    assert countries.most_common(1)[0][0] == "US"
    assert len(countries) >= 15


def test_states_are_subdivision_codes_where_addresses_name_one(customers) -> None:
    states: dict[str, set[str]] = collections.defaultdict(set)
    for row in customers:
        if row["addr_state"]:
            states[row["addr_country"]].add(row["addr_state"])
    for country in ("US", "CA", "BR"):
        assert states[country], f"no {country} states seeded"
    for country, codes in states.items():
        if country in geography.STATE_SELECT_COUNTRIES:
            assert codes <= set(dict(geography.subdivisions(country))), country
        elif country in ("IT", "CH"):
            assert all(pycountry.subdivisions.get(code=f"{country}-{c}") for c in codes)
        else:
            assert country in ("JP", "CN"), country  # the locale's own prefecture names
    assert "UM" not in states["US"]
    for row in customers:
        if row["addr_country"] in ("GB", "DE", "FR", "NL", "SE"):
            assert row["addr_state"] is None


def test_phones_are_valid_numbers_of_the_shipping_country(customers) -> None:
    numbers = [(r["ship_phone"], r["addr_country"]) for r in customers if r["ship_phone"]]
    assert len(numbers) > COUNT * 0.7
    warned = [(p, c) for p, c in numbers if phones.warning(p, c) is not None]
    assert len(warned) <= len(numbers) * 0.03, warned[:10]
    assert len({p for p, _ in numbers}) > len(numbers) * 0.95


def test_the_search_text_is_what_the_store_indexes(customers, service) -> None:
    """The generator lays out the index text itself (from its pools' phone forms, without
    parsing a phone): it must be what the store would compute for the customer."""
    segments = collections.Counter()
    for row in customers:
        customer = service.get(row["id"])
        assert row["search_text"] == index_text_of(customer), row["id"]
        segments.update(tag for tag in "nepozcstml" if f"\x1f{tag}\x1e" in row["search_text"])
    # Every kind of field is there to be found in the demo data.
    assert all(segments[tag] for tag in "nepozcstml"), segments


def test_emails_are_built_from_the_persons_name_or_their_company(customers) -> None:
    pools = build_pools(7, pool_size(COUNT))
    consumer = {d for m in pools.markets for p in m.locales for d in p.email_domains}
    named = business_at_company = businesses = 0
    latin = [r for r in customers if r["email"] and r["ship_name"] and r["ship_name"].isascii()]
    for row in latin:
        local, _, domain = row["email"].lower().partition("@")
        last = fold(row["ship_name"].split()[-1])
        named += last in local
        if row["type"] == "business":
            businesses += 1
            business_at_company += domain not in consumer
    assert named > len(latin) * 0.6
    assert business_at_company > businesses * 0.6
    shared = collections.Counter(r["email_lower"] for r in customers if r["email_lower"])
    assert any(n > 1 for n in shared.values()), "some customers share an email"


def test_the_mix_of_businesses_disabled_customers_and_metadata(customers) -> None:
    share = collections.Counter()
    for row in customers:
        share["business"] += row["type"] == "business"
        share["disabled"] += not row["enabled"]
        share["metadata"] += row["metadata"] is not None
    assert 0.12 * COUNT < share["business"] < 0.3 * COUNT
    assert 0 < share["disabled"] < 0.12 * COUNT
    assert 0 < share["metadata"] < 0.25 * COUNT


def test_saved_cards_are_chargeable_cards_of_known_brands(customers, read) -> None:
    by_id = {row["id"]: row for row in customers}
    sources = [s for s in read("sources") if s["customer_id"] is not None]
    assert sources
    brands = {brand for brand, _ in CARD_BRANDS}
    for source in sources:
        assert source["brand"] in brands
        assert re.fullmatch(r"\d{4}", source["last_four"])
        assert 1 <= source["expiration_month"] <= 12
        assert source["state"] == "chargeable" and source["type"] == "creditCard"
        assert source["customer_id"] in by_id
    defaults = {row["default_source_id"] for row in customers if row["default_source_id"]}
    assert defaults <= {s["id"] for s in sources}


def test_vat_numbers_are_of_the_type_of_the_customers_country(customers, read) -> None:
    tax_types = {m.code: m.tax_type for m in MARKETS}
    by_id = {row["id"]: row for row in customers}
    tax_ids = read("tax_identifiers")
    assert tax_ids
    for tax_id in tax_ids:
        customer = by_id[tax_id["customer_id"]]
        assert customer["type"] == "business"
        assert tax_id["type"] == tax_types[customer["addr_country"]]


def test_some_chargeable_reusable_cards_belong_to_nobody_and_can_be_attached(
    customers, read, service
) -> None:
    free = [s for s in read("sources") if s["customer_id"] is None]
    assert 1 <= len(free) <= 0.05 * COUNT
    for source in free:
        assert source["type"] == "creditCard" and source["state"] == "chargeable"
        assert source["reusable"]
    row = next(r for r in customers if r["enabled"] and not r["request_to_be_forgotten"])
    customer = service.get(row["id"])

    attached = service.attach_source(
        customer.id, free[0]["id"], expected_version=customer.version, actor=AGENT
    )

    assert free[0]["id"] in {s.id for s in attached.sources}
    assert attached.version == customer.version + 1
