"""Background jobs of the CRM server: bulk imports, run from the database, resumable; and the
retention of the change feed (`specfirst.server.crm.retention`), pruned every
`SPECFIRST_SERVER_CHANGES_PRUNE_INTERVAL` seconds (default 3600), batch by batch."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING

import anyio.to_thread
from specfirst.server.crm.jobs.imports import (
    CHUNK_SIZE,
    MAX_ERRORS,
    MAX_RECORDS,
    ImportRunner,
    create_job,
    job_view,
)
from specfirst.server.crm.retention import PRUNE_BATCH, cutoff_for, prune_batch
from specfirst.server.crm.settings import changes_retention_days

if TYPE_CHECKING:
    from specfirst.server.context import Runtime

__all__ = [
    "CHUNK_SIZE",
    "ImportRunner",
    "MAX_ERRORS",
    "MAX_RECORDS",
    "create_job",
    "job_view",
    "lifespan",
    "prune_feed",
    "runner_from_env",
]

logger = logging.getLogger(__name__)


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        from specfirst.generator.errors import ConfigError

        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        from specfirst.generator.errors import ConfigError

        raise ConfigError(f"{name} must not be negative")
    return value


def runner_from_env(runtime: Runtime, stop: threading.Event | None = None) -> ImportRunner:
    env = runtime.settings.extra
    return ImportRunner(
        runtime.db,
        lease_s=max(_number(env, "SPECFIRST_SERVER_IMPORT_LEASE", 60.0), 1.0),
        chunk_size=max(int(_number(env, "SPECFIRST_SERVER_IMPORT_CHUNK", CHUNK_SIZE)), 1),
        chunk_pause_s=_number(env, "SPECFIRST_SERVER_IMPORT_CHUNK_PAUSE", 0.0),
        stop=stop,
    )


async def _run(runner: ImportRunner, poll_s: float) -> None:
    failures = 0
    while not runner.stop.is_set():
        pause = poll_s
        try:
            worked = await anyio.to_thread.run_sync(runner.run_once)
            failures = 0
        except Exception:  # noqa: BLE001 - a failed round must not end the runner
            failures += 1
            logger.exception("import round failed (%d in a row)", failures)
            worked = False
            pause = min(30.0, poll_s * 2 ** min(failures, 10))
        if not worked:
            await asyncio.sleep(pause)


async def prune_feed(runtime: Runtime, interval_s: float, stop: asyncio.Event) -> None:
    """Prune the change feed now and then every `interval_s` until `stop` is set: one batch
    per worker-thread call, so the event loop, shutdown and other writers are never held up
    for long. Errors are logged and the next round tries again."""
    days = changes_retention_days(runtime.settings)
    if days <= 0:
        return
    pause = min(interval_s, 60.0)  # the first round soon after start-up
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=pause)
        if stop.is_set():
            return
        pause = interval_s
        cutoff = cutoff_for(days)
        total = 0
        try:
            more = True
            while more and not stop.is_set():
                deleted, more = await anyio.to_thread.run_sync(prune_batch, runtime.db, cutoff,
                                                               PRUNE_BATCH)
                total += deleted
        except Exception:  # noqa: BLE001 - housekeeping must not stop the server
            logger.exception("pruning the change feed failed")
        if total:
            logger.info("pruned %d changes that occurred before %s", total, cutoff)


@contextlib.asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    """Run the import runner and the change-feed pruner while the server runs (entered by the
    app's lifespan)."""
    stop = threading.Event()
    runner = runner_from_env(runtime, stop)
    poll = max(_number(runtime.settings.extra, "SPECFIRST_SERVER_IMPORT_POLL_INTERVAL", 1.0),
               0.01)
    task = asyncio.create_task(_run(runner, poll), name="import-runner")
    interval = max(_number(runtime.settings.extra, "SPECFIRST_SERVER_CHANGES_PRUNE_INTERVAL",
                           3600.0), 0.01)
    stop_pruning = asyncio.Event()
    pruner = asyncio.create_task(prune_feed(runtime, interval, stop_pruning),
                                 name="change-feed-pruner")
    try:
        yield
    finally:
        stop.set()
        stop_pruning.set()
        for running in (task, pruner):
            try:
                await asyncio.wait_for(running, timeout=30)
            except TimeoutError:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
