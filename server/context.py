"""What a handler needs from the running server: the database, the settings, and the caller.

The app factory configures one `Runtime` per process (`configure`); handlers reach it through
these functions, never through globals of their own:

    from specfirst.server.context import caller, get_db, get_settings

    def list_things(limit=None, cursor=None, *, token_info=None):
        who = caller(token_info)               # Caller(tenant_id, token_id, scopes)
        with get_db().read() as conn:          # specfirst.server.db.Database
            rows = conn.execute(...)           # always filter on who.tenant_id
        with get_db().write() as conn:         # one write transaction (BEGIN IMMEDIATE on SQLite)
            ...
            record_change(conn, tenant_id=who.tenant_id, ...)

`token_info` is what the token check (`server.security_schemes`) put in the request context;
Connexion passes it to every handler of an operation with security. `caller` raises a 401
problem when it is missing, so a handler can never run without a tenant by mistake.

Background services: `create_app` enters the `lifespan(runtime)` async context manager of each
`Service` the handler package declares (`specfirst.server.services`); they are exited when the
server stops.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from specfirst.server.db import Database
from specfirst.server.problems import Problem
from specfirst.server.settings import ServerSettings

__all__ = ["Caller", "Runtime", "caller", "configure", "get_db", "get_runtime", "get_settings"]


@dataclass(frozen=True)
class Caller:
    """The authenticated client: its tenant, its token and the scopes it was granted."""

    tenant_id: str
    token_id: str
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes or "*" in self.scopes


@dataclass
class Runtime:
    """Everything one server process shares between requests."""

    db: Database
    settings: ServerSettings
    cursor_key: bytes


_runtime: Runtime | None = None


def configure(db: Database, settings: ServerSettings) -> Runtime:
    """Install the process runtime (called by the app factory, or by tests)."""
    global _runtime
    _runtime = Runtime(db=db, settings=settings, cursor_key=_cursor_key(db, settings))
    return _runtime


def get_runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the server runtime is not configured; create the app first")
    return _runtime


def get_db() -> Database:
    return get_runtime().db


def get_settings() -> ServerSettings:
    return get_runtime().settings


def caller(token_info: Mapping[str, Any] | None) -> Caller:
    """The caller of the current request, from the `token_info` Connexion passed in."""
    if not token_info or "tenant_id" not in token_info:
        raise Problem("A valid bearer token is required.", status=401,
                      headers={"WWW-Authenticate": 'Bearer realm="api"'})
    return Caller(
        tenant_id=str(token_info["tenant_id"]),
        token_id=str(token_info.get("token_id", "")),
        scopes=frozenset(token_info.get("scopes", ())),
    )


def _cursor_key(db: Database, settings: ServerSettings) -> bytes:
    """The HMAC key of pagination cursors: the setting, else one generated and kept in the DB,
    so every worker and every restart agree on it."""
    if settings.cursor_secret:
        return settings.cursor_secret.encode()
    from specfirst.server.migrations.m0001_specfirst import secrets as server_secrets
    from sqlalchemy import insert, select
    from sqlalchemy.exc import IntegrityError

    with db.read() as conn:
        try:
            value = conn.execute(select(server_secrets.c.value)
                                 .where(server_secrets.c.name == "cursor")).scalar()
        except Exception:  # noqa: BLE001 - table missing: migrations not applied (migrate=false)
            return secrets.token_bytes(32)
    if value is None:
        try:
            with db.write() as conn:
                value = conn.execute(select(server_secrets.c.value)
                                     .where(server_secrets.c.name == "cursor")).scalar()
                if value is None:
                    value = secrets.token_hex(32)
                    conn.execute(insert(server_secrets).values(name="cursor", value=value))
        except IntegrityError:  # a worker starting at the same moment stored its key first
            with db.read() as conn:
                value = conn.execute(select(server_secrets.c.value)
                                     .where(server_secrets.c.name == "cursor")).scalar_one()
    return str(value).encode()
