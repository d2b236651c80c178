"""Demo customers as rows: a random walk through the pools, repeatable for a given seed.

The mix: about a fifth are businesses (with a company, most with an address at its domain,
some with a VAT number, a few US ones with a tax-exemption certificate); 5% are disabled; a
few share an email with an earlier customer (typed in another case); most have a shipping
block with a phone in their country's format; some carry metadata; 30% have saved cards. One
card in about fifty belongs to nobody (chargeable and reusable: what "attach a source" needs).
"""

from __future__ import annotations

import binascii
import datetime as dt
import json
import random
from collections.abc import Sequence
from typing import Any

from ..services import index_text, links
from . import contact, payments
from .contact import Person, pick
from .history import History
from .markets import METADATA_CHANNELS, METADATA_SEGMENTS, METADATA_TIERS
from .pools import Pools
from .rows import FALSE, TRUE, Batch, C, timestamp

SPAN = dt.timedelta(days=3 * 365)
BUSINESSES = 0.2
DISABLED = 0.05
FORGOTTEN = 0.002
UNATTACHED_SOURCES = 0.02  # per customer


class Generator:
    def __init__(
        self,
        rng: random.Random,
        pools: Pools,
        now: dt.datetime,
        taken_ids: set[str],
        *,
        history_share: float = 1.0,
        id_stride: int = 1,
        id_offset: int = 0,
    ) -> None:
        self.rng = rng
        self.pools = pools
        self.now = now
        self.start = now - SPAN
        self.taken_ids = taken_ids
        self.recent = contact.RecentEmails(rng)
        self.payments = payments.Payments(rng, now)
        self.history = History(rng, now, history_share)
        self.id_stride, self.id_offset = id_stride, id_offset

    def uuid(self) -> str:
        return payments.uuid(self.rng)

    def customer_id(self) -> str:
        """A new id in one of the styles integrators use, none the store already holds."""
        while True:
            candidate = self.id_candidate()
            if candidate not in self.taken_ids:
                self.taken_ids.add(candidate)
                return candidate

    def id_candidate(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            # DR generates numeric ids (see rules.generate_customer_id); workers draw from
            # disjoint residues, so theirs never collide.
            number = (self.rng.getrandbits(27) % (10**8 // self.id_stride)) * self.id_stride
            return f"{number + self.id_offset:08d}0336"
        raw = self.rng.getrandbits(96).to_bytes(12, "little")
        token = binascii.b2a_base64(raw, newline=False).decode().replace("+", "x").replace("/", "z")
        if r < 0.85:
            return "cus_" + token
        if r < 0.95:
            return "acct-" + token[:12].lower()
        return "CRM-" + token[:10].upper()

    def times(self, first: int, size: int, total: int) -> list[str]:
        """Creation times of customers ``first`` .. ``first + size - 1`` out of ``total``:
        each gets a random moment in its own slice of the last three years (so they are
        sorted and unique to the microsecond), and the slices crowd towards now, as a
        growing business's sign-ups do."""
        span_us = SPAN.total_seconds() * 1_000_000 - 1_000_000
        r = self.rng.random
        start, delta = self.start, dt.timedelta
        out: list[str] = []
        for index in range(first, first + size):
            # Jitter within 90% of the slice keeps neighbours apart by whole seconds.
            position = ((index + 0.9 * r()) / total) ** 0.75
            out.append(timestamp(start + delta(microseconds=int(position * span_us))))
        return out

    def batch(self, created: Sequence[str]) -> Batch:
        batch = Batch()
        r = self.rng.random
        for created_time in created:
            self.customer(batch, created_time)
            if r() < UNATTACHED_SOURCES:
                owner = self.someone()
                self.payments.unattached(batch, owner.name, created_time, self.pools)
        return batch

    def someone(self) -> Person:
        """A person of any culture (the owner of a card nobody has saved yet)."""
        r = self.rng.random
        return contact.person(r, pick(r, self.pools.cultures), at_home=False)

    def metadata(self) -> dict[str, str] | None:
        r = self.rng.random
        if r() >= 0.12:
            return None
        meta: dict[str, str] = {"crmId": f"CRM-{int(r() * 10**7):07d}"}
        if r() < 0.6:
            meta["segment"] = pick(r, METADATA_SEGMENTS)
        if r() < 0.5:
            meta["channel"] = pick(r, METADATA_CHANNELS)
        if r() < 0.3:
            meta["loyaltyTier"] = pick(r, METADATA_TIERS)
        return meta

    def contact(self) -> tuple[Any, ...]:
        """Who the customer is: (country, locale pool, person, company, email, business)."""
        r = self.rng.random
        markets = self.pools.markets
        market = markets[int(r() * len(markets))]
        pool = market.locales[int(r() * len(market.locales))]
        culture = pool.cultures[int(r() * len(pool.cultures))]
        who = contact.person(r, culture, at_home=culture.locale == pool.locale)
        business = r() < BUSINESSES
        company, label = contact.organization(r, pool) if business else (None, None)
        shared = self.recent.reuse()
        if shared is not None:
            address, country, other = shared
            if country == market.market.code and r() < 0.8:
                who = other
        else:
            address = contact.email(r, pool, who, label)
        if address is not None:
            self.recent.remember(address, market.market.code, who)
        return market, pool, who, company, address, business

    def customer(self, batch: Batch, created_time: str) -> None:
        r = self.rng.random
        market, pool, who, company, address, business = self.contact()
        code = market.market.code
        if business or r() < 0.92:
            ship, phone_forms, e164 = contact.shipping(r, pool, code, who, company, address)
        else:
            ship, phone_forms, e164 = (None,) * 13, [], None
        locale = pool.dr_locale if r() < 0.88 else None
        ctype = "business" if business else ("individual" if r() < 0.9 else None)
        customer_id = self.customer_id()
        enabled = r() >= DISABLED
        forgotten = r() < FORGOTTEN
        metadata = self.metadata()
        pays = self.payments
        owner = (None, None) if forgotten else (who.name, address)
        sources = pays.sources(batch, customer_id, market, *owner, created_time)
        tax_ids = certificates = ()
        if business and not forgotten:
            tax_ids = pays.tax_ids(batch, customer_id, market, created_time)
            if code == "US":
                certificates = pays.certificate(batch, customer_id, company, ship[8], created_time)
        row = [customer_id, address, address.lower() if address else None, ctype, locale]
        row += [TRUE if enabled else FALSE, TRUE if forgotten else FALSE]
        search_text = index_text.layout(
            index_text.customer_fields(
                name=ship[0],
                emails=(address, ship[2]),
                phone_forms=phone_forms,
                organization=ship[3],
                postal_code=ship[7],
                city=ship[6],
                country=ship[9],
                state=ship[8],
                tax_values=[value for _, value in tax_ids],
                metadata=metadata,
                cards=[(brand, last4) for _, brand, last4, *_ in sources],
            )
        )
        meta_text = json.dumps(metadata) if metadata is not None else None
        row += [sources[0][0] if sources else None, FALSE, *ship, meta_text, search_text]
        row += [created_time, None, 1]
        self.history.write(batch, row, pool, sources, tax_ids, certificates)
        batch.customers.append(tuple(row))
        if not forgotten:
            keys = links.keys_of_parts(
                email=row[C["email"]],
                phone=row[C["ship_phone"]],
                country=row[C["addr_country"]],
                line1=row[C["addr_line1"]],
                postal_code=row[C["addr_postal_code"]],
                cards=[card[1:] for card in sources],
                tax_values=[value for _, value in tax_ids],
                metadata=metadata,
                e164=e164,
            )
            batch.links.extend((customer_id, k.reason, k.key, created_time) for k in keys)
