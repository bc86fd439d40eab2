"""The figures of one concurrency level: throughput, latency percentiles, queue length.

The model (see docs/performance.md): in a closed loop of `c` virtual users, each sending its next
request as soon as the previous answer arrives, throughput λ (completed requests per second) and
mean response time W are measured; Little's law gives the mean number of requests in the system,
L = λ·W, which approaches `c` when the client adds no delay of its own.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CLIENT_BOUND_CPU", "LevelResult", "percentile", "summarize"]

# Share of one core above which the load generator, not the server, may be the limit.
CLIENT_BOUND_CPU = 0.90


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    if p <= 0:
        return float(sorted_values[0])
    rank = math.ceil(p / 100 * len(sorted_values))
    return float(sorted_values[min(rank, len(sorted_values)) - 1])


@dataclass(frozen=True)
class LevelResult:
    """What one concurrency level measured."""

    concurrency: int
    requests: int
    errors: int
    errors_by_status: dict[str, int]
    duration_s: float
    throughput_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    queue_length: float
    client_cpu: float  # load-generator CPU seconds per wall second over the window
    notes: tuple[str, ...] = field(default=())

    @property
    def client_bound(self) -> bool:
        return self.client_cpu >= CLIENT_BOUND_CPU

    def to_json(self) -> dict[str, Any]:
        return {
            "concurrency": self.concurrency,
            "requests": self.requests,
            "errors": self.errors,
            "errors_by_status": dict(sorted(self.errors_by_status.items())),
            "duration_s": round(self.duration_s, 3),
            "throughput_rps": round(self.throughput_rps, 2),
            "latency_ms": {"p50": round(self.p50_ms, 3), "p95": round(self.p95_ms, 3),
                           "p99": round(self.p99_ms, 3), "max": round(self.max_ms, 3)},
            "mean_ms": round(self.mean_ms, 3),
            "queue_length": round(self.queue_length, 3),
            "client_cpu": round(self.client_cpu, 3),
            "client_bound": self.client_bound,
            "notes": list(self.notes),
        }


def summarize(concurrency: int, latencies_s: Sequence[float], outcomes: Counter[str],
              duration_s: float, client_cpu_s: float) -> LevelResult:
    """Turn raw samples into a `LevelResult`.

    `latencies_s` has one entry per completed request (errors included: a 500 is a response
    too); `outcomes` counts requests by status code, or by the name of a transport error.
    """
    ordered = sorted(latencies_s)
    count = len(ordered)
    errors = {key: n for key, n in outcomes.items() if not (key.isdigit() and int(key) < 400)}
    throughput = count / duration_s if duration_s > 0 else 0.0
    mean = sum(ordered) / count if count else 0.0
    cpu_share = client_cpu_s / duration_s if duration_s > 0 else 0.0
    notes: list[str] = []
    if cpu_share >= CLIENT_BOUND_CPU:
        notes.append(f"the load generator used {cpu_share:.0%} of a core: it may have been the "
                     "bottleneck, not the server")
    transport = sum(n for key, n in errors.items() if not key.isdigit())
    if transport:
        notes.append(f"{transport} requests failed without a response")
    return LevelResult(
        concurrency=concurrency,
        requests=count + transport,
        errors=sum(errors.values()),
        errors_by_status=errors,
        duration_s=duration_s,
        throughput_rps=throughput,
        p50_ms=percentile(ordered, 50) * 1000,
        p95_ms=percentile(ordered, 95) * 1000,
        p99_ms=percentile(ordered, 99) * 1000,
        max_ms=(ordered[-1] if ordered else 0.0) * 1000,
        mean_ms=mean * 1000,
        queue_length=throughput * mean,
        client_cpu=cpu_share,
        notes=tuple(notes),
    )
