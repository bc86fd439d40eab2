"""Webhook subscriptions and their deliveries in the database (no HTTP here).

Every function takes the connection of the caller's transaction and the tenant id, and every
query filters on the tenant: a subscription of another tenant does not exist.

The signing secret is stored as it is, because the server must compute HMACs with it at each
delivery (a hash could not sign). It is returned only by `create_webhook` and `rotate_secret`
and never by reads; see docs/server.md for the trade-off.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from specfirst.server.crm.events import TEST_EVENT_TYPE, build_payload, queue_delivery
from specfirst.server.crm.migrations.m0002_sync import webhook_deliveries, webhooks
from specfirst.server.crm.webhooks.signing import generate_secret
from specfirst.server.timeutil import now_iso
from sqlalchemy.engine import Connection, Row

UPDATABLE = ("url", "event_types", "description", "active")


def webhook_view(row: Row[Any] | Mapping[str, Any]) -> dict[str, Any]:
    """A subscription as the API shows it (never with its secret)."""
    data = row._mapping if isinstance(row, Row) else row
    return {
        "id": data["id"],
        "url": data["url"],
        "event_types": orjson.loads(data["event_types"]),
        "description": data["description"],
        "active": bool(data["active"]),
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
        "version": int(data["version"]),
    }


def delivery_view(row: Row[Any] | Mapping[str, Any]) -> dict[str, Any]:
    data = row._mapping if isinstance(row, Row) else row
    return {
        "id": data["id"],
        "webhook_id": data["webhook_id"],
        "event_id": data["event_id"],
        "event_type": data["event_type"],
        "status": data["status"],
        "attempts": int(data["attempts"]),
        "response_status": data["response_status"],
        "error": data["error"],
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
        "last_attempt_at": data["last_attempt_at"],
        "next_attempt_at": data["next_attempt_at"] if data["status"] == "pending" else None,
    }


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


def create_webhook(
    conn: Connection, tenant_id: str, body: Mapping[str, Any]
) -> tuple[dict[str, Any], str]:
    """Insert a subscription; returns its view and its new secret. The URL is checked by
    the caller (`specfirst.server.crm.ssrf.validate_target`)."""
    stamp = now_iso()
    secret = generate_secret()
    row = {
        "id": str(uuid.uuid4()),
        "tenant_id": tenant_id,
        "url": body["url"],
        "event_types": orjson.dumps(_unique(body["event_types"])).decode(),
        "description": body.get("description"),
        "active": bool(body.get("active", True)),
        "secret": secret,
        "disabled_reason": None,
        "created_at": stamp,
        "updated_at": stamp,
        "version": 1,
    }
    conn.execute(webhooks.insert().values(**row))
    return webhook_view(row), secret


def get_webhook(conn: Connection, tenant_id: str, webhook_id: str) -> Row[Any] | None:
    return conn.execute(
        sa.select(webhooks).where(webhooks.c.tenant_id == tenant_id, webhooks.c.id == webhook_id)
    ).first()


def update_webhook(
    conn: Connection, tenant_id: str, webhook_id: str, changes: Mapping[str, Any],
    expected_version: int,
) -> dict[str, Any] | None:
    """Apply a partial update if the version still matches; None when it does not (412)."""
    values: dict[str, Any] = {}
    for field in UPDATABLE:
        if field in changes:
            value = changes[field]
            if field == "event_types":
                value = orjson.dumps(_unique(value)).decode()
            values[field] = value
    if values.get("active") is True:
        values["disabled_reason"] = None
    values["updated_at"] = now_iso()
    values["version"] = webhooks.c.version + 1
    result = conn.execute(
        webhooks.update()
        .where(webhooks.c.tenant_id == tenant_id, webhooks.c.id == webhook_id,
               webhooks.c.version == expected_version)
        .values(**values)
    )
    if result.rowcount != 1:
        return None
    row = get_webhook(conn, tenant_id, webhook_id)
    return webhook_view(row) if row is not None else None


def delete_webhook(conn: Connection, tenant_id: str, webhook_id: str, expected_version: int
                   ) -> bool:
    """Delete a subscription and its deliveries if the version matches."""
    found = conn.execute(
        sa.select(webhooks.c.id).where(webhooks.c.tenant_id == tenant_id,
                                       webhooks.c.id == webhook_id,
                                       webhooks.c.version == expected_version)
    ).first()
    if found is None:
        return False
    conn.execute(webhook_deliveries.delete().where(webhook_deliveries.c.webhook_id == webhook_id))
    conn.execute(webhooks.delete().where(webhooks.c.id == webhook_id))
    return True


def rotate_secret(conn: Connection, tenant_id: str, webhook_id: str
                  ) -> tuple[dict[str, Any], str] | None:
    secret = generate_secret()
    result = conn.execute(
        webhooks.update()
        .where(webhooks.c.tenant_id == tenant_id, webhooks.c.id == webhook_id)
        .values(secret=secret, updated_at=now_iso(), version=webhooks.c.version + 1)
    )
    if result.rowcount != 1:
        return None
    row = get_webhook(conn, tenant_id, webhook_id)
    assert row is not None
    return webhook_view(row), secret


def queue_test_event(conn: Connection, tenant_id: str, webhook_id: str) -> dict[str, Any]:
    """Queue a `webhook.test` event for one subscription, whatever its types or state."""
    event_id = str(uuid.uuid4())
    payload = build_payload(event_id, TEST_EVENT_TYPE, now_iso(), {"test": True})
    row = queue_delivery(conn, tenant_id=tenant_id, webhook_id=webhook_id, event_id=event_id,
                         event_type=TEST_EVENT_TYPE, payload=payload)
    return delivery_view(row)
