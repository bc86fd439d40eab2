"""`specfirst serve`: serve a spec with its handlers (default: the reference CRM) on uvicorn."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click
from specfirst.contract_tests.cli.options import settings_from
from specfirst.generator.errors import UsageError

__all__ = ["default_database_url", "serve"]

log = logging.getLogger(__name__)


def default_database_url(db: str | None, base_dir: Path) -> str:
    """`--db`, else `$DATABASE_URL`, else a SQLite file under `.specfirst/`."""
    if db:
        return db
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return f"sqlite:///{(base_dir / '.specfirst' / 'crm.db').as_posix()}"


@click.command()
@click.argument("spec", required=False)
@click.option("--handlers", "handlers", metavar="PACKAGE",
              help="Python package of the handler modules (default: the CRM handlers, or "
                   "`handlers-package` from the configuration when SPEC is given).")
@click.option("--db", metavar="URL", help="sqlite:///FILE or postgresql://USER@HOST/DB "
              "(default: $DATABASE_URL, else .specfirst/crm.db).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (share the database; use PostgreSQL for many).")
@click.option("--response-validation/--no-response-validation", default=None,
              help="Validate every response against the spec (default: on, or "
                   "$SPECFIRST_SERVER_RESPONSE_VALIDATION).")
def serve(spec: str | None, handlers: str | None, db: str | None, host: str, port: int,
          workers: int, response_validation: bool | None) -> None:
    """Serve SPEC with Connexion on uvicorn: the reference CRM when no SPEC is given.

    Handlers are found by the handler convention (module per tag, function per operation);
    operations without a handler answer 501. The database schema is created and migrated at
    start-up. Stop with Ctrl-C.
    """
    import uvicorn
    from specfirst.generator.loader import Spec
    from specfirst.server.db import Database
    from specfirst.server.migrations import apply_migrations

    settings = settings_from()
    spec_path = str(Path(spec).resolve()) if spec else ""
    if spec:
        Spec.from_path(spec_path, settings.limits)  # fail early, with a located error
        handlers = handlers or str(settings["handlers-package"])
    url = default_database_url(db, settings.base_dir)
    database = Database.from_url(url)
    try:
        apply_migrations(database)
    except Exception as exc:  # noqa: BLE001 - an unreachable database is a usage problem
        raise UsageError(f"cannot prepare the database: {type(exc).__name__}",
                         hint="check --db / DATABASE_URL") from None
    finally:
        database.dispose()
    os.environ["DATABASE_URL"] = url
    os.environ["SPECFIRST_SERVER_SPEC"] = spec_path
    os.environ["SPECFIRST_SERVER_HANDLERS"] = handlers or ""
    if response_validation is not None:
        os.environ["SPECFIRST_SERVER_RESPONSE_VALIDATION"] = str(response_validation).lower()
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (cwd, os.environ.get("PYTHONPATH", "")) if p)
    click.echo(f"serving on http://{host}:{port} (database: {database!r})", err=True)
    uvicorn.run("specfirst.server.app:create_app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5)
