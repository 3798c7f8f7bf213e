"""Small real servers on 127.0.0.1 for tests: an HTTP server that answers from a table and records every
request, and a TCP listener."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpServer:
    url: str
    routes: dict[str, tuple[int, Any]]
    requests: list[Recorded] = field(default_factory=list)


@contextmanager
def http_server(routes: dict[str, tuple[int, Any]]) -> Iterator[HttpServer]:
    """Answers ``routes[path] = (status, json body)`` (404 otherwise) and records each request."""
    state = HttpServer(url="", routes=routes)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
            status, payload = state.routes.get(self.path.split("?")[0], (404, {"error": "not found"}))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_HEAD = do_PUT = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def tcp_listener() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections (and closes them)."""
    with recording_listener() as listener:
        yield listener.port


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Listener:
    port: int
    connections: int = 0


@contextmanager
def recording_listener() -> Iterator[Listener]:
    """A port on 127.0.0.1 that counts the connections it accepts (a test proves none arrived)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    state = Listener(port=int(sock.getsockname()[1]))
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            state.connections += 1
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(2)
        # count what is still queued in the backlog, so a connection made just before the end is not missed
        sock.setblocking(False)
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                break
            state.connections += 1
            conn.close()
        sock.close()


@contextmanager
def serving(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """A port on 127.0.0.1 whose every connection is handled by ``handle(conn)`` on a thread of its own."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2)
            try:
                handle(conn)
            except (OSError, struct.error):
                return

    def accept() -> None:
        sock.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        sock.close()


@contextmanager
def kafka_broker(answer: bytes | None = None) -> Iterator[int]:
    """A port on 127.0.0.1 that answers Kafka ApiVersions (v0) requests as a broker does, or with ``answer``
    when given (to play a service that is not Kafka)."""

    def handle(conn: socket.socket) -> None:
        size = struct.unpack(">i", conn.recv(4))[0]
        request = b""
        while len(request) < size:
            request += conn.recv(size - len(request))
        api_key, _, correlation = struct.unpack(">hhi", request[:8])
        if api_key != 18:  # only ApiVersions is played
            return
        if answer is not None:
            conn.sendall(answer)
            return
        versions = [(18, 0, 3), (3, 0, 12), (0, 0, 9)]
        body = struct.pack(">ihi", correlation, 0, len(versions))
        body += b"".join(struct.pack(">hhh", *v) for v in versions)
        conn.sendall(struct.pack(">i", len(body)) + body)

    with serving(handle) as port:
        yield port


@contextmanager
def banner_server(banner: bytes) -> Iterator[int]:
    """A port on 127.0.0.1 that greets each connection with ``banner`` (an SSH or SMTP server, say) and
    reads until the client closes."""

    def handle(conn: socket.socket) -> None:
        conn.sendall(banner)
        while conn.recv(4096):
            pass

    with serving(handle) as port:
        yield port
