"""Handlers of the `analytics` tag: reports computed from the live records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from specfirst.server.context import caller, get_db
from specfirst.server.crm import analytics
from specfirst.server.crm.replies import Reply
from specfirst.server.problems import BadRequest, NotFound, Unprocessable

__all__ = ["get_customers_by_source", "get_sales_funnel", "get_ticket_volumes"]


def get_sales_funnel(pipeline_id: str, currency: str | None = None, *, user: Any = None,
                     token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    with get_db().read() as conn:
        if not analytics.pipeline_exists(conn, who.tenant_id, pipeline_id):
            raise NotFound("No pipeline with this id exists for your account.")
        report = analytics.sales_funnel(conn, who.tenant_id, pipeline_id, currency)
    return Reply(200, report).response()


def get_customers_by_source(lifecycle_stage: str | None = None, *, user: Any = None,
                            token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    with get_db().read() as conn:
        report = analytics.customers_by_source(conn, who.tenant_id, lifecycle_stage)
    return Reply(200, report).response()


def _day(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadRequest(f"'{name}' must be a date (YYYY-MM-DD).",
                         errors=[{"pointer": name, "message": "not a date"}]) from None


def get_ticket_volumes(from_: str, to: str, interval: str | None = None, *, user: Any = None,
                       token_info: Mapping[str, Any] | None = None) -> Any:
    who = caller(token_info)
    first, last = _day(from_, "from"), _day(to, "to")
    try:
        with get_db().read() as conn:
            report = analytics.ticket_volumes(conn, who.tenant_id, first, last,
                                              interval or "day")
    except analytics.PeriodRangeError as exc:
        # Both dates are well-formed: a range the report cannot cover is 422, not 400.
        raise Unprocessable(f"The date range is not accepted: {exc}.",
                            errors=[{"pointer": "to", "message": str(exc)}]) from None
    return Reply(200, report).response()
