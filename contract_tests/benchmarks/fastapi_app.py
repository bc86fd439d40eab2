"""The FastAPI baseline: GET and POST of a CRM customer, written the way a FastAPI user would.

A benchmark fixture, not part of the product. It does the same work as the reference server on
the same storage: the CRM's SQLite schema and `Database` (WAL, `BEGIN IMMEDIATE` writes), a
bearer token looked up by its SHA-256 hash on every request (so revocation is immediate), the
caller's tenant scoping every query, a strong `ETag` from the record version with
`If-None-Match` → 304, the create written with its change-feed entry in one transaction, 201
with `Location`, and validation of the request body *and* of the response by pydantic models
(`extra="forbid"` on the body, `response_model` on both routes).

    DATABASE_URL=sqlite:///bench.db \
        uvicorn --factory specfirst.contract_tests.benchmarks.fastapi_app:create_app
"""

# FastAPI reads these annotations at runtime: no `from __future__ import annotations`.

import os
import uuid
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Header, HTTPException, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from specfirst.contract_tests.benchmarks.fastapi_models import Customer, CustomerCreate
from specfirst.server.crm import apply_migrations
from specfirst.server.crm.migrations.m0001_core import customers
from specfirst.server.crm.migrations.m0002_sync import changes
from specfirst.server.db import Database
from specfirst.server.migrations.m0001_specfirst import tokens as api_tokens
from specfirst.server.security import hash_token
from specfirst.server.timeutil import now_iso
from sqlalchemy import select

__all__ = ["Customer", "CustomerCreate", "create_app"]

_FIELDS = list(Customer.model_fields)
_bearer = HTTPBearer(auto_error=False)


def _unauthorized() -> HTTPException:
    return HTTPException(401, "A valid bearer token is required.",
                         headers={"WWW-Authenticate": 'Bearer realm="api"'})


def _row_to_customer(row: Any) -> dict[str, Any]:
    data = {name: row._mapping[name] for name in _FIELDS}
    data["tags"] = orjson.loads(data["tags"] or "[]")
    data["properties"] = orjson.loads(data["properties"] or "{}")
    return data


def create_app(database_url: str | None = None) -> FastAPI:
    db = Database.from_url(database_url or os.environ["DATABASE_URL"])
    apply_migrations(db)
    app = FastAPI(title="CRM baseline", openapi_url=None, docs_url=None, redoc_url=None)

    def tenant(scope: str) -> Any:
        def check(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                         Depends(_bearer)]) -> str:
            if credentials is None:
                raise _unauthorized()
            with db.read() as conn:
                row = conn.execute(select(api_tokens.c.tenant_id, api_tokens.c.scopes,
                                          api_tokens.c.revoked_at).where(
                    api_tokens.c.token_hash == hash_token(credentials.credentials))).first()
            if row is None or row.revoked_at is not None:
                raise _unauthorized()
            if not {scope, "*"} & set(row.scopes.split()):  # `*`: every scope
                raise HTTPException(403, f"This operation requires the scope {scope!r}.")
            return str(row.tenant_id)

        return check

    @app.get("/api/v1/customers/{customer_id}", response_model=Customer)
    def get_customer(customer_id: uuid.UUID, response: Response,
                     tenant_id: Annotated[str, Depends(tenant("customers:read"))],
                     if_none_match: Annotated[str | None, Header()] = None) -> Any:
        with db.read() as conn:
            row = conn.execute(select(customers).where(
                customers.c.tenant_id == tenant_id,
                customers.c.id == str(customer_id))).first()
        if row is None:
            raise HTTPException(404, "No such customer.")
        tag = f'"{row.version}"'
        if if_none_match and tag in [t.strip() for t in if_none_match.split(",")]:
            return Response(status_code=304, headers={"ETag": tag})
        response.headers["ETag"] = tag
        return _row_to_customer(row)

    @app.post("/api/v1/customers", response_model=Customer, status_code=201)
    def create_customer(body: CustomerCreate, response: Response,
                        tenant_id: Annotated[str, Depends(tenant("customers:write"))]) -> Any:
        now = now_iso()
        values = body.model_dump()
        values.update(id=str(uuid.uuid4()), tenant_id=tenant_id, created_at=now, updated_at=now,
                      version=1, tags=orjson.dumps(values["tags"]).decode(),
                      properties=orjson.dumps(values["properties"]).decode())
        record = {name: values[name] for name in _FIELDS}
        record["tags"], record["properties"] = body.tags, body.properties
        with db.write() as conn:
            conn.execute(customers.insert().values(**values))
            conn.execute(changes.insert().values(
                tenant_id=tenant_id, object_type="customers", object_id=values["id"],
                action="created", occurred_at=now, data=orjson.dumps(record).decode()))
        response.headers["Location"] = f"/api/v1/customers/{values['id']}"
        response.headers["ETag"] = '"1"'
        return record

    return app
