"""Handlers of the `activities` tag: calls, emails, meetings, notes and tasks."""

from __future__ import annotations

from typing import Any

from specfirst.server import point_read
from specfirst.server.context import caller
from specfirst.server.crm import resources
from specfirst.server.crm.record_types import ACTIVITIES

__all__ = [
    "create_activity",
    "delete_activity",
    "get_activity",
    "list_activities",
    "search_activities",
    "update_activity",
]

TokenInfo = dict[str, Any] | None


def list_activities(limit: int | None = None, cursor: str | None = None, sort: str | None = None,
                    updated_since: str | None = None, type_: str | None = None,
                    customer_id: str | None = None, deal_id: str | None = None,
                    ticket_id: str | None = None, owner_id: str | None = None,
                    completed: bool | None = None, *, user: str | None = None,
                    token_info: TokenInfo = None) -> Any:
    filters = {"type": type_, "customer_id": customer_id, "deal_id": deal_id,
               "ticket_id": ticket_id, "owner_id": owner_id, "completed": completed}
    return resources.list_records(ACTIVITIES, caller(token_info), limit=limit, cursor=cursor,
                                  sort=sort, updated_since=updated_since, filters=filters)


async def create_activity(body: dict[str, Any], *, user: str | None = None,
                          token_info: TokenInfo = None) -> Any:
    return await resources.create_record(ACTIVITIES, caller(token_info), body)


@point_read
def get_activity(id_: str, *, user: str | None = None, token_info: TokenInfo = None) -> Any:
    return resources.get_record(ACTIVITIES, caller(token_info), id_)


def update_activity(id_: str, body: dict[str, Any], *, user: str | None = None,
                    token_info: TokenInfo = None) -> Any:
    return resources.update_record(ACTIVITIES, caller(token_info), id_, body)


def delete_activity(id_: str, *, user: str | None = None, token_info: TokenInfo = None) -> Any:
    return resources.delete_record(ACTIVITIES, caller(token_info), id_)


def search_activities(body: dict[str, Any], *, user: str | None = None,
                      token_info: TokenInfo = None) -> Any:
    return resources.search_records(ACTIVITIES, caller(token_info), body)
