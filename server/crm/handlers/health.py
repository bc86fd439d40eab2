"""Handlers of the `health` tag: liveness and readiness probes (no authentication)."""

from __future__ import annotations

import logging
from typing import Any

from specfirst.server.context import get_db
from specfirst.server.crm.replies import Reply
from specfirst.server.problems import problem_response
from sqlalchemy import text

__all__ = ["get_liveness", "get_readiness"]

log = logging.getLogger(__name__)


async def get_liveness() -> Any:
    return Reply(200, {"status": "ok"}).response()


def get_readiness() -> Any:
    try:
        with get_db().read() as conn:
            conn.execute(text("SELECT 1 FROM specfirst_migrations LIMIT 1"))
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
        log.warning("readiness check failed: %r", exc)
        return problem_response(503, "The database is not reachable.",
                                headers={"Retry-After": "5"})
    return Reply(200, {"status": "ok", "checks": {"database": "ok"}}).response()
