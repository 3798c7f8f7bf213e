"""Sign-in by someone else (``/api/v1/auth/oidc/*``, ``/api/v1/auth/airflow``): single sign-on with an OpenID
provider, and the Airflow plugin's signed token. Both end exactly like a password sign-in (the same session,
refresh and CSRF cookies, an audit entry) and redirect the browser to a local path (``next``)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, redirect, request
from marshmallow import EXCLUDE, Schema, fields
from werkzeug.wrappers import Response

from lineagelens.receiver import services
from lineagelens.receiver.api.args import load_args
from lineagelens.receiver.api.auth import cookie_attributes, set_session_cookies
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.auth.airflow import AirflowSignInOff, AirflowTokenRejected
from lineagelens.receiver.auth.audit import Entry
from lineagelens.receiver.auth.federated import SignInRefused, sign_in_user
from lineagelens.receiver.auth.oidc import OidcNotConfigured, local_path
from lineagelens.receiver.errors import ApiError

log = logging.getLogger(__name__)

bp = Blueprint("sso", __name__, url_prefix="/api/v1/auth")

OIDC_COOKIE = "lineagelens_oidc"


class CrossSiteCookies(ApiError):
    status, code = 400, "cross_site_cookies"


class LoginArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    next = fields.String(load_default="/", metadata={"description": "a local path to return to"})


class CallbackArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String()
    state = fields.String()
    iss = fields.String()
    error = fields.String()
    error_description = fields.String()


class AirflowArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    token = fields.String(required=True, metadata={"description": "the plugin's short-lived signed token"})
    next = fields.String(load_default="/", metadata={"description": "a local path to return to"})


def _record(actor: str, via: str, action: str, status: int, target: str | None = None) -> None:
    services.get().auth.audit.record(Entry(actor=actor, via=via, action=action, method=request.method,
                                           path=request.path, target=target, status=status))


def _oidc_cookie_path() -> str:
    return request.script_root.rstrip("/") + "/api/v1/auth/oidc"


@bp.get("/oidc/login")
@documented(query=LoginArgs, responses={302: "to the identity provider (authorization code + PKCE); sets a "
                                             "short-lived cookie for the callback",
                                        404: "single sign-on is not configured",
                                        502: "the identity provider cannot be reached"})
def oidc_login() -> Response:
    """Start single sign-on: redirect to the OpenID provider."""
    oidc = services.get().sso.oidc
    if oidc is None:
        raise OidcNotConfigured("single sign-on is not configured (LINEAGELENS_OIDC_ISSUER)")
    started = oidc.begin(load_args(LoginArgs())["next"])
    response = redirect(started.redirect_to, code=302)
    # Lax: the provider sends the browser back with a cross-site top-level GET, which Strict would not carry.
    attrs = cookie_attributes()
    samesite = "None" if attrs["samesite"] == "None" else "Lax"
    response.set_cookie(OIDC_COOKIE, started.cookie, max_age=600, path=_oidc_cookie_path(), httponly=True,
                        secure=attrs["secure"], samesite=samesite)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/oidc/callback")
@documented(query=CallbackArgs, responses={302: "signed in: the session cookies are set; to the 'next' path",
                                           401: "the answer does not belong to a sign-in this browser started "
                                                "(state), or the ID token is not valid",
                                           403: "the user's groups map to no role",
                                           404: "single sign-on is not configured"})
def oidc_callback() -> Response:
    """Finish single sign-on: check the provider's answer and start a session."""
    sso, auth = services.get().sso, services.get().auth
    if sso.oidc is None:
        raise OidcNotConfigured("single sign-on is not configured (LINEAGELENS_OIDC_ISSUER)")
    params = {k: v for k, v in load_args(CallbackArgs()).items() if isinstance(v, str)}
    try:
        identity = sso.oidc.finish(params, request.cookies.get(OIDC_COOKIE))
        user = sign_in_user(auth.users, name=identity.name, role=identity.role)
    except SignInRefused as exc:
        _record("oidc:?", "oidc", "auth.oidc_refused", exc.status, target=exc.message[:200])
        raise
    except ApiError as exc:
        _record("oidc:?", "oidc", "auth.oidc_failed", exc.status, target=exc.message[:200])
        raise
    issued = auth.sessions.start(user)
    _record(user.name, "oidc", "auth.login", 302, target=f"{user.role.name} ({', '.join(identity.groups)[:150]})")
    response = redirect(identity.next_path, code=302)
    set_session_cookies(response, issued)
    response.delete_cookie(OIDC_COOKIE, path=_oidc_cookie_path(), httponly=True)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/airflow")
@documented(query=AirflowArgs, responses={302: "signed in as airflow:<user>: the session cookies are set; to the "
                                               "'next' path",
                                          400: "opened from another site while the session cookies are not "
                                               "SameSite=None (LINEAGELENS_COOKIE_SAMESITE)",
                                          401: "the token is forged, expired or already used",
                                          404: "the Airflow sign-in is off (LINEAGELENS_AIRFLOW_SHARED_SECRET)"})
def airflow_signin() -> Response:
    """Sign in from the Airflow plugin with its short-lived token (the embedded UI asks no second password)."""
    sso, auth = services.get().sso, services.get().auth
    if sso.airflow is None:
        raise AirflowSignInOff("the Airflow sign-in is off (LINEAGELENS_AIRFLOW_SHARED_SECRET)")
    args = load_args(AirflowArgs())
    if request.headers.get("Sec-Fetch-Site") == "cross-site" and cookie_attributes()["samesite"] != "None":
        raise CrossSiteCookies("LineageLens is opened from a page of another site (Airflow on another domain): "
                               "the browser would drop its session cookies. Serve Airflow and LineageLens under "
                               "one site, or set LINEAGELENS_COOKIE_SAMESITE=none and use HTTPS "
                               "(docs/security.md, \"Inside Airflow\").")
    try:
        identity = sso.airflow.verify(args["token"])
        user = sign_in_user(auth.users, name=identity.name, role=identity.role)
        try:
            issued = auth.sessions.start(user, session_id=identity.session_id)
        except sa.exc.IntegrityError as exc:
            raise AirflowTokenRejected("this Airflow sign-in token was already used: open LineageLens from "
                                       "Airflow again") from exc
    except ApiError as exc:
        _record("airflow:?", "airflow", "auth.airflow_failed", exc.status, target=exc.message[:200])
        raise
    _record(user.name, "airflow", "auth.login", 302, target=user.role.name)
    response = redirect(local_path(args["next"]), code=302)
    set_session_cookies(response, issued)
    response.headers["Cache-Control"] = "no-store"
    return response
