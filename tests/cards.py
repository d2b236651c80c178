"""Saved cards on the local store, for tests that search or show them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from app.services.local.models import SourceRow


def save_card(service, customer_id: str, brand: str, last_four: str) -> str:
    """Save a chargeable card of this brand and last four to the customer, as DigitalRiver.js
    creates a source and the desk attaches it (the local store only: DR's emulator makes
    every test card a Visa ending 1111). Returns the source id."""
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
                created_time=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            )
        )
        session.commit()
    service.attach_source(customer_id, source_id)
    return source_id
