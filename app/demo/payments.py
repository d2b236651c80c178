"""Saved cards, VAT numbers and tax-exemption certificates of demo customers, and cards that
belong to nobody yet."""

from __future__ import annotations

import datetime as dt
import random

from ..services.customers import US_STATES
from .contact import pick
from .files import tiny_pdf, tiny_png
from .markets import CARD_BRANDS
from .pools import MarketPool, Pools, weighted
from .rows import TRUE, Batch, parse_timestamp, timestamp

CERTIFICATE_SHARE = 0.003  # of US business customers (and always the first one of a load)


def uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


class Payments:
    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.now = now
        self.brands = weighted(list(CARD_BRANDS))
        self.first_certificate_done = False

    def card(self, source_id: str, customer_id: str | None, currency: str, when: dt.datetime):
        r = self.rng.random
        brand = pick(r, self.brands)
        if currency == "JPY" and r() < 0.3:
            brand = "JCB"
        return [
            source_id,
            customer_id,
            "creditCard",
            "chargeable",
            TRUE,
            brand,
            f"{int(r() * 10000):04d}",
            str(int(r() * 12) + 1),
            str(when.year + 1 + int(r() * 5)),
            currency,
        ]

    def sources(
        self,
        batch: Batch,
        customer_id: str,
        market: MarketPool,
        name: str | None,
        email: str | None,
        created_time: str,
    ) -> list[tuple[str, str, str, int, int]]:
        """Saved cards of 30% of the customers (the first is the default), as
        (id, brand, last four, expiry month, expiry year)."""
        r = self.rng.random
        if r() >= 0.3:
            return []
        count = 1 if r() < 0.75 else (2 if r() < 0.8 else 3)
        created = parse_timestamp(created_time)
        saved = []
        for n in range(count):
            when = min(self.now, created + dt.timedelta(seconds=5 + r() * 86400 * 30 * n))
            card = self.card(uuid(self.rng), customer_id, market.market.currency, when)
            batch.sources.append((*card, name, email, timestamp(when)))
            saved.append((card[0], card[5], card[6], int(card[7]), int(card[8])))
        return saved

    def unattached(self, batch: Batch, owner: str, created_time: str, pools: Pools) -> None:
        """A chargeable, reusable card that no customer has saved."""
        r = self.rng.random
        when = min(self.now, parse_timestamp(created_time) + dt.timedelta(seconds=r() * 3600))
        currency = pick(r, pools.markets).market.currency
        card = self.card(uuid(self.rng), None, currency, when)
        batch.sources.append((*card, owner, None, timestamp(when)))

    def tax_ids(
        self, batch: Batch, customer_id: str, market: MarketPool, created_time: str
    ) -> list[tuple[str, str]]:
        """The company's VAT number (45% of the businesses of countries that have one), as
        [(type, value)]."""
        r = self.rng.random
        kind = market.market.tax_type
        if kind is None or not market.tax_ids or r() >= 0.45:
            return []
        value = pick(r, market.tax_ids) % tuple(f"{int(r() * 10000):04d}")
        roll = r()
        state = "verified" if roll < 0.7 else ("pending" if roll < 0.9 else "not_valid")
        updated = created_time if state != "pending" else None
        batch.tax_ids.append(
            (uuid(self.rng), customer_id, kind, value, state, created_time, updated)
        )
        return [(kind, value)]

    def certificate(
        self,
        batch: Batch,
        customer_id: str,
        company: str | None,
        state: str | None,
        created_time: str,
    ) -> list[tuple[str, str, dt.datetime, dt.datetime]]:
        """A US sales-tax exemption certificate (a tiny PDF or PNG) of a few businesses, as
        [(company, authority, start, end)]."""
        r = self.rng.random
        if self.first_certificate_done and r() >= CERTIFICATE_SHARE:
            return []
        self.first_certificate_done = True
        authority = state if state in US_STATES else pick(r, US_STATES)
        created = parse_timestamp(created_time)
        start = created.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start.replace(year=start.year + 1 + int(r() * 3), day=min(start.day, 28))
        kind, content = ("pdf", None) if r() < 0.6 else ("png", tiny_png())
        if content is None:
            content = tiny_pdf(f"Sales tax exemption certificate - {authority}")
        file_id = uuid(self.rng)
        name = f"exemption-certificate-{authority.lower()}.{kind}"
        purpose = "tax_document_customer_upload"
        batch.files.append((file_id, name, purpose, kind, str(len(content)), content, created_time))
        company = company or ""
        batch.certificates.append(
            (
                customer_id,
                company,
                authority,
                timestamp(start),
                timestamp(end),
                file_id,
                created_time,
            )
        )
        return [(company, authority, start, end)]
