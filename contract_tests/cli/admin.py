"""`specfirst admin`: operate the CRM server's database (tokens, users, change feed, migrations)."""

from __future__ import annotations

import re

import click
from specfirst.contract_tests.cli.options import settings_from
from specfirst.contract_tests.cli.serve import default_database_url
from specfirst.generator.errors import UsageError

__all__ = ["admin"]

_SCOPE = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
DB_OPTION = click.option("--db", metavar="URL", help="sqlite:///FILE or postgresql://USER@HOST/DB "
                         "(default: $DATABASE_URL, else .specfirst/crm.db).")


def _database(db: str | None):  # type: ignore[no-untyped-def]
    from specfirst.server.db import Database
    from specfirst.server.migrations import apply_migrations

    database = Database.from_url(default_database_url(db, settings_from().base_dir))
    apply_migrations(database)
    return database


@click.group()
def admin() -> None:
    """Administer the CRM server's database: API tokens, users, change feed, schema migrations."""


@admin.group()
def token() -> None:
    """Create and revoke API tokens."""


@token.command("create")
@click.option("--tenant", required=True, help="Tenant (account) name; created if new.")
@click.option("--scope", "scopes", multiple=True, metavar="SCOPE",
              help="A scope to grant (repeatable). Without --scope: every scope.")
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


@admin.group()
def user() -> None:
    """Manage the users (record owners, ticket assignees) of a tenant."""


@user.command("create")
@click.option("--tenant", required=True, help="Tenant (account) name; created if new.")
@click.option("--name", required=True, help="Full name.")
@click.option("--email", required=True, help="Email address (unique per tenant).")
@click.option("--role", type=click.Choice(["admin", "manager", "sales", "support"]),
              default="sales", show_default=True, help="Role.")
@DB_OPTION
def user_create(tenant: str, name: str, email: str, role: str, db: str | None) -> None:
    """Create a user and print its id on stdout."""
    from specfirst.server.users import create_user

    database = _database(db)
    try:
        click.echo(create_user(database, tenant, name=name, email=email, role=role))
    finally:
        database.dispose()


@admin.group()
def changes() -> None:
    """Maintain the change feed."""


@changes.command("prune")
@click.option("--days", type=click.FloatRange(min=0), metavar="DAYS",
              help="Keep the changes of the last DAYS days; 0 keeps everything (default: "
                   "$SPECFIRST_SERVER_CHANGES_RETENTION_DAYS, else 30).")
@DB_OPTION
def changes_prune(days: float | None, db: str | None) -> None:
    """Delete older changes from the feed now, in batches, and print how many went.

    The server does the same by itself every hour; feed cursors that pointed before the
    changes kept then answer 410 (the client starts a fresh sync).
    """
    from specfirst.server.retention import prune_changes
    from specfirst.server.settings import ServerSettings

    keep = ServerSettings.from_env().changes_retention_days if days is None else days
    database = _database(db)
    try:
        count = prune_changes(database, keep)
    finally:
        database.dispose()
    click.echo(f"pruned {count} changes" + (f" older than {keep:g} days" if keep else ""))


@admin.command()
@DB_OPTION
def migrate(db: str | None) -> None:
    """Create or upgrade the database schema (the server also does this at start-up)."""
    from specfirst.server.migrations import schema_version

    database = _database(db)
    try:
        click.echo(f"schema version {schema_version(database)}", err=True)
    finally:
        database.dispose()
