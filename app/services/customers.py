"""The customer as Digital River defines it, as plain frozen values, and the service protocol
that every backend (local store, Digital River API) implements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from . import geography
from .actors import Actor

if TYPE_CHECKING:  # the protocol only names it; privacy needs the database layer
    from .privacy import ForgetRequest


class _Unset(Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset.UNSET
"""Marks a field an update leaves alone (None would mean "clear it")."""

CUSTOMER_TYPES = ("individual", "business")

# DR's supported invoice / credit-memo locales (24), in the order DR's docs list them.
SUPPORTED_LOCALES = (
    "fr_BE", "fr_CH", "fr_FR", "fr_CA", "it_CH", "it_IT", "nl_BE", "nl_NL", "no_NO", "pl_PL",
    "ja_JP", "ro_RO", "ko_KR", "zh_CN", "zh_TW", "cs_CZ", "da_DK", "fi_FI", "de_AT", "de_CH",
    "de_DE", "es_ES", "sv_SE", "en_US",
)  # fmt: skip

METADATA_MAX_KEYS = 20
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500
CUSTOMER_ID_MAX_LENGTH = 40

# The longest shipping values the console keeps, by DR parameter. DR documents no limits for
# these; they are the local store's column widths, and the forms and both backends refuse a
# longer value at its field (the country is a two-letter code, checked as such).
SHIPPING_MAX_LENGTHS = {
    "shipping.name": 255,
    "shipping.phone": 64,
    "shipping.organization": 255,
    "shipping.address.line1": 255,
    "shipping.address.line2": 255,
    "shipping.address.city": 255,
    "shipping.address.postalCode": 32,
    "shipping.address.state": 64,
    "shipping.additionalAddressInfo.neighborhood": 255,
    "shipping.additionalAddressInfo.division": 255,
    "shipping.additionalAddressInfo.phoneticName": 255,
}


@dataclass(frozen=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    state: str | None = None
    country: str | None = None

    def is_empty(self) -> bool:
        return not any(
            (self.line1, self.line2, self.city, self.postal_code, self.state, self.country)
        )


@dataclass(frozen=True)
class AdditionalAddressInfo:
    neighborhood: str | None = None
    division: str | None = None
    phonetic_name: str | None = None

    def is_empty(self) -> bool:
        return not any((self.neighborhood, self.division, self.phonetic_name))


@dataclass(frozen=True)
class Shipping:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    organization: str | None = None
    address: Address = field(default_factory=Address)
    additional_address_info: AdditionalAddressInfo = field(default_factory=AdditionalAddressInfo)

    def is_empty(self) -> bool:
        return (
            not any((self.name, self.phone, self.email, self.organization))
            and self.address.is_empty()
            and self.additional_address_info.is_empty()
        )


@dataclass(frozen=True)
class Source:
    id: str
    type: str
    state: str
    reusable: bool
    created_time: dt.datetime
    brand: str | None = None
    last_four: str | None = None
    expiration_month: int | None = None
    expiration_year: int | None = None
    currency: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    # DR's authentication flow (standard, redirect, receiver); the local store keeps none.
    flow: str | None = None

    @property
    def display_name(self) -> str:
        """How the source is named everywhere (page, messages, audit trail): "Visa •••• 2930 ·
        04/30"; without a brand its type's name ("Wire transfer", "PayPal"); the last four and
        the expiry only where the source has them."""
        return source_name(
            self.type, self.brand, self.last_four, self.expiration_month, self.expiration_year
        )


def source_name(
    source_type: str,
    brand: str | None,
    last_four: str | None,
    month: int | None = None,
    year: int | None = None,
) -> str:
    """``Source.display_name`` from the parts (for those holding only the parts)."""
    name = brand or source_type_name(source_type)
    if last_four:
        name += f" •••• {last_four}"
    if month and year:
        name += f" · {month:02d}/{year % 100:02d}"
    return name


# DR's source types whose name is not just their spelling split into words.
SOURCE_TYPE_NAMES = {
    "creditCard": "Card",
    "payPal": "PayPal",
    "payPalBilling": "PayPal billing",
    "payPalCredit": "PayPal Credit",
    "payPalPayLater": "PayPal Pay Later",
    "googlePay": "Google Pay",
    "applePay": "Apple Pay",
    "directDebit": "Direct debit",
    "wireTransfer": "Wire transfer",
    "onlineBanking": "Online banking",
    "bPay": "BPAY",
    "konbini": "Konbini",
    "msts": "MSTS",
}


def source_type_name(source_type: str) -> str:
    """``wireTransfer`` → ``Wire transfer``: a known type's name, else its camel-case words."""
    known = SOURCE_TYPE_NAMES.get(source_type)
    if known is not None:
        return known
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in source_type).strip()
    return words[:1].upper() + words[1:] if words else "Payment source"


@dataclass(frozen=True)
class TaxIdentifier:
    id: str
    type: str
    value: str
    state: str
    created_time: dt.datetime
    updated_time: dt.datetime | None = None


@dataclass(frozen=True)
class TaxCertificate:
    company_name: str
    tax_authority: str
    start_date: dt.datetime
    end_date: dt.datetime
    file_id: str


@dataclass(frozen=True)
class Customer:
    id: str
    created_time: dt.datetime
    email: str | None = None
    shipping: Shipping = field(default_factory=Shipping)
    type: str | None = None
    locale: str | None = None
    enabled: bool = True
    request_to_be_forgotten: bool = False
    default_source_id: str | None = None
    sources: tuple[Source, ...] = ()
    tax_identifiers: tuple[TaxIdentifier, ...] = ()
    tax_certificates: tuple[TaxCertificate, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    live_mode: bool = False
    updated_time: dt.datetime | None = None
    version: int = 1
    # Keys whose value DR holds as JSON (true, 5, {"lang": "de"}), not as text: ``metadata``
    # holds that JSON as text, and a changed value is sent back as the JSON it spells.
    metadata_json: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CustomerSummary:
    """What a search row shows; cheaper than the whole customer."""

    id: str
    created_time: dt.datetime
    email: str | None
    name: str | None
    organization: str | None
    phone: str | None
    postal_code: str | None
    country: str | None
    type: str | None
    locale: str | None
    enabled: bool
    request_to_be_forgotten: bool
    # The rest of the shipping address (exports carry it; the list shows country and postcode).
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None


@dataclass(frozen=True)
class NewCustomer:
    """A create request. ``id`` None means the backend generates one."""

    id: str | None = None
    email: str | None = None
    shipping: Shipping | None = None
    type: str | None = None
    locale: str | None = None
    enabled: bool = True
    metadata: Mapping[str, str] = field(default_factory=dict)

    def describes(self, customer: Customer) -> bool:
        """Whether ``customer`` holds exactly what this request would create (so a create
        answered "already exists" was this very request, applied by an earlier attempt)."""
        return (
            self.id == customer.id
            and (self.email or None) == customer.email
            and (self.shipping or Shipping()) == customer.shipping
            and (self.type or None) == customer.type
            and (self.locale or None) == customer.locale
            and self.enabled == customer.enabled
            and {k: v for k, v in self.metadata.items() if v} == dict(customer.metadata)
        )


@dataclass(frozen=True)
class CustomerUpdate:
    """A partial update: fields left UNSET are not touched. ``metadata`` merges; a key
    with an empty value is removed. ``shipping`` replaces the whole shipping block."""

    email: str | None | _Unset = UNSET
    shipping: Shipping | None | _Unset = UNSET
    type: str | None | _Unset = UNSET
    locale: str | None | _Unset = UNSET
    metadata: Mapping[str, str] | _Unset = UNSET


@dataclass(frozen=True)
class Cursor:
    """A keyset position: the (createdTime, id) of a row, newest first."""

    created_time: dt.datetime
    id: str


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    enabled: bool | None = None
    type: str | None = None
    locale: str | None = None
    forget_requested: bool | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    after: Cursor | None = None
    before: Cursor | None = None
    limit: int = 25
    oldest_first: bool = False
    # Whether the page should say how many match (up to COUNT_CAP; exports do not ask).
    count: bool = True


@dataclass(frozen=True)
class SearchPage:
    items: tuple[CustomerSummary, ...]
    next_cursor: Cursor | None = None
    prev_cursor: Cursor | None = None
    exact_id_match: CustomerSummary | None = None
    notice: str | None = None
    # How many customers match the whole search: exact up to COUNT_CAP, COUNT_CAP + 1 for
    # "more than that"; None when the backend cannot count (Digital River).
    total: int | None = None


# A search counts its matches up to this many, never the whole table.
COUNT_CAP = 1000
EXPORT_BATCH = 100  # a search page's largest size, on both backends


def every_match(
    service: CustomerService, query: SearchQuery, *, limit: int
) -> Iterator[CustomerSummary]:
    """Every customer ``query`` finds, newest first, at most ``limit``: one search page after
    the other through the keyset cursor, so memory stays that of one page however many
    match (an export of a million customers holds a hundred at a time)."""
    after = None
    left = limit
    while left > 0:
        page = service.search(
            replace(query, after=after, before=None, limit=min(EXPORT_BATCH, left), count=False)
        )
        yield from page.items[:left]
        left -= len(page.items)
        if page.next_cursor is None or not page.items:
            return
        after = page.next_cursor


# -- linked customers (services/links.py derives the keys) --------------------------------

# The reasons in the order the panel shows them, with their headings.
LINK_REASONS = {
    "email": "Same email",
    "phone": "Same phone",
    "address": "Same shipping address",
    "card": "Same card",
    "tax_id": "Same tax identifier",
    "metadata": "Same metadata value",
}
LINK_GROUP_LIMIT = 50  # the most members a group lists (its count says how many there are)
LINK_COUNT_CAP = 1000  # a group counts its members up to this many ("more than 1,000")


@dataclass(frozen=True)
class LinkGroup:
    """The other customers that share one thing: at most LINK_GROUP_LIMIT, newest first, with how
    many there are in all (up to LINK_COUNT_CAP + 1) and how many of them are disabled."""

    reason: str
    shown: str
    members: tuple[CustomerSummary, ...]
    total: int
    disabled: int
    # ``total`` counts up to this many; above it the count is ``cap + 1`` ("more than").
    cap: int = LINK_COUNT_CAP

    @property
    def heading(self) -> str:
        return LINK_REASONS[self.reason]

    @property
    def more(self) -> bool:
        return self.total > len(self.members)

    @property
    def beyond_count(self) -> bool:
        return self.total > self.cap


@dataclass(frozen=True)
class Links:
    """A customer's linked customers, group by group, in the order of LINK_REASONS."""

    groups: tuple[LinkGroup, ...] = ()
    # How many distinct other customers share anything (up to LINK_COUNT_CAP + 1).
    total: int = 0
    # The reasons the backend looked at and found nobody for.
    checked: tuple[str, ...] = ()
    # Reason -> why the backend cannot answer it (Digital River: exact email only).
    unavailable: Mapping[str, str] = field(default_factory=dict)

    def ids(self) -> list[str]:
        """Every listed member once, in the order shown."""
        seen: dict[str, None] = {}
        for group in self.groups:
            for member in group.members:
                seen.setdefault(member.id, None)
        return list(seen)


# -- bulk blocks -----------------------------------------------------------------------------

# What became of one customer of a bulk block, as the result page names it.
BLOCK_OUTCOMES = {
    "pending": "Not answered yet",
    "disabled": "Disabled",
    "skipped_disabled": "Skipped: already disabled",
    "skipped_forgotten": "Skipped: forgotten",
    "not_found": "Skipped: not found",
    "failed": "Failed",
}
BULK_BLOCK_MAX = 500  # the most customers one bulk block disables


@dataclass(frozen=True)
class BlockOutcome:
    customer_id: str
    outcome: str  # a key of BLOCK_OUTCOMES other than "pending"
    error: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class SearchCapabilities:
    """What a backend's search can do; the search page disables what it cannot, saying why."""

    substring: bool = True
    email_prefix: bool = True
    # Filter name (as on the search form) -> one-line reason it is unavailable.
    unavailable_filters: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None
    # What the box looks in, as an empty result says it ("Searched … for “gmail”").
    searched: str = (
        "ids, emails, names, phones, organizations, postal codes, cities, states, "
        "card last fours, tax ids and metadata"
    )
    # The qualifiers the backend can search by (None: every one of ``terms.QUALIFIERS``).
    qualifiers: frozenset[str] | None = None


class CustomerService(Protocol):
    """What every customer backend offers. Methods raise only ``app.services.errors``."""

    backend_name: str
    live_mode: bool
    capabilities: SearchCapabilities

    def get(self, customer_id: str) -> Customer:
        """Return one customer or raise CustomerNotFound."""
        ...

    def ping(self) -> None:
        """Return when the backend answers now; BackendUnavailable or BackendRefused when it
        does not (one quick attempt, no retries: for readiness probes)."""
        ...

    def create(self, new: NewCustomer, *, actor: Actor = ...) -> Customer:
        """Create a customer under DR's rules and return it (audited as ``actor``)."""
        ...

    def update(
        self,
        customer_id: str,
        changes: CustomerUpdate,
        *,
        expected_version: int | None = None,
        actor: Actor = ...,
        action: str = "customer.update",
        note: str | None = None,
    ) -> Customer:
        """Apply a partial update and return the customer as stored; ``action`` names the
        change in the audit trail (e.g. ``metadata.update``), ``note`` says more about it."""
        ...

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one keyset page of customers, newest first."""
        ...

    def summaries(self, ids: Sequence[str]) -> dict[str, CustomerSummary]:
        """The summary of each of these customers the backend holds, by id (one read)."""
        ...

    def sharing_email(self, customer: Customer, limit: int = 20) -> tuple[CustomerSummary, ...]:
        """Other customers with the same email (any case), newest first."""
        ...

    def linked(self, customer: Customer, *, metadata_keys: Sequence[str] = ()) -> Links:
        """The other customers that share something with ``customer``, a group per thing
        shared (``services.links``), metadata only for ``metadata_keys``; the reasons the
        backend cannot look up are named in ``Links.unavailable``."""
        ...

    def disable_many(
        self,
        customer_ids: Sequence[str],
        *,
        reason_code: str,
        note: str | None,
        actor: Actor,
        batch_id: str,
    ) -> tuple[BlockOutcome, ...]:
        """Disable each of these customers with one reason, each with its own audit event
        carrying ``batch_id``; one outcome per customer, in order. Customers already disabled,
        forgotten or not found are skipped. The local store does it in one transaction; Digital
        River customer by customer, a few at a time, each failure its own outcome. A bad
        reason or note raises before anything changes."""
        ...

    # -- inline workflows: each checks ``expected_version`` (StaleVersion when the customer
    # changed since), changes the version and records one audit event as ``actor``.

    def set_enabled(
        self,
        customer_id: str,
        enabled: bool,
        *,
        reason_code: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
        actor: Actor = ...,
    ) -> Customer:
        """Enable or disable, saying why: a reason from DISABLE_REASONS, or ENABLE_REASONS to
        enable (missing_parameter on ``reason``); ``other`` needs a note (missing_parameter on
        ``note``)."""
        ...

    def attach_source(
        self,
        customer_id: str,
        source_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = ...,
    ) -> Customer:
        """Save a chargeable, reusable source to the customer; the first becomes the default.
        Refusals (parameter sourceId): not_found, already_exists, nonreusable_source,
        source_in_use, source_not_chargeable."""
        ...

    def detach_source(
        self,
        customer_id: str,
        source_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = ...,
    ) -> Customer:
        """Detach (and so cancel for good) one of the customer's sources; detaching the default
        leaves no default."""
        ...

    def set_default_source(
        self,
        customer_id: str,
        source_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = ...,
    ) -> Customer:
        """Make one of the customer's attached sources the default (else invalid_parameter on
        ``defaultSourceId``)."""
        ...

    def add_tax_identifier(
        self,
        customer_id: str,
        type_: str,
        value: str,
        *,
        expected_version: int | None = None,
        actor: Actor = ...,
    ) -> Customer:
        """Add a tax identifier (pending, or verified for DR's test values); at most one per
        type (already_exists on ``type``)."""
        ...

    def remove_tax_identifier(
        self,
        customer_id: str,
        tax_identifier_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = ...,
    ) -> Customer:
        """Remove (delete) one of the customer's tax identifiers (else not_found on ``id``)."""
        ...

    def add_tax_certificate(
        self,
        customer_id: str,
        certificate: NewTaxCertificate,
        *,
        expected_version: int | None = None,
        actor: Actor = ...,
    ) -> Customer:
        """Upload the certificate's file (PDF, JPG or PNG by content, at most 10 MB) and add
        the certificate to the customer."""
        ...

    def get_file(self, file_id: str) -> StoredFile:
        """An uploaded file with its bytes, or CustomerNotFound (parameter ``fileId``)."""
        ...

    def request_forget(
        self,
        customer_id: str,
        *,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ForgetRequest:
        """Record the customer's request to be forgotten and carry it out: the local store
        erases the personal data at once (status ``erased``); DR is sent
        ``requestToBeForgotten: true`` (status ``requested``, or ``failed`` with the error,
        re-raised, and retried by calling again). A blank ``reason``: missing_parameter on
        ``reason``; a standing request or a customer already forgotten: Conflict
        ``already_forgotten``. Afterwards every write to the customer raises
        CustomerForgotten; reads still work. On DR an answer that leaves it unclear whether
        the flag was set is settled by reading the customer back; if that fails too the
        request is returned as ``unknown``."""
        ...

    def check_forget(
        self, customer_id: str, *, customer: Customer | None = None
    ) -> ForgetRequest | None:
        """The customer's request to be forgotten (None: there is none), its outcome settled
        from what the backend holds when it was ``unknown``: by ``customer`` if it was just
        read, else by reading it. Unchanged while the backend cannot be read."""
        ...

    def check_forget_requests(self, requests: Sequence[ForgetRequest]) -> tuple[ForgetRequest, ...]:
        """``requests`` (a listed page) with their ``unknown`` ones settled, a bounded number
        of reads at most."""
        ...


DISABLE_REASONS = {
    "suspected_fraud": "Suspected fraud",
    "chargeback": "Chargeback",
    "account_takeover": "Account takeover",
    "customer_request": "Customer request",
    "other": "Other",
}

# Why a disabled customer is enabled again (``other`` needs a note, as when disabling).
ENABLE_REASONS = {
    "verified_with_customer": "Verified with the customer",
    "blocked_in_error": "Blocked in error",
    "fraud_review_cleared": "Fraud review cleared",
    "other": "Other (explain in the note)",
}

# Every reason an audit event may carry, by its code, as the screens show it.
REASON_LABELS = {**DISABLE_REASONS, **ENABLE_REASONS, "other": "Other"}

# Source types DR can save to a customer (the rest are single-use by nature).
SAVEABLE_SOURCE_TYPES = ("creditCard", "payPalBilling", "directDebit", "klarnaCreditRecurring")

# DR's tax identifier types (tax identifiers guide).
TAX_IDENTIFIER_TYPES = [
    "ae",
    "at",
    "au",
    "be",
    "bg",
    "bh",
    "br",
    "br_ie",
    "br_natural",
    "by",
    "ca",
    "ch",
    "cl",
    "co",
    "cy",
    "cz",
    "de",
    "dk",
    "ee",
    "es",
    "fi",
    "fr",
    "gr",
    "hr",
    "hu",
    "id",
    "ie",
    "in",
    "is",
    "it",
    "it_cf",
    "it_natural",
    "jp",
    "jp_offshore",
    "ke",
    "kr_offshore",
    "lt",
    "lu",
    "lv",
    "mt",
    "mx_natural",
    "my",
    "nl",
    "no",
    "nz",
    "ph",
    "pl",
    "pt",
    "pt_nif",
    "ro",
    "ru",
    "ru_natural",
    "sa",
    "se",
    "sg",
    "si",
    "sk",
    "th",
    "tr",
    "tw",
    "tw_offshore",
    "ua",
    "uk",
    "za",
]

# Issuing authorities of US tax-exemption certificates (USPS codes), from ISO 3166-2.
US_STATES = list(geography.us_tax_authorities())

TAX_CERTIFICATE_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class NewTaxCertificate:
    company_name: str
    tax_authority: str
    start_date: dt.datetime
    end_date: dt.datetime
    file_name: str
    content: bytes


@dataclass(frozen=True)
class StoredFile:
    id: str
    file_name: str
    type: str
    size: int
    content: bytes
