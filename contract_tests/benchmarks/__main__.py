"""`python -m specfirst.contract_tests.benchmarks` (what `make bench` runs): every figure of
docs/benchmarks.md — our CRM server against the two FastAPI baselines (plain and lean), loaded
by `specfirst bench` and by wrk (installed with apt-get when missing), start-up on a large spec,
memory under load — written to `OUT/results.json` and `OUT/results.md`.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from specfirst.contract_tests.benchmarks.compare import CompareConfig, compare, curves
from specfirst.contract_tests.benchmarks.report import markdown_report
from specfirst.contract_tests.benchmarks.startup import github_spec, measure_startup
from specfirst.contract_tests.benchmarks.wrk import LoadGeneratorMissing


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m specfirst.contract_tests.benchmarks",
                                     description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="measured seconds per operation, round and load generator "
                             "(default 10; wrk takes whole seconds, rounded up)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds (default 2)")
    parser.add_argument("--concurrency", type=int, default=32, help="connections (default 32)")
    parser.add_argument("--wrk-threads", type=int, default=2,
                        help="wrk threads (default 2, one per core of the reference machine)")
    parser.add_argument("--startup-repeats", type=int, default=3,
                        help="start-up samples per command (default 3)")
    parser.add_argument("--github", action="store_true",
                        help="also time start-up on GitHub's REST API spec (npm, cached)")
    parser.add_argument("--curves", action="store_true",
                        help="also draw our server's throughput–response-time curves "
                             "(concurrency 1 to 64) into OUT/curves/")
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(".specfirst/benchmarks"),
                        help="output folder (default .specfirst/benchmarks)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.concurrency < 1 or args.wrk_threads < 1:
        parser.error("--rounds, --concurrency and --wrk-threads must be at least 1")
    if args.duration <= 0 or args.warmup < 0:
        parser.error("--duration must be positive and --warmup not negative")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    console = Console(stderr=True)
    results: dict[str, Any] = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
                   f"Python {platform.python_version()}, {platform.system()}",
    }
    if not args.skip_compare:
        config = CompareConfig(args.rounds, args.concurrency, args.duration, args.warmup,
                               args.wrk_threads)
        try:
            results["compare"] = compare(config, lambda index, name: console.print(
                f"round {index + 1}/{args.rounds}: {name}"), say=console.print)
        except LoadGeneratorMissing as exc:
            console.print(f"error: {exc}")
            return 2
    if args.curves:
        console.print("throughput–response-time curves of the CRM server")
        results["curves"] = curves(args.out / "curves", duration_s=args.duration,
                                   warmup_s=args.warmup)
    if not args.skip_startup:
        console.print("start-up on a generated 1000-operation spec")
        results["startup"] = [measure_startup(args.startup_repeats)]
        if args.github:
            console.print("start-up on GitHub's REST API spec")
            results["startup"].append(measure_startup(args.startup_repeats, github_spec()))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    report = markdown_report(results)
    (args.out / "results.md").write_text(report, encoding="utf-8")
    sys.stdout.write(report)
    console.print(f"wrote {args.out / 'results.json'} and {args.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
