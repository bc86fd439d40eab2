"""The scaling benchmark measures a real server per backend and worker count (briefly here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from specfirst.contract_tests.benchmarks.scaling import measure


@pytest.mark.parametrize(("backend", "workers"), [("sqlite", 2), ("postgresql", 1)])
def test_scaling_run_reports_both_operations(tmp_path: Path, backend: str, workers: int) -> None:
    row = measure(backend, workers, 0.5, tmp_path)
    assert (row["backend"], row["workers"]) == (backend, workers)
    for name in ("get_customer", "create_customer"):
        figures = row["figures"][name]
        assert figures["requests"] > 0 and figures["errors"] == 0, figures
        assert figures["latency_ms"]["p50"] <= figures["latency_ms"]["p99"]
