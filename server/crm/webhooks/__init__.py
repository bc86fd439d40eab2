"""Webhooks: subscriptions, Standard Webhooks signatures, and the outbox delivery worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from specfirst.server.crm.settings import allow_loopback_webhooks
from specfirst.server.crm.ssrf import loopback_allowed
from specfirst.server.crm.webhooks.delivery import DeliveryConfig, DeliveryWorker, backoff_delay
from specfirst.server.crm.webhooks.signing import SignatureInvalid, generate_secret, sign, verify

if TYPE_CHECKING:
    from specfirst.server.context import Runtime

__all__ = [
    "DeliveryConfig",
    "DeliveryWorker",
    "SignatureInvalid",
    "backoff_delay",
    "generate_secret",
    "lifespan",
    "sign",
    "verify",
]

logger = logging.getLogger(__name__)

STOP_GRACE_S = 15.0


def allow_loopback(runtime: Runtime) -> bool:
    return allow_loopback_webhooks(runtime.settings) or loopback_allowed()


@contextlib.asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    """Run the delivery worker while the server runs (entered by the app's lifespan)."""
    config = DeliveryConfig.from_env(runtime.settings.extra,
                                     allow_loopback=allow_loopback(runtime))
    worker = DeliveryWorker(runtime.db, config)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="webhook-delivery")
    logger.info("webhook delivery worker %s started", worker.worker_id)
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=STOP_GRACE_S)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        logger.info("webhook delivery worker %s stopped", worker.worker_id)
