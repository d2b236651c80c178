"""Search v2's kinds and qualifiers, as every backend must answer them.

Each test runs on the local store (SQLite, or PostgreSQL with TEST_DATABASE_URL) and on DR's
API through a fresh emulator. The local store finds email domains, places, cards, tax ids,
metadata and words in any order, and every qualifier; DR's list filters on exact ids, the
exact email and createdTime only, so there a kind it cannot search finds nobody and the page
says so (``Not available on Digital River``), and ``id:``, ``email:`` and ``created:`` are
sent to it. Customers carry a unique ``tag`` so no test depends on an empty store."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.services.actors import Actor
from app.services.customers import (
    Address,
    CustomerService,
    NewCustomer,
    SearchPage,
    SearchQuery,
    Shipping,
)
from app.services.errors import InvalidParameter
from app.services.terms import SearchSyntaxError
from tests.cards import save_card


@pytest.fixture(params=["local", "digitalriver"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def tag() -> str:
    return "qz" + uuid.uuid4().hex[:10]


def page(service: CustomerService, text: str, **filters) -> SearchPage:
    return service.search(SearchQuery(text=text, limit=100, **filters))


def ids(result: SearchPage) -> set[str]:
    return {s.id for s in result.items}


def local(service: CustomerService) -> bool:
    return service.capabilities.qualifiers is None


def assert_finds(
    service: CustomerService, text: str, finds: set[str], misses: set[str] = frozenset()
) -> None:
    """On the local store the search finds ``finds`` and none of ``misses``; on DR (which
    cannot search this kind) it finds nobody and says the kind is not available there."""
    result = page(service, text)
    if local(service):
        assert finds <= ids(result), text
        assert not misses & ids(result), text
    else:
        assert result.items == (), text
        if ":" in text:  # a qualifier DR cannot search is named as not available there
            assert result.notice is not None and "Not available on Digital River" in result.notice


# -- free text --------------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["{tag}", "{tag}-mail", "{tag}-mail.example", "@{tag}-mail"])
def test_a_part_of_an_email_or_its_domain_finds_the_customer(service, tag, term):
    at_domain = service.create(NewCustomer(email=f"ann@{tag}-mail.example"))
    elsewhere = service.create(NewCustomer(email=f"ann@other-{uuid.uuid4().hex[:8]}.example"))

    assert_finds(service, term.format(tag=tag), {at_domain.id}, {elsewhere.id})


def test_words_of_a_name_match_in_any_order_with_accents_folded(service, tag):
    maria = service.create(NewCustomer(shipping=Shipping(name=f"Maria Gonçalves {tag}")))
    joao = service.create(NewCustomer(shipping=Shipping(name=f"João Gonçalves {tag}")))

    assert_finds(service, f"goncalves maria {tag}", {maria.id}, {joao.id})
    assert_finds(service, f"GONÇALVES {tag} joao", {joao.id}, {maria.id})


def test_a_city_or_state_is_found_with_accents_folded(service, tag):
    zurich = service.create(
        NewCustomer(
            shipping=Shipping(
                name=f"Zed {tag}", address=Address(city="Zürich", state="ZH", country="CH")
            )
        )
    )
    leeds = service.create(
        NewCustomer(
            shipping=Shipping(name=f"Lee {tag}", address=Address(city="Leeds", country="GB"))
        )
    )

    assert_finds(service, f"zurich {tag}", {zurich.id}, {leeds.id})
    assert_finds(service, f"city:zurich {tag}", {zurich.id}, {leeds.id})
    assert_finds(service, f"LEEDS {tag}", {leeds.id}, {zurich.id})


def test_a_state_is_found_by_its_name_as_well_as_its_code(service, tag):
    virginia = service.create(
        NewCustomer(
            shipping=Shipping(
                name=f"Val {tag}",
                address=Address(
                    line1="1 Main St",
                    city="Richmond",
                    state="VA",
                    postal_code="23219",
                    country="US",
                ),
            )
        )
    )

    assert_finds(service, f"state:virginia {tag}", {virginia.id})
    assert_finds(service, f"virginia {tag}", {virginia.id})


def test_a_metadata_value_is_found_free_and_by_its_key(service, tag):
    order = service.create(NewCustomer(metadata={"order": f"A-{tag}", "channel": "web"}))
    other = service.create(NewCustomer(metadata={"ticket": f"A-{tag}"}))

    assert_finds(service, f"A-{tag}", {order.id, other.id})
    assert_finds(service, f"order:A-{tag}", {order.id}, {other.id})
    assert_finds(service, f"meta.order:a-{tag}", {order.id}, {other.id})
    assert_finds(service, f"meta.ticket:A-{tag}", {other.id}, {order.id})
    # A key with no value: every customer that has the key.
    assert_finds(service, f"meta.ticket: A-{tag}", {other.id}, {order.id})


def test_the_metadata_qualifier_matches_a_value_from_its_start(service, tag):
    order = service.create(NewCustomer(metadata={"order": f"{tag}-1043"}))

    assert_finds(service, f"meta.order:{tag}", {order.id})
    assert_finds(service, f"meta.order:{tag[2:]}", set(), {order.id})


def test_a_tax_id_is_found_as_typed_with_or_without_spaces(service, tag):
    business = service.create(NewCustomer(type="business", shipping=Shipping(name=f"Biz {tag}")))
    service.add_tax_identifier(business.id, "de", "DE 123 456 789")
    plain = service.create(NewCustomer(shipping=Shipping(name=f"Plain {tag} 123456789")))

    assert_finds(service, f"DE123456789 {tag}", {business.id}, {plain.id})
    assert_finds(service, f"tax:DE123456789 {tag}", {business.id}, {plain.id})
    assert_finds(service, f'tax:"de 123.456.789" {tag}', {business.id}, {plain.id})


# -- cards (local store only: DR's emulator saves no card of a chosen number) ---------------


def test_a_cards_last_four_and_brand_find_the_customer(service, tag):
    if not local(service):
        assert_finds(service, "last4:4242", set())
        return
    visa = service.create(NewCustomer(shipping=Shipping(name=f"Vic {tag}")))
    save_card(service, visa.id, "Visa", "4242")
    amex = service.create(NewCustomer(shipping=Shipping(name=f"Amy {tag}")))
    save_card(service, amex.id, "American Express", "3716")
    # A name that holds the digits, with no card.
    decoy = service.create(NewCustomer(shipping=Shipping(name=f"Dee 4242 {tag}")))

    assert_finds(service, f"last4:4242 {tag}", {visa.id}, {amex.id, decoy.id})
    assert_finds(service, f"visa 4242 {tag}", {visa.id}, {amex.id, decoy.id})
    assert_finds(service, f"3716 {tag}", {amex.id}, {visa.id})
    assert_finds(service, f"last4:4243 {tag}", set(), {visa.id})


def test_a_detached_card_no_longer_finds_the_customer(service, tag):
    if not local(service):
        return
    customer = service.create(NewCustomer(shipping=Shipping(name=f"Cat {tag}")))
    save_card(service, customer.id, "Visa", "5555")
    (source,) = service.get(customer.id).sources
    assert page(service, f"last4:5555 {tag}").items

    service.detach_source(customer.id, source.id)

    assert not page(service, f"last4:5555 {tag}").items


# -- qualifiers --------------------------------------------------------------------------------


def test_qualifiers_combine_as_every_one_of_them(service, tag):
    both = service.create(
        NewCustomer(
            email=f"ops@{tag}.example",
            shipping=Shipping(
                organization=f"Globex {tag}", address=Address(city="Leeds", country="GB")
            ),
        )
    )
    org_only = service.create(
        NewCustomer(
            shipping=Shipping(
                organization=f"Globex {tag}", address=Address(city="York", country="GB")
            )
        )
    )
    city_only = service.create(
        NewCustomer(
            shipping=Shipping(
                organization=f"Initech {tag}", address=Address(city="Leeds", country="GB")
            )
        )
    )

    assert_finds(service, f"org:globex city:leeds {tag}", {both.id}, {org_only.id, city_only.id})
    assert_finds(service, f"email:{tag} city:leeds", {both.id}, {org_only.id, city_only.id})


def test_a_qualifier_looks_only_in_its_own_field(service, tag):
    named = service.create(NewCustomer(shipping=Shipping(name=f"Leeds {tag}")))
    placed = service.create(
        NewCustomer(
            shipping=Shipping(name=f"Pat {tag}", address=Address(city="Leeds", country="GB"))
        )
    )

    assert_finds(service, f"city:leeds {tag}", {placed.id}, {named.id})
    assert_finds(service, f"name:leeds {tag}", {named.id}, {placed.id})


def test_the_phone_qualifier_finds_any_spelling_of_the_number(service, tag):
    uk = service.create(
        NewCustomer(
            shipping=Shipping(
                name=f"Uma {tag}", phone="07700 900123", address=Address(country="GB")
            )
        )
    )

    assert_finds(service, f"phone:+44-7700-900123 {tag}", {uk.id})
    assert_finds(service, f"phone:900123 {tag}", {uk.id})
    assert_finds(service, f"phone:900124 {tag}", set(), {uk.id})


def test_the_id_qualifier_is_sent_to_every_backend(service, tag):
    wanted = service.create(NewCustomer(id=f"cus-{tag}", email=f"{tag}@example.com"))
    service.create(NewCustomer(id=f"cus-{tag}-2", email=f"{tag}.2@example.com"))

    result = page(service, f"id:cus-{tag}")

    assert ids(result) == {wanted.id}
    assert result.exact_id_match is not None and result.exact_id_match.id == wanted.id


def test_a_whole_email_qualifier_is_sent_to_every_backend_and_a_part_only_where_it_can(
    service, tag
):
    wanted = service.create(NewCustomer(email=f"{tag}@example.com"))
    other = service.create(NewCustomer(email=f"x{tag}@example.org"))

    assert ids(page(service, f"email:{tag}@example.com")) == {wanted.id}
    assert_finds(service, f"email:{tag}", {wanted.id, other.id})
    assert_finds(service, f"email:example.org {tag}", {other.id}, {wanted.id})


def test_created_qualifiers_narrow_by_creation_time_on_every_backend(service, tag):
    made = service.create(NewCustomer(email=f"{tag}@example.com"))
    created = made.created_time.astimezone(dt.UTC)
    day = created.date().isoformat()
    text = f"email:{tag}@example.com"

    assert ids(page(service, f"{text} created:{day}")) == {made.id}
    assert ids(page(service, f"{text} created:>={day[:7]}")) == {made.id}
    assert ids(page(service, f"{text} created:<{day}")) == set()
    assert ids(page(service, f"{text} created:>{day}")) == set()
    assert ids(page(service, f"{text} created:<=2000")) == set()


def test_a_created_qualifier_never_widens_the_created_filters(service, tag):
    made = service.create(NewCustomer(email=f"{tag}@example.com"))
    created = made.created_time.astimezone(dt.UTC)
    later = created + dt.timedelta(days=2)

    result = page(service, f"email:{tag}@example.com created:2000", created_from=later)

    assert made.id not in ids(result)


@pytest.mark.parametrize(
    "text", ["last4:42", "created:soon", "city:", "phone:1", "meta.:x", "name:a"]
)
def test_a_malformed_qualifier_is_refused_on_every_backend(service, text):
    with pytest.raises(InvalidParameter) as refused:
        page(service, text)
    assert isinstance(refused.value, SearchSyntaxError)
    assert refused.value.parameter == "q"


def test_a_forgotten_customer_is_not_found_by_any_field(service, tag):
    if not local(service):
        return
    customer = service.create(
        NewCustomer(
            email=f"{tag}@example.com",
            shipping=Shipping(name=f"Fay {tag}", address=Address(city="Zürich", country="CH")),
            metadata={"order": f"O-{tag}"},
        )
    )
    assert page(service, f"city:zurich {tag}").items

    service.request_forget(customer.id, actor=Actor(1, "privacy", "Privacy"), reason="PRIV-1")

    for text in (f"city:zurich {tag}", f"O-{tag}", f"order:O-{tag}", f"email:{tag}"):
        assert customer.id not in ids(page(service, text)), text
