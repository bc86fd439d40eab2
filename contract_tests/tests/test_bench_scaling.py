"""The scaling benchmark measures real servers per backend, host and worker count and number of
tenants (briefly here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from specfirst.contract_tests.benchmarks.scaling import measure


@pytest.mark.parametrize(("backend", "hosts", "workers", "tenants"),
                         [("sqlite", 1, 2, 1), ("postgresql", 2, 1, 2)])
def test_scaling_run_reports_both_operations(tmp_path: Path, backend: str, hosts: int,
                                             workers: int, tenants: int) -> None:
    row = measure(backend, workers, 0.5, tmp_path, tenants=tenants, hosts=hosts)
    assert (row["backend"], row["hosts"], row["workers"], row["tenants"]) == (
        backend, hosts, workers, tenants)
    for name in ("get_customer", "create_customer"):
        figures = row["figures"][name]
        assert figures["requests"] > 0 and figures["errors"] == 0, figures
        assert figures["latency_ms"]["p50"] <= figures["latency_ms"]["p99"]
        assert figures["server_cpu_ms_per_request"] > 0  # the service demand, per request
        if backend == "postgresql":
            assert figures["postgresql_cpu_ms_per_request"] > 0
            assert figures["sessions_opened"] >= 0
        if hosts * tenants > 1:  # the connections were shared out; every part was served
            parts = figures["parts"]
            assert len(parts) == hosts * tenants and all(p["requests"] > 0 for p in parts)
            assert figures["requests"] == sum(part["requests"] for part in parts)
