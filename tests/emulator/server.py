"""Serve a ``DigitalRiverEmulator`` over real HTTP on 127.0.0.1 (a daemon thread)."""

from __future__ import annotations

import socket
import threading
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import DigitalRiverEmulator


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log on the test output."""


class EmulatorServer:
    """``start()`` serves ``app`` on ``host`` (port 0: a free port, kept across restarts);
    ``stop()`` closes the port, so the client meets a refused connection until ``start()``
    again. ``base_url`` is what a client uses as DR's base URL."""

    def __init__(
        self, app: DigitalRiverEmulator | None = None, host: str = "127.0.0.1", port: int = 0
    ):
        self.app = app or DigitalRiverEmulator()
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("the emulator has not been started")
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> EmulatorServer:
        if self._server is not None:
            return self
        server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler
        )
        self.port = server.server_port
        self.app.base_url = self.base_url
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"dr-emulator-{self.port}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and close the port (requests are refused from now on)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def restart(self) -> EmulatorServer:
        """Stop, then serve again on the same port with the same state."""
        self.stop()
        return self.start()

    @staticmethod
    def closed_port_url(host: str = "127.0.0.1") -> str:
        """A URL on a port nothing listens on (connections are refused)."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        return f"http://{host}:{port}"

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.app.close()
        self.stop()
