"""Sign-in for the web UI (``/api/v1/auth``): the auth configuration, sign-in, refresh, sign-out and "who am I".

Sign-in sets three cookies: ``lineagelens_session`` (the access JWT, httpOnly), ``lineagelens_refresh`` (the
refresh token, httpOnly, sent only to /api/v1/auth) and ``lineagelens_csrf`` (readable by the UI, which
echoes it in the ``X-CSRF-Token`` header of every write)."""

from __future__ import annotations

import logging
from typing import Any

import jwt
from flask import Blueprint, Response, jsonify, request
from werkzeug.wrappers import Response as WsgiResponse

from lineagelens.receiver import services
from lineagelens.receiver.api.body import read_json
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.auth.audit import Entry
from lineagelens.receiver.auth.guard import require_principal
from lineagelens.receiver.auth.identity import CSRF_COOKIE, REFRESH_COOKIE, SESSION_COOKIE, InvalidCredentials
from lineagelens.receiver.auth.tokens import ALGORITHM, Issued, SessionExpired
from lineagelens.receiver.auth.users import iso
from lineagelens.receiver.errors import BadRequest
from lineagelens.receiver.ratelimit import signin_rate_limited

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")

WRONG = "wrong user name or password"
SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def _paths() -> tuple[str, str]:
    root = request.script_root.rstrip("/")
    return root + "/", root + "/api/v1/auth"


def cookie_attributes() -> dict[str, Any]:
    """SameSite/Secure/Partitioned of the session cookies (LINEAGELENS_COOKIE_SAMESITE): SameSite=None (a UI
    embedded by another site) is always Secure and Partitioned, as browsers require."""
    samesite = SAMESITE[str(services.get().settings.get("COOKIE_SAMESITE") or "strict").strip().lower()]
    cross_site = samesite == "None"
    return {"samesite": samesite, "secure": request.is_secure or cross_site, "partitioned": cross_site}


def set_session_cookies(response: WsgiResponse, issued: Issued) -> None:
    everywhere, auth_only = _paths()
    attrs = cookie_attributes()
    access_age = int(services.get().auth.sessions.access_ttl.total_seconds())
    refresh_age = int(services.get().auth.sessions.refresh_ttl.total_seconds())
    response.set_cookie(SESSION_COOKIE, issued.access_token, max_age=access_age, path=everywhere, httponly=True,
                        **attrs)
    response.set_cookie(REFRESH_COOKIE, issued.refresh_token, max_age=refresh_age, path=auth_only, httponly=True,
                        **attrs)
    response.set_cookie(CSRF_COOKIE, issued.csrf, max_age=access_age, path=everywhere, httponly=False, **attrs)


def _clear_cookies(response: Response) -> None:
    everywhere, auth_only = _paths()
    attrs = cookie_attributes()
    response.delete_cookie(SESSION_COOKIE, path=everywhere, httponly=True, **attrs)
    response.delete_cookie(REFRESH_COOKIE, path=auth_only, httponly=True, **attrs)
    response.delete_cookie(CSRF_COOKIE, path=everywhere, **attrs)


def _signed_in(issued: Issued) -> Response:
    response = jsonify({"user": {"name": issued.user.name, "role": issued.user.role.name},
                        "csrfToken": issued.csrf, "expiresAt": iso(issued.access_expires)})
    set_session_cookies(response, issued)
    return response


def _record(actor: str, via: str, action: str, status: int) -> None:
    services.get().auth.audit.record(Entry(actor=actor, via=via, action=action, method=request.method,
                                           path=request.path, status=status))


@bp.get("/config")
def auth_config() -> Response:
    """How to sign in: whether auth is on, and the single sign-on entry point when one is configured."""
    oidc = services.get().sso.oidc is not None
    sign_in_url = request.script_root.rstrip("/") + "/api/v1/auth/oidc/login" if oidc else None
    return jsonify({"auth": services.get().auth.enabled, "oidc": oidc, "signInUrl": sign_in_url})


@bp.post("/login")
@documented(body="{username, password}",
            responses={200: "{user{name, role}, csrfToken, expiresAt}; sets the session, refresh and CSRF cookies",
                       401: "wrong user name or password (the same answer for both)"})
@signin_rate_limited
def login() -> Response:
    """Sign in with a user name and password."""
    body: Any = read_json(request)
    if not isinstance(body, dict):
        raise BadRequest("the body must be {\"username\": ..., \"password\": ...}")
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise BadRequest("username and password must be strings",
                         [{"path": k, "message": "required string"} for k in ("username", "password")
                          if not isinstance(body.get(k), str)])
    auth = services.get().auth
    user = auth.users.authenticate(username, password)
    if user is None:
        _record(username[:64] or "?", "password", "auth.login_failed", 401)
        raise InvalidCredentials(WRONG)
    issued = auth.sessions.start(user)
    _record(user.name, "password", "auth.login", 200)
    return _signed_in(issued)


@bp.post("/refresh")
@documented(responses={200: "the same body as sign-in, with a new access token and a rotated refresh token",
                       401: "the session was revoked or has expired"})
def refresh() -> Response:
    """Exchange the refresh cookie for a new access token (the refresh token is rotated)."""
    try:
        issued = services.get().auth.sessions.refresh(request.cookies.get(REFRESH_COOKIE) or "")
    except SessionExpired as exc:
        response = jsonify({"code": exc.code, "status": 401, "message": exc.message, "errors": []})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="lineagelens"'
        _clear_cookies(response)
        return response
    return _signed_in(issued)


def _session_of_cookie() -> tuple[str | None, str | None]:
    """(session id, user name) from the access cookie, even an expired one (sign-out still ends it)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None, None
    try:
        claims = jwt.decode(token, services.get().auth.sessions.key, algorithms=[ALGORITHM],
                            options={"verify_exp": False})
    except jwt.InvalidTokenError:
        return None, None
    return str(claims.get("sid") or "") or None, str(claims.get("sub") or "") or None


@bp.post("/logout")
@documented(responses={204: "signed out: the session is revoked and the cookies cleared"})
def logout() -> tuple[Response, int]:
    """Sign out: revoke the session (its access token stops working at once) and clear the cookies."""
    sessions = services.get().auth.sessions
    session_id, name = _session_of_cookie()
    ended = sessions.revoke(session_id=session_id) if session_id else False
    ended = sessions.revoke(refresh_token=request.cookies.get(REFRESH_COOKIE)) or ended
    if ended:
        _record(name or "?", "session", "auth.logout", 204)
    response = Response(status=204)
    _clear_cookies(response)
    return response, 204


@bp.get("/me")
@documented(responses={200: "{user{name, role}, via}", 401: "no credential"})
def me() -> Response:
    """Who you are signed in as, and through which credential."""
    principal = require_principal()
    return jsonify({"user": principal.as_user(), "via": principal.via})
