"""Opaque, tamper-evident pagination cursors bound to their tenant and their query.

A cursor is `base64url(payload) "." base64url(HMAC-SHA256(key, scope | payload)[:16])`, where
the scope is the resource, the tenant and a canonical form of the query (filters and sort).
Changing a byte, reusing a cursor with other filters or by another tenant fails the MAC: 400.
The payload holds the sort values and id of the last item of the page (keyset pagination), or
only the id when the values are long (they are then read back from that record).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from specfirst.server.problems import BadRequest

__all__ = ["Cursor", "decode_cursor", "encode_cursor", "query_scope"]

_MAX_VALUES_BYTES = 240


@dataclass(frozen=True)
class Cursor:
    last_id: str
    values: list[Any] | None  # None: read the sort values of `last_id` from the database


def query_scope(resource: str, tenant_id: str, query: Mapping[str, Any]) -> bytes:
    """A canonical form of what a cursor is bound to (stdlib json: any integer, ASCII only)."""
    return json.dumps([resource, tenant_id, query], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(key: bytes, scope: bytes, last_id: str, values: list[Any]) -> str:
    packed = orjson.dumps(values)
    payload = orjson.dumps({"i": last_id, "v": values if len(packed) <= _MAX_VALUES_BYTES
                            else None})
    mac = hmac.new(key, scope + b"|" + payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def decode_cursor(key: bytes, scope: bytes, cursor: str) -> Cursor:
    invalid = BadRequest("The cursor is not valid for this query; start again without it.",
                         errors=[{"pointer": "cursor", "message": "invalid cursor"}])
    encoded, sep, signature = cursor.partition(".")
    if not sep:
        raise invalid
    try:
        payload = _unb64(encoded)
        mac = _unb64(signature)
    except (binascii.Error, ValueError):
        raise invalid from None
    expected = hmac.new(key, scope + b"|" + payload, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(mac, expected):
        raise invalid
    data = orjson.loads(payload)
    values = data.get("v")
    return Cursor(last_id=str(data["i"]), values=list(values) if values is not None else None)
