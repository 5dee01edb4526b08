"""A local HTTP server for the HTTP status source tests.

It listens on 127.0.0.1 with a port chosen by the system, serves from a dict
of routes, runs in a daemon thread, and stops when the test ends (or, as a
backstop, after 60 seconds), releasing any request still waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Route = Callable[[BaseHTTPRequestHandler, threading.Event], None]


@dataclass
class LocalServer:
    """What a test sees: the base URL, the routes to fill, the requests seen."""

    base: str
    routes: dict[str, Route]
    requests: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def reply(status: int, body: bytes, content_type: str = "application/json") -> Route:
    """A route that answers with ``status`` and ``body``."""

    def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    state = LocalServer(base="", routes={})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            route = state.routes.get(self.path)
            if route is None:
                reply(404, b"{}")(self, state.stop)
                return
            try:
                route(self, state.stop)
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up first (a timeout or size test).

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    host, port = server.server_address[:2]
    state.base = f"http://{host}:{port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    backstop = threading.Timer(60, server.shutdown)
    backstop.daemon = True
    backstop.start()
    try:
        yield state
    finally:
        state.stop.set()
        backstop.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
