"""Handlers of the `tickets` tag: customer-service tickets and their comments."""

from __future__ import annotations

from typing import Any

from specfirst.server import point_read
from specfirst.server.context import caller
from specfirst.server.crm import resources
from specfirst.server.crm.record_types import COMMENTS, TICKETS

__all__ = [
    "create_comment",
    "create_ticket",
    "delete_comment",
    "delete_ticket",
    "get_comment",
    "get_ticket",
    "list_comments",
    "list_tickets",
    "search_tickets",
    "update_comment",
    "update_ticket",
]

TokenInfo = dict[str, Any] | None


def list_tickets(limit: int | None = None, cursor: str | None = None, sort: str | None = None,
                 updated_since: str | None = None, status: str | None = None,
                 priority: str | None = None, channel: str | None = None,
                 customer_id: str | None = None, assignee_id: str | None = None,
                 tag: str | None = None, *, user: str | None = None,
                 token_info: TokenInfo = None) -> Any:
    filters = {"status": status, "priority": priority, "channel": channel,
               "customer_id": customer_id, "assignee_id": assignee_id, "tag": tag}
    return resources.list_records(TICKETS, caller(token_info), limit=limit, cursor=cursor,
                                  sort=sort, updated_since=updated_since, filters=filters)


async def create_ticket(body: dict[str, Any], *, user: str | None = None,
                        token_info: TokenInfo = None) -> Any:
    return await resources.create_record(TICKETS, caller(token_info), body)


@point_read
def get_ticket(id_: str, *, user: str | None = None, token_info: TokenInfo = None) -> Any:
    return resources.get_record(TICKETS, caller(token_info), id_)


def update_ticket(id_: str, body: dict[str, Any], *, user: str | None = None,
                  token_info: TokenInfo = None) -> Any:
    return resources.update_record(TICKETS, caller(token_info), id_, body)


def delete_ticket(id_: str, *, user: str | None = None, token_info: TokenInfo = None) -> Any:
    return resources.delete_record(TICKETS, caller(token_info), id_)


def search_tickets(body: dict[str, Any], *, user: str | None = None,
                   token_info: TokenInfo = None) -> Any:
    return resources.search_records(TICKETS, caller(token_info), body)


def list_comments(ticket_id: str, limit: int | None = None, cursor: str | None = None,
                  sort: str | None = None, updated_since: str | None = None, *,
                  user: str | None = None, token_info: TokenInfo = None) -> Any:
    return resources.list_records(COMMENTS, caller(token_info), limit=limit, cursor=cursor,
                                  sort=sort, updated_since=updated_since, parent_id=ticket_id)


async def create_comment(ticket_id: str, body: dict[str, Any], *, user: str | None = None,
                         token_info: TokenInfo = None) -> Any:
    return await resources.create_record(COMMENTS, caller(token_info), body, parent_id=ticket_id)


@point_read
def get_comment(ticket_id: str, id_: str, *, user: str | None = None,
                token_info: TokenInfo = None) -> Any:
    return resources.get_record(COMMENTS, caller(token_info), id_, parent_id=ticket_id)


def update_comment(ticket_id: str, id_: str, body: dict[str, Any], *, user: str | None = None,
                   token_info: TokenInfo = None) -> Any:
    return resources.update_record(COMMENTS, caller(token_info), id_, body, parent_id=ticket_id)


def delete_comment(ticket_id: str, id_: str, *, user: str | None = None,
                   token_info: TokenInfo = None) -> Any:
    return resources.delete_record(COMMENTS, caller(token_info), id_, parent_id=ticket_id)
