"""Reports computed by SQL over the live records: nothing is stored, so nothing can drift.

- `sales_funnel`: deals per stage of a pipeline (count, sum of amounts, sum weighted by the
  deal's probability, else its stage's), every stage listed, in stage order.
- `customers_by_source`: customers per `source`, largest first.
- `ticket_volumes`: tickets created and solved per day, week (from Monday) or month, empty
  periods included. The database groups by day (timestamps are fixed-width UTC text, so the
  day is their first 10 characters on every backend); the days are then folded into periods.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from specfirst.server.crm.migrations.m0001_core import customers, deals, stages, tickets
from sqlalchemy.engine import Connection

__all__ = [
    "MAX_PERIODS",
    "MAX_SOURCES",
    "PeriodRangeError",
    "customers_by_source",
    "period_start",
    "periods",
    "pipeline_exists",
    "sales_funnel",
    "ticket_volumes",
]

MAX_PERIODS = 400
MAX_SOURCES = 1000


class PeriodRangeError(ValueError):
    """The requested range is empty or holds too many periods."""


def pipeline_exists(conn: Connection, tenant_id: str, pipeline_id: str) -> bool:
    from specfirst.server.crm.migrations.m0001_core import pipelines

    return conn.execute(sa.select(pipelines.c.id).where(
        pipelines.c.tenant_id == tenant_id, pipelines.c.id == pipeline_id)).first() is not None


def sales_funnel(conn: Connection, tenant_id: str, pipeline_id: str,
                 currency: str | None = None) -> dict[str, Any]:
    join = sa.and_(deals.c.stage_id == stages.c.id, deals.c.tenant_id == tenant_id)
    if currency is not None:
        join = sa.and_(join, deals.c.currency == currency)
    amount = sa.func.coalesce(deals.c.amount, 0.0)
    probability = sa.func.coalesce(deals.c.probability, stages.c.probability, 0.0)
    rows = conn.execute(
        sa.select(
            stages.c.id, stages.c.name, stages.c.position, stages.c.kind,
            sa.func.count(deals.c.id).label("deals"),
            sa.func.coalesce(sa.func.sum(amount), 0.0).label("value"),
            sa.func.coalesce(sa.func.sum(amount * probability), 0.0).label("weighted"),
        )
        .select_from(stages.outerjoin(deals, join))
        .where(stages.c.tenant_id == tenant_id, stages.c.pipeline_id == pipeline_id)
        .group_by(stages.c.id, stages.c.name, stages.c.position, stages.c.kind)
        .order_by(stages.c.position, stages.c.id)
    ).all()
    entries = [
        {"stage_id": row.id, "name": row.name, "position": int(row.position),
         "kind": row.kind, "count": int(row.deals), "value": _money(row.value),
         "weighted_value": _money(row.weighted)}
        for row in rows
    ]
    return {
        "pipeline_id": pipeline_id,
        "currency": currency,
        "stages": entries,
        "total_count": sum(entry["count"] for entry in entries),
        "total_value": _money(sum(entry["value"] for entry in entries)),
    }


def _money(value: Any) -> float:
    """A non-negative float rounded to cents (negative amounts are not valid deal amounts)."""
    return round(max(float(value or 0.0), 0.0), 2)


def customers_by_source(conn: Connection, tenant_id: str,
                        lifecycle_stage: str | None = None) -> dict[str, Any]:
    conditions = [customers.c.tenant_id == tenant_id]
    if lifecycle_stage is not None:
        conditions.append(customers.c.lifecycle_stage == lifecycle_stage)
    count = sa.func.count().label("n")
    rows = conn.execute(
        sa.select(customers.c.source, count)
        .where(*conditions)
        .group_by(customers.c.source)
        .order_by(count.desc(), customers.c.source.is_(None), customers.c.source)
    ).all()
    total = sum(int(row.n) for row in rows)
    return {
        "data": [{"source": row.source, "count": int(row.n)}
                 for row in rows[:MAX_SOURCES]],
        "total": total,
    }


def period_start(day: dt.date, interval: str) -> dt.date:
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _next_period(start: dt.date, interval: str) -> dt.date:
    if interval == "week":
        return start + dt.timedelta(days=7)
    if interval == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start + dt.timedelta(days=1)


def periods(first: dt.date, last: dt.date, interval: str) -> list[dt.date]:
    """The starts of every period overlapping [first, last]; `PeriodRangeError` if too many."""
    if last < first:
        raise PeriodRangeError("'to' must not be before 'from'")
    starts: list[dt.date] = []
    current = period_start(first, interval)
    while current <= last:
        starts.append(current)
        if len(starts) > MAX_PERIODS:
            raise PeriodRangeError(f"the range holds more than {MAX_PERIODS} periods")
        current = _next_period(current, interval)
    return starts


def _per_day(conn: Connection, tenant_id: str, column: Any, first: dt.date,
             last: dt.date) -> dict[str, int]:
    day = sa.func.substr(column, 1, 10).label("day")
    rows = conn.execute(
        sa.select(day, sa.func.count().label("n"))
        .where(tickets.c.tenant_id == tenant_id, column.is_not(None),
               column >= first.isoformat(),
               column < (last + dt.timedelta(days=1)).isoformat())
        .group_by(day)
    ).all()
    return {str(row.day): int(row.n) for row in rows}


def ticket_volumes(conn: Connection, tenant_id: str, first: dt.date, last: dt.date,
                   interval: str = "day") -> dict[str, Any]:
    starts = periods(first, last, interval)
    created = _per_day(conn, tenant_id, tickets.c.created_at, first, last)
    solved = _per_day(conn, tenant_id, tickets.c.solved_at, first, last)
    buckets = {start: {"created": 0, "solved": 0} for start in starts}
    for counts, name in ((created, "created"), (solved, "solved")):
        for day_text, number in counts.items():
            start = period_start(dt.date.fromisoformat(day_text), interval)
            if start in buckets:
                buckets[start][name] += number
    return {
        "interval": interval,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "data": [{"period_start": start.isoformat(), **buckets[start]} for start in starts],
    }
