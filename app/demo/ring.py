"""A fraud ring for the demo, the tests and the benchmark: customers made through the local
store's own writes (so their link keys are kept as any change keeps them) that share one
mailbox written many ways, one device, and, for some of them, one phone, one shipping address
and one card, the way rings that reuse more than an email look."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from faker import Faker
from sqlalchemy.orm import Session

from ..services.actors import SYSTEM, Actor
from ..services.blocks import Blocks
from ..services.customers import Address, NewCustomer, Shipping
from ..services.local.models import SourceRow
from ..services.local.store import LocalCustomerService

# One mailbox, as people type it: Gmail ignores dots and everything after a "+".
_MAILBOX = ("sam", "riv", "era")
_PHONES = ("+44 7700 900481", "07700 900481", "+447700900481", "0044 7700 900 481")
_LINES = ("12 Baker Street", "12 baker st.", "12 BAKER STREET", "12, Baker Street")
_POSTCODES = ("NW1 6XE", "nw16xe", "NW1 6XE")


@dataclass(frozen=True)
class Ring:
    ids: tuple[str, ...]  # oldest first
    device_id: str
    card: tuple[str, str, int, int]  # brand, last four, month, year


def make_ring(
    service: LocalCustomerService,
    size: int,
    *,
    seed: int = 7,
    id_prefix: str | None = None,
) -> Ring:
    """Create ``size`` linked customers (ids ``<prefix>001`` … when a prefix is given).
    Every one shares the mailbox and the device; three in four the phone, one in two the
    address, one in three the card."""
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    device_id = f"dev-{rng.getrandbits(64):016x}"
    card = ("Visa", f"{rng.randrange(10000):04d}", 1 + rng.randrange(12), 2029 + rng.randrange(4))
    ids = []
    for n in range(size):
        local = _spelled(rng) + f"+{n}"
        phone = _PHONES[n % len(_PHONES)] if n % 4 != 3 else fake.phone_number()
        if n % 2 == 0:
            line1, postcode = _LINES[n % len(_LINES)], _POSTCODES[n % len(_POSTCODES)]
        else:
            line1, postcode = fake.street_address().split("\n")[0], fake.postcode()
        customer = service.create(
            NewCustomer(
                id=f"{id_prefix}{n + 1:03d}" if id_prefix else None,
                email=f"{local}@{'googlemail.com' if n % 5 == 4 else 'gmail.com'}",
                shipping=Shipping(
                    name=fake.name(),
                    phone=phone,
                    address=Address(line1=line1, city="London", postal_code=postcode, country="GB"),
                ),
                type="individual",
                locale="en_US",
                metadata={"deviceId": device_id, "channel": "web"},
            ),
            actor=SYSTEM,
        )
        if n % 3 == 0:
            _save_card(service, customer.id, card)
        ids.append(customer.id)
    return Ring(tuple(ids), device_id, card)


DEMO_RING_SIZE = 40
DEMO_RING_BLOCKED = 5
DEMO_FRAUD = Actor(None, "fraud", "Demo fraud")


def seed_demo_ring(
    service: LocalCustomerService,
    blocks: Blocks,
    *,
    size: int = DEMO_RING_SIZE,
    blocked: int = DEMO_RING_BLOCKED,
) -> Ring:
    """The demo's ring (``ring-001`` …), its newest ``blocked`` members already disabled for
    suspected fraud with review dates in the past, so the review queue has work in it."""
    ring = make_ring(service, size, seed=2021, id_prefix="ring-")
    today = blocks.today()
    for n, customer_id in enumerate(ring.ids[-blocked:] if blocked else ()):
        note = "Demo: one mailbox and device across the ring"
        service.set_enabled(
            customer_id, False, reason_code="suspected_fraud", note=note, actor=DEMO_FRAUD
        )
        blocks.record(
            customer_id,
            reason_code="suspected_fraud",
            note=note,
            review_by=today - dt.timedelta(days=1 + n),
            actor=DEMO_FRAUD,
        )
    return ring


def _spelled(rng: random.Random) -> str:
    """The mailbox's local part with dots in new places (and sometimes in capitals)."""
    text = ""
    for part in _MAILBOX:
        text += part + ("." if rng.random() < 0.5 else "")
    text = text.rstrip(".")
    return text.upper() if rng.random() < 0.1 else text


def _save_card(
    service: LocalCustomerService, customer_id: str, card: tuple[str, str, int, int]
) -> None:
    """A new chargeable card source with the ring's card details, saved to the customer."""
    brand, last_four, month, year = card
    source_id = str(uuid.uuid4())
    with Session(service.engine) as session:
        session.add(
            SourceRow(
                id=source_id,
                type="creditCard",
                state="chargeable",
                reusable=False,
                brand=brand,
                last_four=last_four,
                expiration_month=month,
                expiration_year=year,
                currency="GBP",
                created_time=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            )
        )
        session.commit()
    service.attach_source(customer_id, source_id, actor=SYSTEM)


__all__ = ["DEMO_RING_SIZE", "Ring", "make_ring", "seed_demo_ring"]
