"""Read-access events: who saw which masked fields of which customer, when and why. A staff
member whose roles see personal data masked (services/masking.py) records one with each
reveal; the privacy page lists them, and a subject access export includes them. They name
fields, never their values, and live in the SQL database on both backends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from .actors import Actor
from .forget import required_text
from .local.db import make_session_factory, read_connection
from .local.models import ReadAccessRow, plain_columns


@dataclass(frozen=True)
class ReadAccess:
    id: int
    occurred_time: dt.datetime
    staff_username: str
    customer_id: str
    fields: tuple[str, ...]
    reason: str


def clean_reason(reason: str | None) -> str:
    return required_text(reason, missing="Say why you need to see this customer's data.")


def _read(row: Any) -> ReadAccess:
    return ReadAccess(
        id=row.id,
        occurred_time=row.occurred_time.replace(tzinfo=dt.UTC),
        staff_username=row.staff_username,
        customer_id=row.customer_id,
        fields=tuple(row.fields or ()),
        reason=row.reason,
    )


class ReadAccessLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = make_session_factory(engine)

    def record(
        self, customer_id: str, fields: Sequence[str], *, reason: str, actor: Actor
    ) -> ReadAccess:
        row = ReadAccessRow(
            occurred_time=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            staff_id=actor.id,
            staff_username=actor.username,
            customer_id=customer_id,
            fields=list(fields),
            reason=clean_reason(reason),
        )
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return _read(row)

    def newest(self, customer_id: str | None = None, limit: int = 200) -> tuple[ReadAccess, ...]:
        """The newest events, of one customer or of all."""
        table = ReadAccessRow.__table__.c
        statement = select(*plain_columns(ReadAccessRow))
        if customer_id:
            statement = statement.where(table.customer_id == customer_id)
        statement = statement.order_by(table.occurred_time.desc(), table.id.desc()).limit(limit)
        with read_connection(self.engine) as connection:
            return tuple(_read(r) for r in connection.execute(statement))
