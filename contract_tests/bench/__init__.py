"""Closed-loop load generation and its report: throughput, latency percentiles, queue length."""

from specfirst.contract_tests.bench.client import Target, parse_target
from specfirst.contract_tests.bench.runner import BenchConfig, run_bench, run_level
from specfirst.contract_tests.bench.stats import LevelResult, percentile, summarize
from specfirst.contract_tests.bench.svg import render_curve
from specfirst.contract_tests.bench.template import BodyTemplate

__all__ = [
    "BenchConfig",
    "BodyTemplate",
    "LevelResult",
    "Target",
    "parse_target",
    "percentile",
    "render_curve",
    "run_bench",
    "run_level",
    "summarize",
]
