"""`specfirst serve`: serve a spec with its handlers on uvicorn (default: the configured ones)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click
from specfirst.contract_tests.cli.options import settings_from
from specfirst.generator.errors import UsageError

__all__ = ["default_database_url", "python_path", "serve"]

log = logging.getLogger(__name__)


def default_database_url(db: str | None, base_dir: Path) -> str:
    """`--db`, else `$DATABASE_URL`, else `.specfirst/<project>.db` in the project's folder
    (`<project>`: `[project] name` of the nearest pyproject.toml, else the folder's name)."""
    from specfirst.generator.config import default_database_url as project_database_url

    if db:
        return db
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return project_database_url(base_dir)


def python_path(base_dir: Path) -> None:
    """Make the project's folder and the working directory importable, here and in workers."""
    folders = list(dict.fromkeys([os.getcwd(), str(base_dir)]))
    for folder in reversed(folders):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (*folders, os.environ.get("PYTHONPATH", "")) if p)


@click.command()
@click.argument("spec", required=False)
@click.option("--handlers", "handlers", metavar="PACKAGE",
              help="Python package of the handler modules (default: `handlers-package` from "
                   "the configuration, else `handlers`).")
@click.option("--db", metavar="URL", help="sqlite:///FILE or postgresql://USER@HOST/DB "
              "(default: $DATABASE_URL, else .specfirst/<project>.db).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (share the database; use PostgreSQL for many). On Linux "
                   "each listens on the port itself, and the kernel spreads connections "
                   "across them.")
@click.option("--response-validation/--no-response-validation", default=None,
              help="Validate every response against the spec (default: on, or "
                   "$SPECFIRST_SERVER_RESPONSE_VALIDATION).")
def serve(spec: str | None, handlers: str | None, db: str | None, host: str, port: int,
          workers: int, response_validation: bool | None) -> None:
    """Serve SPEC (default: `spec` from the configuration) with Connexion on uvicorn.

    Handlers are found by the handler convention (module per tag, function per operation);
    operations without a handler answer 501. A handler package that cannot be imported is an
    error (exit 2) before anything is served. The database schema (specfirst's own tables, and
    those of the services the handler package declares in SERVICES) is created and migrated at
    start-up. Stop with Ctrl-C.
    """
    import uvicorn
    from specfirst.contract_tests.cli.options import load_spec_arg
    from specfirst.server.app import import_handlers
    from specfirst.server.db import Database
    from specfirst.server.migrations import apply_migrations
    from specfirst.server.services import declared_services
    from specfirst.server.uvicorn_compat import PROTOCOL
    from specfirst.server.workers import PortInUse, WorkerPool, reuse_port_supported

    settings = settings_from()
    loaded = load_spec_arg(spec, settings)  # fail early, with a located error
    spec_path = str(loaded.path.resolve())
    handlers = handlers or str(settings["handlers-package"])
    python_path(settings.base_dir)
    services = declared_services(import_handlers(handlers))
    url = default_database_url(db, settings.base_dir)
    database = Database.from_url(url)
    try:
        apply_migrations(database, services)
    except Exception as exc:  # noqa: BLE001 - an unreachable database is a usage problem
        raise UsageError(f"cannot prepare the database: {type(exc).__name__}",
                         hint="check --db / DATABASE_URL") from None
    finally:
        database.dispose()
    os.environ["DATABASE_URL"] = url
    os.environ["SPECFIRST_SERVER_SPEC"] = spec_path
    os.environ["SPECFIRST_SERVER_HANDLERS"] = handlers
    if response_validation is not None:
        os.environ["SPECFIRST_SERVER_RESPONSE_VALIDATION"] = str(response_validation).lower()
    options: dict[str, Any] = {
        "app": "specfirst.server.app:create_app_from_env", "factory": True, "host": host,
        "port": port, "log_level": "warning", "access_log": False,
        "timeout_graceful_shutdown": 5, "http": PROTOCOL}
    if workers > 1 and reuse_port_supported():
        try:
            pool = WorkerPool(options, host, port, workers)
        except PortInUse as exc:
            raise UsageError(str(exc.strerror), hint="choose another --port") from None
        click.echo(f"serving on http://{host}:{pool.port} (database: {database!r}; "
                   f"{workers} workers)", err=True)
        raise SystemExit(pool.run())
    click.echo(f"serving on http://{host}:{port} (database: {database!r})", err=True)
    uvicorn.run(**options, workers=workers)
