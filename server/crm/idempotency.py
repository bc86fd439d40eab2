"""`Idempotency-Key` on creating POSTs: the first response is kept and replayed.

The key row is inserted in the same write transaction as the record it creates, under a unique
constraint on (tenant, key, endpoint): two concurrent requests with one key cannot both create
— the second waits for the first (SQLite: the write lock; PostgreSQL: the unique index) and then
finds its response. Same key and same body → that response again; same key and another body →
422 `idempotency-key-reused`. Keys are scoped per tenant and kept for 24 hours.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from specfirst.server.crm.migrations.m0001_core import idempotency_keys
from specfirst.server.crm.replies import Reply
from specfirst.server.problems import Conflict, Unprocessable
from specfirst.server.timeutil import now_iso
from sqlalchemy import Connection, delete, select, text, update

__all__ = ["KEEP_SECONDS", "request_hash", "run_idempotent"]

KEEP_SECONDS = 24 * 3600 + 600  # a little more than the 24 hours promised

_INSERT = text(
    "INSERT INTO idempotency_keys (id, tenant_id, idem_key, endpoint, request_hash, created_at,"
    " expires_at) VALUES (:id, :tenant_id, :idem_key, :endpoint, :request_hash, :created_at,"
    " :expires_at) ON CONFLICT (tenant_id, idem_key, endpoint) DO NOTHING"
)


def request_hash(body: Any) -> str:
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def run_idempotent(conn: Connection, *, tenant_id: str, key: str | None, endpoint: str,
                   body: Any, produce: Callable[[], Reply]) -> Reply:
    """Run `produce` once per (tenant, key, endpoint), inside the caller's write transaction;
    without a key (the client sent no `Idempotency-Key`), simply run it."""
    if not key:
        return produce()
    digest = request_hash(body)
    now = time.time()
    table = idempotency_keys
    scope = (table.c.tenant_id == tenant_id, table.c.idem_key == key,
             table.c.endpoint == endpoint)
    conn.execute(delete(table).where(*scope, table.c.expires_at < now))
    row_id = str(uuid.uuid4())
    inserted = conn.execute(_INSERT, {
        "id": row_id, "tenant_id": tenant_id, "idem_key": key, "endpoint": endpoint,
        "request_hash": digest, "created_at": now_iso(), "expires_at": now + KEEP_SECONDS,
    }).rowcount
    if inserted:
        reply = produce()
        conn.execute(update(table).where(table.c.id == row_id).values(
            response_status=reply.status,
            response_headers=orjson.dumps(reply.headers).decode(),
            response_body=None if reply.body is None else orjson.dumps(reply.body).decode(),
        ))
        return reply
    row = conn.execute(select(table).where(*scope)).first()
    if row is None:  # expired and purged by a concurrent request in between: treat as new
        raise Conflict("A request with this Idempotency-Key is being processed; retry.")
    if row.request_hash != digest:
        raise Unprocessable("This Idempotency-Key was already used with a different request "
                            "body.", slug="idempotency-key-reused")
    if row.response_status is None:
        raise Conflict("A request with this Idempotency-Key is still being processed.")
    headers: Mapping[str, str] = orjson.loads(row.response_headers or "{}")
    body_out = None if row.response_body is None else orjson.loads(row.response_body)
    return Reply(int(row.response_status), body_out, {**headers, "Idempotent-Replayed": "true"})
