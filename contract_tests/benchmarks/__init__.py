"""Benchmarks behind docs/benchmarks.md: our CRM server against two FastAPI baselines, start-up."""

from specfirst.contract_tests.benchmarks.compare import CompareConfig, compare, summarize_rounds
from specfirst.contract_tests.benchmarks.large_spec import generate_spec, operation_count
from specfirst.contract_tests.benchmarks.report import markdown_report
from specfirst.contract_tests.benchmarks.startup import measure_startup

__all__ = [
    "CompareConfig",
    "compare",
    "generate_spec",
    "markdown_report",
    "measure_startup",
    "operation_count",
    "summarize_rounds",
]
