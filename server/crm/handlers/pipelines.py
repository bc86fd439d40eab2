"""Handlers of the `pipelines` tag: sales pipelines and their ordered stages."""

from __future__ import annotations

from typing import Any

from specfirst.server import point_read
from specfirst.server.context import caller
from specfirst.server.crm import resources
from specfirst.server.crm.record_types import PIPELINES, STAGES

__all__ = [
    "create_pipeline",
    "create_stage",
    "delete_pipeline",
    "delete_stage",
    "get_pipeline",
    "get_stage",
    "list_pipelines",
    "list_stages",
    "update_pipeline",
    "update_stage",
]

TokenInfo = dict[str, Any] | None


def list_pipelines(limit: int | None = None, cursor: str | None = None, sort: str | None = None,
                   updated_since: str | None = None, *, user: str | None = None,
                   token_info: TokenInfo = None) -> Any:
    return resources.list_records(PIPELINES, caller(token_info), limit=limit, cursor=cursor,
                                  sort=sort, updated_since=updated_since)


async def create_pipeline(body: dict[str, Any], *, user: str | None = None,
                          token_info: TokenInfo = None) -> Any:
    return await resources.create_record(PIPELINES, caller(token_info), body)


@point_read
def get_pipeline(id_: str, *, user: str | None = None, token_info: TokenInfo = None) -> Any:
    return resources.get_record(PIPELINES, caller(token_info), id_)


def update_pipeline(id_: str, body: dict[str, Any], *, user: str | None = None,
                    token_info: TokenInfo = None) -> Any:
    return resources.update_record(PIPELINES, caller(token_info), id_, body)


def delete_pipeline(id_: str, *, user: str | None = None, token_info: TokenInfo = None) -> Any:
    return resources.delete_record(PIPELINES, caller(token_info), id_)


def list_stages(pipeline_id: str, limit: int | None = None, cursor: str | None = None,
                sort: str | None = None, updated_since: str | None = None, *,
                user: str | None = None, token_info: TokenInfo = None) -> Any:
    return resources.list_records(STAGES, caller(token_info), limit=limit, cursor=cursor,
                                  sort=sort, updated_since=updated_since, parent_id=pipeline_id,
                                  default_sort="position")


async def create_stage(pipeline_id: str, body: dict[str, Any], *, user: str | None = None,
                       token_info: TokenInfo = None) -> Any:
    return await resources.create_record(STAGES, caller(token_info), body, parent_id=pipeline_id)


@point_read
def get_stage(pipeline_id: str, id_: str, *, user: str | None = None,
              token_info: TokenInfo = None) -> Any:
    return resources.get_record(STAGES, caller(token_info), id_, parent_id=pipeline_id)


def update_stage(pipeline_id: str, id_: str, body: dict[str, Any], *, user: str | None = None,
                 token_info: TokenInfo = None) -> Any:
    return resources.update_record(STAGES, caller(token_info), id_, body, parent_id=pipeline_id)


def delete_stage(pipeline_id: str, id_: str, *, user: str | None = None,
                 token_info: TokenInfo = None) -> Any:
    return resources.delete_record(STAGES, caller(token_info), id_, parent_id=pipeline_id)
