"""Handlers of the `imports` tag: queue a bulk import (202), list and poll jobs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from connexion import request
from specfirst.server.context import caller, get_db, get_runtime
from specfirst.server.crm.cursor import decode_cursor, encode_cursor, query_scope
from specfirst.server.crm.idempotency import run_idempotent
from specfirst.server.crm.jobs import MAX_RECORDS, create_job, job_view
from specfirst.server.crm.migrations.m0002_sync import import_jobs
from specfirst.server.crm.querying import keyset_condition
from specfirst.server.crm.replies import Reply, etag, none_match
from specfirst.server.problems import BadRequest, NotFound, Problem
from specfirst.server.timeutil import format_ts, parse_ts

__all__ = ["create_import", "get_import", "list_imports"]

_SORTABLE = ("created_at", "updated_at")


def create_import(body: Mapping[str, Any], *, user: Any = None,
                  token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    records = body.get("records") or []
    if len(records) > MAX_RECORDS:
        raise Problem(f"An import holds at most {MAX_RECORDS} records.", status=413,
                      errors=[{"pointer": "/records", "message": "too many records"}])
    key = request.headers.get("Idempotency-Key")
    base = str(request.url.path).rstrip("/")

    def produce(conn: Any) -> Reply:
        job = create_job(conn, who, body)
        return Reply(202, job, {"Location": f"{base}/{job['id']}"})

    with get_db().write() as conn:
        reply = run_idempotent(conn, tenant_id=who.tenant_id, key=key and str(key),
                               endpoint=f"POST {base}", body=body,
                               produce=lambda: produce(conn))
    return reply.response()


def get_import(id_: str, *, user: Any = None,
               token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    with get_db().read() as conn:
        row = conn.execute(sa.select(import_jobs).where(
            import_jobs.c.tenant_id == who.tenant_id, import_jobs.c.id == id_)).first()
    if row is None:
        raise NotFound()
    tag = etag(int(row.version))
    if none_match(request.headers.get("If-None-Match"), int(row.version)):
        return Reply(304, None, {"ETag": tag}).response()
    return Reply(200, job_view(row), {"ETag": tag}).response()


def list_imports(limit: int | None = None, cursor: str | None = None, sort: str | None = None,
                 updated_since: str | None = None, status: str | None = None,
                 object_type: str | None = None, *, user: Any = None,
                 token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    order = sort or "-created_at"
    name, descending = (order[1:], True) if order.startswith("-") else (order, False)
    if name not in _SORTABLE:
        raise BadRequest(f"Cannot sort by '{name}'.")
    since = None
    if updated_since is not None:
        try:
            since = format_ts(parse_ts(updated_since))
        except ValueError:
            raise BadRequest("updated_since must be an RFC 3339 date-time.") from None
    j = import_jobs
    conditions: list[Any] = [j.c.tenant_id == who.tenant_id]
    if status is not None:
        conditions.append(j.c.status == status)
    if object_type is not None:
        conditions.append(j.c.object_type == object_type)
    if since is not None:
        conditions.append(j.c.updated_at >= since)
    keys = [(j.c[name], descending), (j.c.id, False)]
    scope = query_scope("imports", who.tenant_id, {"s": order, "u": since, "st": status,
                                                   "o": object_type})
    key = get_runtime().cursor_key
    if cursor:
        position = decode_cursor(key, scope, cursor)
        if not position.values or len(position.values) != 1:
            raise BadRequest("The cursor is not valid for this query; start again without it.")
        conditions.append(keyset_condition(keys, [position.values[0], position.last_id]))
    size = min(max(limit or 25, 1), 100)
    with get_db().read() as conn:
        rows = conn.execute(
            sa.select(j).where(*conditions)
            .order_by(*(expr.desc() if desc else expr.asc() for expr, desc in keys))
            .limit(size + 1)
        ).all()
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor(key, scope, str(last.id), [getattr(last, name)])
    return Reply(200, {"data": [job_view(row) for row in rows],
                       "next_cursor": next_cursor}).response()
