"""``lineagelens users ...`` and ``lineagelens apikey ...``: they act on the configured state database
directly (whoever runs them has a shell on the receiver's host) and are recorded in the audit log as
``cli:<os user>``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
import sqlalchemy as sa

from lineagelens.receiver.auth.apikeys import ApiKeyStore
from lineagelens.receiver.auth.audit import AuditLog, Entry, cli_actor
from lineagelens.receiver.auth.principal import Role, Scope
from lineagelens.receiver.auth.users import UserStore
from lineagelens.receiver.errors import ApiError

log = logging.getLogger(__name__)

T = TypeVar("T")


@contextmanager
def _engine() -> Iterator[sa.Engine]:
    from lineagelens.receiver import config
    from lineagelens.receiver.state import db

    engine = db.create_engine(config.load()["DATABASE_URL"])
    try:
        db.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def _run(engine: sa.Engine, action: str, target: str, change: Callable[[], T]) -> T:
    """Make a change, turning domain errors into a clean CLI error, and audit it."""
    try:
        result = change()
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    AuditLog(engine).record(Entry(actor=cli_actor(), via="cli", action=action, target=target))
    return result


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


ROLES = click.Choice([r.name for r in Role])


@click.group("users")
def users_group() -> None:
    """Local users (sign-in for the web UI and API)."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", type=ROLES, required=True)
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
def users_create(name: str, role: str, password_stdin: bool) -> None:
    """Create a user (you are asked for the password unless --password-stdin)."""
    password = _read_password(password_stdin)
    with _engine() as engine:
        user = _run(engine, "cli.users.create", name,
                    lambda: UserStore(engine).create(name=name, role=role, password=password))
    click.echo(f"created user {user.name} ({user.role.name})")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def users_list(as_json: bool) -> None:
    """List the users and their roles."""
    with _engine() as engine:
        found = UserStore(engine).list()
    if as_json:
        click.echo(json.dumps([u.as_json() for u in found], indent=2))
        return
    for user in found:
        click.echo(f"{user.name}\t{user.role.name}")


@users_group.command("delete")
@click.argument("name")
def users_delete(name: str) -> None:
    """Delete a user and end their sessions (the last admin cannot be deleted)."""
    with _engine() as engine:
        _run(engine, "cli.users.delete", name, lambda: UserStore(engine).delete(name))
    click.echo(f"deleted user {name}")


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=ROLES)
def users_set_role(name: str, role: str) -> None:
    """Change a user's role (their sessions end)."""
    with _engine() as engine:
        user = _run(engine, "cli.users.set_role", name, lambda: UserStore(engine).update(name, role=role))
    click.echo(f"{user.name} is now {user.role.name}")


@users_group.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
def users_set_password(name: str, password_stdin: bool) -> None:
    """Set a user's password (their sessions end)."""
    password = _read_password(password_stdin)
    with _engine() as engine:
        _run(engine, "cli.users.set_password", name, lambda: UserStore(engine).update(name, password=password))
    click.echo(f"password of {name} changed")


@click.group("apikey")
def apikey_group() -> None:
    """API keys for producers and scripts (sent as 'Authorization: Bearer <key>')."""


@apikey_group.command("create")
@click.option("--name", required=True)
@click.option("--scope", type=click.Choice([s.value for s in Scope]), required=True)
@click.option("--namespace", "namespaces", multiple=True, help="limit an ingest key to this namespace (repeatable)")
def apikey_create(name: str, scope: str, namespaces: tuple[str, ...]) -> None:
    """Create a key and print it (once: only its hash is stored)."""
    with _engine() as engine:
        record, key = _run(engine, "cli.apikey.create", name, lambda: ApiKeyStore(engine).create(
            name=name, scope=scope, namespaces=list(namespaces), created_by=cli_actor()))
    click.echo(f"created API key {record.id} ({record.scope.value}"
               f"{', namespaces ' + ', '.join(record.namespaces) if record.namespaces else ''}); "
               "it is shown only now:", err=True)
    click.echo(key)


def _row(record: dict[str, Any]) -> str:
    state = f"revoked {record['revokedAt']}" if record["revokedAt"] else "active"
    return "\t".join([record["id"], record["name"], record["scope"], ",".join(record["namespaces"]) or "*",
                      state, f"last used {record['lastUsedAt'] or 'never'}"])


@apikey_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def apikey_list(as_json: bool) -> None:
    """List the keys (never the keys themselves)."""
    with _engine() as engine:
        found = [k.as_json() for k in ApiKeyStore(engine).list()]
    click.echo(json.dumps(found, indent=2) if as_json else "\n".join(_row(k) for k in found))


@apikey_group.command("revoke")
@click.argument("key_id")
def apikey_revoke(key_id: str) -> None:
    """Revoke a key by its id (it stops working at once)."""
    with _engine() as engine:
        _run(engine, "cli.apikey.revoke", key_id, lambda: ApiKeyStore(engine).revoke(key_id))
    click.echo(f"revoked API key {key_id}")
