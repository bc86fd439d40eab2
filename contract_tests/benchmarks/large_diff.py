"""`specfirst diff` on the largest public specs: wall time, peak memory, output size, verdicts.

    python -m specfirst.contract_tests.benchmarks.large_diff OLD NEW [--format json]
        [--verdicts FILE] [--compare-verdicts FILE]

OLD and NEW are spec files (`.gz` files are unpacked into a temporary folder first, e.g. the two
Stripe versions of `../shared/data/stripe/`). `specfirst diff` runs in a child process under
`/usr/bin/time -v` when available (else `resource.getrusage` of the child); the script prints
one JSON line: wall and CPU seconds, peak RSS in MB, output bytes, change count and the number
of operations with a breaking change. `--verdicts FILE` saves the per-operation verdicts
(operation -> breaking or not, every operation named in the report); `--compare-verdicts FILE`
checks them against a file saved before and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["main", "measure", "unpacked", "verdicts"]


def unpacked(path: Path, folder: Path) -> Path:
    if path.suffix != ".gz":
        return path
    target = folder / path.stem
    with gzip.open(path, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def verdicts(report: dict[str, Any]) -> dict[str, bool]:
    """Operation -> whether a breaking change affects it, from a `diff --format json` report
    (one entry per use with `operation`, or each change once with `operation_set`)."""
    found: dict[str, bool] = {}
    for change in report["changes"]:
        names = report["operation_sets"][change["operation_set"]] if "operation_set" in change \
            else [change["operation"]]
        for name in names:
            found[name] = found.get(name, False) or change["level"] == "breaking"
    return found


def measure(old: Path, new: Path, fmt: str, out: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "specfirst.contract_tests", "diff", str(old), str(new),
               "--format", fmt, "-o", str(out)]
    timer = Path("/usr/bin/time")
    started = time.perf_counter()
    if timer.exists():
        run = subprocess.run([str(timer), "-v", *command], capture_output=True, text=True,
                             check=False)
        seconds = time.perf_counter() - started
        peak_kb = next(int(line.split(":")[1]) for line in run.stderr.splitlines()
                       if "Maximum resident set size" in line)
        cpu = sum(float(line.split(":")[1]) for line in run.stderr.splitlines()
                  if "User time (seconds)" in line or "System time (seconds)" in line)
    else:
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    if run.returncode not in (0, 1):
        raise SystemExit(f"diff failed ({run.returncode}):\n{run.stderr[-4000:]}")
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(peak_kb / 1024),
            "output_bytes": out.stat().st_size, "format": fmt}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--format", default="json", choices=["json", "text", "markdown"])
    parser.add_argument("--verdicts", type=Path, help="save per-operation verdicts here")
    parser.add_argument("--compare-verdicts", type=Path,
                        help="compare per-operation verdicts with this saved file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="specfirst-large-diff-") as tmp:
        folder = Path(tmp)
        old, new = unpacked(args.old, folder), unpacked(args.new, folder)
        out = folder / f"diff.{args.format}"
        numbers = measure(old, new, args.format, out)
        status = 0
        if args.format == "json":
            report = json.loads(out.read_text(encoding="utf-8"))
            found = verdicts(report)
            numbers["changes"] = len(report["changes"])
            numbers["operations"] = len(found)
            numbers["breaking_operations"] = sum(found.values())
            if args.verdicts:
                args.verdicts.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n",
                                         encoding="utf-8")
            if args.compare_verdicts:
                saved = json.loads(args.compare_verdicts.read_text(encoding="utf-8"))
                differ = sorted(name for name in set(saved) | set(found)
                                if saved.get(name, False) != found.get(name, False))
                numbers["verdicts_differ"] = differ
                status = 1 if differ else 0
        sys.stdout.write(json.dumps(numbers) + "\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
