"""Handlers of the `deals` tag: sales opportunities moving through pipelines."""

from __future__ import annotations

from typing import Any

from specfirst.server import point_read
from specfirst.server.context import caller
from specfirst.server.crm import batch, resources
from specfirst.server.crm.record_types import DEALS

__all__ = [
    "batch_create_deals",
    "batch_delete_deals",
    "batch_update_deals",
    "create_deal",
    "delete_deal",
    "get_deal",
    "list_deals",
    "search_deals",
    "update_deal",
]


def list_deals(limit: int | None = None, cursor: str | None = None, sort: str | None = None,
               updated_since: str | None = None, pipeline_id: str | None = None,
               stage_id: str | None = None, status: str | None = None,
               owner_id: str | None = None, customer_id: str | None = None,
               company_id: str | None = None, tag: str | None = None, *,
               user: str | None = None, token_info: dict[str, Any] | None = None) -> Any:
    filters = {"pipeline_id": pipeline_id, "stage_id": stage_id, "status": status,
               "owner_id": owner_id, "customer_id": customer_id, "company_id": company_id,
               "tag": tag}
    return resources.list_records(DEALS, caller(token_info), limit=limit, cursor=cursor,
                                  sort=sort, updated_since=updated_since, filters=filters)


async def create_deal(body: dict[str, Any], *, user: str | None = None,
                          token_info: dict[str, Any] | None = None) -> Any:
    return await resources.create_record(DEALS, caller(token_info), body)


@point_read
def get_deal(id_: str, *, user: str | None = None,
                 token_info: dict[str, Any] | None = None) -> Any:
    return resources.get_record(DEALS, caller(token_info), id_)


def update_deal(id_: str, body: dict[str, Any], *, user: str | None = None,
                    token_info: dict[str, Any] | None = None) -> Any:
    return resources.update_record(DEALS, caller(token_info), id_, body)


def delete_deal(id_: str, *, user: str | None = None,
                    token_info: dict[str, Any] | None = None) -> Any:
    return resources.delete_record(DEALS, caller(token_info), id_)


def search_deals(body: dict[str, Any], *, user: str | None = None,
                     token_info: dict[str, Any] | None = None) -> Any:
    return resources.search_records(DEALS, caller(token_info), body)


def batch_create_deals(body: dict[str, Any], *, user: str | None = None,
                           token_info: dict[str, Any] | None = None) -> Any:
    return batch.batch_create(DEALS, caller(token_info), body)


def batch_update_deals(body: dict[str, Any], *, user: str | None = None,
                           token_info: dict[str, Any] | None = None) -> Any:
    return batch.batch_update(DEALS, caller(token_info), body)


def batch_delete_deals(body: dict[str, Any], *, user: str | None = None,
                           token_info: dict[str, Any] | None = None) -> Any:
    return batch.batch_delete(DEALS, caller(token_info), body)
