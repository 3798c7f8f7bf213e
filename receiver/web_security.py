"""Web hardening: security headers, the Host allow-list, CORS, refusal of cross-site writes, trusted proxies.

Everything here is per app (closures over a :class:`WebPolicy` kept in ``app.extensions``) and runs before any
other request hook, so a refused request never reaches authentication, rate limiting or a view.

- **Headers** on every response: a Content-Security-Policy (scripts from this origin plus the sha256 of each
  inline script of the served UI, see :mod:`lineagelens.receiver.webui`), ``X-Content-Type-Options``,
  ``Referrer-Policy``, ``X-Frame-Options`` matching ``frame-ancestors``, ``Cross-Origin-Opener-Policy``, and
  ``Cache-Control: no-store`` on API and health answers.
- **Host allow-list** (``LINEAGELENS_ALLOWED_HOSTS``): another Host header gets 400 (DNS rebinding).
- **CORS** only for the exact origins of ``LINEAGELENS_CORS_ORIGINS``.
- **Cross-site writes** (and WebSocket handshakes) from a browser page of another origin get 403
  ``cross_site_refused``, whatever the authentication mode; requests without ``Origin`` / ``Sec-Fetch-Site``
  (curl, producers, the OpenLineage client) are not browsers' and pass.
- **Trusted proxies** (``LINEAGELENS_PROXY_FIX``): client address and scheme from ``X-Forwarded-For`` /
  ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from werkzeug.datastructures import Headers
from werkzeug.middleware.proxy_fix import ProxyFix

from lineagelens.receiver.errors import ApiError

log = logging.getLogger(__name__)

KEY = "lineagelens.web_security"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# Responses under these paths carry data (and may answer credentialed requests): never stored by a cache.
NO_STORE_PREFIXES = ("/api/", "/readyz", "/metrics")
# Probes and scrapers address a pod by its IP (Kubernetes httpGet probes send "Host: <pod IP>:<port>"): these
# read-only answers, which hold nothing a rebinding page could use, skip the Host check for GET and HEAD.
HOST_EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# No 'unsafe-inline': React Flow and d3 set styles through the CSSOM, which CSP allows (checked in Chromium, see
# docs/security.md); a server-rendered page allows its own <style> elements with allow_inline_styles().
STYLE_SRC = "'self'"
STYLE_HASHES_ATTR = "lineagelens_style_hashes"
REFERRER_POLICY = "same-origin"
CORS_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"
CORS_MAX_AGE = "600"
_HOST_CHARS = re.compile(r"^[a-z0-9.\-_]+$|^\[[0-9a-f:.]+\]$")
_HEADER_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_FRAME_SOURCE = re.compile(r"^(?:'none'|'self'|\*|(?:https?|wss?):(?://[A-Za-z0-9.\-*\[\]:]+)?)$")


class HostNotAllowed(ApiError):
    status, code = 400, "host_not_allowed"


class CrossSiteRefused(ApiError):
    status, code = 403, "cross_site_refused"


def host_name(host: str) -> str:
    """The name part of a Host header or allow-list entry, lower case, without port or trailing dot; an
    IPv6 address keeps its brackets (``[::1]:5055`` -> ``[::1]``, a bare ``::1`` -> ``[::1]``)."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    if host.count(":") > 1:  # a bare IPv6 address (allow-list entries only: a Host header brackets it)
        return f"[{host}]"
    return host.partition(":")[0].rstrip(".")


def host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Whether a Host header matches the allow-list: exact names, ``.example.com`` for the domain and its
    subdomains, ``*`` for any host. Ports are ignored; a malformed host never matches."""
    name = host_name(host)
    if not name or not _HOST_CHARS.match(name):
        return False
    for entry in allowed:
        if entry == "*" or entry == name:
            return True
        if entry.startswith(".") and (name == entry[1:] or name.endswith(entry)):
            return True
    return False


def normalize_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` in lower case with the default port dropped, or ``None`` when the value is not
    an http(s) origin (``null``, a path, garbage)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username is not None:
        return None
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    suffix = f":{port}" if port is not None and port != DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{name.lower()}{suffix}"


def cross_site_reason(*, method: str, headers: Mapping[str, str] | Headers, own_origin: str | None,
                      cors_origins: Iterable[str] = ()) -> str | None:
    """Why a request must be refused as a cross-site write, or ``None`` when it may go on.

    Only unsafe methods and WebSocket handshakes are judged. A browser says where a request comes from with
    ``Sec-Fetch-Site`` (``same-origin``/``none`` pass, ``cross-site`` is refused) and ``Origin`` (which must be
    this site's own origin or a CORS-allowed one). Without either header the client is not a browser page
    (curl, a producer): nothing to judge.
    """
    websocket = headers.get("Upgrade", "").lower() == "websocket"
    if method.upper() not in UNSAFE_METHODS and not websocket:
        return None
    raw_origin = headers.get("Origin")
    origin = normalize_origin(raw_origin) if raw_origin is not None else None
    if origin is not None and origin in set(cors_origins):
        return None
    fetch_site = headers.get("Sec-Fetch-Site", "").lower()
    if fetch_site in ("same-origin", "none"):
        return None
    if fetch_site == "cross-site":
        return "the browser marked the request cross-site (Sec-Fetch-Site)"
    if raw_origin is not None and (origin is None or origin != own_origin):
        return f"Origin {raw_origin[:100]!r} is not this site's origin"
    if fetch_site == "same-site" and raw_origin is None:
        return "a same-site request from another origin without an Origin header"
    return None


class _Inline(HTMLParser):
    """Collects the text of every ``tag`` element (``script``: only those without ``src``); the parser hands
    script and style text over raw, as the browser hashes it."""

    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.found: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag and not (tag == "script" and any(name == "src" for name, _ in attrs)):
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self.tag and self._current is not None:
            self.found.append("".join(self._current))
            self._current = None


def inline_hashes(page: str, tag: str) -> tuple[str, ...]:
    """CSP hash sources (``sha256-<base64>``) of a page's inline ``script`` or ``style`` elements, in page
    order, without repeats."""
    parser = _Inline(tag)
    parser.feed(page)
    parser.close()
    digests = (base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
               for text in parser.found)
    return tuple(dict.fromkeys(f"sha256-{d}" for d in digests))


def allow_inline_styles(response: Response) -> Response:
    """Let this server-rendered HTML page keep its own ``<style>`` elements: their hashes join ``style-src``
    in this response's CSP. Only for pages whose styles are constant (never for text from a request)."""
    setattr(response, STYLE_HASHES_ATTR, inline_hashes(response.get_data(as_text=True), "style"))
    return response


def content_security_policy(*, script_hashes: Sequence[str], frame_ancestors: str, host: str | None,
                            style_hashes: Sequence[str] = ()) -> str:
    """The CSP header value. ``host`` (already allow-listed) adds ws:// and wss:// of this host to
    ``connect-src`` for browsers whose ``'self'`` does not cover WebSockets."""
    scripts = " ".join(["'self'", *(f"'{digest}'" for digest in script_hashes)])
    styles = " ".join([STYLE_SRC, *(f"'{digest}'" for digest in style_hashes)])
    connect = "'self'"
    if host and host_allowed(host, ["*"]) and re.fullmatch(r"[A-Za-z0-9.\-_:\[\]]+", host):
        connect += f" ws://{host} wss://{host}"
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        f"style-src {styles}",
        "img-src 'self' data:",
        "font-src 'self'",
        f"connect-src {connect}",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass(frozen=True)
class WebPolicy:
    allowed_hosts: tuple[str, ...]
    cors_origins: frozenset[str]
    frame_ancestors: str
    proxy_hops: int

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> WebPolicy:
        """Parse and check the settings; a value that cannot be right stops the start (ValueError)."""
        hosts = tuple(e if e in ("*",) or e.startswith(".") else host_name(e)
                      for e in (x.lower() for x in _split(settings["ALLOWED_HOSTS"])))
        if not hosts:
            raise ValueError("LINEAGELENS_ALLOWED_HOSTS is empty: no request could be answered "
                             "(list the host names, or '*' for any)")
        origins: set[str] = set()
        for raw in _split(settings["CORS_ORIGINS"]):
            origin = normalize_origin(raw)
            if raw == "*" or origin is None:
                raise ValueError(f"LINEAGELENS_CORS_ORIGINS takes exact origins like https://app.example.com, "
                                 f"not {raw!r}")
            origins.add(origin)
        ancestors = " ".join(settings["FRAME_ANCESTORS"].split()) or "'none'"
        bad = [s for s in ancestors.split() if not _FRAME_SOURCE.match(s)]
        if bad or ("'none'" in ancestors.split() and ancestors != "'none'"):
            raise ValueError(f"LINEAGELENS_FRAME_ANCESTORS: {ancestors!r} is not a CSP source list "
                             "('none', or 'self' and origins like https://airflow.example.com)")
        hops = int(settings["PROXY_FIX"])
        if hops < 0:
            raise ValueError("LINEAGELENS_PROXY_FIX must be 0 or a number of proxies")
        return cls(allowed_hosts=hosts, cors_origins=frozenset(origins), frame_ancestors=ancestors,
                   proxy_hops=hops)

    def security_headers(self, *, script_hashes: Sequence[str], host: str | None,
                         style_hashes: Sequence[str] = ()) -> dict[str, str]:
        headers = {
            "Content-Security-Policy": content_security_policy(
                script_hashes=script_hashes, frame_ancestors=self.frame_ancestors, host=host,
                style_hashes=style_hashes),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": REFERRER_POLICY,
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if self.frame_ancestors == "'none'":
            headers["X-Frame-Options"] = "DENY"
        return headers


def _own_origin() -> str | None:
    return normalize_origin(f"{request.scheme}://{request.host}")


def _preflight() -> Response:
    """The answer to a CORS preflight from an allowed origin (after_request adds the origin headers)."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
    asked = [h.strip() for h in request.headers.get("Access-Control-Request-Headers", "").split(",")]
    allowed = [h for h in asked if h and _HEADER_TOKEN.match(h)]
    if allowed:
        response.headers["Access-Control-Allow-Headers"] = ", ".join(allowed)
    response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    return response


def init_app(app: Flask, *, script_hashes: Callable[[], Sequence[str]] = tuple) -> None:
    """Install the checks and headers. Call before anything else registers request hooks.
    ``script_hashes`` gives the CSP hashes (``sha256-...``) of the inline scripts of the served UI."""
    policy = WebPolicy.from_settings(app.config["LINEAGELENS"])
    app.extensions[KEY] = policy
    if policy.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=policy.proxy_hops,  # type: ignore[method-assign]
                                x_proto=policy.proxy_hops)
    if "*" in policy.allowed_hosts:
        log.warning("LINEAGELENS_ALLOWED_HOSTS contains '*': any Host header is answered (no DNS-rebinding "
                    "protection)")

    @app.before_request
    def _check_request() -> Response | None:
        probe = request.path in HOST_EXEMPT_PATHS and request.method in ("GET", "HEAD")
        if not probe and not host_allowed(request.host, policy.allowed_hosts):
            log.info("refused Host %r (LINEAGELENS_ALLOWED_HOSTS)", request.host[:100])
            raise HostNotAllowed(f"host {host_name(request.host)[:100]!r} is not served here "
                                 "(LINEAGELENS_ALLOWED_HOSTS)")
        origin_header = request.headers.get("Origin")
        origin = normalize_origin(origin_header) if origin_header else None
        if (request.method == "OPTIONS" and origin in policy.cors_origins
                and request.headers.get("Access-Control-Request-Method")):
            return _preflight()
        reason = cross_site_reason(method=request.method, headers=request.headers, own_origin=_own_origin(),
                                   cors_origins=policy.cors_origins)
        if reason is not None:
            log.info("refused cross-site %s %s: %s", request.method, request.path, reason)
            raise CrossSiteRefused(f"cross-site request refused: {reason}")
        return None

    @functools.lru_cache(maxsize=64)  # a few hosts x the UI's hashes: the same few header sets every time
    def headers_for(host: str | None, scripts: tuple[str, ...], styles: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        return tuple(policy.security_headers(script_hashes=scripts, host=host, style_hashes=styles).items())

    @app.after_request
    def _add_headers(response: Response) -> Response:
        host = request.host if host_allowed(request.host, policy.allowed_hosts) else None
        styles = tuple(getattr(response, STYLE_HASHES_ATTR, ()))
        present = {name.lower() for name, _ in response.headers.items()}  # a view's own header wins
        for name, value in headers_for(host, tuple(script_hashes()), styles):
            if name.lower() not in present:
                response.headers.add(name, value)
        if request.path.startswith(NO_STORE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        if policy.cors_origins:
            response.vary.add("Origin")
            origin_header = request.headers.get("Origin")
            origin = normalize_origin(origin_header) if origin_header else None
            if origin in policy.cors_origins:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Credentials"] = "true"
                response.headers["Access-Control-Expose-Headers"] = "Retry-After, Location"
        return response
