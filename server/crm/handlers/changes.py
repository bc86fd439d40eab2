"""Handlers of the `changes` tag: the change feed, read in commit order from a cursor.

Old changes are pruned (`server.crm.retention`); a cursor that points before what is kept answers
410, so a client restarts from a fresh sync instead of missing changes without knowing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import sqlalchemy as sa
from specfirst.server.context import caller, get_db, get_runtime, get_settings
from specfirst.server.crm.cursor import decode_cursor, encode_cursor, query_scope
from specfirst.server.crm.migrations.m0002_sync import changes
from specfirst.server.crm.replies import Reply
from specfirst.server.crm.retention import pruned_through
from specfirst.server.crm.settings import changes_retention_days
from specfirst.server.problems import BadRequest, Gone

__all__ = ["list_changes"]


def _change_view(row: Any) -> dict[str, Any]:
    return {
        "sequence": int(row.sequence),
        "object_type": row.object_type,
        "object_id": row.object_id,
        "action": row.action,
        "occurred_at": row.occurred_at,
        "data": None if row.data is None else orjson.loads(row.data),
    }


def _cursor_expired() -> Gone:
    days = changes_retention_days(get_settings())
    kept = f"the feed keeps {days:g} days of changes" if days > 0 else "older changes were pruned"
    return Gone(f"Changes after this cursor are no longer in the feed ({kept}). Start a fresh "
                "sync: read the records again, then read the feed without a cursor.",
                slug="cursor-expired", title="Cursor expired",
                errors=[{"pointer": "cursor", "message": "cursor before the retained changes"}])


def list_changes(
    limit: int | None = None,
    cursor: str | None = None,
    object_type: str | None = None,
    *,
    user: Any = None,
    token_info: Mapping[str, Any] | None = None,
) -> Any:
    """A page of the feed after `cursor`, oldest first. The cursor is bound to the tenant and
    to `object_type`; `next_cursor` is null only when the page is empty (up to date)."""
    who = caller(token_info)
    size = min(max(limit or 25, 1), 100)
    scope = query_scope("changes", who.tenant_id, {"object_type": object_type})
    key = get_runtime().cursor_key
    after = 0
    if cursor:
        position = decode_cursor(key, scope, cursor)
        try:
            after = int(position.last_id)
        except ValueError:
            raise BadRequest("The cursor is not valid for this query; start again without it."
                             ) from None
    conditions = [changes.c.tenant_id == who.tenant_id, changes.c.sequence > after]
    if object_type is not None:
        conditions.append(changes.c.object_type == object_type)
    with get_db().read() as conn:
        rows = conn.execute(
            sa.select(changes).where(*conditions).order_by(changes.c.sequence).limit(size)
        ).all()
        # After the rows, not before: a prune that committed before they were read is seen
        # here too, so a gap is never served as if it were complete.
        if after and after < pruned_through(conn, who.tenant_id, object_type):
            raise _cursor_expired()
    next_cursor = (
        encode_cursor(key, scope, str(rows[-1].sequence), []) if rows else None
    )
    return Reply(200, {"data": [_change_view(row) for row in rows],
                       "next_cursor": next_cursor}).response()
