"""One WebSocket client on the process's stream loop: an asyncio protocol over the socket the handshake view
handed over, with wsproto parsing what the client sends.

What the server sends is written as ready-made frames (a server's text frame is unmasked, so one encoding
serves every client). The send queue is the transport's write buffer: when it passes ``limit`` bytes (the
client does not read fast enough) the client is dropped with close code 4408; the server never waits for a
client.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import CloseConnection, Ping, TextMessage
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

log = logging.getLogger(__name__)

GOING_AWAY, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, TOO_SLOW = 1001, 4401, 4403, 4404, 4408
MAX_INCOMING = 64 * 1024  # a subscribe message is small
CLOSE_GRACE = 5.0  # seconds a closing client has to read its close frame before the socket is cut


def text_frame(text: str) -> bytes:
    """An unmasked, unfragmented text frame (what a server sends)."""
    data = text.encode("utf-8")
    n = len(data)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 1 << 16:
        header = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return header + data


class Client(asyncio.Protocol):
    """``on_text(client, obj)`` gets each JSON object the client sends; ``on_gone(client)`` runs once."""

    def __init__(self, *, scope: Any, limit: int, pending_limit: int,
                 on_text: Callable[[Client, Any], None], on_gone: Callable[[Client], None]) -> None:
        self.scope = scope
        self.limit = limit
        self.pending_limit = pending_limit
        self.on_text = on_text
        self.on_gone = on_gone
        self.ws = Connection(ConnectionType.SERVER)
        self.transport: asyncio.Transport | None = None
        self.live = False  # False until its first messages (snapshot or replay) are written
        self.after = 0  # live messages with seq <= after are already covered by what it was sent
        self.pending: list[tuple[int, bytes]] = []
        self.last_sent = 0.0
        self.closing = False
        self._text: list[str] = []
        self._allowance = 0
        self._size = 0

    # -- asyncio.Protocol --------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.last_sent = asyncio.get_running_loop().time()

    def data_received(self, data: bytes) -> None:
        try:
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, Ping):
                    self._write(self.ws.send(event.response()))
                elif isinstance(event, CloseConnection):
                    if self.ws.state is not ConnectionState.CLOSED:
                        self._write(self.ws.send(event.response()))
                    self.closing = True
                    if self.transport:
                        self.transport.close()
                elif isinstance(event, TextMessage):
                    self._text.append(event.data)
                    self._size += len(event.data)
                    if self._size > MAX_INCOMING:
                        self.close(1009, "message too big")
                        return
                    if event.message_finished:
                        text, self._text, self._size = "".join(self._text), [], 0
                        try:
                            self.on_text(self, json.loads(text))
                        except ValueError:
                            log.debug("ignoring a message that is not JSON")
        except (LocalProtocolError, RemoteProtocolError) as exc:
            log.debug("protocol error from a stream client: %s", exc)
            self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self.on_gone(self)

    # -- sending -----------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(data)
        self.last_sent = asyncio.get_running_loop().time()

    def send(self, seq: int, frame: bytes) -> None:
        """Queue a live message: held back until the first messages are out, then written."""
        self.send_many([(seq, frame)])

    def send_many(self, messages: list[tuple[int, bytes]]) -> None:
        """Queue live messages delivered together (one listener pass). They are written at once, before the
        client had a chance to read any: the queue may pass the limit by what they add, and the client is
        too slow only when more than ``limit`` bytes of what was queued before them is still there."""
        if self.closing:
            return
        if not self.live:
            self.pending.extend(messages)
            if len(self.pending) > self.pending_limit:
                self.close(TOO_SLOW, "send queue overflow")
            return
        burst = 0
        for seq, frame in messages:
            if not seq or seq > self.after:
                self._write(frame)
                burst += len(frame)
        if burst:
            self._check(burst)

    def start(self, frames: list[bytes], after: int) -> None:
        """Write the first messages (a snapshot, or a replay up to seq ``after``), then what came meanwhile."""
        if self.closing:
            return
        self.after = after
        for frame in frames:
            self._write(frame)
        held, self.pending = self.pending, []
        for seq, frame in held:
            if not seq or seq > after:
                self._write(frame)
        self.live = True
        self._allowance = sum(len(f) for f in frames)  # a large snapshot is not a slow client
        self._check()

    def hold(self) -> None:
        """Queue live messages again (a new subscribe is computing its snapshot)."""
        self.live = False

    def _check(self, burst: int = 0) -> None:
        """Drop the client if it has more than ``limit`` bytes queued besides the first snapshot and the
        ``burst`` just written."""
        if self.transport is None:
            return
        queued = self.transport.get_write_buffer_size()
        if queued <= self.limit:
            self._allowance = 0  # the snapshot is out
        elif queued > self.limit + self._allowance + burst:
            log.info("dropping a stream client that does not keep up (%d bytes queued)",
                     self.transport.get_write_buffer_size())
            self.close(TOO_SLOW, "send queue overflow: the client does not read fast enough")

    # -- closing -----------------------------------------------------------------------------------
    def close(self, code: int, reason: str = "") -> None:
        if self.closing or self.transport is None:
            return
        self.closing = True
        try:
            if self.ws.state is ConnectionState.OPEN:
                self.transport.write(self.ws.send(CloseConnection(code=code, reason=reason)))
        except LocalProtocolError:
            pass
        self.transport.close()
        asyncio.get_running_loop().call_later(CLOSE_GRACE, self.abort)

    def abort(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.abort()
