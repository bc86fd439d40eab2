"""Peak memory of `specfirst test` beside Schemathesis run alone, on one spec and one mock.

    python -m specfirst.contract_tests.benchmarks.run_memory SPEC [--max-examples 5]
        [--seed 1] [--phases examples,coverage,fuzzing,stateful] [--paths N]

SPEC may be a `.gz` file (unpacked into a temporary folder, e.g. Stripe's spec from
`../shared/data/stripe/`); `--paths N` keeps only its first N paths (and every component), a
cut-down spec of the same shape. Starts `specfirst mock SPEC` on 127.0.0.1 (a free port, callbacks
off), then runs, one after the other against it, `specfirst test SPEC --url ...` and
`schemathesis run SPEC --url ...` with the same examples per operation, seed, phases, checks (all)
and one worker, each under `/usr/bin/time -v`; stops the mock and prints one JSON line with
each command, its peak RSS in MB, wall seconds and exit code, and the ratio of the peaks.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from specfirst.contract_tests.benchmarks.large_diff import unpacked
from specfirst.generator.loader import load_spec

__all__ = ["main"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])



def _timed(command: list[str], cwd: Path) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], cwd=cwd, capture_output=True,
                          text=True, errors="replace", check=False)
    peak_kb = next((int(line.split(":")[1]) for line in done.stderr.splitlines()
                    if "Maximum resident set size" in line), 0)
    cpu = sum(float(line.split(":")[1]) for line in done.stderr.splitlines()
              if "User time (seconds)" in line or "System time (seconds)" in line)
    return {"command": " ".join(command), "peak_rss_mb": round(peak_kb / 1024),
            "seconds": round(time.perf_counter() - started, 1), "cpu_seconds": round(cpu, 1),
            "exit_code": done.returncode}


def _first_paths(spec: Path, paths: int, folder: Path) -> Path:
    """The spec with its first `paths` paths only, as JSON."""
    document = load_spec(spec).document
    cut = dict(document)
    cut["paths"] = dict(list((document.get("paths") or {}).items())[:paths])
    target = folder / f"{spec.stem}-{paths}-paths.json"
    target.write_text(json.dumps(cut), encoding="utf-8")
    return target


def _wait_until_up(url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the mock exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 (a local URL)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the mock did not start listening in time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--paths", type=int, default=None)
    args = parser.parse_args(argv)
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="specfirst-test-memory-") as tmp:
        folder = Path(tmp)
        spec = unpacked(args.spec.resolve(), folder)
        if args.paths is not None:
            spec = _first_paths(spec, args.paths, folder)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        mock = subprocess.Popen([str(bin_dir / "specfirst"), "mock", str(spec), "--port",
                                 str(port), "--callbacks", "off", "--seed", "1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_until_up(url + "/", mock, time.monotonic() + 600)
            ours = _timed([str(bin_dir / "specfirst"), "test", str(spec), "--url", url,
                           "--max-examples", str(args.max_examples), "--seed", str(args.seed),
                           "--phases", args.phases, "--junit", "junit.xml",
                           "--report", "report"], folder)
            alone = _timed([str(bin_dir / "schemathesis"), "run", str(spec), "--url", url,
                            "-n", str(args.max_examples), "--seed", str(args.seed),
                            "--phases", args.phases, "--checks", "all", "--workers", "1",
                            "--generation-database", "none"], folder)
        finally:
            mock.terminate()
            try:
                mock.wait(timeout=30)
            except subprocess.TimeoutExpired:
                mock.kill()
                mock.wait()
    ratio = ours["peak_rss_mb"] / alone["peak_rss_mb"] if alone["peak_rss_mb"] else None
    sys.stdout.write(json.dumps({"specfirst_test": ours, "schemathesis_alone": alone,
                                 "ratio": round(ratio, 2) if ratio else None}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
