"""Rate limits on ingest and sign-in (flask-limiter), one limiter per app.

The :class:`flask_limiter.Limiter` of an app lives in ``app.extensions["lineagelens.ratelimit"]`` (and in
flask-limiter's own ``app.extensions["limiter"]`` set), never in a module global: flask-limiter's decorators need
the limiter when a function is decorated, so views are wrapped per app instead —

- the ingest views (``POST /api/v1/lineage``, ``/api/v1/lineage/batch``) by :func:`init_app`, sharing one budget
  (``LINEAGELENS_INGEST_RATE_LIMIT``) per API key (a hash of the ``Authorization`` header) or, without one,
  per client address;
- a sign-in view marks itself with :func:`signin_rate_limited` and is wrapped with the app's limiter on its
  first request (``LINEAGELENS_SIGNIN_RATE_LIMIT`` per client address and user name).

Over a limit: 429 in the one error shape with ``Retry-After`` (seconds). An empty limit setting disables it.
The client address is ``request.remote_addr``: behind a reverse proxy it is the forwarded one only when
``LINEAGELENS_PROXY_FIX`` trusts the proxy (see :mod:`lineagelens.receiver.web_security`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, jsonify, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import parse_many

from lineagelens.receiver.errors import error_body

log = logging.getLogger(__name__)

KEY = "lineagelens.ratelimit"
INGEST_ENDPOINTS = ("ingest.post_lineage", "ingest.post_batch")
INGEST, SIGNIN = "ingest", "signin"

F = TypeVar("F", bound=Callable[..., Any])


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def client_address() -> str:
    return request.remote_addr or "unknown"


def ingest_key() -> str:
    """The API key's hash when the request carries one, else the client address."""
    credential = request.headers.get("Authorization", "").strip()
    return f"key:{_digest(credential)}" if credential else f"addr:{client_address()}"


def signin_key() -> str:
    """The client address and the user name tried (from a JSON or form body; case and spaces ignored)."""
    body = request.get_json(silent=True) if request.is_json else None
    name = body.get("username") if isinstance(body, dict) else request.form.get("username")
    username = name.strip().lower() if isinstance(name, str) else ""
    return f"signin:{client_address()}:{_digest(username)}"


def _check(name: str, value: str) -> str:
    if value.strip():
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"LINEAGELENS_{name}: {value!r} is not a rate limit like '10/minute' "
                             f"or '100/second;5000/hour'") from exc
    return value.strip()


@dataclass
class RateLimits:
    """An app's limiter and its limits (empty string: no limit)."""

    limiter: Limiter
    limits: dict[str, str]
    _wrapped: dict[tuple[str, Callable[..., Any]], Callable[..., Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, kind: str, view: F) -> F:
        """``view`` under the limit of ``kind`` (the view itself when that limit is off). The limiter does not
        check every request (``auto_check=False``: that cost every request, ingest included, ~0.1 ms of CPU
        even with no limit on its endpoint); a limited view checks its own limit first."""
        limit = self.limits[kind]
        if not limit:
            return view
        if kind == INGEST:
            limited = self.limiter.shared_limit(limit, scope=INGEST, key_func=ingest_key)(view)
        else:
            limited = self.limiter.limit(limit, key_func=signin_key, methods=["POST"])(view)
        limiter = self.limiter

        @wraps(limited)
        def checked(*args: Any, **kwargs: Any) -> Any:
            limiter.check()  # raises RateLimitExceeded: 429 (see init_app)
            return limited(*args, **kwargs)

        return cast(F, checked)

    def guarded(self, kind: str, view: F) -> F:
        """The wrapped ``view``, made once per app."""
        with self._lock:
            found = self._wrapped.get((kind, view))
            if found is None:
                found = self._wrapped[(kind, view)] = self.wrap(kind, view)
            return cast(F, found)

    def retry_after(self) -> int:
        """Seconds until the breached limit of the current request resets (at least 1)."""
        current = self.limiter.current_limit
        if current is None:
            return 1
        return max(1, min(math.ceil(current.reset_at - time.time()), current.limit.get_expiry()))


def get(app: Flask | None = None) -> RateLimits:
    limits: RateLimits = (app or current_app).extensions[KEY]
    return limits


def signin_rate_limited(view: F) -> F:
    """Decorator for the password sign-in view: ``LINEAGELENS_SIGNIN_RATE_LIMIT`` per client address and
    user name. Put it under the route decorator: ``@bp.post("/login")`` then ``@signin_rate_limited``."""

    @wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        limits: RateLimits | None = current_app.extensions.get(KEY)
        if limits is None:  # an app built without rate limits (not create_app's)
            return view(*args, **kwargs)
        return limits.guarded(SIGNIN, view)(*args, **kwargs)

    return cast(F, limited)


def init_app(app: Flask) -> None:
    """Give ``app`` its limiter and wrap the ingest views. Call after the API blueprints are registered."""
    settings: Mapping[str, Any] = app.config["LINEAGELENS"]
    limits = {INGEST: _check("INGEST_RATE_LIMIT", settings["INGEST_RATE_LIMIT"]),
              SIGNIN: _check("SIGNIN_RATE_LIMIT", settings["SIGNIN_RATE_LIMIT"])}
    limiter = Limiter(key_func=client_address, storage_uri=settings["RATE_LIMIT_STORAGE"],
                      strategy="fixed-window", headers_enabled=False, key_prefix="lineagelens",
                      auto_check=False)  # limited views check themselves: RateLimits.wrap
    limiter.init_app(app)
    rate_limits = RateLimits(limiter=limiter, limits=limits)
    app.extensions[KEY] = rate_limits
    for endpoint in INGEST_ENDPOINTS:
        app.view_functions[endpoint] = rate_limits.wrap(INGEST, app.view_functions[endpoint])

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded) -> Response:
        retry = rate_limits.retry_after()
        log.info("rate limit %s exceeded on %s %s", exc.limit.limit, request.method, request.path)
        response = jsonify(error_body(429, "too_many_requests",
                                      f"rate limit exceeded ({exc.limit.limit}); retry in {retry} s"))
        response.status_code = 429
        response.headers["Retry-After"] = str(retry)
        return response
