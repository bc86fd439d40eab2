"""The CRM's own maintenance commands: `python -m specfirst.server.crm.admin --help`.

    python -m specfirst.server.crm.admin user create --tenant acme --name "Grace Hopper" \\
        --email grace@acme.example
    python -m specfirst.server.crm.admin changes prune [--days 30]

They work on the database `specfirst serve` uses (`--db`, else `$DATABASE_URL`, else
`.specfirst/<project>.db`), with the runtime's and the CRM's migrations applied. API tokens are
the runtime's business: `specfirst admin token create`.
"""

from __future__ import annotations

import sys

import click
from specfirst.generator.config import default_database_url
from specfirst.generator.errors import SpecfirstError
from specfirst.server.crm import apply_migrations
from specfirst.server.db import Database

__all__ = ["admin", "main"]

DB_OPTION = click.option("--db", metavar="URL", help="sqlite:///FILE or postgresql://USER@HOST/DB "
                         "(default: $DATABASE_URL, else .specfirst/<project>.db).")


def _database(db: str | None) -> Database:
    import os

    database = Database.from_url(db or os.environ.get("DATABASE_URL") or default_database_url())
    apply_migrations(database)
    return database


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def admin() -> None:
    """Maintain the CRM's data: its users and its change feed."""


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
    from specfirst.server.crm.users import create_user

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
    from specfirst.server.crm.retention import prune_changes
    from specfirst.server.crm.settings import changes_retention_days
    from specfirst.server.settings import ServerSettings

    keep = changes_retention_days(ServerSettings.from_env()) if days is None else days
    database = _database(db)
    try:
        count = prune_changes(database, keep)
    finally:
        database.dispose()
    click.echo(f"pruned {count} changes" + (f" older than {keep:g} days" if keep else ""))


def main(argv: list[str] | None = None) -> None:
    """Run the commands; a configuration or usage error is one line and exit 2."""
    try:
        admin.main(args=argv, prog_name="python -m specfirst.server.crm.admin",
                   standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except SpecfirstError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
