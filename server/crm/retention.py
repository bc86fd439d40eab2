"""Retention of the change feed: old changes are deleted in batches, off the request path, and
a cursor that points before what is kept is refused instead of silently skipping changes.

`prune_changes(db, days)` deletes changes older than `days` days, oldest first, in batches of
`PRUNE_BATCH` rows, one write transaction each, so writers get the lock between batches (it is
run by the background job of `specfirst.server.crm.jobs` every
`SPECFIRST_SERVER_CHANGES_PRUNE_INTERVAL` seconds, and by `python -m specfirst.server.crm.admin
changes prune`). A batch takes the oldest rows by sequence and stops at the first one that is
recent enough to keep; feed order per tenant is commit order (`specfirst.server.crm.events.
lock_feed`), so what is deleted is always a prefix of every tenant's feed.

Each batch records, in the same transaction, the highest sequence it deleted per tenant and
object type (`change_horizons`). `pruned_through(conn, tenant, object_type)` reads it back:
a cursor whose position is below it may have missed changes, and the feed answers 410
(`list_changes`); a cursor at or above it misses nothing, because every change after it is
still there. On PostgreSQL a transaction-scoped advisory lock makes concurrent pruners (one
per server process) take turns; on SQLite the write lock does.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from specfirst.server.crm.migrations.m0002_sync import changes
from specfirst.server.crm.migrations.m0003_change_horizons import change_horizons
from specfirst.server.db import Database
from specfirst.server.timeutil import format_ts, now_iso
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

__all__ = ["PRUNE_BATCH", "cutoff_for", "prune_batch", "prune_changes", "pruned_through"]

log = logging.getLogger(__name__)

PRUNE_BATCH = 1000
_LOCK = "specfirst.changes.prune"


def cutoff_for(days: float, now: float | None = None) -> str:
    """The `occurred_at` below which changes are older than `days` days."""
    moment = (time.time() if now is None else now) - days * 86400.0
    return format_ts(dt.datetime.fromtimestamp(moment, dt.UTC))


def prune_batch(db: Database, cutoff: str, batch: int = PRUNE_BATCH) -> tuple[int, bool]:
    """Delete up to `batch` of the oldest changes that occurred before `cutoff`, in one write
    transaction. Returns (rows deleted, whether older changes may remain)."""
    with db.write() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                         {"key": _LOCK})
        oldest = conn.execute(
            sa.select(changes.c.sequence, changes.c.occurred_at)
            .order_by(changes.c.sequence).limit(batch)
        ).all()
        through: int | None = None
        for sequence, occurred_at in oldest:
            if occurred_at >= cutoff:
                break
            through = int(sequence)
        if through is None:
            return 0, False
        deleted = conn.execute(
            changes.delete().where(changes.c.sequence <= through)
            .returning(changes.c.tenant_id, changes.c.object_type, changes.c.sequence)
        ).all()
        _record_horizons(conn, deleted)
    old = sum(1 for _sequence, occurred_at in oldest if occurred_at < cutoff)
    return len(deleted), old == batch


def _record_horizons(conn: Connection, deleted: Sequence[Any]) -> None:
    highest: dict[tuple[str, str], int] = {}
    for tenant_id, object_type, sequence in deleted:
        key = (str(tenant_id), str(object_type))
        highest[key] = max(highest.get(key, 0), int(sequence))
    if not highest:
        return
    stamp = now_iso()
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
        change_horizons)
    statement = insert.on_conflict_do_update(
        index_elements=[change_horizons.c.tenant_id, change_horizons.c.object_type],
        set_={"pruned_through": insert.excluded.pruned_through,
              "updated_at": insert.excluded.updated_at},
    )
    conn.execute(statement, [
        {"tenant_id": tenant_id, "object_type": object_type, "pruned_through": sequence,
         "updated_at": stamp}
        for (tenant_id, object_type), sequence in sorted(highest.items())
    ])


def prune_changes(db: Database, days: float, *, now: float | None = None,
                  batch: int = PRUNE_BATCH) -> int:
    """Delete every change older than `days` days (0: keep everything), batch by batch.
    Returns how many were deleted."""
    if days <= 0:
        return 0
    cutoff = cutoff_for(days, now)
    total = 0
    more = True
    while more:
        deleted, more = prune_batch(db, cutoff, batch)
        total += deleted
    if total:
        log.info("pruned %d changes that occurred before %s", total, cutoff)
    return total


def pruned_through(conn: Connection, tenant_id: str, object_type: str | None = None) -> int:
    """The highest sequence of the tenant's feed (of one object type, or of any) that has been
    pruned; 0 when nothing has been."""
    query = sa.select(sa.func.max(change_horizons.c.pruned_through)).where(
        change_horizons.c.tenant_id == tenant_id)
    if object_type is not None:
        query = query.where(change_horizons.c.object_type == object_type)
    return int(conn.execute(query).scalar() or 0)
