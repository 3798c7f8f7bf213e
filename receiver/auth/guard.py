"""The per-request access check (one ``before_request`` hook, deny by default, driven by the table in
:mod:`lineagelens.receiver.auth.policy`) and the audit hook for writes."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Flask, Response, g, request

from lineagelens.receiver import services
from lineagelens.receiver.auth import policy
from lineagelens.receiver.auth.audit import Entry
from lineagelens.receiver.auth.principal import Principal
from lineagelens.receiver.errors import ApiError, Forbidden, Unauthorized

log = logging.getLogger(__name__)

CSRF_HEADER = "X-CSRF-Token"


class CsrfFailed(ApiError):
    status, code = 403, "csrf_failed"


def current_principal() -> Principal | None:
    """The principal the access check found for this request (None on public routes)."""
    found: Principal | None = g.get("principal")
    return found


def require_principal() -> Principal:
    found = current_principal()
    if found is None:  # only reachable from a public route
        raise Unauthorized("sign in or send an API key")
    return found


def _check_csrf(principal: Principal) -> None:
    sent = request.headers.get(CSRF_HEADER) or ""
    if not principal.csrf or not hmac.compare_digest(sent.encode("utf-8"), principal.csrf.encode("utf-8")):
        raise CsrfFailed(f"this request needs the {CSRF_HEADER} header (the csrfToken of your sign-in)")


def check_request() -> None:
    """Run before every view: allow public endpoints, otherwise resolve the principal and check its role."""
    if request.url_rule is None or request.endpoint is None:
        return  # no route matched: Flask answers 404/405 and no view runs
    need = policy.required(request.endpoint, request.method)
    if need == "public":
        return
    principal = services.get().auth.principal(request)
    if principal is None:
        raise Unauthorized("this route needs a credential: sign in, or send 'Authorization: Bearer <API key>'")
    g.principal = principal
    if principal.csrf is not None and request.method not in policy.SAFE_METHODS:
        _check_csrf(principal)
    if need == "ingest":
        if not principal.can_ingest:
            raise Forbidden(f"{principal.name} may not send lineage events (needs an ingest or admin key, "
                            "or an editor)")
    elif not principal.has(need):
        raise Forbidden(f"this needs the {need.name} role; {principal.name} is {principal.role_name}")
    g.access_checked = True


def _audit(response: Response) -> Response:
    if (request.method in policy.SAFE_METHODS or not g.get("access_checked")
            or request.endpoint in policy.NOT_AUDITED):
        return response
    principal = require_principal()
    args: dict[str, Any] = request.view_args or {}
    target = g.get("audit_target") or ",".join(str(v) for v in args.values()) or None
    services.get().auth.audit.record(Entry(actor=principal.name, via=principal.via, action=str(request.endpoint),
                                           method=request.method, path=request.path, target=target,
                                           status=response.status_code))
    return response


def init_app(app: Flask) -> None:
    app.before_request(check_request)
    app.after_request(_audit)
