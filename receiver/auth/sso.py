"""The per-app sign-in-by-someone-else objects (``services.get().sso``): OpenID Connect and the Airflow plugin,
each None when not configured. Built and checked at start, so a wrong setting stops the receiver instead of
failing at the first sign-in."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lineagelens.receiver.auth.airflow import AirflowSignIn
from lineagelens.receiver.auth.oidc import OidcConfig, OidcSignIn

log = logging.getLogger(__name__)

SAMESITE_VALUES = ("strict", "lax", "none")


@dataclass(frozen=True)
class Sso:
    oidc: OidcSignIn | None = None
    airflow: AirflowSignIn | None = None


def make_sso(settings: Mapping[str, Any], *, state_key: bytes) -> Sso:
    samesite = str(settings.get("COOKIE_SAMESITE") or "strict").strip().lower()
    if samesite not in SAMESITE_VALUES:
        raise ValueError(f"LINEAGELENS_COOKIE_SAMESITE must be one of {', '.join(SAMESITE_VALUES)}, "
                         f"got {samesite!r}")
    config = OidcConfig.from_settings(settings)
    oidc = OidcSignIn(config, state_key=state_key) if config is not None else None
    if config is not None:
        log.info("single sign-on with %s (client %s)", config.issuer, config.client_id)
    return Sso(oidc=oidc, airflow=AirflowSignIn.from_settings(settings))
