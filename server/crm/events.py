"""The change feed and the webhook outbox, written in the same transaction as each change.

`record_change` is called by every write of a CRM record, on the connection of the write
transaction: the change is appended to the feed and one outbox row (a pending webhook
delivery) is added per active subscription of the tenant that wants the event. If the write
rolls back, so do they; if it commits, the delivery worker will find them even after a crash.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import orjson
import sqlalchemy as sa
from specfirst.server.crm.migrations.m0002_sync import changes, webhook_deliveries, webhooks
from specfirst.server.sql import insert_row, run_sql
from specfirst.server.timeutil import now_iso
from sqlalchemy.engine import Connection

__all__ = [
    "ACTIONS",
    "EVENT_TYPES",
    "OBJECT_TYPES",
    "TEST_EVENT_TYPE",
    "build_payload",
    "emit_event",
    "event_types_for",
    "lock_feed",
    "normalize_object_type",
    "queue_delivery",
    "record_change",
]

logger = logging.getLogger(__name__)

ACTIONS = ("created", "updated", "deleted")

# Change-feed object type (plural, as in the API paths) -> event name prefix.
OBJECT_TYPES: dict[str, str] = {
    "customers": "customer",
    "companies": "company",
    "pipelines": "pipeline",
    "stages": "stage",
    "deals": "deal",
    "tickets": "ticket",
    "comments": "comment",
    "activities": "activity",
}
# Every record write looks up the tenant's subscriptions (`server.sql`: on SQLite straight on
# the driver, inside the write transaction).
_SUBSCRIPTIONS = (f"SELECT id, event_types FROM {webhooks.name} "
                  "WHERE tenant_id = :tenant_id AND active = :active")
_SINGULAR_TO_PLURAL = {singular: plural for plural, singular in OBJECT_TYPES.items()}

# Every event type a subscription may ask for (the `Webhook.event_types` enum).
EVENT_TYPES: tuple[str, ...] = (
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "company.created",
    "company.updated",
    "company.deleted",
    "pipeline.created",
    "pipeline.updated",
    "pipeline.deleted",
    "deal.created",
    "deal.updated",
    "deal.deleted",
    "deal.stage_changed",
    "ticket.created",
    "ticket.updated",
    "ticket.deleted",
    "ticket.status_changed",
    "comment.created",
    "activity.created",
    "activity.updated",
    "activity.deleted",
    "import.completed",
)
TEST_EVENT_TYPE = "webhook.test"

# Updates that also raise a more specific event when one field changed value.
_FIELD_EVENTS: dict[str, tuple[str, str]] = {
    "deals": ("stage_id", "deal.stage_changed"),
    "tickets": ("status", "ticket.status_changed"),
}


def normalize_object_type(object_type: str) -> str:
    """The change-feed name (`customers`) for either spelling (`customers` or `customer`)."""
    if object_type in OBJECT_TYPES:
        return object_type
    if object_type in _SINGULAR_TO_PLURAL:
        return _SINGULAR_TO_PLURAL[object_type]
    raise ValueError(f"unknown object type {object_type!r}")


def event_types_for(
    object_type: str, action: str, data: dict[str, Any] | None, previous: dict[str, Any] | None
) -> list[str]:
    """The webhook event types one change raises (possibly none: stages have no events)."""
    prefix = OBJECT_TYPES[object_type]
    names = [f"{prefix}.{action}"]
    field_event = _FIELD_EVENTS.get(object_type)
    if action == "updated" and field_event is not None and data is not None:
        field, name = field_event
        if previous is None or previous.get(field) != data.get(field):
            names.append(name)
    return [name for name in names if name in EVENT_TYPES]


def record_change(
    conn: Connection,
    *,
    tenant_id: str,
    object_type: str,
    object_id: str,
    action: str,
    data: dict[str, Any] | None,
) -> None:
    """Append a change to the feed and queue its webhook events, on the caller's transaction.

    `data` is the record after the change as its get operation returns it (None for a delete).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    object_type = normalize_object_type(object_type)
    object_id = str(object_id)
    lock_feed(conn, tenant_id)
    previous = _previous_data(conn, tenant_id, object_type, object_id) if (
        action == "updated" and object_type in _FIELD_EVENTS
    ) else None
    occurred_at = now_iso()
    insert_row(
        conn, changes,
        {"tenant_id": tenant_id, "object_type": object_type, "object_id": object_id,
         "action": action, "occurred_at": occurred_at,
         "data": None if data is None else orjson.dumps(data).decode()},
    )
    event_data = {"id": object_id} if action == "deleted" or data is None else data
    for event_type in event_types_for(object_type, action, data, previous):
        emit_event(conn, tenant_id=tenant_id, event_type=event_type, data=event_data,
                   occurred_at=occurred_at)


def emit_event(
    conn: Connection,
    *,
    tenant_id: str,
    event_type: str,
    data: dict[str, Any],
    occurred_at: str | None = None,
) -> int:
    """Queue one event for every active subscription of the tenant that wants it.

    Returns the number of deliveries queued. Used for events that are not record changes
    (`import.completed`) as well.
    """
    rows = run_sql(conn, _SUBSCRIPTIONS, {"tenant_id": tenant_id, "active": True})
    targets = [row[0] for row in rows if event_type in orjson.loads(row[1])]
    if not targets:
        return 0
    event_id = str(uuid.uuid4())
    occurred_at = occurred_at or now_iso()
    payload = build_payload(event_id, event_type, occurred_at, data)
    for webhook_id in targets:
        queue_delivery(conn, tenant_id=tenant_id, webhook_id=webhook_id, event_id=event_id,
                       event_type=event_type, payload=payload)
    return len(targets)


def build_payload(event_id: str, event_type: str, occurred_at: str, data: dict[str, Any]) -> str:
    """The body of an event, serialised once: the bytes that are signed and sent."""
    return orjson.dumps(
        {"id": event_id, "type": event_type, "occurred_at": occurred_at, "data": data}
    ).decode()


def queue_delivery(
    conn: Connection,
    *,
    tenant_id: str,
    webhook_id: str,
    event_id: str,
    event_type: str,
    payload: str,
) -> dict[str, Any]:
    """Insert one pending delivery (an outbox row), due at once. Returns the row."""
    stamp = now_iso()
    row = {
        "id": str(uuid.uuid4()),
        "tenant_id": tenant_id,
        "webhook_id": webhook_id,
        "event_id": event_id,
        "event_type": event_type,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "response_status": None,
        "error": None,
        "created_at": stamp,
        "updated_at": stamp,
        "last_attempt_at": None,
        "next_attempt_at": stamp,
        "due_at": time.time(),
        "lease_owner": None,
        "lease_until": None,
    }
    insert_row(conn, webhook_deliveries, row)
    return row


def lock_feed(conn: Connection, tenant_id: str) -> None:
    """Make feed sequence order equal commit order for a tenant.

    On SQLite every write transaction is already serialised (BEGIN IMMEDIATE). On PostgreSQL
    sequence numbers are handed out before commit, so two concurrent writers could commit
    out of order and a reader between the commits would skip the lower number for good.
    A transaction-scoped advisory lock per tenant, taken before the number is drawn and held
    until commit, rules that out.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"specfirst.changes:{tenant_id}"},
        )


def _previous_data(
    conn: Connection, tenant_id: str, object_type: str, object_id: str
) -> dict[str, Any] | None:
    text = conn.execute(
        sa.select(changes.c.data)
        .where(
            changes.c.tenant_id == tenant_id,
            changes.c.object_type == object_type,
            changes.c.object_id == object_id,
        )
        .order_by(changes.c.sequence.desc())
        .limit(1)
    ).scalar()
    if not text:
        return None
    loaded = orjson.loads(text)
    return loaded if isinstance(loaded, dict) else None
