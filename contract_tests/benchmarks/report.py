"""The benchmark results as a Markdown table (the figures `docs/benchmarks.md` shows)."""

from __future__ import annotations

from typing import Any

__all__ = ["markdown_report"]

_LABELS = {"get_customer": "GET /api/v1/customers/{id}",
           "create_customer": "POST /api/v1/customers"}


def _compare_table(compare: dict[str, Any]) -> list[str]:
    config = compare["config"]
    lines = [
        f"Closed loop, {config['concurrency']} connections, one worker each, "
        f"{config['duration_s']:g} s measured after {config['warmup_s']:g} s warm-up, "
        f"{config['rounds']} rounds alternating; medians over rounds.",
        "",
        "| operation | server | req/s | p50 ms | p99 ms | mean ms | errors | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for operation, entry in compare["summary"].items():
        for name in ("specfirst", "fastapi"):
            figures = entry[name]
            lines.append(
                f"| {_LABELS.get(operation, operation)} | {name} | "
                f"{figures['throughput_rps']:,.0f} | {figures['p50_ms']:.1f} | "
                f"{figures['p99_ms']:.1f} | {figures['mean_ms']:.1f} | {figures['errors']} | "
                f"{figures['peak_rss_mb']:.0f} |")
    lines += ["", "| operation | throughput ratio (specfirst / fastapi) | p99 ratio | goal met |",
              "|---|---:|---:|---|"]
    for operation, entry in compare["summary"].items():
        lines.append(f"| {_LABELS.get(operation, operation)} | {entry['throughput_ratio']:.2f}× "
                     f"| {entry['p99_ratio']:.2f}× | {'yes' if entry['goal_met'] else 'no'} |")
    bound = sum(entry[name]["client_bound_runs"] for entry in compare["summary"].values()
                for name in ("specfirst", "fastapi"))
    if bound:
        lines += ["", f"Note: in {bound} run(s) the load generator used ≥ 90% of a core and "
                      "may have limited the figures."]
    return lines


def _startup_table(startup: dict[str, Any]) -> list[str]:
    lines = [
        f"Spec: {startup['spec']} ({startup['operations']} operations); spawn to first HTTP "
        "answer, median of the samples.",
        "",
        "| command | median s | samples s | CPU s | RSS after start MB | goal < 2 s |",
        "|---|---:|---|---:|---:|---|",
    ]
    for kind in ("serve", "mock"):
        figures = startup[kind]
        samples = ", ".join(f"{s:.2f}" for s in figures["samples_s"])
        lines.append(f"| `specfirst {kind}` | {figures['median_s']:.2f} | {samples} | "
                     f"{figures.get('cpu_s', 0):.2f} | {figures['rss_mb']:.0f} | "
                     f"{'yes' if figures['median_s'] < 2 else 'no'} |")
    return lines


def _curves_table(curves: dict[str, Any]) -> list[str]:
    lines = ["| operation | concurrency | req/s | p50 ms | p99 ms | mean ms | queue L = λ·W |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for operation, runs in curves.items():
        for run in runs:
            latency = run["latency_ms"]
            lines.append(f"| {_LABELS.get(operation, operation)} | {run['concurrency']} | "
                         f"{run['throughput_rps']:,.0f} | {latency['p50']:.1f} | "
                         f"{latency['p99']:.1f} | {run['mean_ms']:.1f} | "
                         f"{run['queue_length']:.1f} |")
    return lines


def markdown_report(results: dict[str, Any]) -> str:
    lines: list[str] = []
    if "compare" in results:
        lines += ["### CRM operations: specfirst against the FastAPI baseline", "",
                  *_compare_table(results["compare"]), ""]
    if "curves" in results:
        lines += ["### Throughput–response-time curves of the CRM server", "",
                  *_curves_table(results["curves"]), ""]
    for startup in results.get("startup", []):
        lines += ["### Start-up on a large spec", "", *_startup_table(startup), ""]
    machine = results.get("machine")
    if machine:
        lines += [f"Machine: {machine}", ""]
    return "\n".join(lines)
