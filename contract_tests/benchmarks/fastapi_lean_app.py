"""The lean FastAPI baseline: the same two CRM operations, written by a FastAPI user for speed.

A benchmark fixture, not part of the product, beside the plain baseline (`fastapi_app.py`). It
does the same work — a bearer token looked up by its SHA-256 hash on every request (so
revocation is immediate), the caller's tenant scoping every query, pydantic models validating
the request body (`extra="forbid"`) and the response, a strong `ETag` from the record version
with `If-None-Match` → 304, 201 with `Location`, the create written with its change-feed row in
one transaction — without what that baseline pays for:

- stdlib `sqlite3`, one connection per thread (kept for the thread's life), WAL,
  `synchronous=NORMAL`, `busy_timeout` as the CRM sets it, statements reused from
  `sqlite3`'s statement cache; writes in `BEGIN IMMEDIATE`, waiting on SQLite's busy handler;
- sync `def` endpoints with the token check inside them (one thread hand-off per request, no
  sync dependency), the response validated by the model and serialised by pydantic-core,
  returned as a ready `Response` (no `jsonable_encoder` pass).

It serves the CRM's own schema, which the benchmark creates before starting it
(`servers.prepare_database`: migrations, tenant, token):

    DATABASE_URL=sqlite:///bench.db \\
        uvicorn --factory specfirst.contract_tests.benchmarks.fastapi_lean_app:create_app
"""

# FastAPI reads these annotations at runtime: no `from __future__ import annotations`.

import hashlib
import os
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from typing import Annotated

import orjson
from fastapi import FastAPI, Header, HTTPException, Response
from specfirst.contract_tests.benchmarks.fastapi_models import Customer, CustomerCreate

__all__ = ["create_app", "sqlite_path"]

_FIELDS = tuple(Customer.model_fields)
_TAGS, _PROPERTIES = _FIELDS.index("tags"), _FIELDS.index("properties")
_SELECT_TOKEN = ("SELECT tenant_id, scopes FROM specfirst_tokens "
                 "WHERE token_hash = ? AND revoked_at IS NULL")
_SELECT_CUSTOMER = (f"SELECT {', '.join(_FIELDS)} FROM customers "
                    "WHERE tenant_id = ? AND id = ?")
_INSERT_CUSTOMER = (f"INSERT INTO customers (tenant_id, {', '.join(_FIELDS)}) "
                    f"VALUES (?, {', '.join('?' for _ in _FIELDS)})")
_INSERT_CHANGE = ("INSERT INTO changes (tenant_id, object_type, object_id, action, occurred_at, "
                  "data) VALUES (?, 'customers', ?, 'created', ?, ?)")
_JSON = "application/json"
BUSY_TIMEOUT_S = 5.0


def sqlite_path(database_url: str) -> str:
    """The file of a `sqlite:///PATH` URL."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"the lean baseline runs on SQLite only, not {database_url!r}")
    return database_url[len(prefix):]


def _now() -> str:
    m = datetime.now(UTC)
    return (f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:"
            f"{m.second:02d}.{m.microsecond:06d}Z")


class _Connections(threading.local):
    """One `sqlite3` connection per thread, opened on the thread's first request."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None

    def get(self) -> sqlite3.Connection:
        if self.conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self.conn = conn
        return self.conn


def _unauthorized() -> HTTPException:
    return HTTPException(401, "A valid bearer token is required.",
                         headers={"WWW-Authenticate": 'Bearer realm="api"'})


def create_app(database_url: str | None = None) -> FastAPI:
    connections = _Connections(sqlite_path(database_url or os.environ["DATABASE_URL"]))
    app = FastAPI(title="CRM lean baseline", openapi_url=None, docs_url=None, redoc_url=None)

    def tenant(conn: sqlite3.Connection, authorization: str | None, scope: str) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized()
        row = conn.execute(_SELECT_TOKEN,
                           (hashlib.sha256(token.strip().encode()).hexdigest(),)).fetchone()
        if row is None:
            raise _unauthorized()
        if not {scope, "*"} & set(row[1].split()):  # `*`: every scope
            raise HTTPException(403, f"This operation requires the scope {scope!r}.")
        return str(row[0])

    @app.get("/api/v1/customers/{customer_id}", response_model=Customer,
             response_class=Response)
    def get_customer(customer_id: uuid.UUID,
                     authorization: Annotated[str | None, Header()] = None,
                     if_none_match: Annotated[str | None, Header()] = None) -> Response:
        conn = connections.get()
        tenant_id = tenant(conn, authorization, "customers:read")
        row = conn.execute(_SELECT_CUSTOMER, (tenant_id, str(customer_id))).fetchone()
        if row is None:
            raise HTTPException(404, "No such customer.")
        record = dict(zip(_FIELDS, row, strict=True))
        tag = f'"{record["version"]}"'
        if if_none_match and tag in (t.strip() for t in if_none_match.split(",")):
            return Response(status_code=304, headers={"ETag": tag})
        record["tags"] = orjson.loads(record["tags"] or "[]")
        record["properties"] = orjson.loads(record["properties"] or "{}")
        return Response(Customer.model_validate(record).model_dump_json(), media_type=_JSON,
                        headers={"ETag": tag})

    @app.post("/api/v1/customers", response_model=Customer, status_code=201,
              response_class=Response)
    def create_customer(body: CustomerCreate,
                        authorization: Annotated[str | None, Header()] = None) -> Response:
        conn = connections.get()
        tenant_id = tenant(conn, authorization, "customers:write")
        now = _now()
        customer = Customer.model_validate({**body.model_dump(), "id": str(uuid.uuid4()),
                                            "created_at": now, "updated_at": now, "version": 1})
        payload = customer.model_dump_json()
        row = [getattr(customer, name) for name in _FIELDS]
        row[_TAGS] = orjson.dumps(customer.tags).decode()
        row[_PROPERTIES] = orjson.dumps(customer.properties).decode()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_INSERT_CUSTOMER, (tenant_id, *row))
            conn.execute(_INSERT_CHANGE, (tenant_id, customer.id, now, payload))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return Response(payload, status_code=201, media_type=_JSON,
                        headers={"ETag": '"1"', "Location": f"/api/v1/customers/{customer.id}"})

    return app

