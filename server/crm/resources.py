"""The generic resource layer: list, get, create, update, delete and search for any record type.

Handlers are thin: they name the `ResourceType` (from
`server.crm.record_types`) and pass their parameters.
Every query is scoped to the caller's tenant, so another tenant's id is simply not found (404).
Writes run in one write transaction each, record the change (`server.crm.events.record_change`) in
that same transaction, and use the record version as a strong ETag: updates and deletes are
conditional (`UPDATE ... WHERE version = :seen`), so concurrent writers never lose an update.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import orjson
from connexion import request
from specfirst.server.context import Caller, get_db, get_runtime
from specfirst.server.crm import events
from specfirst.server.crm.cursor import decode_cursor, encode_cursor, query_scope
from specfirst.server.crm.idempotency import run_idempotent
from specfirst.server.crm.querying import (
    keyset_condition,
    list_conditions,
    search_condition,
    sort_keys,
)
from specfirst.server.crm.records import ResourceType, from_api, to_api
from specfirst.server.crm.replies import Reply, etag, if_match_versions, none_match
from specfirst.server.db import Database
from specfirst.server.point_reads import first_row
from specfirst.server.problems import (
    BadRequest,
    Conflict,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)
from specfirst.server.sql import insert_row
from specfirst.server.timeutil import format_ts, now_iso, parse_ts
from sqlalchemy import Connection, and_, delete, func, select, update

__all__ = [
    "REGISTRY",
    "create_record",
    "delete_record",
    "get_record",
    "insert_record",
    "list_records",
    "register",
    "search_records",
    "tenant_write",
    "update_record",
]

log = logging.getLogger(__name__)

REGISTRY: dict[str, ResourceType] = {}
MAX_PROPERTIES = 50


def register(*types: ResourceType) -> None:
    for rtype in types:
        REGISTRY[rtype.name] = rtype


@contextmanager
def tenant_write(caller: Caller) -> Iterator[Connection]:
    """A write transaction for the caller's tenant.

    On PostgreSQL the tenant's change-feed lock is taken first, before any row lock, so
    multi-record writes (batches, cascades) of one tenant queue instead of deadlocking against
    each other; SQLite writers are serialised by `BEGIN IMMEDIATE` already.
    """
    with get_db().write() as conn:
        events.lock_feed(conn, caller.tenant_id)
        yield conn


def header(name: str) -> str | None:
    value = request.headers.get(name)
    return str(value) if value is not None else None


# --- reading -------------------------------------------------------------------------------


def _scope(rtype: ResourceType, caller: Caller, parent_id: str | None) -> list[Any]:
    table = rtype.table
    conditions = [table.c.tenant_id == caller.tenant_id]
    if rtype.parent and parent_id is not None:
        conditions.append(table.c[rtype.parent[0]] == parent_id)
    return conditions


def _fetch(conn: Connection, rtype: ResourceType, caller: Caller, record_id: str,
           parent_id: str | None) -> dict[str, Any] | None:
    row = conn.execute(select(rtype.table).where(
        *_scope(rtype, caller, parent_id), rtype.table.c.id == record_id)).first()
    return dict(row._mapping) if row is not None else None


def _require_parent(conn: Connection, rtype: ResourceType, caller: Caller,
                    parent_id: str | None) -> None:
    if rtype.parent is None or parent_id is None:
        return
    parent = REGISTRY[rtype.parent[1]]
    found = conn.execute(select(parent.table.c.id).where(
        parent.table.c.tenant_id == caller.tenant_id, parent.table.c.id == parent_id)).first()
    if found is None:
        raise NotFound(f"No {parent.singular} with this id exists for your account.")


_POINT_READS: dict[tuple[str, bool, str], str] = {}


def _point_read_sql(rtype: ResourceType, with_parent: bool, db: Database) -> str:
    """`SELECT <the API fields> FROM <table> WHERE tenant_id = ... AND id = ...`, built once."""
    key = (rtype.name, with_parent, db.dialect)
    sql = _POINT_READS.get(key)
    if sql is None:
        quote = db.engine.dialect.identifier_preparer.quote
        where = "tenant_id = :tenant_id AND id = :id"
        if with_parent and rtype.parent:
            where += f" AND {quote(rtype.parent[0])} = :parent_id"
        columns = ", ".join(quote(f.name) for f in rtype.fields)
        sql = _POINT_READS[key] = f"SELECT {columns} FROM {quote(rtype.table.name)} WHERE {where}"
    return sql


def _read_one(rtype: ResourceType, caller: Caller, record_id: str,
              parent_id: str | None) -> dict[str, Any] | None:
    """One record's API fields by id, in the caller's tenant, as a single `SELECT` through the
    raw point-read path (`specfirst.server.point_reads`), without a transaction around it."""
    db = get_db()
    with_parent = bool(rtype.parent) and parent_id is not None
    params: dict[str, str | None] = {"tenant_id": caller.tenant_id, "id": record_id}
    if with_parent:
        params["parent_id"] = parent_id
    found = first_row(db, _point_read_sql(rtype, with_parent, db), params)
    if found is None:
        return None
    return {f.name: value for f, value in zip(rtype.fields, found, strict=True)}


def get_record(rtype: ResourceType, caller: Caller, record_id: str,
               parent_id: str | None = None) -> Any:
    row = _read_one(rtype, caller, record_id, parent_id)
    if row is None:
        raise NotFound()
    tag = etag(row["version"])
    if none_match(header("If-None-Match"), row["version"]):
        return Reply(304, None, {"ETag": tag}).response()
    return Reply(200, to_api(rtype, row), {"ETag": tag}).response()


def _parse_sort(sort: str | None, default: str) -> list[tuple[str, bool]]:
    text = sort or default
    return [(text[1:], True)] if text.startswith("-") else [(text, False)]


def _page(conn: Connection, rtype: ResourceType, caller: Caller, conditions: list[Any],
          sorts: list[tuple[str, bool]], limit: int, cursor: str | None,
          query: Mapping[str, Any]) -> dict[str, Any]:
    for name, _desc in sorts:
        if name not in rtype.by_name:
            raise BadRequest(f"Cannot sort by '{name}'.")
    keys = sort_keys(rtype, sorts)
    scope = query_scope(rtype.name, caller.tenant_id, query)
    key = get_runtime().cursor_key
    if cursor:
        position = decode_cursor(key, scope, cursor)
        values = position.values
        if values is None:
            row = conn.execute(select(*(expr for expr, _ in keys[:-1])).where(
                rtype.table.c.tenant_id == caller.tenant_id,
                rtype.table.c.id == position.last_id)).first()
            if row is None:
                raise BadRequest("The cursor's position no longer exists; start again.")
            values = list(row)
        if len(values) != len(keys) - 1:
            raise BadRequest("The cursor is not valid for this query; start again without it.")
        conditions = [*conditions, keyset_condition(keys, [*values, position.last_id])]
    order = [expr.desc() if desc else expr.asc() for expr, desc in keys]
    sort_columns = [expr.label(f"_k{i}") for i, (expr, _) in enumerate(keys[:-1])]
    statement = (select(rtype.table, *sort_columns).where(*conditions).order_by(*order)
                 .limit(limit + 1))
    rows = conn.execute(statement).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]._mapping
        next_cursor = encode_cursor(key, scope, str(last["id"]),
                                    [last[f"_k{i}"] for i in range(len(keys) - 1)])
    return {"data": [to_api(rtype, row) for row in rows], "next_cursor": next_cursor}


def _since(updated_since: str | None) -> str | None:
    if updated_since is None:
        return None
    try:
        return format_ts(parse_ts(updated_since))
    except ValueError:
        raise BadRequest("updated_since must be an RFC 3339 date-time.") from None


def list_records(rtype: ResourceType, caller: Caller, *, limit: int | None = None,
                 cursor: str | None = None, sort: str | None = None,
                 updated_since: str | None = None, filters: Mapping[str, Any] | None = None,
                 parent_id: str | None = None, default_sort: str = "created_at") -> Any:
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    since = _since(updated_since)
    conditions = [*_scope(rtype, caller, parent_id), *list_conditions(rtype, filters)]
    if since is not None:
        conditions.append(rtype.table.c.updated_at >= since)
    query = {"f": filters, "s": sort or default_sort, "u": since, "p": parent_id}
    with get_db().read() as conn:
        _require_parent(conn, rtype, caller, parent_id)
        page = _page(conn, rtype, caller, conditions, _parse_sort(sort, default_sort),
                     min(max(limit or 25, 1), 100), cursor, query)
    return Reply(200, page).response()


def search_records(rtype: ResourceType, caller: Caller, body: Mapping[str, Any] | None) -> Any:
    body = body or {}
    groups = body.get("filter_groups") or []
    sorts = [(s["field"], s.get("direction", "asc") == "desc") for s in body.get("sorts") or []]
    if not sorts:
        sorts = [("created_at", False)]
    conditions = [*_scope(rtype, caller, None), search_condition(rtype, groups)]
    query = {"g": groups, "s": sorts}
    with get_db().read() as conn:
        page = _page(conn, rtype, caller, conditions, sorts,
                     min(max(int(body.get("limit") or 25), 1), 100), body.get("cursor"), query)
    return Reply(200, page).response()


# --- writing -------------------------------------------------------------------------------


def _reject_server_fields(rtype: ResourceType, body: Mapping[str, Any]) -> None:
    refused = sorted(set(body) - rtype.writable)
    if refused:
        raise BadRequest("Read-only or unknown fields cannot be set: " + ", ".join(refused),
                         errors=[{"pointer": f"/{name}", "message": "not writable"}
                                 for name in refused])


def _convert(rtype: ResourceType, values: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return from_api(rtype, values)
    except (ValueError, TypeError, OverflowError) as exc:
        raise BadRequest(f"A field has an invalid value: {exc}") from None


def _check_refs(conn: Connection, rtype: ResourceType, tenant_id: str, row: Mapping[str, Any],
                old: Mapping[str, Any] | None) -> None:
    errors = []
    for field in rtype.fields:
        if not field.ref or not field.writable:
            continue
        value = row.get(field.name)
        if value is None or (old is not None and old.get(field.name) == value):
            continue
        target = REGISTRY[field.ref]
        found = conn.execute(select(target.table.c.id).where(
            target.table.c.tenant_id == tenant_id, target.table.c.id == value)).first()
        if found is None:
            errors.append({"pointer": f"/{field.name}",
                           "message": f"no {target.singular} with this id exists"})
    if errors:
        raise Unprocessable("The record refers to records that do not exist: "
                            + ", ".join(e["pointer"][1:] for e in errors), errors=errors)


def _record_change(conn: Connection, rtype: ResourceType, tenant_id: str, record_id: str,
                   action: str, data: dict[str, Any] | None) -> None:
    if rtype.emits_changes:
        events.record_change(conn, tenant_id=tenant_id, object_type=rtype.name,
                             object_id=record_id, action=action, data=data)


def insert_record(conn: Connection, rtype: ResourceType, caller: Caller, body: Mapping[str, Any],
                  parent_id: str | None = None) -> dict[str, Any]:
    """Create one record on an open write transaction; returns it as the API shows it."""
    _reject_server_fields(rtype, body)
    _require_parent(conn, rtype, caller, parent_id)
    now = now_iso()
    row: dict[str, Any] = {f.name: None for f in rtype.fields}
    row.update(_convert(rtype, {**rtype.defaults, **body}))
    row.update(id=str(uuid.uuid4()), created_at=now, updated_at=now, version=1)
    if rtype.parent and parent_id is not None:
        row[rtype.parent[0]] = parent_id
    for field in rtype.fields:
        if field.kind in ("tags", "props") and row[field.name] is None:
            row[field.name] = "[]" if field.kind == "tags" else "{}"
    _check_refs(conn, rtype, caller.tenant_id, row, None)
    if rtype.prepare:
        rtype.prepare(conn, caller.tenant_id, row, None)
    insert_row(conn, rtype.table, {"tenant_id": caller.tenant_id, **row})
    record = to_api(rtype, row)
    _record_change(conn, rtype, caller.tenant_id, row["id"], "created", record)
    return record


async def create_record(rtype: ResourceType, caller: Caller, body: Mapping[str, Any],
                        parent_id: str | None = None) -> Any:
    """Create one record (with its idempotency record and change) for an `async def` handler:
    the request is read on the event loop, the write queued from there."""
    key = header("Idempotency-Key")
    base = str(request.url.path).rstrip("/")

    def produce(conn: Connection) -> Reply:
        record = insert_record(conn, rtype, caller, body, parent_id)
        return Reply(201, record, {"Location": f"{base}/{record['id']}",
                                   "ETag": etag(record["version"])})

    def create(conn: Connection) -> Reply:
        events.lock_feed(conn, caller.tenant_id)
        return run_idempotent(conn, tenant_id=caller.tenant_id, key=key,
                              endpoint=f"POST {base}", body=body,
                              produce=lambda: produce(conn))

    # concurrent creates share one write transaction on SQLite, each in its own savepoint and
    # answered only after the shared commit, with no worker thread per create
    # (`Database.write_grouped_async`)
    return (await get_db().write_grouped_async(create)).response()


def _merge(rtype: ResourceType, old: Mapping[str, Any], body: Mapping[str, Any]
           ) -> dict[str, Any]:
    row = dict(old)
    changes = dict(body)
    if "properties" in changes and "properties" in rtype.by_name:
        merged = orjson.loads(old.get("properties") or "{}")
        for name, value in (changes.pop("properties") or {}).items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        if len(merged) > MAX_PROPERTIES:
            raise Unprocessable(f"A record holds at most {MAX_PROPERTIES} custom properties.",
                                errors=[{"pointer": "/properties", "message": "too many keys"}])
        row["properties"] = orjson.dumps(merged).decode()
    row.update(_convert(rtype, changes))
    return row


def apply_update(conn: Connection, rtype: ResourceType, caller: Caller, record_id: str,
                 body: Mapping[str, Any], expected: set[int] | None,
                 parent_id: str | None = None) -> dict[str, Any]:
    """Update one record on an open write transaction. `expected` is the set of versions the
    client accepts (None: any)."""
    _reject_server_fields(rtype, body)
    old = _fetch(conn, rtype, caller, record_id, parent_id)
    if old is None:
        raise NotFound()
    if expected is not None and old["version"] not in expected:
        raise PreconditionFailed()
    row = _merge(rtype, old, body)
    _check_refs(conn, rtype, caller.tenant_id, row, old)
    if rtype.prepare:
        rtype.prepare(conn, caller.tenant_id, row, old)
    row.update(updated_at=now_iso(), version=old["version"] + 1)
    values = {f.name: row[f.name] for f in rtype.fields if f.name not in ("id", "created_at")}
    table = rtype.table
    result = conn.execute(update(table).where(
        table.c.tenant_id == caller.tenant_id, table.c.id == record_id,
        table.c.version == old["version"]).values(**values))
    if result.rowcount != 1:
        raise PreconditionFailed()
    record = to_api(rtype, row)
    _record_change(conn, rtype, caller.tenant_id, record_id, "updated", record)
    return record


def _expected_versions() -> set[int] | None:
    value = header("If-Match")
    if value is None:
        raise PreconditionRequired()
    return if_match_versions(value)


def update_record(rtype: ResourceType, caller: Caller, record_id: str,
                  body: Mapping[str, Any] | None, parent_id: str | None = None) -> Any:
    expected = _expected_versions()
    with tenant_write(caller) as conn:
        record = apply_update(conn, rtype, caller, record_id, body or {}, expected, parent_id)
    return Reply(200, record, {"ETag": etag(record["version"])}).response()


def remove_record(conn: Connection, rtype: ResourceType, caller: Caller, record_id: str,
                  expected: set[int] | None, parent_id: str | None = None) -> None:
    """Delete one record (and its children) on an open write transaction."""
    old = _fetch(conn, rtype, caller, record_id, parent_id)
    if old is None:
        raise NotFound()
    if expected is not None and old["version"] not in expected:
        raise PreconditionFailed()
    tenant_id = caller.tenant_id
    for blocker_name, column in rtype.blockers:
        blocker = REGISTRY[blocker_name]
        used = conn.execute(select(func.count()).select_from(blocker.table).where(
            blocker.table.c.tenant_id == tenant_id, blocker.table.c[column] == record_id)
        ).scalar_one()
        if used:
            raise Conflict(f"This {rtype.singular} is still used by {used} {blocker_name}; "
                           "move or delete them first.")
    for child_name, column in rtype.children:
        child = REGISTRY[child_name]
        ids = conn.execute(select(child.table.c.id).where(
            child.table.c.tenant_id == tenant_id, child.table.c[column] == record_id)).scalars()
        for child_id in list(ids):
            remove_record(conn, child, caller, child_id, None)
    _clear_references(conn, rtype, tenant_id, record_id)
    conn.execute(delete(rtype.table).where(rtype.table.c.tenant_id == tenant_id,
                                           rtype.table.c.id == record_id))
    _record_change(conn, rtype, tenant_id, record_id, "deleted", None)


def _clear_references(conn: Connection, rtype: ResourceType, tenant_id: str,
                      record_id: str) -> None:
    """Optional references to a deleted record become null (a new version of the referrer)."""
    for other in REGISTRY.values():
        for field in other.fields:
            if field.ref != rtype.name or not field.nullable:
                continue
            table = other.table
            where = and_(table.c.tenant_id == tenant_id, table.c[field.name] == record_id)
            rows = conn.execute(select(table).where(where)).all()
            for row in rows:
                data = dict(row._mapping)
                data.update({field.name: None, "updated_at": now_iso(),
                             "version": data["version"] + 1})
                conn.execute(update(table).where(table.c.id == data["id"]).values(
                    **{field.name: None, "updated_at": data["updated_at"],
                       "version": data["version"]}))
                _record_change(conn, other, tenant_id, data["id"], "updated",
                               to_api(other, data))


def delete_record(rtype: ResourceType, caller: Caller, record_id: str,
                  parent_id: str | None = None) -> Any:
    expected = _expected_versions()
    with tenant_write(caller) as conn:
        remove_record(conn, rtype, caller, record_id, expected, parent_id)
    return Reply(204).response()

