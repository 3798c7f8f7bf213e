"""Guarding the sockets that connection tests and notification channels open on a user's behalf.

Deny by default: every address that is not a public unicast address (loopback, RFC 1918, CGNAT, ULA,
link-local, unspecified, multicast, reserved, documentation ranges, cloud metadata addresses) is refused, and
an IPv6 address that embeds an IPv4 address (IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64, 6to4,
Teredo) is judged by the IPv4 address it embeds. The decision is one pure function, :func:`verdict`.

Operators open exceptions with ``LINEAGELENS_SOURCE_ALLOW_NETWORKS`` (an on-prem ``10.20.0.0/16``) and add
denials with ``LINEAGELENS_SOURCE_DENY_NETWORKS``. Rules, in order:

1. an operator denial applies unless an allowed network *more specific* than it holds the address
   (``deny 0.0.0.0/0,::/0`` with ``allow 10.20.0.0/16`` reaches that network only);
2. a cloud metadata address is opened only by listing that exact address (``169.254.169.254/32``), never
   by a wider network;
3. any other built-in refusal is opened by an allowed network that holds the address;
4. public addresses are allowed.

A host is resolved once by the OS resolver (so ``2130706433``, ``0x7f000001``, ``127.1`` and ``0177.0.0.1``
are judged as the ``127.0.0.1`` they are); every address must pass, and connections then go to the checked
address, not to the name again, so a DNS answer cannot change between the check and the connect.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import os
import re
import socket
import ssl
import string
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

log = logging.getLogger(__name__)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_net = ipaddress.ip_network

# Cloud metadata services: opened only by listing the exact address in the allow list.
METADATA: Mapping[IPAddress, str] = {
    ipaddress.ip_address("169.254.169.254"): "cloud metadata (AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean)",
    ipaddress.ip_address("169.254.170.2"): "cloud metadata (AWS ECS task credentials)",
    ipaddress.ip_address("169.254.170.23"): "cloud metadata (AWS EKS pod identity)",
    ipaddress.ip_address("169.254.0.23"): "cloud metadata (Tencent Cloud)",
    ipaddress.ip_address("100.100.100.200"): "cloud metadata (Alibaba Cloud)",
    ipaddress.ip_address("168.63.129.16"): "cloud metadata (Azure WireServer)",
    ipaddress.ip_address("192.0.0.192"): "cloud metadata (Oracle Cloud Classic)",
    ipaddress.ip_address("fd00:ec2::254"): "cloud metadata (AWS, IPv6)",
    ipaddress.ip_address("fd00:ec2::23"): "cloud metadata (AWS EKS pod identity, IPv6)",
}

# Built-in refusals, most specific first; an allowed network that holds the address opens them.
SPECIAL: tuple[tuple[IPNetwork, str], ...] = tuple((_net(n), why) for n, why in (
    ("0.0.0.0/8", "this-network / unspecified"),
    ("127.0.0.0/8", "loopback"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
    ("169.254.0.0/16", "link-local"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("198.18.0.0/15", "benchmarking"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("240.0.0.0/4", "reserved"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "local-use NAT64 (RFC 8215)"),
    ("100::/64", "discard-only"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("2001:2::/48", "benchmarking"),
    ("2001:10::/28", "ORCHID"),
    ("2001:20::/28", "ORCHIDv2"),
    ("5f00::/16", "SRv6 SIDs"),
    ("fc00::/7", "unique local (ULA)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
))

# IPv6 forms that carry an IPv4 address, judged by it: (network, form, where the IPv4 sits).
_MAPPED, _TRANSLATED, _COMPATIBLE = _net("::ffff:0:0/96"), _net("::ffff:0:0:0/96"), _net("::/96")
_NAT64, _SIXTOFOUR, _TEREDO = _net("64:ff9b::/96"), _net("2002::/16"), _net("2001::/32")

# Kept for compatibility with configs and imports naming it: extra denials are now empty by default.
DEFAULT_DENY: tuple[str, ...] = ()


class NetworkRefused(Exception):
    """The guard refused an address; the message says which and why."""


class Verdict(NamedTuple):
    """The guard's answer for one address: may it be reached, and why (or why not)."""

    ok: bool
    reason: str


def parse_networks(text: str | Iterable[str]) -> tuple[IPNetwork, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def parse_address(address: str | IPAddress) -> IPAddress:
    """An address as getaddrinfo writes it (an IPv6 zone ``%eth0`` is dropped: it does not change the range)."""
    if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return address
    return ipaddress.ip_address(str(address).split("%", 1)[0])


def embedded_ipv4(ip: IPAddress) -> tuple[str, list[ipaddress.IPv4Address]]:
    """``(form, [IPv4 ...])`` for an IPv6 address that carries IPv4 addresses; ``("", [])`` otherwise.
    Teredo carries two (server, de-obfuscated client): both are judged."""
    if not isinstance(ip, ipaddress.IPv6Address) or ip in (ipaddress.IPv6Address("::"),
                                                            ipaddress.IPv6Address("::1")):
        return "", []
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _MAPPED:
        return "IPv4-mapped", [low32]
    if ip in _TRANSLATED:
        return "IPv4-translated", [low32]
    if ip in _COMPATIBLE:
        return "IPv4-compatible", [low32]
    if ip in _NAT64:
        return "NAT64", [low32]
    if ip in _SIXTOFOUR:
        return "6to4", [ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)]
    if ip in _TEREDO and ip.teredo:
        server, client = ip.teredo
        return "Teredo", [server, client]
    return "", []


def _best(ip: IPAddress, networks: Iterable[IPNetwork]) -> IPNetwork | None:
    """The most specific network holding ``ip`` (None when none does)."""
    found = [n for n in networks if n.version == ip.version and ip in n]
    return max(found, key=lambda n: n.prefixlen) if found else None


def verdict(address: str | IPAddress, deny: Iterable[IPNetwork] = (), allow: Iterable[IPNetwork] = ()) -> Verdict:
    """May a connection go to ``address``? Pure: no resolution, no socket. ``deny`` are the operator's extra
    denials, ``allow`` the operator's exceptions (see the module docstring for the rules)."""
    ip = parse_address(address)
    deny, allow = tuple(deny), tuple(allow)
    denied = _best(ip, deny)
    allowed = _best(ip, allow)
    if denied is not None and (allowed is None or allowed.prefixlen <= denied.prefixlen):
        return Verdict(False, f"address {ip} is in the refused network {denied} (LINEAGELENS_SOURCE_DENY_NETWORKS)")
    form, inner = embedded_ipv4(ip)
    if form:
        for v4 in inner:
            found = verdict(v4, deny, allow)
            if not found.ok:
                return Verdict(False, f"address {ip} is {form} and embeds {v4}: {found.reason}")
        return Verdict(True, f"address {ip} is {form} and embeds allowed {', '.join(map(str, inner))}")
    if ip in METADATA:
        exact = ipaddress.ip_network(ip)
        if exact in allow:
            return Verdict(True, f"address {ip} ({METADATA[ip]}) is listed in LINEAGELENS_SOURCE_ALLOW_NETWORKS")
        return Verdict(False, f"address {ip} is {METADATA[ip]}; it opens only when listed exactly as {exact} in "
                              "LINEAGELENS_SOURCE_ALLOW_NETWORKS")
    special = next(((net, why) for net, why in SPECIAL if net.version == ip.version and ip in net), None)
    if special is None and not ip.is_global:
        special = (ipaddress.ip_network(ip), "not globally routable")
    if special is not None:
        net, why = special
        if allowed is not None:
            return Verdict(True, f"address {ip} ({why}) is opened by {allowed} (LINEAGELENS_SOURCE_ALLOW_NETWORKS)")
        return Verdict(False, f"address {ip} is in {net} ({why}); open it with LINEAGELENS_SOURCE_ALLOW_NETWORKS")
    return Verdict(True, f"address {ip} is public")


@dataclass(frozen=True)
class NetworkGuard:
    deny: tuple[IPNetwork, ...] = ()
    allow: tuple[IPNetwork, ...] = ()

    def check(self, address: str) -> None:
        found = verdict(address, self.deny, self.allow)
        if not found.ok:
            raise NetworkRefused(found.reason)

    def resolve(self, host: str, port: int) -> list[tuple[int, str]]:
        """``(family, address)`` for ``host``, every one checked; NetworkRefused if any is refused."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise OSError(f"cannot resolve {host}") from exc
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


# -- local paths (the filesystem source) ---------------------------------------------------------------------
def parse_roots(text: str | Iterable[str]) -> tuple[str, ...]:
    """``LINEAGELENS_FILESYSTEM_ROOTS``: absolute directories, resolved (symlinks and ``..``) once."""
    items = text.split(",") if isinstance(text, str) else list(text)
    roots = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        if not os.path.isabs(item):
            raise ValueError(f"LINEAGELENS_FILESYSTEM_ROOTS: {item!r} is not an absolute path")
        roots.append(os.path.realpath(item))
    return tuple(roots)


def under_roots(path: str, roots: Iterable[str]) -> str | None:
    """``path`` resolved (symlinks and ``..``) when the result stays under one of ``roots``; None otherwise.
    Decided from the path alone: whether it exists or can be read plays no part."""
    if not os.path.isabs(path) or "\x00" in path:
        return None
    resolved = os.path.realpath(path)
    for root in roots:
        if resolved == root or resolved.startswith(root.rstrip(os.sep) + os.sep):
            return resolved
    return None


# -- URLs ----------------------------------------------------------------------------------------------------
_URL_FORBIDDEN = set(string.whitespace) | {"\\", "\x00"}
_HOST = re.compile(r"[a-z0-9_]([a-z0-9_.-]{0,252})?")  # lower-cased by urlsplit; the OS resolver decides the rest


def check_url(url: str, *, allow_query: bool = False) -> str:
    """A configured http(s) URL, normalised: scheme and host lower-cased, no userinfo, no fragment, no query
    (unless ``allow_query``: a complete endpoint such as a webhook), a valid port. ValueError says why."""
    text = str(url).strip()
    if any(c in _URL_FORBIDDEN for c in text) or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError("the URL contains whitespace, a backslash or a control character")
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https"}:
        raise ValueError("only http and https URLs are accepted")
    if "@" in parts.netloc:
        raise ValueError("credentials in the URL are not accepted (use the token field)")
    if not parts.hostname:
        raise ValueError("the URL has no host")
    if "#" in text:
        raise ValueError("a fragment (#) is not accepted in the URL")
    if ("?" in text) and not allow_query:
        raise ValueError("a query (?) is not accepted in a base URL")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("the URL's port is not a number from 1 to 65535") from exc
    if port == 0:
        raise ValueError("the URL's port is not a number from 1 to 65535")
    host = parts.hostname
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise ValueError("the URL's host is not a valid IPv6 address") from exc
    elif not _HOST.fullmatch(host):
        raise ValueError("the URL's host is not a valid host name or address")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query if allow_query else "", ""))


def join_url(base: str, path: str = "", query: Mapping[str, Any] | None = None) -> str:
    """``base`` (a checked base URL) with ``path`` appended below its own path and ``query`` encoded.
    With no ``path`` and no ``query``, ``base`` may be a complete URL carrying its own query."""
    if not path and not query:
        return check_url(base, allow_query=True)
    parts = urlsplit(check_url(base))
    if path and not path.startswith("/"):
        path = "/" + path
    if any(c in path for c in "?#\\") or any(ord(c) < 33 for c in path):
        raise ValueError("a request path may not carry a query, a fragment or blanks")
    joined = parts.path.rstrip("/") + path
    return urlunsplit((parts.scheme, parts.netloc, joined or "/", urlencode(dict(query or {})), ""))


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes
    latency_ms: float

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not JSON (the message never quotes the body)."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError("the answer is not JSON") from None


def http_request(guard: NetworkGuard, url: str, *, timeout: float, path: str = "",
                 query: Mapping[str, Any] | None = None, method: str = "GET", body: bytes | None = None,
                 headers: dict[str, str] | None = None, verify_tls: bool = True,
                 max_body: int = 1_000_000) -> HttpAnswer:
    """One HTTP(S) request through the guard (no redirects followed: a redirect is an answer).

    ``url`` is a base URL and ``path`` is appended below it (``query`` encoded separately), so a ``?`` or ``#``
    in a configured URL cannot choose the path. Anything that is not a valid HTTP answer raises OSError
    with a fixed message: the target's bytes never end up in an error."""
    target = urlsplit(join_url(url, path, query))
    host = target.hostname or ""
    port = target.port or (443 if target.scheme == "https" else 80)
    started = time.perf_counter()
    sock = guard.connect(host, port, timeout)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        if target.scheme == "https":
            context = ssl.create_default_context()
            if not verify_tls:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(sock, server_hostname=host)
        conn.sock = sock
        request_path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        conn.request(method, request_path, body=body, headers={"User-Agent": "lineagelens", **(headers or {})})
        response = conn.getresponse()
        data = response.read(max_body)
        return HttpAnswer(response.status, data, (time.perf_counter() - started) * 1000)
    except ssl.SSLError as exc:
        raise OSError("TLS handshake failed") from exc
    except http.client.HTTPException as exc:  # BadStatusLine & co quote the target's bytes: never pass them on
        raise OSError("no valid HTTP answer") from exc
    finally:
        conn.close()
        sock.close()
