"""How the CRM server scales: one and two worker processes, on SQLite and on PostgreSQL.

`python -m specfirst.contract_tests.benchmarks.scaling [--duration S] [--workers 1,2]
[--backends sqlite,postgresql]` starts
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
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from specfirst.contract_tests.bench import BenchConfig, BodyTemplate, parse_target
from specfirst.contract_tests.bench.runner import run_level, run_on_fresh_loop
from specfirst.contract_tests.benchmarks.compare import CREATE_BODY
from specfirst.contract_tests.benchmarks.servers import REPO
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


def _load(configs: list[BenchConfig], connections: int) -> dict[str, Any]:
    """The 32 connections split evenly over `configs` (one per tenant), run together: their
    summed throughput, and the worst tenant's percentiles."""
    share = max(1, connections // len(configs))

    async def together() -> list[Any]:
        return list(await asyncio.gather(*(run_level(config, share) for config in configs)))

    results = run_on_fresh_loop(together())
    if len(results) == 1:
        return dict(results[0].to_json())
    return {
        "concurrency": share * len(results),
        "requests": sum(r.requests for r in results),
        "errors": sum(r.errors for r in results),
        "throughput_rps": round(sum(r.throughput_rps for r in results), 2),
        "latency_ms": {"p50": round(max(r.p50_ms for r in results), 3),
                       "p99": round(max(r.p99_ms for r in results), 3)},
        "per_tenant": [r.to_json() for r in results],
    }


def measure(backend: str, workers: int, duration_s: float, folder: Path,
            tenants: int = 1) -> dict[str, Any]:
    with database(backend, folder) as url:
        tokens = _tokens(url, tenants)
        port = free_port()
        command = [sys.executable, "-m", "specfirst.contract_tests.cli", "serve", "--host",
                   "127.0.0.1",
                   "--port", str(port), "--db", url, "--workers", str(workers)]
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(REPO)}
        with ServerProcess(command, port=port, env=env, cwd=REPO, start_timeout=60) as server:
            reads, creates = [], []
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
            figures = {"get_customer": _load(reads, 32), "create_customer": _load(creates, 32)}
    return {"backend": backend, "workers": workers, "tenants": tenants, "figures": figures}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m specfirst.contract_tests.benchmarks.scaling",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per run")
    parser.add_argument("--workers", default="1,2",
                        help="worker counts, comma-separated, measured in this order (repeat "
                             "them to alternate: 1,2,1,2)")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="backends, comma-separated (sqlite, postgresql)")
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
        for workers in (int(w) for w in args.workers.split(",")):
            rows.append(measure(backend, workers, args.duration, args.out,
                                tenants=max(1, args.tenants)))
    (args.out / "scaling.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = ["| backend | workers | tenants | GET req/s | GET p99 ms | POST req/s | POST p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        get, post = row["figures"]["get_customer"], row["figures"]["create_customer"]
        lines.append(f"| {row['backend']} | {row['workers']} | {row['tenants']} | "
                     f"{get['throughput_rps']:.0f} | "
                     f"{get['latency_ms']['p99']:.1f} | {post['throughput_rps']:.0f} | "
                     f"{post['latency_ms']['p99']:.1f} |")
    table = "\n".join(lines) + "\n"
    (args.out / "scaling.md").write_text(table)
    sys.stdout.write(table)


if __name__ == "__main__":
    main()
