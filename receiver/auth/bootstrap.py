"""First start, secure by default: with auth on and no user yet, ``lineagelens serve`` creates the user
``admin`` with a random password and an ingest API key ``default-ingest``, and prints both once."""

from __future__ import annotations

import ipaddress
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from lineagelens.receiver.auth.audit import Entry
from lineagelens.receiver.auth.identity import Auth
from lineagelens.receiver.auth.principal import Role, Scope
from lineagelens.receiver.errors import Conflict

log = logging.getLogger(__name__)

ADMIN = "admin"
INGEST_KEY_NAME = "default-ingest"


@dataclass(frozen=True)
class FirstStart:
    password: str
    ingest_key: str


def first_start(auth: Auth) -> FirstStart | None:
    """Create the first admin and an ingest key when auth is on and there is no user; None otherwise."""
    if not auth.enabled or auth.users.count():
        return None
    password = secrets.token_urlsafe(18)
    try:
        auth.users.create(name=ADMIN, role=Role.admin.name, password=password)
    except Conflict:  # another process got there first
        return None
    record, key = auth.keys.create(name=INGEST_KEY_NAME, scope=Scope.ingest.value, created_by="first-start")
    for action, target in (("users.create_user", ADMIN), ("apikeys.create_api_key", record.id)):
        auth.audit.record(Entry(actor="first-start", via="serve", action=action, target=target))
    return FirstStart(password=password, ingest_key=key)


def box(lines: list[str]) -> str:
    """``lines`` framed, so they stand out in a terminal full of log lines."""
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])


def message(found: FirstStart, url: str) -> str:
    return box([
        "LineageLens first start: sign-in and ingest credentials (shown ONCE, not stored in clear anywhere)",
        "",
        f"  UI:          {url}",
        f"  user:        {ADMIN}",
        f"  password:    {found.password}",
        f"  ingest key:  {found.ingest_key}",
        "",
        "Send events with:",
        f"  curl -H 'Authorization: Bearer {found.ingest_key}' -H 'Content-Type: application/json' \\",
        f"       --data @event.json {url}/api/v1/lineage",
        "",
        "Change the password: lineagelens users set-password admin --password-stdin",
        "More keys:           lineagelens apikey create --name NAME --scope ingest|read|admin",
    ])


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a --host value) only listens on loopback."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to anything


def check_listen(*, auth_on: bool, host: str) -> None:
    """Refuse AUTH=off unless the server listens on loopback only."""
    if not auth_on and not is_loopback(host):
        raise ValueError(f"LINEAGELENS_AUTH=off is only allowed when serving on loopback (127.0.0.1, ::1, "
                         f"localhost), not on {host!r}: anyone who can reach it would be an admin. Turn auth on, "
                         "or serve on --host 127.0.0.1.")


def prepare(make_app: Callable[[], Flask], *, host: str, port: int, echo: Callable[[str], None]) -> Flask:
    """What ``serve`` does before it serves: refuse AUTH=off off loopback (ValueError, before anything is
    built), build the app (which migrates), and on first start print the new credentials once."""
    from lineagelens.receiver import config, services
    from lineagelens.receiver.auth.identity import auth_enabled

    check_listen(auth_on=auth_enabled(config.load()["AUTH"]), host=host)
    app = make_app()
    found = first_start(services.get(app).auth)
    if found is not None:
        shown = f"[{host}]" if ":" in host else host
        echo(message(found, f"http://{'127.0.0.1' if shown in {'0.0.0.0', '[::]'} else shown}:{port}"))
    return app
