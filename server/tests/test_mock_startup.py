"""Start-up time of the mock on a large spec (GitHub's, about a thousand operations).

Also a script: `python -m server.tests.test_mock_startup [--prism]` prints the time from launch to
first answer for `specfirst mock` (and Prism's mock) on that file; docs/benchmarks.md records it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

SPECFIRST = str(Path(sys.executable).with_name("specfirst"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def time_to_first_answer(command: list[str], url: str, timeout: float = 120.0) -> float:
    """Seconds from launching `command` until `url` gives any HTTP answer; stops the command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    pass
            except urllib.error.HTTPError:
                pass
            except OSError:
                time.sleep(0.05)
                continue
            return time.perf_counter() - started
        raise TimeoutError(f"no answer from {url} within {timeout}s")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def mock_command(spec: Path, port: int) -> list[str]:
    return [SPECFIRST, "mock", str(spec), "--host", "127.0.0.1", "--port", str(port), "--seed", "1"]


@pytest.mark.slow
def test_mock_starts_on_a_large_spec(large_public_spec: Path) -> None:
    port = free_port()
    # The start-up time itself is a benchmark figure (docs/benchmarks.md); this proves the mock
    # comes up and answers on a spec of a thousand operations.
    time_to_first_answer(mock_command(large_public_spec, port),
                         f"http://127.0.0.1:{port}/meta", timeout=120)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from conftest import OCTOKIT_OPENAPI, npm_install  # the fixtures' installer

    spec = npm_install(OCTOKIT_OPENAPI) / "generated" / "api.github.com.json"
    commands: dict[str, Callable[[int], list[str]]] = {
        "specfirst mock": lambda port: mock_command(spec, port)}
    if "--prism" in sys.argv:
        package = npm_install("@stoplight/prism-cli@5")
        prism = next(parent / ".bin" / "prism" for parent in package.parents
                     if (parent / ".bin" / "prism").exists())
        commands["prism mock"] = lambda port: [str(prism), "mock", "-h", "127.0.0.1",
                                               "-p", str(port), str(spec)]
    for name, make in commands.items():
        runs = []
        for _ in range(3):
            port = free_port()
            runs.append(time_to_first_answer(make(port), f"http://127.0.0.1:{port}/meta"))
        text = ", ".join(f"{r:.2f}" for r in runs)
        sys.stdout.write(f"{name}: {text} (median {sorted(runs)[1]:.2f}s)\n")
    if shutil.which("uptime"):
        subprocess.run(["uptime"], check=False)


if __name__ == "__main__":
    main()
