"""Fixtures for the Digital River backend's tests: the app runs on the emulator, services are
built against it with a recording ``sleep``, and faults are injected by name (``fault``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from flask.testing import FlaskClient

from app.services.digitalriver import DigitalRiverCustomerService, build_http_client
from tests.emulator.app import DigitalRiverEmulator
from tests.emulator.server import EmulatorServer

# Longer than the read timeout (1.0 s, as in tests/conftest.py's backend_config).
SLOW_SECONDS = 1.5
READ_TIMEOUT = 1.0
WRONG_API_KEY = "sk_test_not_a_key_the_emulator_knows_7a1b"


@pytest.fixture
def backend() -> str:
    """Every test here runs the app on Digital River's API (the emulator)."""
    return "digitalriver"


@pytest.fixture
def app_api_key(request: pytest.FixtureRequest, dr_api_key: str) -> str:
    """The key the app is configured with: the test key, or (indirect parameter) "live" for
    the live key or "wrong" for a key the emulator refuses."""
    choice = getattr(request, "param", "test")
    if choice == "live":
        return request.getfixturevalue("dr_live_api_key")
    if choice == "wrong":
        return WRONG_API_KEY
    return dr_api_key


@pytest.fixture
def backend_config(backend_config: dict[str, object], app_api_key: str) -> dict[str, object]:
    return {**backend_config, "DR_API_KEY": app_api_key}


@pytest.fixture
def emulator(dr_emulator: EmulatorServer) -> DigitalRiverEmulator:
    return dr_emulator.app


@pytest.fixture
def waits() -> list[float]:
    """What the services built by ``make_service`` were told to sleep, in order."""
    return []


@pytest.fixture
def make_service(
    dr_emulator: EmulatorServer, dr_api_key: str, waits: list[float]
) -> Iterator[Callable[..., DigitalRiverCustomerService]]:
    """Build a DigitalRiverCustomerService on the emulator (or ``base_url``) whose sleeps are
    recorded in ``waits`` instead of slept; ``http_options`` go to build_http_client."""
    clients: list[httpx.Client] = []

    def make(
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        retries: int = 2,
        max_retry_after: float = 2.0,
        sleep: Callable[[float], None] | None = None,
        **http_options: Any,
    ) -> DigitalRiverCustomerService:
        key = api_key or dr_api_key
        http = build_http_client(
            base_url or dr_emulator.base_url,
            key,
            timeout=httpx.Timeout(READ_TIMEOUT, connect=READ_TIMEOUT),
            **http_options,
        )
        clients.append(http)
        return DigitalRiverCustomerService(
            http,
            live_mode=not key.startswith("sk_test_"),
            retries=retries,
            max_retry_after=max_retry_after,
            sleep=sleep or waits.append,
        )

    yield make
    for http in clients:
        http.close()


@pytest.fixture
def dr(make_service: Callable[..., DigitalRiverCustomerService]) -> DigitalRiverCustomerService:
    """A service on the emulator with the test key, 2 retries and a recording sleep."""
    return make_service()


@pytest.fixture
def agent(client_as: Callable[[str], FlaskClient], service: Any, monkeypatch) -> FlaskClient:
    """An agent's client; the app's DR client skips the backoff between retries."""
    monkeypatch.setattr(service, "_sleep", lambda seconds: None)
    return client_as("agent")


@pytest.fixture
def wrong_api_key() -> str:
    """A well-formed secret key the emulator does not know."""
    return WRONG_API_KEY


class RefuseConnections:
    """A request hook sending the next ``times`` matching requests to a port nothing listens
    on: the client meets a real refused connection (no keep-alive connection can dodge it)."""

    def __init__(self, times: int, method: str | None, path_prefix: str | None) -> None:
        self.times = times
        self.method = method
        self.path_prefix = path_prefix
        self.refused = 0
        self.port = httpx.URL(EmulatorServer.closed_port_url()).port

    def __call__(self, request: httpx.Request) -> None:
        if self.times <= 0:
            return
        if self.method and request.method != self.method.upper():
            return
        if self.path_prefix and not request.url.path.startswith(self.path_prefix):
            return
        self.times -= 1
        self.refused += 1
        request.url = request.url.copy_with(port=self.port)


def refuse_connections(
    http: httpx.Client, times: int = 1, method: str | None = None, path_prefix: str | None = None
) -> RefuseConnections:
    hook = RefuseConnections(times, method, path_prefix)
    http.event_hooks = {**http.event_hooks, "request": [*http.event_hooks["request"], hook]}
    return hook


@pytest.fixture
def refuse() -> Callable[..., RefuseConnections]:
    """``refuse(http, times, method, path_prefix)``: refuse those requests' connections."""
    return refuse_connections


def clear_faults(emulator: DigitalRiverEmulator, http: httpx.Client) -> None:
    emulator.clear_faults()
    hooks = [h for h in http.event_hooks["request"] if not isinstance(h, RefuseConnections)]
    http.event_hooks = {**http.event_hooks, "request": hooks}


@dataclass(frozen=True)
class FaultCase:
    """One way Digital River can fail. ``applied``: the request was carried out anyway."""

    name: str
    kind: str  # fail | slow | malformed | drop | refused
    applied: bool = False
    status: int | None = None

    @property
    def sends_request_id(self) -> bool:
        """Whether an answer with x-dr-requestid reaches the client."""
        return self.kind in ("fail", "malformed")

    @property
    def reaches_dr(self) -> bool:
        return self.kind != "refused"

    def inject(
        self,
        emulator: DigitalRiverEmulator,
        http: httpx.Client,
        *,
        times: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
    ) -> None:
        where = {"times": times, "method": method, "path_prefix": path_prefix}
        if self.kind == "fail":
            assert self.status is not None
            emulator.fail_next(self.status, applied=self.applied, **where)
        elif self.kind == "slow":
            emulator.slow_next(SLOW_SECONDS, applied=self.applied, **where)
        elif self.kind == "malformed":
            emulator.malformed_next(applied=self.applied, **where)
        elif self.kind == "drop":
            emulator.drop_next(applied=self.applied, **where)
        else:
            refuse_connections(http, **where)

    def clear(self, emulator: DigitalRiverEmulator, http: httpx.Client) -> None:
        clear_faults(emulator, http)


FAULTS = [
    *(
        FaultCase(f"{status}-{'applied' if applied else 'not-applied'}", "fail", applied, status)
        for status in (500, 502, 503)
        for applied in (False, True)
    ),
    FaultCase("slow-applied", "slow", True),
    FaultCase("slow-not-applied", "slow", False),
    FaultCase("malformed-applied", "malformed", True),
    FaultCase("dropped-applied", "drop", True),
    FaultCase("refused", "refused"),
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test taking ``fault`` runs once per FaultCase."""
    if "fault" in metafunc.fixturenames:
        metafunc.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
