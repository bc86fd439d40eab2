"""`python -m specfirst.contract_tests.benchmarks.pairs`: one operation of our server in this
checkout against the same server at other git revisions (and, with `--lean`, the lean FastAPI
baseline), started in turn on fresh databases, alternating, loaded by wrk — how the
before-and-after figures of docs/performance.md are taken.

    python -m specfirst.contract_tests.benchmarks.pairs --operation create_customer \\
        --against HEAD~1 --lean --rounds 4 --duration 8

Each revision is checked out with `git worktree` into a temporary folder and served by this
checkout's Python environment, its own code first on the import path; the database is prepared
by this checkout, so a revision must share its schema and dependencies. Each run: an
unmeasured warm-up, then the measured window, with the server's CPU time per request from
/proc. Printed: every run, then each contender's range (min–max) over the rounds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from specfirst.contract_tests.benchmarks.compare import CompareConfig, load, plan
from specfirst.contract_tests.benchmarks.servers import CONTENDERS, OURS, REPO, Contender, started
from specfirst.contract_tests.benchmarks.wrk import LoadGeneratorMissing, ensure_wrk

__all__ = ["at_revision", "main", "pairs", "ranges"]

_PACKAGES = ("generator", "server", "contract_tests")


@contextmanager
def at_revision(revision: str) -> Iterator[Contender]:
    """Our server as of `revision` (a temporary git worktree), run by this environment."""
    with tempfile.TemporaryDirectory(prefix="specfirst-pairs-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet",
                        str(tree), revision], check=True)
        try:
            shim = Path(tmp) / "path" / "specfirst"
            shim.mkdir(parents=True)
            for package in _PACKAGES:
                (shim / package).symlink_to(tree / package, target_is_directory=True)

            def command(port: int, url: str) -> list[str]:
                return ["env", f"PYTHONPATH={shim.parent}", sys.executable, "-m",
                        "specfirst.contract_tests.cli", "serve", "--host", "127.0.0.1",
                        "--port", str(port), "--db", url, "--workers", "1"]

            yield Contender(revision, command)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           check=False)


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def pairs(contenders: list[Contender], operation: str, config: CompareConfig, wrk: str,
          say: Callable[[str], None] = _out) -> list[dict[str, Any]]:
    """Every run: {round, name, throughput_rps, p99_ms, server_cpu_ms, errors}, in the order
    taken (each also told to `say` as it ends)."""
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="specfirst-pairs-db-") as tmp:
        for index in range(config.rounds):
            order = contenders if index % 2 == 0 else list(reversed(contenders))
            for contender in order:
                with started(contender, Path(tmp) / f"{index}-{len(runs)}") as (
                        server, prepared, customer_id):
                    assert server.process is not None
                    url, method, body = plan(server.base_url, customer_id)[operation]
                    figures = load("wrk", wrk, url, method,
                                   {"Authorization": f"Bearer {prepared.token}"}, body, config,
                                   server.process.pid)
                runs.append({"round": index + 1, "name": contender.name,
                             "throughput_rps": figures["throughput_rps"],
                             "p99_ms": figures["latency_ms"]["p99"],
                             "server_cpu_ms": figures["server_cpu_ms"],
                             "errors": figures["errors"]})
                say(_line(runs[-1]))
    return runs


def _line(run: dict[str, Any]) -> str:
    cpu = run["server_cpu_ms"]
    return (f"round {run['round']}  {run['name']:<16} {run['throughput_rps']:>8,.0f} req/s  "
            f"p99 {run['p99_ms']:>7.1f} ms  CPU {'–' if cpu is None else f'{cpu:.2f}'} ms/request"
            f"  errors {run['errors']}")


def ranges(runs: list[dict[str, Any]]) -> dict[str, dict[str, tuple[float, float]]]:
    """{contender: {figure: (min, max)}} over the rounds."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for name in dict.fromkeys(run["name"] for run in runs):
        mine = [run for run in runs if run["name"] == name]
        out[name] = {key: (min(run[key] for run in mine), max(run[key] for run in mine))
                     for key in ("throughput_rps", "p99_ms", "server_cpu_ms")
                     if all(run[key] is not None for run in mine)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m specfirst.contract_tests.benchmarks.pairs",
                                     description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operation", choices=("get_customer", "create_customer"),
                        default="create_customer")
    parser.add_argument("--against", action="append", default=[], metavar="REV",
                        help="a git revision to serve beside this checkout (repeatable)")
    parser.add_argument("--lean", action="store_true",
                        help="also the lean FastAPI baseline")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.concurrency < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--rounds and --concurrency must be at least 1, --duration positive, "
                     "--warmup not negative")
    try:
        wrk = ensure_wrk(_err)
    except LoadGeneratorMissing as exc:
        _err(f"error: {exc}")
        return 2
    config = CompareConfig(rounds=args.rounds, concurrency=args.concurrency,
                           duration_s=args.duration, warmup_s=args.warmup)
    by_name = {contender.name: contender for contender in CONTENDERS}
    with ExitStack() as stack:
        try:
            contenders = [by_name[OURS]] + [stack.enter_context(at_revision(revision))
                                            for revision in args.against]
        except subprocess.CalledProcessError:
            _err("error: a revision could not be checked out (see git's message above)")
            return 2
        if args.lean:
            contenders.append(by_name["fastapi-lean"])
        runs = pairs(contenders, args.operation, config, wrk)
    for name, figures in ranges(runs).items():
        _out(f"{name}: " + ", ".join(f"{key} {low:,.2f}–{high:,.2f}"
                                     for key, (low, high) in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
