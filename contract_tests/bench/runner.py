"""Closed-loop load: `c` virtual users, each on its own keep-alive connection, each sending its
next request as soon as the previous answer arrives; a warm-up, then a measured window.

Only responses that complete inside the window are counted, so warm-up and the requests still
in flight when the window closes never dilute the figures. The generator samples its own CPU
time (`time.process_time`) over the window: close to one core means the client, not the server,
set the pace, and the result says so.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from specfirst.contract_tests.bench.client import Connection, HTTPResponseError, Target
from specfirst.contract_tests.bench.stats import LevelResult, summarize
from specfirst.contract_tests.bench.template import BodyTemplate

__all__ = ["BenchConfig", "Progress", "run_bench", "run_level", "run_on_fresh_loop"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# progress(concurrency, fraction of the level done, responses counted so far)
Progress = Callable[[int, float, int], None]
_TICK_S = 0.2
_RETRY_PAUSE_S = 0.01


@dataclass(frozen=True)
class BenchConfig:
    target: Target
    body: BodyTemplate | None = None
    concurrency: tuple[int, ...] = (1, 8, 32)
    duration_s: float = 10.0
    warmup_s: float = 2.0
    timeout_s: float = 30.0


async def run_level(config: BenchConfig, concurrency: int,
                    progress: Progress | None = None) -> LevelResult:
    """Load the target with `concurrency` users for warm-up + duration; return the figures."""
    clock = time.perf_counter
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    sequence = itertools.count(1)
    body = config.body
    static_head = None
    if body is None:
        static_head = config.target.head(None)
    elif body.is_static:
        static_head = config.target.head(len(body.render(0, 0)))
    start = clock()
    measure_from = start + config.warmup_s
    measure_to = measure_from + config.duration_s
    cpu: dict[str, float] = {}

    async def user(worker: int) -> None:
        connection = Connection(config.target)
        try:
            while True:
                if clock() >= measure_to:
                    return
                payload = body.render(next(sequence), worker) if body is not None else b""
                head = static_head or config.target.head(len(payload))
                sent = clock()
                try:
                    async with asyncio.timeout(config.timeout_s):
                        status = await connection.request(head, payload)
                except TimeoutError:
                    key: str | None = "timeout"
                except (OSError, HTTPResponseError, asyncio.IncompleteReadError,
                        asyncio.LimitOverrunError, ValueError) as exc:
                    key = type(exc).__name__
                else:
                    key = None
                done = clock()
                if measure_from <= done <= measure_to:
                    if key is None:
                        latencies.append(done - sent)
                        outcomes[str(status)] += 1
                    else:
                        outcomes[key] += 1
                if key is not None:
                    await asyncio.sleep(_RETRY_PAUSE_S)  # never spin on a refused connection
        finally:
            connection.close()

    async def watch() -> None:
        total = measure_to - start
        while True:
            now = clock()
            if "from" not in cpu and now >= measure_from:
                cpu["from"] = time.process_time()
            if now >= measure_to:
                cpu["to"] = time.process_time()
                return
            if progress is not None:
                progress(concurrency, (now - start) / total, len(latencies))
            next_mark = measure_from if "from" not in cpu else measure_to
            await asyncio.sleep(max(0.0, min(_TICK_S, next_mark - now)))

    watcher = asyncio.create_task(watch())
    await asyncio.gather(*(user(n) for n in range(concurrency)))
    await watcher
    if progress is not None:
        progress(concurrency, 1.0, len(latencies))
    return summarize(concurrency, latencies, outcomes, config.duration_s,
                     cpu.get("to", 0.0) - cpu.get("from", 0.0))


async def _run_all(config: BenchConfig, progress: Progress | None) -> list[LevelResult]:
    results = []
    for level in config.concurrency:
        result = await run_level(config, level, progress)
        log.info("concurrency %d: %.1f req/s, p99 %.2f ms", level, result.throughput_rps,
                 result.p99_ms)
        results.append(result)
    return results


def run_bench(config: BenchConfig, progress: Progress | None = None) -> list[LevelResult]:
    """Every concurrency level of `config`, in order, on a fresh event loop (uvloop if present)."""
    return run_on_fresh_loop(_run_all(config, progress))


def run_on_fresh_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` to its end on a new event loop: uvloop's if present, else asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def parse_levels(text: str) -> tuple[int, ...]:
    """`1,8,32` as a tuple of positive integers (ValueError otherwise)."""
    levels = tuple(int(part) for part in text.split(",") if part.strip())
    if not levels or any(level < 1 or level > 10_000 for level in levels):
        raise ValueError(text)
    return levels


def levels_text(levels: Sequence[int]) -> str:
    return ",".join(str(level) for level in levels)
