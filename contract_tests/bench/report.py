"""Results as data and for people: `bench.json`, `curve.svg`, and the summary table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from rich.table import Table
from specfirst.contract_tests.bench.stats import LevelResult
from specfirst.contract_tests.bench.svg import render_curve

__all__ = ["bench_json", "results_table", "write_results"]


def bench_json(results: Sequence[LevelResult], meta: dict[str, Any] | None = None
               ) -> dict[str, Any]:
    document: dict[str, Any] = {"runs": [result.to_json() for result in results]}
    if meta:
        document["target"] = meta
    return document


def write_results(out_dir: Path, results: Sequence[LevelResult],
                  meta: dict[str, Any] | None = None, title: str | None = None) -> list[Path]:
    """Write `bench.json` and `curve.svg` into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "bench.json"
    json_path.write_bytes(orjson.dumps(bench_json(results, meta), option=orjson.OPT_INDENT_2)
                          + b"\n")
    svg_path = out_dir / "curve.svg"
    svg_path.write_text(render_curve(results, title or "Throughput–response time"),
                        encoding="utf-8")
    return [json_path, svg_path]


def _errors_text(result: LevelResult) -> str:
    if not result.errors:
        return "0"
    detail = ", ".join(f"{key}×{count}" for key, count in sorted(result.errors_by_status.items()))
    return f"{result.errors} ({detail})"


def results_table(results: Sequence[LevelResult], title: str | None = None) -> Table:
    table = Table(title=title, caption="latencies in ms; queue = throughput × mean (Little's law)")
    for name in ("c", "requests", "errors", "req/s", "p50", "p95", "p99", "max", "mean",
                 "queue"):
        table.add_column(name, justify="right" if name != "errors" else "left")
    for r in results:
        table.add_row(str(r.concurrency), str(r.requests), _errors_text(r),
                      f"{r.throughput_rps:,.1f}", f"{r.p50_ms:.2f}", f"{r.p95_ms:.2f}",
                      f"{r.p99_ms:.2f}", f"{r.max_ms:.2f}", f"{r.mean_ms:.2f}",
                      f"{r.queue_length:.2f}")
    return table
