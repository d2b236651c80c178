"""Fixtures of the demo-data tests: the app's engine, a seeding helper, and the seeded rows
read back as plain dicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, text

from app.demo import seed_customers

SEED = 7


@pytest.fixture
def engine(app: Flask) -> Engine:
    """The app's database engine."""
    return app.extensions["customer_desk"].engine


@pytest.fixture
def seed(engine: Engine) -> Callable[..., int]:
    """Seed ``count`` demo customers (random seed 7 unless told)."""

    def load(count: int, random_seed: int | None = SEED) -> int:
        return seed_customers(engine, count, random_seed=random_seed)

    return load


def rows(engine: Engine, table: str, order: str = "1") -> list[dict[str, Any]]:
    with engine.connect() as connection:
        result = connection.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))
        return [dict(row._mapping) for row in result]


@pytest.fixture
def read(engine: Engine) -> Callable[..., list[dict[str, Any]]]:
    """Every row of a table, as dicts, in the given order."""

    def read_table(table: str, order: str = "1") -> list[dict[str, Any]]:
        return rows(engine, table, order)

    return read_table
