"""Our CRM server against the FastAPI baseline: the same two operations, measured alternately.

Each round starts every contender in turn (the order flips every round, so neither always runs
on a warmer machine), each on a fresh SQLite database with a fresh token, and measures
GET-customer-by-id and POST-customer with `concurrency` closed-loop users over keep-alive
connections, sampling the server's peak RSS while it is under load. Medians over the rounds and
the ratios ours/baseline are what the report shows.
"""

from __future__ import annotations

import logging
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specfirst.contract_tests.bench import (
    BenchConfig,
    BodyTemplate,
    LevelResult,
    parse_target,
    run_bench,
)
from specfirst.contract_tests.benchmarks.servers import CONTENDERS, Contender, RssSampler, started

__all__ = ["CompareConfig", "OPERATIONS", "compare", "curves", "summarize_rounds"]

log = logging.getLogger(__name__)

OPERATIONS = ("get_customer", "create_customer")
CREATE_BODY = ('{"name": "Customer {{seq}}", "email": "c{{seq}}.{{uuid}}@example.com", '
               '"lifecycle_stage": "prospect", "source": "website", "tags": ["bench"], '
               '"properties": {"segment": "smb"}}')


@dataclass(frozen=True)
class CompareConfig:
    rounds: int = 3
    concurrency: int = 32
    duration_s: float = 10.0
    warmup_s: float = 2.0


def _measure(contender: Contender, config: CompareConfig, folder: Path
             ) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with started(contender, folder) as (server, prepared, customer_id):
        assert server.process is not None
        headers = {"Authorization": f"Bearer {prepared.token}"}
        targets = {
            "get_customer": (parse_target(f"{server.base_url}/api/v1/customers/{customer_id}",
                                          "GET", headers), None),
            "create_customer": (parse_target(f"{server.base_url}/api/v1/customers", "POST",
                                             headers), BodyTemplate.parse(CREATE_BODY)),
        }
        for operation, (target, body) in targets.items():
            bench = BenchConfig(target, body, (config.concurrency,), config.duration_s,
                                config.warmup_s)
            with RssSampler(server.process.pid) as rss:
                result: LevelResult = run_bench(bench)[0]
            out[operation] = {**result.to_json(), "peak_rss_mb": round(rss.peak / 2**20, 1)}
            log.info("%s %s: %.0f req/s, p99 %.1f ms", contender.name, operation,
                     result.throughput_rps, result.p99_ms)
    return out


def compare(config: CompareConfig, on_round: Callable[[int, str], None] | None = None
            ) -> dict[str, Any]:
    """Every round's raw figures and the medians and ratios over rounds."""
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="specfirst-bench-") as tmp:
        for index in range(config.rounds):
            order = CONTENDERS if index % 2 == 0 else tuple(reversed(CONTENDERS))
            figures: dict[str, Any] = {}
            for contender in order:
                if on_round is not None:
                    on_round(index, contender.name)
                figures[contender.name] = _measure(contender, config,
                                                   Path(tmp) / f"{index}-{contender.name}")
            rounds.append({"order": [c.name for c in order], "figures": figures})
    return {"config": config.__dict__, "rounds": rounds, "summary": summarize_rounds(rounds)}


def summarize_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per contender and operation; ratios specfirst / fastapi."""
    summary: dict[str, Any] = {}
    for operation in OPERATIONS:
        entry: dict[str, Any] = {}
        for name in (c.name for c in CONTENDERS):
            runs = [r["figures"][name][operation] for r in rounds]
            entry[name] = {
                "throughput_rps": statistics.median(r["throughput_rps"] for r in runs),
                "p50_ms": statistics.median(r["latency_ms"]["p50"] for r in runs),
                "p99_ms": statistics.median(r["latency_ms"]["p99"] for r in runs),
                "mean_ms": statistics.median(r["mean_ms"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
                "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
                "client_bound_runs": sum(1 for r in runs if r["client_bound"]),
            }
        ours, base = entry["specfirst"], entry["fastapi"]
        entry["throughput_ratio"] = (ours["throughput_rps"] / base["throughput_rps"]
                                     if base["throughput_rps"] else 0.0)
        entry["p99_ratio"] = ours["p99_ms"] / base["p99_ms"] if base["p99_ms"] else 0.0
        entry["goal_met"] = entry["throughput_ratio"] >= 1.0 and entry["p99_ratio"] <= 1.0
        summary[operation] = entry
    return summary


def curves(out_dir: Path, levels: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64),
           duration_s: float = 10.0, warmup_s: float = 2.0) -> dict[str, Any]:
    """Our server's throughput–response-time curve for both operations, one level after
    another: `OUT/<operation>/bench.json` and `curve.svg`."""
    from specfirst.contract_tests.bench.report import bench_json, write_results

    contender = next(c for c in CONTENDERS if c.name == "specfirst")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="specfirst-curves-") as tmp, \
            started(contender, Path(tmp)) as (server, prepared, customer_id):
        headers = {"Authorization": f"Bearer {prepared.token}"}
        plan = {
            "get_customer": (parse_target(f"{server.base_url}/api/v1/customers/{customer_id}",
                                          "GET", headers), None, "GET a customer"),
            "create_customer": (parse_target(f"{server.base_url}/api/v1/customers", "POST",
                                             headers), BodyTemplate.parse(CREATE_BODY),
                                "POST a customer"),
        }
        for operation, (target, body, title) in plan.items():
            levels_run = run_bench(BenchConfig(target, body, levels, duration_s, warmup_s))
            write_results(out_dir / operation, levels_run, {"operation": operation}, title)
            results[operation] = bench_json(levels_run)["runs"]
    return results
