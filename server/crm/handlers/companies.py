"""Handlers of the `companies` tag: organisations customers belong to."""

from __future__ import annotations

from typing import Any

from specfirst.server import point_read
from specfirst.server.context import caller
from specfirst.server.crm import batch, resources
from specfirst.server.crm.record_types import COMPANIES

__all__ = [
    "batch_create_companies",
    "batch_delete_companies",
    "batch_update_companies",
    "create_company",
    "delete_company",
    "get_company",
    "list_companies",
    "search_companies",
    "update_company",
]


def list_companies(limit: int | None = None, cursor: str | None = None, sort: str | None = None,
                   updated_since: str | None = None, domain: str | None = None,
                   owner_id: str | None = None, tag: str | None = None, *,
                   user: str | None = None, token_info: dict[str, Any] | None = None) -> Any:
    filters = {"domain": domain, "owner_id": owner_id, "tag": tag}
    return resources.list_records(COMPANIES, caller(token_info), limit=limit, cursor=cursor,
                                  sort=sort, updated_since=updated_since, filters=filters)


async def create_company(body: dict[str, Any], *, user: str | None = None,
                          token_info: dict[str, Any] | None = None) -> Any:
    return await resources.create_record(COMPANIES, caller(token_info), body)


@point_read
def get_company(id_: str, *, user: str | None = None,
                 token_info: dict[str, Any] | None = None) -> Any:
    return resources.get_record(COMPANIES, caller(token_info), id_)


def update_company(id_: str, body: dict[str, Any], *, user: str | None = None,
                    token_info: dict[str, Any] | None = None) -> Any:
    return resources.update_record(COMPANIES, caller(token_info), id_, body)


def delete_company(id_: str, *, user: str | None = None,
                    token_info: dict[str, Any] | None = None) -> Any:
    return resources.delete_record(COMPANIES, caller(token_info), id_)


def search_companies(body: dict[str, Any], *, user: str | None = None,
                     token_info: dict[str, Any] | None = None) -> Any:
    return resources.search_records(COMPANIES, caller(token_info), body)


def batch_create_companies(body: dict[str, Any], *, user: str | None = None,
                           token_info: dict[str, Any] | None = None) -> Any:
    return batch.batch_create(COMPANIES, caller(token_info), body)


def batch_update_companies(body: dict[str, Any], *, user: str | None = None,
                           token_info: dict[str, Any] | None = None) -> Any:
    return batch.batch_update(COMPANIES, caller(token_info), body)


def batch_delete_companies(body: dict[str, Any], *, user: str | None = None,
                           token_info: dict[str, Any] | None = None) -> Any:
    return batch.batch_delete(COMPANIES, caller(token_info), body)
