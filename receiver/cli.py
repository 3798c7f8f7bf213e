"""The ``lineagelens`` command line."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from flask import Flask

log = logging.getLogger(__name__)


def _app(**overrides: Any) -> Flask:
    from lineagelens.receiver import create_app

    return create_app({"WORKER_ENABLED": False, **overrides})


@click.group()
@click.version_option(package_name="lineagelens")
def main() -> None:
    """LineageLens: OpenLineage receiver and lineage graph. Settings come from LINEAGELENS_* variables
    (see docs/configuration.md)."""
    logging.basicConfig(level=os.environ.get("LINEAGELENS_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--threads", default=8, show_default=True, type=int, help="threads per worker")
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader")
@click.option("--role", type=click.Choice(["all", "api", "worker", "scheduler"]), default=None,
              help="what runs besides HTTP: all (default), api, worker (projection, Kafka, alert delivery) or "
                   "scheduler (health checks, alert scheduler) [default: LINEAGELENS_ROLE or all]")
def serve(host: str, port: int, workers: int, threads: int, dev: bool, role: str | None) -> None:
    """Run the receiver (gunicorn with threads for HTTP; live WebSocket streams run on one event loop per
    worker and hold no thread; with role "all", projection, alerts and health checks run in one background
    process beside the workers; --dev for Flask's reloader, all in one process). SIGTERM stops it gracefully:
    no new connections, in-flight requests finish, projection finishes its current batch."""
    if role is not None:
        os.environ["LINEAGELENS_ROLE"] = role  # read by every gunicorn worker's create_app
    # Role "all" on one machine: the HTTP workers answer requests only, and one background process beside
    # them projects and runs the rest (receiver/background_process.py), so acknowledgements never wait for
    # projection's share of a worker's interpreter. They share a private folder: wake sockets, metrics files.
    from lineagelens.receiver import config, services
    from lineagelens.receiver.auth import bootstrap

    settings = config.load()
    split = not dev and settings["ROLE"] == "all" and settings["WORKER_ENABLED"]

    try:  # AUTH=off only on loopback; on first start, create and print the admin's credentials once
        app = bootstrap.prepare(lambda: _app(WORKER_ENABLED=dev), host=host, port=port, echo=click.echo)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if dev:
        app.run(host=host, port=port, debug=True, use_reloader=True)
        return
    from lineagelens.receiver.server import run

    services.get(app).close()  # migrate once, before the workers start
    click.echo(f"LineageLens receiver on http://{host}:{port}  (POST /api/v1/lineage; Ctrl-C stops)")
    if not split:
        run(host=host, port=port, workers=workers, threads=threads)
        return
    serve_dir = tempfile.mkdtemp(prefix="lineagelens-serve-")  # mode 0700: wake sockets and metrics files
    master = os.getpid()
    os.environ["LINEAGELENS_SERVE_DIR"] = serve_dir
    os.environ["LINEAGELENS_ROLE"] = "api"  # the gunicorn workers; the background process runs "all"
    try:
        run(host=host, port=port, workers=workers, threads=threads, background=True)
    finally:
        if os.getpid() == master:  # a forked worker leaves through here too: the folder is the master's
            shutil.rmtree(serve_dir, ignore_errors=True)


@main.group()
def db() -> None:
    """The state database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations (create_app also does this on start)."""
    from lineagelens.receiver import config
    from lineagelens.receiver.state import db as state_db

    engine = state_db.create_engine(config.load()["DATABASE_URL"])
    state_db.upgrade(engine)
    click.echo(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


def _natural(path: Path) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def _event_files(paths: tuple[Path, ...]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted((p for p in path.rglob("*") if p.suffix in {".json", ".jsonl", ".ndjson"}),
                              key=lambda p: (str(p.parent), _natural(p)))
        else:
            yield path


def _events_in(path: Path) -> Iterator[Any]:
    """A file holds one event, a JSON array of events, or one event per line."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        yield from (json.loads(line) for line in text.splitlines() if line.strip())
        return
    yield from data if isinstance(data, list) else [data]


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def replay(paths: tuple[Path, ...]) -> None:
    """Ingest event files or folders, in file order, through the same ingest code as the API."""
    from lineagelens.receiver import services
    from lineagelens.receiver.errors import ApiError

    app = _app(PROJECTION_MODE="background")
    s = services.get(app)
    files = list(_event_files(paths))
    accepted = duplicates = rejected = 0
    with click.progressbar(files, label="replaying", file=sys.stderr) as bar:
        for path in bar:
            for raw in _events_in(path):
                try:
                    result = s.ingestor.ingest(raw)
                except ApiError as exc:
                    rejected += 1
                    click.echo(f"\n{path}: {exc.message} {exc.errors}", err=True)
                    continue
                duplicates += result.duplicate
                accepted += not result.duplicate
    s.projector.drain()
    click.echo(f"{accepted} accepted, {duplicates} duplicates, {rejected} rejected")
    s.close()
    if rejected:
        sys.exit(1)


@main.group()
def graph() -> None:
    """The lineage graph."""


@graph.command("rebuild")
def graph_rebuild() -> None:
    """Clear the graph store and re-project the whole event log into it."""
    from lineagelens.receiver import services

    s = services.get(_app())
    with click.progressbar(length=s.events.count(), label="projecting", file=sys.stderr) as bar:
        result = s.projector.rebuild(progress=bar.update)
    click.echo(f"{result.projected} events projected into the {s.graph.name} graph store")
    click.echo(json.dumps(s.graph.counts()))
    s.close()


@main.command("plugins")
def list_plugins() -> None:
    """List the loaded plugins."""
    from lineagelens.receiver import plugins, services

    s = services.get(_app())
    click.echo(json.dumps(plugins.describe(s.plugins), indent=2))
    s.close()


def _add_integration_commands() -> None:
    from lineagelens.integrations.cli import airflow_config, spark_conf

    main.add_command(airflow_config)
    main.add_command(spark_conf)
    from lineagelens.receiver.cli_secrets import secrets_group

    main.add_command(secrets_group)
    from lineagelens.receiver.auth.cli import apikey_group, users_group

    main.add_command(users_group)
    main.add_command(apikey_group)


_add_integration_commands()
