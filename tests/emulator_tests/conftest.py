"""Fixtures for the emulator's own tests.

The DR fixtures come from tests/conftest.py (``pytest_plugins``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.emulator.server import EmulatorServer


@pytest.fixture
def dr(dr_emulator: EmulatorServer, dr_api_key: str) -> Iterator[httpx.Client]:
    """A plain httpx client on the emulator, signed with the test-mode key."""
    with httpx.Client(
        base_url=dr_emulator.base_url,
        headers={"Authorization": f"Bearer {dr_api_key}", "Accept": "application/json"},
        timeout=5,
    ) as client:
        yield client
