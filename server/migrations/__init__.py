"""Versioned schema migrations in chains, applied in order at start-up and by `specfirst admin
migrate`.

A chain is a package of modules `mNNNN_<name>.py`, each defining `VERSION: int` and
`def upgrade(conn: sqlalchemy.Connection) -> None`. This package is the chain `specfirst`: the
tables the runtime keeps for itself (`specfirst_tenants`, `specfirst_tokens`,
`specfirst_rate_limits`, `specfirst_secrets`), applied for every spec. An application adds its
own chain through a `Service` (`Service(name, migrations="myapp.migrations")`); its tables exist
only when it is served.

`apply_migrations(db, services)` runs the `specfirst` chain first, then each service's chain,
one write transaction per migration, every version not yet recorded for that chain in
`specfirst_migrations (chain, version, name, applied_at)`. Two processes starting at once are
safe: the check-and-apply happens under a database lock (`BEGIN IMMEDIATE` on SQLite,
`pg_advisory_xact_lock` on PostgreSQL), so the second one waits and then finds nothing to do.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from specfirst.server.db import Database
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from specfirst.server.services import Service

__all__ = ["CHAIN", "Migration", "apply_migrations", "discover", "schema_version"]

log = logging.getLogger(__name__)

CHAIN = "specfirst"  # the runtime's own chain: this package
MIGRATION_LOCK_DEADLINE_S = 120.0  # how long start-up waits out a locked SQLite file
_MODULE = re.compile(r"^m(\d{4})_\w+$")
_LOCK_KEY = 727_001  # arbitrary constant shared by every process of this application


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    module: ModuleType
    chain: str = CHAIN


def discover(package: str = __name__, chain: str = CHAIN) -> list[Migration]:
    """Every migration module of `package` (default: the runtime's own), in version order."""
    module_of_package = importlib.import_module(package)
    found: list[Migration] = []
    for info in pkgutil.iter_modules(getattr(module_of_package, "__path__", [])):
        match = _MODULE.match(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        version = int(module.VERSION)
        if version != int(match.group(1)):
            raise RuntimeError(f"migration {package}.{info.name} declares VERSION {version}")
        found.append(Migration(version, info.name, module, chain))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions in {package}: {versions}")
    return found


_CREATE = (
    "CREATE TABLE IF NOT EXISTS specfirst_migrations ("
    " chain VARCHAR(100) NOT NULL, version INTEGER NOT NULL, name VARCHAR(200) NOT NULL,"
    " applied_at VARCHAR(40) NOT NULL, PRIMARY KEY (chain, version))"
)


def _lock(conn: Connection, db: Database) -> None:
    if not db.is_sqlite:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def applied_versions(conn: Connection, chain: str = CHAIN) -> set[int]:
    return {row[0] for row in conn.execute(
        text("SELECT version FROM specfirst_migrations WHERE chain = :c"), {"c": chain})}


def chains(services: Iterable[Service] = ()) -> list[tuple[str, str]]:
    """(chain, package) in the order they are applied: the runtime's, then the services'."""
    found = [(CHAIN, __name__)]
    for service in services:
        if service.migrations and (service.name, service.migrations) not in found:
            found.append((service.name, service.migrations))
    return found


def apply_migrations(db: Database, services: Iterable[Service] = ()) -> list[int]:
    """Apply every pending migration of the runtime's chain and then of each service's;
    returns the versions applied by this call. Several processes may start at once: a
    SQLite "database is locked" outside the write retry (the first connections to a new
    file switch it to WAL) is waited out, and each migration is skipped once applied."""
    services = tuple(services)
    applied_now: list[int] = []
    deadline = time.monotonic() + MIGRATION_LOCK_DEADLINE_S
    while True:
        try:
            _apply_pending(db, services, applied_now)
            return applied_now
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            log.info("database locked while migrating; retrying")
            time.sleep(0.1)


def _apply_pending(db: Database, services: tuple[Service, ...], applied_now: list[int]) -> None:
    with db.write() as conn:
        _lock(conn, db)
        conn.execute(text(_CREATE))
    for chain, package in chains(services):
        for migration in discover(package, chain):
            with db.write() as conn:
                _lock(conn, db)
                if migration.version in applied_versions(conn, chain):
                    continue
                log.info("applying migration %s of %s", migration.name, chain)
                migration.module.upgrade(conn)
                conn.execute(
                    text("INSERT INTO specfirst_migrations (chain, version, name, applied_at) "
                         "VALUES (:c, :v, :n, :t)"),
                    {"c": chain, "v": migration.version, "n": migration.name, "t": _now()},
                )
            applied_now.append(migration.version)


def schema_version(db: Database, chain: str = CHAIN) -> int:
    """The highest version of `chain` applied to the database (0: none)."""
    with db.read() as conn:
        versions = applied_versions(conn, chain)
    return max(versions, default=0)


def _now() -> str:
    from specfirst.server.timeutil import now_iso

    return now_iso()
