"""Handlers of the `users` tag: the people of the organisation (read-only)."""

from __future__ import annotations

from typing import Any

from specfirst.server import point_read
from specfirst.server.context import caller
from specfirst.server.crm import resources
from specfirst.server.crm.record_types import USERS

__all__ = ["get_user", "list_users"]


def list_users(limit: int | None = None, cursor: str | None = None, sort: str | None = None,
               updated_since: str | None = None, email: str | None = None,
               role: str | None = None, active: bool | None = None, *,
               user: str | None = None, token_info: dict[str, Any] | None = None) -> Any:
    filters = {"email": email, "role": role, "active": active}
    return resources.list_records(USERS, caller(token_info), limit=limit, cursor=cursor,
                                  sort=sort, updated_since=updated_since, filters=filters)


@point_read
def get_user(id_: str, *, user: str | None = None,
             token_info: dict[str, Any] | None = None) -> Any:
    return resources.get_record(USERS, caller(token_info), id_)
