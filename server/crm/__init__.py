"""The reference CRM: one application built on the serving runtime's public API.

It is served like any user's application: `specfirst serve openapi/crm.yaml --handlers
specfirst.server.crm.handlers` (the repository's `[tool.specfirst]` names both). Its handler
package declares `SERVICES` (below): the CRM's migration chain (records, change feed, webhooks,
import jobs), the base URI of its problem types, and the lifespans of its webhook delivery
worker and of its jobs (imports, change-feed retention). Its maintenance commands are a module
of its own: `python -m specfirst.server.crm.admin --help`.

The toolkit never imports this package; it is not part of the installed distribution.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from specfirst.server.context import Runtime
from specfirst.server.db import Database
from specfirst.server.services import Service

__all__ = ["HANDLERS", "SERVICES", "SPEC", "TYPE_BASE", "apply_migrations"]

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "crm.yaml"
HANDLERS = "specfirst.server.crm.handlers"
TYPE_BASE = "https://crm.example.com/problems/"


@asynccontextmanager
async def _webhook_delivery(runtime: Runtime) -> AsyncIterator[None]:
    from specfirst.server.crm.webhooks import lifespan

    async with lifespan(runtime):
        yield


@asynccontextmanager
async def _jobs(runtime: Runtime) -> AsyncIterator[None]:
    from specfirst.server.crm.jobs import lifespan

    async with lifespan(runtime):
        yield


SERVICES = [
    Service("crm", migrations="specfirst.server.crm.migrations", problem_types=TYPE_BASE),
    Service("crm-webhooks", lifespan=_webhook_delivery),
    Service("crm-jobs", lifespan=_jobs),
]


def apply_migrations(db: Database) -> list[int]:
    """The runtime's migrations and the CRM's (what serving the CRM applies at start-up)."""
    from specfirst.server.migrations import apply_migrations as apply

    return apply(db, SERVICES)
