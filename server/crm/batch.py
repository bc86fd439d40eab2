"""Batch create, update and delete: one result per record, in request order.

The whole batch is one write transaction; each record runs inside its own savepoint, so a
record that fails (404, 412, 422, ...) is rolled back alone and reported with its problem,
while the others are kept. The answer is 200 when every record succeeded, else 207.
`Idempotency-Key` on a batch create replays the whole batch answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from connexion import request
from specfirst.server.context import Caller
from specfirst.server.crm.idempotency import run_idempotent
from specfirst.server.crm.records import ResourceType
from specfirst.server.crm.replies import Reply
from specfirst.server.crm.resources import (
    apply_update,
    header,
    insert_record,
    remove_record,
    tenant_write,
)
from specfirst.server.problems import Problem, problem_body
from sqlalchemy import Connection

__all__ = ["batch_create", "batch_delete", "batch_update"]


def _each(conn: Connection, items: list[Any],
          work: Callable[[Any], tuple[int, str | None, dict[str, Any] | None]]) -> Reply:
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        savepoint = conn.begin_nested()
        try:
            status, record_id, data = work(item)
        except Problem as problem:
            savepoint.rollback()
            result: dict[str, Any] = {"index": index, "status": problem.status,
                                      "error": problem_body(problem.status, problem.detail,
                                                            slug=problem.slug,
                                                            errors=problem.errors)}
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                result["id"] = item["id"]
            elif isinstance(item, str):
                result["id"] = item
            results.append(result)
            continue
        savepoint.commit()
        result = {"index": index, "status": status}
        if record_id is not None:
            result["id"] = record_id
        if data is not None:
            result["data"] = data
        results.append(result)
    failed = any(r["status"] >= 300 for r in results)
    return Reply(207 if failed else 200, {"results": results})


def batch_create(rtype: ResourceType, caller: Caller, body: Mapping[str, Any]) -> Any:
    records = list(body.get("records") or [])

    def work(item: Mapping[str, Any]) -> tuple[int, str | None, dict[str, Any] | None]:
        record = insert_record(conn, rtype, caller, item)
        return 201, record["id"], record

    key = header("Idempotency-Key")
    with tenant_write(caller) as conn:
        reply = run_idempotent(conn, tenant_id=caller.tenant_id, key=key,
                               endpoint=f"POST {request.url.path}", body=body,
                               produce=lambda: _each(conn, records, work))
    return reply.response()


def batch_update(rtype: ResourceType, caller: Caller, body: Mapping[str, Any]) -> Any:
    records = list(body.get("records") or [])

    def work(item: Mapping[str, Any]) -> tuple[int, str | None, dict[str, Any] | None]:
        version = item.get("version")
        expected = {int(version)} if version is not None else None
        record = apply_update(conn, rtype, caller, item["id"], item.get("data") or {}, expected)
        return 200, record["id"], record

    with tenant_write(caller) as conn:
        reply = _each(conn, records, work)
    return reply.response()


def batch_delete(rtype: ResourceType, caller: Caller, body: Mapping[str, Any]) -> Any:
    ids = list(body.get("ids") or [])

    def work(record_id: str) -> tuple[int, str | None, dict[str, Any] | None]:
        remove_record(conn, rtype, caller, record_id, None)
        return 204, record_id, None

    with tenant_write(caller) as conn:
        reply = _each(conn, ids, work)
    return reply.response()
