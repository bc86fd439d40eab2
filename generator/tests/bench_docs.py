"""Time `specfirst docs` beside Redocly's `build-docs` on the same specs; print a Markdown table.

    python -m specfirst.generator.tests.bench_docs --redocly PATH/TO/redocly [--repeat 3]

Specs: the reference CRM spec, every spec of npm `@readme/oas-examples` (one after the other),
and GitHub's REST API (`@octokit/openapi`), installed with the root conftest's helpers. Each tool
runs as a fresh process per spec, as a user runs it; the median of `--repeat` runs is shown, as
wall-clock time and as CPU time (user + system), which a busy machine distorts less.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from conftest import OAS_EXAMPLES, OCTOKIT_OPENAPI, _oas_example_files, npm_install  # noqa: E402


def run(command: list[str]) -> tuple[float, float, bool]:
    """Wall-clock seconds, CPU seconds (user + system, the process and its children), success."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, timeout=1800)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.returncode == 0


def specfirst(spec: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "specfirst.contract_tests.cli", "docs", str(spec), "--out",
            str(out)]


def redocly(binary: str, spec: Path, out: Path) -> list[str]:
    return [binary, "build-docs", str(spec), "-o", str(out / "redoc.html")]


def measure(specs: list[Path], command: object, repeat: int,
            out: Path) -> tuple[float, float, int]:
    """Median total wall and CPU seconds over `repeat` runs of every spec; specs that failed."""
    walls, cpus, failed = [], [], 0
    for _ in range(repeat):
        wall_total, cpu_total, failed = 0.0, 0.0, 0
        for spec in specs:
            wall, cpu, ok = run(command(spec, out))  # type: ignore[operator]
            wall_total += wall
            cpu_total += cpu
            failed += not ok
        walls.append(wall_total)
        cpus.append(cpu_total)
    return statistics.median(walls), statistics.median(cpus), failed


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redocly", required=True, help="path of the redocly executable")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    examples = _oas_example_files(npm_install(OAS_EXAMPLES))
    github = npm_install(OCTOKIT_OPENAPI) / "generated" / "api.github.com.json"
    sets = [
        ("openapi/crm.yaml (reference CRM)", [REPO / "openapi" / "crm.yaml"], args.repeat),
        (f"@readme/oas-examples ({len(examples)} specs, in sequence)", examples, 1),
        ("GitHub REST API (api.github.com.json)", [github], args.repeat),
    ]
    emit("| Specs | specfirst docs: wall / CPU (s) | redocly build-docs: wall / CPU (s) "
         "| failures (specfirst / redocly) |")
    emit("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for label, specs, repeat in sets:
            ours, our_cpu, our_failures = measure(specs, specfirst, repeat, out)
            theirs, their_cpu, their_failures = measure(
                specs, lambda s, o: redocly(args.redocly, s, o), repeat, out)
            emit(f"| {label} | {ours:.2f} / {our_cpu:.2f} | {theirs:.2f} / {their_cpu:.2f} "
                 f"| {our_failures} / {their_failures} |")


if __name__ == "__main__":
    main()
