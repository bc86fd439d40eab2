"""Start-up time of `specfirst serve` and `specfirst mock` on a spec of about 1000 operations.

Measured from process spawn to the first HTTP answer (any status) on loopback, which is what a
user waits for. The spec is generated (`large_spec`), or GitHub's REST API description when
`github` is asked for (installed from npm `@octokit/openapi` by the root conftest's helper).
"""

from __future__ import annotations

import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from specfirst.contract_tests.benchmarks.large_spec import generate_spec, operation_count
from specfirst.contract_tests.benchmarks.servers import REPO, cpu_seconds, rss_bytes
from specfirst.contract_tests.pipeline import free_port

__all__ = ["github_spec", "measure_startup"]

log = logging.getLogger(__name__)


def github_spec() -> Path:
    """GitHub's REST API description (about 1,000 operations), installed from npm on demand."""
    sys.path.insert(0, str(REPO))
    from conftest import OCTOKIT_OPENAPI, npm_install  # the root conftest's helper

    root = npm_install(OCTOKIT_OPENAPI)
    return root / "generated" / "api.github.com.deref.json"


def _commands(kind: str, spec: Path, port: int, folder: Path) -> list[str]:
    base = [sys.executable, "-m", "specfirst.contract_tests.cli"]
    if kind == "mock":
        return [*base, "mock", str(spec), "--host", "127.0.0.1", "--port", str(port)]
    return [*base, "serve", str(spec), "--handlers", "specfirst_bench_no_handlers",
            "--host", "127.0.0.1", "--port", str(port), "--db",
            f"sqlite:///{(folder / 'startup.db').as_posix()}"]


def _time_once(kind: str, spec: Path, folder: Path, timeout_s: float = 120.0
               ) -> tuple[float, float, int]:
    """Seconds from spawn to the first HTTP answer (polled every 20 ms), the CPU seconds the
    server used until then (independent of other load on the machine), and its RSS then."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    log_path = folder / f"{kind}.log"
    output = log_path.open("wb")
    started = time.perf_counter()
    process = subprocess.Popen(_commands(kind, spec, port, folder), env=env, cwd=folder,
                               stdout=output, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        with httpx.Client(timeout=2.0) as client:
            while True:
                if process.poll() is not None:
                    error = log_path.read_text(errors="replace")
                    raise RuntimeError(f"{kind} exited before answering: {error[-2000:]}")
                if time.perf_counter() - started > timeout_s:
                    raise RuntimeError(f"{kind} did not answer within {timeout_s:.0f} s")
                try:
                    client.get(f"http://127.0.0.1:{port}/")
                    break
                except httpx.HTTPError:
                    time.sleep(0.02)
        elapsed = time.perf_counter() - started
        return elapsed, cpu_seconds(process.pid), rss_bytes(process.pid)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        output.close()


def measure_startup(repeats: int = 3, spec: Path | None = None) -> dict[str, Any]:
    """Median start-up seconds (and RSS after start) of serve and mock on the spec."""
    with tempfile.TemporaryDirectory(prefix="specfirst-startup-") as tmp:
        folder = Path(tmp)
        if spec is None:
            document = generate_spec()
            spec = folder / "large.json"
            spec.write_bytes(orjson.dumps(document))
            name = "generated"
        else:
            document = orjson.loads(spec.read_bytes())
            name = spec.name
        result: dict[str, Any] = {"spec": name, "operations": operation_count(document)}
        for kind in ("serve", "mock"):
            samples = [_time_once(kind, spec, folder) for _ in range(repeats)]
            seconds = [s for s, _, _ in samples]
            result[kind] = {"median_s": round(statistics.median(seconds), 3),
                            "samples_s": [round(s, 3) for s in seconds],
                            "cpu_s": round(statistics.median(c for _, c, _ in samples), 3),
                            "rss_mb": round(statistics.median(r for _, _, r in samples) / 2**20,
                                            1)}
            log.info("%s start-up on %s: %.2f s", kind, name, result[kind]["median_s"])
    return result
