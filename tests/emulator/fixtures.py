"""pytest fixtures for code that talks to Digital River: load with
``pytest_plugins = ["tests.emulator.fixtures"]`` in a conftest.py.

- ``dr_emulator``: an ``EmulatorServer`` serving a fresh ``DigitalRiverEmulator`` on
  127.0.0.1 (``.base_url``, ``.app``, ``.stop()``, ``.start()``, ``.closed_port_url()``).
  At teardown it asserts that every request and response conformed to DR's OpenAPI document
  (``app.schema_violations == []``; after ``app.expect_invalid_requests()`` only the
  responses must) and that the emulator itself did not crash.
- ``dr_api_key`` / ``dr_live_api_key``: the test-mode and live-mode secret keys it accepts.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .app import LIVE_API_KEY, TEST_API_KEY, DigitalRiverEmulator
from .server import EmulatorServer


@pytest.fixture
def dr_api_key() -> str:
    """A test-mode secret key (``sk_test_…``) the emulator accepts."""
    return TEST_API_KEY


@pytest.fixture
def dr_live_api_key() -> str:
    """A live-mode secret key (``sk_…``) the emulator accepts; its objects are kept apart."""
    return LIVE_API_KEY


@pytest.fixture
def dr_emulator(dr_api_key: str, dr_live_api_key: str) -> Iterator[EmulatorServer]:
    """A running DR emulator; stopped after the test, which fails on schema violations."""
    app = DigitalRiverEmulator(api_keys={dr_api_key, dr_live_api_key})
    server = EmulatorServer(app).start()
    try:
        yield server
    finally:
        app.close()
        server.stop()
    problems = app.unexpected_violations() + app.crashes
    assert problems == [], "the DR emulator saw:\n" + "\n".join(problems)
