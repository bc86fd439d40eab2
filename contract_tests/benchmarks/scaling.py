"""How the CRM server scales: one and two worker processes, on SQLite and on PostgreSQL.

`python -m specfirst.contract_tests.benchmarks.scaling [--duration S] [--workers 1,2]
[--backends sqlite,postgresql] [--hosts N] [--tenants N]` starts
`specfirst serve --workers N` on a fresh database of each backend (PostgreSQL: a throwaway database
on 127.0.0.1:5432, dropped afterwards), and loads GET-customer and POST-customer at 32 connections.
The load generator runs on the same machine, so on two cores the figures show where CPU, not the
server, becomes the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
from specfirst.contract_tests.bench import BenchConfig, BodyTemplate, parse_target
from specfirst.contract_tests.bench.runner import run_level, run_on_fresh_loop
from specfirst.contract_tests.benchmarks.compare import CREATE_BODY
from specfirst.contract_tests.benchmarks.servers import REPO, cpu_seconds
from specfirst.contract_tests.pipeline import ServerProcess, free_port

__all__ = ["main", "measure"]

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, migrated database of `backend`; yields its URL."""
    if backend == "sqlite":
        yield f"sqlite:///{(folder / f'scaling-{uuid.uuid4().hex}.db').as_posix()}"
        return
    import psycopg

    name = f"specfirst_scaling_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tokens(url: str, tenants: int) -> list[str]:
    """A token for each of `tenants` tenants of a fresh, migrated database."""
    from specfirst.server.crm import apply_migrations
    from specfirst.server.db import Database
    from specfirst.server.security import create_token

    db = Database.from_url(url)
    try:
        apply_migrations(db)
        return [create_token(db, f"scaling-{n}")[0] for n in range(tenants)]
    finally:
        db.dispose()


def _process_tree(root: int) -> list[int]:
    """`root` and its descendants (uvicorn's supervisor and its worker processes)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(entry.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sorted(tree)


class CpuMeter:
    """CPU seconds used during the measured window by the server's processes and, on
    PostgreSQL, by the server processes (backends) of the benchmark's database, and the
    sessions opened meanwhile: the service demand per request, which the load of other jobs
    on the machine does not change the way it changes throughput."""

    def __init__(self, server_pids: list[int], database_url: str | None):
        self.server_pids = server_pids
        self.database = database_url.rsplit("/", 1)[1] if database_url else None

    def sample(self) -> tuple[dict[int, float], dict[int, float], int]:
        server = {pid: cpu_seconds(pid) for root in self.server_pids
                  for pid in _process_tree(root)}
        if self.database is None:
            return server, {}, 0
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            pids = [row[0] for row in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,))]
            sessions = admin.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s",
                                     (self.database,)).fetchone()
        return server, {pid: cpu_seconds(pid) for pid in pids}, int(sessions[0] if sessions
                                                                    else 0)

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def _load(configs: list[BenchConfig], connections: int, meter: CpuMeter) -> dict[str, Any]:
    """The 32 connections split evenly over `configs` (one per host and tenant), run together:
    their summed throughput, the worst part's percentiles, and the CPU milliseconds per request
    of the server and of PostgreSQL over the measured window."""
    share = max(1, connections // len(configs))
    samples: list[tuple[dict[int, float], dict[int, float], int]] = []

    async def sample_window() -> None:
        config = configs[0]
        await asyncio.sleep(config.warmup_s)
        samples.append(await asyncio.to_thread(meter.sample))
        await asyncio.sleep(config.duration_s)
        samples.append(await asyncio.to_thread(meter.sample))

    async def together() -> list[Any]:
        found = await asyncio.gather(sample_window(),
                                     *(run_level(config, share) for config in configs))
        return list(found[1:])

    results = run_on_fresh_loop(together())
    requests = sum(r.requests for r in results) or 1
    (server_0, db_0, sessions_0), (server_1, db_1, sessions_1) = samples
    cost = {"server_cpu_ms_per_request": round(1000 * meter.spent(server_0, server_1)
                                               / requests, 3)}
    if meter.database is not None:
        cost["postgresql_cpu_ms_per_request"] = round(1000 * meter.spent(db_0, db_1)
                                                      / requests, 3)
        cost["sessions_opened"] = sessions_1 - sessions_0
    if len(results) == 1:
        return {**results[0].to_json(), **cost}
    return {
        **cost,
        "concurrency": share * len(results),
        "requests": sum(r.requests for r in results),
        "errors": sum(r.errors for r in results),
        "throughput_rps": round(sum(r.throughput_rps for r in results), 2),
        "latency_ms": {"p50": round(max(r.p50_ms for r in results), 3),
                       "p99": round(max(r.p99_ms for r in results), 3)},
        "parts": [r.to_json() for r in results],
    }


def measure(backend: str, workers: int, duration_s: float, folder: Path,
            tenants: int = 1, hosts: int = 1) -> dict[str, Any]:
    """GET and POST a customer at 32 connections against `hosts` servers of `workers`
    worker processes each, on one fresh database, the connections shared out evenly among
    every (host, tenant) pair."""
    load_before = os.getloadavg()[0]
    with database(backend, folder) as url, ExitStack() as stack:
        tokens = _tokens(url, tenants)
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(REPO)}
        servers = []
        for _ in range(hosts):
            port = free_port()
            command = [sys.executable, "-m", "specfirst.contract_tests.cli", "serve", "--host",
                       "127.0.0.1", "--port", str(port), "--db", url, "--workers", str(workers)]
            servers.append(stack.enter_context(
                ServerProcess(command, port=port, env=env, cwd=REPO, start_timeout=60)))
        reads, creates = [], []
        for server in servers:
            for token in tokens:
                headers = {"Authorization": f"Bearer {token}"}
                created = httpx.post(f"{server.base_url}/api/v1/customers", headers=headers,
                                     json={"name": "Ada", "email": "ada@example.com"},
                                     timeout=30)
                created.raise_for_status()
                item = f"{server.base_url}/api/v1/customers/{created.json()['id']}"
                reads.append(BenchConfig(parse_target(item, "GET", headers), None, (32,),
                                         duration_s, 2.0))
                creates.append(BenchConfig(
                    parse_target(f"{server.base_url}/api/v1/customers", "POST", headers),
                    BodyTemplate.parse(CREATE_BODY), (32,), duration_s, 2.0))
        pids = [server.process.pid for server in servers if server.process is not None]
        meter = CpuMeter(pids, url if backend == "postgresql" else None)
        figures = {"get_customer": _load(reads, 32, meter),
                   "create_customer": _load(creates, 32, meter)}
    # the machine's load (1-minute average) before and after: other jobs share its cores
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return {"backend": backend, "hosts": hosts, "workers": workers, "tenants": tenants,
            "load_average": load, "figures": figures}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m specfirst.contract_tests.benchmarks.scaling",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per run")
    parser.add_argument("--workers", default="1,2",
                        help="worker counts, comma-separated, measured in this order (repeat "
                             "them to alternate: 1,2,1,2)")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="backends, comma-separated (sqlite, postgresql)")
    parser.add_argument("--hosts", default="1",
                        help="numbers of separate servers (of --workers each) on their own "
                             "ports, comma-separated, the connections spread evenly over them "
                             "as a load balancer in front of several hosts would")
    parser.add_argument("--tenants", type=int, default=1,
                        help="spread the 32 connections over this many tenants (writes of one "
                             "tenant take turns on PostgreSQL: its change feed is in commit "
                             "order)")
    parser.add_argument("--out", type=Path, default=Path(".specfirst/benchmarks"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = sorted(set(backends) - {"sqlite", "postgresql"})
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(unknown)}")
    for backend in backends:
        for hosts in (int(h) for h in args.hosts.split(",")):
            for workers in (int(w) for w in args.workers.split(",")):
                rows.append(measure(backend, workers, args.duration, args.out,
                                    tenants=max(1, args.tenants), hosts=max(1, hosts)))
    (args.out / "scaling.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = ["| backend | hosts | workers | tenants | GET req/s | GET p99 ms | GET CPU ms/req "
             "(server + PostgreSQL) | POST req/s | POST p99 ms | POST CPU ms/req (server + "
             "PostgreSQL) | load before / after |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        cells = [row["backend"], str(row["hosts"]), str(row["workers"]), str(row["tenants"])]
        for name in ("get_customer", "create_customer"):
            figures = row["figures"][name]
            cpu = f"{figures['server_cpu_ms_per_request']:.2f}"
            if "postgresql_cpu_ms_per_request" in figures:
                cpu += f" + {figures['postgresql_cpu_ms_per_request']:.2f}"
            cells += [f"{figures['throughput_rps']:.0f}", f"{figures['latency_ms']['p99']:.1f}",
                      cpu]
        cells.append("{} / {}".format(*row["load_average"]))
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines) + "\n"
    (args.out / "scaling.md").write_text(table)
    sys.stdout.write(table)


if __name__ == "__main__":
    main()
