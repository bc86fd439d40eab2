"""Our CRM server against two FastAPI baselines: the same two operations, measured alternately,
by two load generators.

Each round starts every contender in turn — ours, the FastAPI baseline (`fastapi_app.py`) and
the lean FastAPI baseline (`fastapi_lean_app.py`); the order flips every round, so none always
runs on a warmer machine — each on a fresh SQLite database with a fresh token, and measures
GET-customer-by-id and POST-customer with `concurrency` closed-loop users over keep-alive
connections, once with `specfirst bench` and once with wrk (the order of the two flips every
round as well), sampling the server's peak RSS while it is under load and the CPU time its
process used in the measured window (per request served: steadier than throughput on a shared
machine, where it is the share of the cores a server gets that moves most). Medians over the
rounds and the ratios ours / each baseline, per load generator, are what the report shows.
"""

from __future__ import annotations

import logging
import os
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
from specfirst.contract_tests.benchmarks.servers import (
    BASELINES,
    CONTENDERS,
    OURS,
    Contender,
    RssSampler,
    cpu_seconds,
    started,
)
from specfirst.contract_tests.benchmarks.wrk import ensure_wrk, run_wrk, wrk_version

__all__ = ["CREATE_BODY", "LOAD_GENERATORS", "OPERATIONS", "CompareConfig", "compare", "curves",
           "load", "plan", "summarize_rounds"]

log = logging.getLogger(__name__)

OPERATIONS = ("get_customer", "create_customer")
LOAD_GENERATORS = ("specfirst-bench", "wrk")
CREATE_BODY = ('{"name": "Customer {{seq}}", "email": "c{{seq}}.{{uuid}}@example.com", '
               '"lifecycle_stage": "prospect", "source": "website", "tags": ["bench"], '
               '"properties": {"segment": "smb"}}')


@dataclass(frozen=True)
class CompareConfig:
    rounds: int = 3
    concurrency: int = 32
    duration_s: float = 10.0
    warmup_s: float = 2.0
    wrk_threads: int = 2


def _run(tool: str, wrk: str, url: str, method: str, headers: dict[str, str],
         body: str | None, config: CompareConfig, duration_s: float) -> dict[str, Any]:
    if tool == "wrk":
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        return run_wrk(wrk, url, method, headers, body, config.concurrency, duration_s, 0,
                       threads=config.wrk_threads)
    bench = BenchConfig(parse_target(url, method, headers),
                        BodyTemplate.parse(body) if body is not None else None,
                        (config.concurrency,), duration_s, 0)
    result: LevelResult = run_bench(bench)[0]
    return result.to_json()


def load(tool: str, wrk: str, url: str, method: str, headers: dict[str, str],
         body: str | None, config: CompareConfig, pid: int) -> dict[str, Any]:
    """An unmeasured warm-up run, then the measured one, with the CPU time the server process
    `pid` used during it per request served (`server_cpu_ms`)."""
    if config.warmup_s > 0:
        _run(tool, wrk, url, method, headers, body, config, config.warmup_s)
    before = cpu_seconds(pid)
    figures = _run(tool, wrk, url, method, headers, body, config, config.duration_s)
    used = cpu_seconds(pid) - before
    figures["server_cpu_ms"] = round(1000 * used / figures["requests"], 3) if (
        figures["requests"]) else None
    return figures


def plan(base_url: str, customer_id: str) -> dict[str, tuple[str, str, str | None]]:
    """{operation: (URL, method, body template)} of the compared operations on one server."""
    return {"get_customer": (f"{base_url}/api/v1/customers/{customer_id}", "GET", None),
            "create_customer": (f"{base_url}/api/v1/customers", "POST", CREATE_BODY)}


def _measure(contender: Contender, config: CompareConfig, folder: Path, wrk: str,
             tools: tuple[str, ...]) -> dict[str, dict[str, dict[str, Any]]]:
    """{load generator: {operation: figures}} of one contender, started once."""
    out: dict[str, dict[str, dict[str, Any]]] = {tool: {} for tool in tools}
    with started(contender, folder) as (server, prepared, customer_id):
        assert server.process is not None
        headers = {"Authorization": f"Bearer {prepared.token}"}
        for operation, (url, method, body) in plan(server.base_url, customer_id).items():
            for tool in tools:
                with RssSampler(server.process.pid) as rss:
                    figures = load(tool, wrk, url, method, headers, body, config,
                                   server.process.pid)
                figures["peak_rss_mb"] = round(rss.peak / 2**20, 1)
                out[tool][operation] = figures
                log.info("%s %s %s: %.0f req/s, p99 %.1f ms", contender.name, tool, operation,
                         figures["throughput_rps"], figures["latency_ms"]["p99"])
    return out


def compare(config: CompareConfig, on_round: Callable[[int, str], None] | None = None,
            say: Callable[[str], None] = print) -> dict[str, Any]:
    """Every round's raw figures, the medians and the ratios over rounds, the load average of
    the machine before and after, and the load generators used."""
    wrk = ensure_wrk(say)
    load_before = os.getloadavg()
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="specfirst-bench-") as tmp:
        for index in range(config.rounds):
            order = CONTENDERS if index % 2 == 0 else tuple(reversed(CONTENDERS))
            tools = LOAD_GENERATORS if index % 2 == 0 else tuple(reversed(LOAD_GENERATORS))
            figures: dict[str, Any] = {}
            for contender in order:
                if on_round is not None:
                    on_round(index, contender.name)
                figures[contender.name] = _measure(contender, config,
                                                   Path(tmp) / f"{index}-{contender.name}",
                                                   wrk, tools)
            rounds.append({"order": [c.name for c in order], "load_generators": list(tools),
                           "figures": figures})
    return {"config": config.__dict__, "rounds": rounds, "summary": summarize_rounds(rounds),
            "load_generators": {"specfirst-bench": "`specfirst bench`, asyncio, in the "
                                                    "benchmark's process",
                                "wrk": wrk_version(wrk)},
            "load_average": {"before": [round(x, 2) for x in load_before],
                             "after": [round(x, 2) for x in os.getloadavg()]}}


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "throughput_rps": statistics.median(r["throughput_rps"] for r in runs),
        "p50_ms": statistics.median(r["latency_ms"]["p50"] for r in runs),
        "p99_ms": statistics.median(r["latency_ms"]["p99"] for r in runs),
        "mean_ms": statistics.median(r["mean_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
        "server_cpu_ms": statistics.median(cpu) if (
            cpu := [r["server_cpu_ms"] for r in runs if r.get("server_cpu_ms") is not None]
        ) else None,
        "client_bound_runs": sum(1 for r in runs if r["client_bound"]),
    }


def ratios(ours: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """Ours / baseline for throughput and p99; the goal is ≥ 1.0× and ≤ 1.0×."""
    throughput = (ours["throughput_rps"] / baseline["throughput_rps"]
                  if baseline["throughput_rps"] else 0.0)
    p99 = ours["p99_ms"] / baseline["p99_ms"] if baseline["p99_ms"] else 0.0
    return {"throughput_ratio": throughput, "p99_ratio": p99,
            "goal_met": throughput >= 1.0 and 0 < p99 <= 1.0}


def summarize_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per load generator and operation: medians per contender over the rounds, and the ratios
    ours / each baseline (`ratios[baseline]`)."""
    summary: dict[str, Any] = {}
    tools = [tool for tool in LOAD_GENERATORS if tool in rounds[0]["figures"][OURS]]
    for tool in tools:
        per_operation: dict[str, Any] = {}
        for operation in OPERATIONS:
            entry: dict[str, Any] = {
                name: _medians([r["figures"][name][tool][operation] for r in rounds])
                for name in (c.name for c in CONTENDERS)}
            entry["ratios"] = {base: ratios(entry[OURS], entry[base]) for base in BASELINES}
            per_operation[operation] = entry
        summary[tool] = per_operation
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
