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
import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from specfirst.contract_tests.bench import BenchConfig, BodyTemplate, parse_target, run_bench
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


def _token(url: str) -> str:
    from specfirst.server.crm import apply_migrations
    from specfirst.server.db import Database
    from specfirst.server.security import create_token

    db = Database.from_url(url)
    try:
        apply_migrations(db)
        return create_token(db, "scaling")[0]
    finally:
        db.dispose()


def measure(backend: str, workers: int, duration_s: float, folder: Path) -> dict[str, Any]:
    with database(backend, folder) as url:
        token = _token(url)
        port = free_port()
        command = [sys.executable, "-m", "specfirst.contract_tests.cli", "serve", "--host",
                   "127.0.0.1",
                   "--port", str(port), "--db", url, "--workers", str(workers)]
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(REPO)}
        headers = {"Authorization": f"Bearer {token}"}
        with ServerProcess(command, port=port, env=env, cwd=REPO, start_timeout=60) as server:
            created = httpx.post(f"{server.base_url}/api/v1/customers", headers=headers,
                                 json={"name": "Ada", "email": "ada@example.com"}, timeout=30)
            created.raise_for_status()
            item = f"{server.base_url}/api/v1/customers/{created.json()['id']}"
            figures = {}
            for name, target, body in (
                ("get_customer", parse_target(item, "GET", headers), None),
                ("create_customer", parse_target(f"{server.base_url}/api/v1/customers", "POST",
                                                 headers), BodyTemplate.parse(CREATE_BODY)),
            ):
                result = run_bench(BenchConfig(target, body, (32,), duration_s, 2.0))[0]
                figures[name] = result.to_json()
    return {"backend": backend, "workers": workers, "figures": figures}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m specfirst.contract_tests.benchmarks.scaling",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per run")
    parser.add_argument("--workers", default="1,2",
                        help="worker counts, comma-separated, measured in this order (repeat "
                             "them to alternate: 1,2,1,2)")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="backends, comma-separated (sqlite, postgresql)")
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
            rows.append(measure(backend, workers, args.duration, args.out))
    (args.out / "scaling.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = ["| backend | workers | GET req/s | GET p99 ms | POST req/s | POST p99 ms |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        get, post = row["figures"]["get_customer"], row["figures"]["create_customer"]
        lines.append(f"| {row['backend']} | {row['workers']} | {get['throughput_rps']:.0f} | "
                     f"{get['latency_ms']['p99']:.1f} | {post['throughput_rps']:.0f} | "
                     f"{post['latency_ms']['p99']:.1f} |")
    table = "\n".join(lines) + "\n"
    (args.out / "scaling.md").write_text(table)
    sys.stdout.write(table)


if __name__ == "__main__":
    main()
