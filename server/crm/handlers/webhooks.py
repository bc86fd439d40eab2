"""Handlers of the `webhooks` tag: subscriptions, their deliveries, test events, secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connexion import request
from specfirst.server.context import Caller, caller, get_db, get_settings
from specfirst.server.crm.idempotency import run_idempotent
from specfirst.server.crm.migrations.m0002_sync import webhook_deliveries, webhooks
from specfirst.server.crm.records import Field, ResourceType
from specfirst.server.crm.replies import Reply, etag, if_match_versions, none_match
from specfirst.server.crm.resources import list_records
from specfirst.server.crm.settings import allow_loopback_webhooks
from specfirst.server.crm.ssrf import TargetRefused, loopback_allowed, validate_target
from specfirst.server.crm.webhooks import store
from specfirst.server.problems import (
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)

__all__ = [
    "create_webhook",
    "delete_webhook",
    "get_webhook",
    "list_webhook_deliveries",
    "list_webhooks",
    "rotate_webhook_secret",
    "send_test_webhook_event",
    "update_webhook",
]

_TIMESTAMPS = (
    Field("created_at", "ts", writable=False, nullable=False),
    Field("updated_at", "ts", writable=False, nullable=False),
)

# Listing goes through the generic resource layer (tenant scope, filters, keyset cursors).
WEBHOOKS = ResourceType(
    "webhooks", "webhook", webhooks,
    (Field("id", "id", writable=False, nullable=False), Field("url", nullable=False),
     Field("event_types", "tags", nullable=False), Field("description"),
     Field("active", "bool", nullable=False), *_TIMESTAMPS,
     Field("version", "int", writable=False, nullable=False)),
    filters={"active": ("eq", "active")},
    emits_changes=False,
)

DELIVERIES = ResourceType(
    "webhook_deliveries", "delivery", webhook_deliveries,
    (Field("id", "id", writable=False, nullable=False),
     Field("webhook_id", "id", writable=False, nullable=False),
     Field("event_id", "id", writable=False, nullable=False),
     Field("event_type", writable=False, nullable=False),
     Field("status", writable=False, nullable=False),
     Field("attempts", "int", writable=False, nullable=False),
     Field("response_status", "int", writable=False), Field("error", writable=False),
     *_TIMESTAMPS, Field("last_attempt_at", "ts", writable=False),
     Field("next_attempt_at", "ts", writable=False)),
    filters={"webhook_id": ("eq", "webhook_id"), "status": ("eq", "status")},
    emits_changes=False, read_only=True,
)


def _allow_loopback() -> bool:
    return allow_loopback_webhooks(get_settings()) or loopback_allowed()


def _check_url(url: str) -> None:
    try:
        validate_target(url, allow_loopback=_allow_loopback(), allow_unresolvable=True)
    except TargetRefused as exc:
        raise Unprocessable(f"The webhook URL is refused: {exc}.", slug="webhook-url-refused",
                            errors=[{"pointer": "/url", "message": str(exc)}]) from None


def _expected_versions() -> set[int] | None:
    value = request.headers.get("If-Match")
    if value is None:
        raise PreconditionRequired()
    return if_match_versions(str(value))


def _current(conn: Any, who: Caller, webhook_id: str, expected: set[int] | None) -> Any:
    row = store.get_webhook(conn, who.tenant_id, webhook_id)
    if row is None:
        raise NotFound()
    if expected is not None and int(row.version) not in expected:
        raise PreconditionFailed()
    return row


def list_webhooks(limit: int | None = None, cursor: str | None = None, sort: str | None = None,
                  updated_since: str | None = None, active: bool | None = None, *,
                  user: Any = None, token_info: Mapping[str, Any] | None = None) -> Any:
    return list_records(WEBHOOKS, caller(token_info), limit=limit, cursor=cursor, sort=sort,
                        updated_since=updated_since, filters={"active": active})


def create_webhook(body: Mapping[str, Any], *, user: Any = None,
                   token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    _check_url(body["url"])
    key = request.headers.get("Idempotency-Key")
    base = str(request.url.path).rstrip("/")

    def produce(conn: Any) -> Reply:
        view, secret = store.create_webhook(conn, who.tenant_id, body)
        return Reply(201, {**view, "secret": secret},
                     {"Location": f"{base}/{view['id']}", "ETag": etag(view["version"])})

    with get_db().write() as conn:
        reply = run_idempotent(conn, tenant_id=who.tenant_id, key=key and str(key),
                               endpoint=f"POST {base}", body=body,
                               produce=lambda: produce(conn))
    return reply.response()


def get_webhook(id_: str, *, user: Any = None,
                token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    with get_db().read() as conn:
        row = _current(conn, who, id_, None)
    tag = etag(int(row.version))
    if none_match(request.headers.get("If-None-Match"), int(row.version)):
        return Reply(304, None, {"ETag": tag}).response()
    return Reply(200, store.webhook_view(row), {"ETag": tag}).response()


def update_webhook(id_: str, body: Mapping[str, Any], *, user: Any = None,
                   token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    expected = _expected_versions()
    if "url" in body:
        _check_url(body["url"])
    with get_db().write() as conn:
        row = _current(conn, who, id_, expected)
        view = store.update_webhook(conn, who.tenant_id, id_, body, int(row.version))
    if view is None:
        raise PreconditionFailed()
    return Reply(200, view, {"ETag": etag(view["version"])}).response()


def delete_webhook(id_: str, *, user: Any = None,
                   token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    expected = _expected_versions()
    with get_db().write() as conn:
        row = _current(conn, who, id_, expected)
        if not store.delete_webhook(conn, who.tenant_id, id_, int(row.version)):
            raise PreconditionFailed()
    return Reply(204).response()


def list_webhook_deliveries(id_: str, limit: int | None = None, cursor: str | None = None,
                            sort: str | None = None, updated_since: str | None = None,
                            status: str | None = None, *, user: Any = None,
                            token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    with get_db().read() as conn:
        _current(conn, who, id_, None)
    return list_records(DELIVERIES, who, limit=limit, cursor=cursor, sort=sort,
                        updated_since=updated_since,
                        filters={"webhook_id": id_, "status": status},
                        default_sort="-created_at")


def send_test_webhook_event(id_: str, *, user: Any = None,
                            token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    with get_db().write() as conn:
        _current(conn, who, id_, None)
        delivery = store.queue_test_event(conn, who.tenant_id, id_)
    return Reply(202, delivery).response()


def rotate_webhook_secret(id_: str, *, user: Any = None,
                          token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    with get_db().write() as conn:
        rotated = store.rotate_secret(conn, who.tenant_id, id_)
    if rotated is None:
        raise NotFound()
    view, secret = rotated
    return Reply(200, {**view, "secret": secret}, {"ETag": etag(view["version"])}).response()
