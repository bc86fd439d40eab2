"""`specfirst admin`: operate the server's database (API tokens, schema migrations), for any
project. An application's own maintenance commands are a module of the application
(`python -m <its package>.admin`), never commands of the toolkit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click
from specfirst.contract_tests.cli.options import settings_from
from specfirst.contract_tests.cli.serve import default_database_url, python_path
from specfirst.generator.errors import UsageError

if TYPE_CHECKING:
    from specfirst.server.db import Database
    from specfirst.server.services import Service

__all__ = ["admin"]

_SCOPE = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
DB_OPTION = click.option("--db", metavar="URL", help="sqlite:///FILE or postgresql://USER@HOST/DB "
                         "(default: $DATABASE_URL, else .specfirst/<project>.db).")


def _database(db: str | None, services: Sequence[Service] = ()) -> Database:
    """The database, with specfirst's own tables (and those of `services`) migrated."""
    from specfirst.server.db import Database
    from specfirst.server.migrations import apply_migrations

    database = Database.from_url(default_database_url(db, settings_from().base_dir))
    apply_migrations(database, services)
    return database


def _exists(package: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


@click.group()
def admin() -> None:
    """Administer the server's database: API tokens and schema migrations, for any spec."""


@admin.group()
def token() -> None:
    """Create and revoke API tokens."""


@token.command("create")
@click.option("--tenant", required=True, help="Tenant (account) name; created if new.")
@click.option("--scope", "scopes", multiple=True, metavar="SCOPE",
              help="A scope to grant (repeatable). Without --scope: every scope (`*`).")
@click.option("--label", help="A note stored with the token (never the token itself).")
@DB_OPTION
def token_create(tenant: str, scopes: tuple[str, ...], label: str | None, db: str | None) -> None:
    """Create a token for TENANT and print it, alone, on stdout.

    The token is shown once: only its SHA-256 hash is stored.
    """
    from specfirst.server.security import create_token

    if not tenant.strip():
        raise UsageError("--tenant must not be empty")
    for scope in scopes:
        if not _SCOPE.match(scope):
            raise UsageError(f"--scope {scope!r} is not a valid scope name")
    database = _database(db)
    try:
        value, _token_id = create_token(database, tenant.strip(), list(scopes) or None, label)
    finally:
        database.dispose()
    click.echo(value)


@token.command("revoke")
@click.argument("token_value", metavar="TOKEN", required=False)
@click.option("--id", "token_id", help="Revoke by token id instead of by value.")
@DB_OPTION
def token_revoke(token_value: str | None, token_id: str | None, db: str | None) -> None:
    """Revoke TOKEN (or the token with --id) at once, on every worker."""
    from specfirst.server.security import revoke_token

    if bool(token_value) == bool(token_id):
        raise UsageError("give either TOKEN or --id")
    database = _database(db)
    try:
        count = revoke_token(database, token=token_value, token_id=token_id)
    finally:
        database.dispose()
    if not count:
        raise UsageError("no live token matches")
    click.echo("revoked", err=True)


@admin.command()
@click.option("--handlers", metavar="PACKAGE",
              help="Also migrate the services this handler package declares in SERVICES "
                   "(default: `handlers-package` from the configuration, when importable).")
@DB_OPTION
def migrate(handlers: str | None, db: str | None) -> None:
    """Create or upgrade the database schema (the server also does this at start-up): the
    tables specfirst keeps for itself, then those of the handler package's services."""
    from specfirst.server.app import import_handlers
    from specfirst.server.migrations import chains, schema_version
    from specfirst.server.services import declared_services

    settings = settings_from()
    python_path(settings.base_dir)
    package = handlers or str(settings["handlers-package"])
    services: list[Service] = []
    if handlers or _exists(package):
        services = declared_services(import_handlers(package))
    database = _database(db, services)
    try:
        for chain, _package in chains(services):
            click.echo(f"{chain}: schema version {schema_version(database, chain)}", err=True)
    finally:
        database.dispose()
