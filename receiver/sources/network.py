"""Guarding the sockets that connection tests open on a user's behalf.

A host is resolved once; every address must pass the deny list (by default link-local and cloud metadata
addresses) and, when one is configured, the allow list. Connections then go to the checked address, not
to the name again, so a DNS answer cannot change between the check and the connect.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_DENY = (
    "169.254.0.0/16",  # IPv4 link-local, incl. 169.254.169.254 (AWS, GCP, Azure, OpenStack metadata)
    "fe80::/10",  # IPv6 link-local
    "fd00:ec2::254/128",  # AWS metadata over IPv6
    "100.100.100.200/32",  # Alibaba Cloud metadata
    "0.0.0.0/8",
)


class NetworkRefused(Exception):
    """The guard refused an address; the message says which and why."""


def parse_networks(text: str | Iterable[str]) -> tuple[IPNetwork, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


@dataclass(frozen=True)
class NetworkGuard:
    deny: tuple[IPNetwork, ...] = parse_networks(DEFAULT_DENY)
    allow: tuple[IPNetwork, ...] = ()

    def check(self, address: str) -> None:
        ip = ipaddress.ip_address(address)
        mapped = getattr(ip, "ipv4_mapped", None)
        ip = mapped or ip
        for net in self.deny:
            if ip.version == net.version and ip in net:
                raise NetworkRefused(f"address {ip} is in the refused network {net}")
        if self.allow and not any(ip.version == n.version and ip in n for n in self.allow):
            raise NetworkRefused(f"address {ip} is not in the allowed networks")

    def resolve(self, host: str, port: int) -> list[tuple[int, str]]:
        """``(family, address)`` for ``host``, every one checked; NetworkRefused if any is refused."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise OSError(f"cannot resolve {host}: {exc.strerror}") from exc
        found: list[tuple[int, str]] = []
        for family, _, _, _, sockaddr in infos:
            address = str(sockaddr[0])
            self.check(address)
            found.append((family, address))
        return found

    def connect(self, host: str, port: int, timeout: float) -> socket.socket:
        """A TCP connection to ``host:port`` through checked addresses only."""
        last: OSError | None = None
        for family, address in self.resolve(host, port):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect((address, port))
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        raise last or OSError(f"no address for {host}")


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes
    latency_ms: float

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8", "replace"))


def http_request(guard: NetworkGuard, url: str, *, timeout: float, method: str = "GET",
                 body: bytes | None = None, headers: dict[str, str] | None = None,
                 verify_tls: bool = True, max_body: int = 1_000_000) -> HttpAnswer:
    """One HTTP(S) request through the guard (no redirects followed: a redirect is an answer)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    started = time.perf_counter()
    sock = guard.connect(parts.hostname, port, timeout)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        if not verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock, server_hostname=parts.hostname)
    conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    conn.sock = sock
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, body=body, headers={"User-Agent": "lineagelens", **(headers or {})})
        response = conn.getresponse()
        data = response.read(max_body)
        return HttpAnswer(response.status, data, (time.perf_counter() - started) * 1000)
    finally:
        conn.close()
