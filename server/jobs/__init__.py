"""Background jobs of the CRM server: bulk imports, run from the database, resumable."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING

import anyio.to_thread

from server.jobs.imports import (
    CHUNK_SIZE,
    MAX_ERRORS,
    MAX_RECORDS,
    ImportRunner,
    create_job,
    job_view,
)

if TYPE_CHECKING:
    from server.context import Runtime

__all__ = [
    "CHUNK_SIZE",
    "ImportRunner",
    "MAX_ERRORS",
    "MAX_RECORDS",
    "create_job",
    "job_view",
    "lifespan",
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
        from generator.errors import ConfigError

        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        from generator.errors import ConfigError

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


@contextlib.asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    """Run the import runner while the server runs (entered by the app's lifespan)."""
    stop = threading.Event()
    runner = runner_from_env(runtime, stop)
    poll = max(_number(runtime.settings.extra, "SPECFIRST_SERVER_IMPORT_POLL_INTERVAL", 1.0),
               0.01)
    task = asyncio.create_task(_run(runner, poll), name="import-runner")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=30)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
