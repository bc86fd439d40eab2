"""The benchmark results as a Markdown table (the figures `docs/benchmarks.md` shows)."""

from __future__ import annotations

from typing import Any

__all__ = ["markdown_report"]

_LABELS = {"get_customer": "GET /api/v1/customers/{id}",
           "create_customer": "POST /api/v1/customers"}
_OURS = "specfirst"


def _names(entry: dict[str, Any]) -> list[str]:
    return [name for name in entry if name != "ratios"]


def _figures_table(per_operation: dict[str, Any]) -> list[str]:
    lines = ["| operation | server | req/s | p50 ms | p99 ms | mean ms | errors | peak RSS MB | "
             "server CPU ms/request |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for operation, entry in per_operation.items():
        for name in _names(entry):
            figures = entry[name]
            lines.append(
                f"| {_LABELS.get(operation, operation)} | {name} | "
                f"{figures['throughput_rps']:,.0f} | {figures['p50_ms']:.1f} | "
                f"{figures['p99_ms']:.1f} | {figures['mean_ms']:.1f} | {figures['errors']} | "
                f"{figures['peak_rss_mb']:.0f} | {_cpu(figures.get('server_cpu_ms'))} |")
    return lines


def _cpu(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _ratios_table(per_operation: dict[str, Any]) -> list[str]:
    lines = ["| operation | baseline | throughput ratio (specfirst / baseline) | p99 ratio | "
             "goal met |", "|---|---|---:|---:|---|"]
    for operation, entry in per_operation.items():
        for baseline, ratio in entry["ratios"].items():
            lines.append(f"| {_LABELS.get(operation, operation)} | {baseline} | "
                         f"{ratio['throughput_ratio']:.2f}× | {ratio['p99_ratio']:.2f}× | "
                         f"{'yes' if ratio['goal_met'] else 'no'} |")
    return lines


def _rounds_table(compare: dict[str, Any]) -> list[str]:
    rounds = compare.get("rounds") or []
    if not rounds:
        return []
    names = list(rounds[0]["figures"])
    names = [_OURS, *(n for n in names if n != _OURS)] if _OURS in names else names
    lines = ["Per round (req/s, p99 ms in brackets):", "",
             "| round | load generator | operation | " + " | ".join(names) + " |",
             "|---:|---|---|" + "---:|" * len(names)]
    for index, round_ in enumerate(rounds, 1):
        for tool in round_["figures"][names[0]]:
            for operation in round_["figures"][names[0]][tool]:
                cells = []
                for name in names:
                    figures = round_["figures"][name][tool][operation]
                    cells.append(f"{figures['throughput_rps']:,.0f} "
                                 f"({figures['latency_ms']['p99']:.0f})")
                lines.append(f"| {index} | {tool} | {_LABELS.get(operation, operation)} | "
                             + " | ".join(cells) + " |")
    return lines


def _compare_table(compare: dict[str, Any]) -> list[str]:
    config = compare["config"]
    lines = [
        f"Closed loop, {config['concurrency']} connections, one worker each, "
        f"{config['duration_s']:g} s measured after {config['warmup_s']:g} s warm-up, "
        f"{config['rounds']} rounds alternating; medians over rounds.",
    ]
    load = compare.get("load_average")
    if load:
        lines += ["", f"Load average of the machine (1, 5, 15 min) before the comparison: "
                      f"{', '.join(f'{x:.2f}' for x in load['before'])}; after: "
                      f"{', '.join(f'{x:.2f}' for x in load['after'])}."]
    generators = compare.get("load_generators", {})
    for tool, per_operation in compare["summary"].items():
        described = generators.get(tool)
        lines += ["", f"#### Load generator: {tool}" + (f" — {described}" if described else ""),
                  "", *_figures_table(per_operation), "", *_ratios_table(per_operation)]
    lines += ["", *_rounds_table(compare)]
    bound = sum(entry[name]["client_bound_runs"] for per_operation in compare["summary"].values()
                for entry in per_operation.values() for name in _names(entry))
    if bound:
        lines += ["", f"Note: in {bound} run(s) the load generator used ≥ 90% of its cores "
                      "and may have limited the figures."]
    unsound = _littles_law_misses(compare)
    if unsound:
        lines += ["", "Little's law check (throughput × mean response time should equal the "
                      f"{compare['config']['concurrency']} connections): off by more than 10% in "
                      + "; ".join(unsound) + " — the mean and tail of those runs are suspect."]
    return lines


def _littles_law_misses(compare: dict[str, Any]) -> list[str]:
    """The runs whose queue length λ·W is more than 10% away from the concurrency."""
    concurrency = compare["config"]["concurrency"]
    misses = []
    for index, round_ in enumerate(compare.get("rounds") or [], 1):
        for name, tools in round_["figures"].items():
            for tool, operations in tools.items():
                for operation, figures in operations.items():
                    queue = figures.get("queue_length")
                    if queue is not None and abs(queue - concurrency) > 0.1 * concurrency:
                        misses.append(f"round {index}, {tool}, {name}, "
                                      f"{_LABELS.get(operation, operation)} (λ·W = {queue:.1f})")
    return misses


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
        lines += ["### CRM operations: specfirst against the FastAPI baselines", "",
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
