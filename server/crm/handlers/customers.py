"""Handlers of the `customers` tag: people the company sells to or supports."""

from __future__ import annotations

from typing import Any

from specfirst.server import point_read
from specfirst.server.context import caller
from specfirst.server.crm import batch, resources
from specfirst.server.crm.record_types import CUSTOMERS

__all__ = [
    "batch_create_customers",
    "batch_delete_customers",
    "batch_update_customers",
    "create_customer",
    "delete_customer",
    "get_customer",
    "list_customers",
    "search_customers",
    "update_customer",
]


def list_customers(limit: int | None = None, cursor: str | None = None, sort: str | None = None,
                   updated_since: str | None = None, email: str | None = None,
                   lifecycle_stage: str | None = None, source: str | None = None,
                   owner_id: str | None = None, company_id: str | None = None,
                   tag: str | None = None, *, user: str | None = None,
                   token_info: dict[str, Any] | None = None) -> Any:
    filters = {"email": email, "lifecycle_stage": lifecycle_stage, "source": source,
               "owner_id": owner_id, "company_id": company_id, "tag": tag}
    return resources.list_records(CUSTOMERS, caller(token_info), limit=limit, cursor=cursor,
                                  sort=sort, updated_since=updated_since, filters=filters)


async def create_customer(body: dict[str, Any], *, user: str | None = None,
                          token_info: dict[str, Any] | None = None) -> Any:
    return await resources.create_record(CUSTOMERS, caller(token_info), body)


@point_read
def get_customer(id_: str, *, user: str | None = None,
                 token_info: dict[str, Any] | None = None) -> Any:
    return resources.get_record(CUSTOMERS, caller(token_info), id_)


def update_customer(id_: str, body: dict[str, Any], *, user: str | None = None,
                    token_info: dict[str, Any] | None = None) -> Any:
    return resources.update_record(CUSTOMERS, caller(token_info), id_, body)


def delete_customer(id_: str, *, user: str | None = None,
                    token_info: dict[str, Any] | None = None) -> Any:
    return resources.delete_record(CUSTOMERS, caller(token_info), id_)


def search_customers(body: dict[str, Any], *, user: str | None = None,
                     token_info: dict[str, Any] | None = None) -> Any:
    return resources.search_records(CUSTOMERS, caller(token_info), body)


def batch_create_customers(body: dict[str, Any], *, user: str | None = None,
                           token_info: dict[str, Any] | None = None) -> Any:
    return batch.batch_create(CUSTOMERS, caller(token_info), body)


def batch_update_customers(body: dict[str, Any], *, user: str | None = None,
                           token_info: dict[str, Any] | None = None) -> Any:
    return batch.batch_update(CUSTOMERS, caller(token_info), body)


def batch_delete_customers(body: dict[str, Any], *, user: str | None = None,
                           token_info: dict[str, Any] | None = None) -> Any:
    return batch.batch_delete(CUSTOMERS, caller(token_info), body)
