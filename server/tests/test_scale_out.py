"""Several server processes on one database keep every concurrency guarantee.

Two "hosts" share one fresh database (PostgreSQL; and a SQLite file, as several processes of
one machine would): `specfirst serve --workers 2` and a second `specfirst serve` on another
loopback port (three worker processes in all), and every race is spread over both. Racing
If-Match writes have one winner; one Idempotency-Key makes one record, whichever process each
duplicate reaches; a tenant's quota is counted once across the processes (within the lease
tolerance of `server/ratelimit.py`); each webhook delivery is sent once and each import row
applied once while every process runs its delivery worker and import runner. The claims
themselves are also raced by bare worker processes on SQLite and PostgreSQL, each process
reporting what it claimed.
"""
# ruff: noqa: F811 - the shared fixtures are imported by name

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from specfirst.generator.errors import ConfigError
from specfirst.server.context import Caller
from specfirst.server.crm.jobs.imports import ImportRunner, create_job
from specfirst.server.crm.migrations.m0001_core import customers, idempotency_keys
from specfirst.server.crm.migrations.m0002_sync import import_jobs, webhook_deliveries, webhooks
from specfirst.server.db import Database
from specfirst.server.security import ensure_tenant
from specfirst.server.settings import ServerSettings
from specfirst.server.tests.conftest import BACKENDS, _database
from specfirst.server.tests.live import REPO, LiveServer, drop_database
from specfirst.server.tests.test_sync_support import (  # noqa: F401 - fixtures
    Receiver,
    new_tenant,
    pg_url,
    receiver,
    sync_db,
    sync_db_url,
    wait_for,
)
from specfirst.server.tests.test_webhooks_api import FAST_WEBHOOKS
from specfirst.server.tests.test_webhooks_delivery import change, subscribe

RATE_LIMIT = 400
# A window far longer than the test, so that no window boundary falls inside it.
RATE_WINDOW = 10**9
# Worker processes serving requests: `--workers 2` on the first host, one on the second.
PROCESSES = 3
ENV = {
    **FAST_WEBHOOKS,
    "SPECFIRST_SERVER_RATE_LIMIT": str(RATE_LIMIT),
    "SPECFIRST_SERVER_RATE_WINDOW": str(RATE_WINDOW),
    "SPECFIRST_SERVER_IMPORT_CHUNK": "5",
    # 3 processes x 8 connections, well inside PostgreSQL's max_connections (100 by default)
    "SPECFIRST_SERVER_DB_CONNECTIONS": "8",
}


@dataclass
class Hosts:
    """Two servers on one database; request `n` goes to host `n % 2`."""

    servers: tuple[LiveServer, LiveServer]

    @property
    def db(self) -> Database:
        return self.servers[0].db

    def url(self, n: int) -> str:
        return self.servers[n % 2].url

    def tenant(self) -> tuple[str, dict[str, str]]:
        """A new tenant: its id, and the headers of a token of it."""
        name = f"scale-{uuid.uuid4().hex[:10]}"
        token = self.servers[0].token(name)
        return ensure_tenant(self.db, name), LiveServer.auth(token)

    def race(self, count: int, call: Callable[[httpx.Client, str, int], httpx.Response]
             ) -> list[httpx.Response]:
        """`call(client, base_url, n)` for n in range(count), all released at once, half of
        them to each host."""
        start = threading.Barrier(count)
        limits = httpx.Limits(max_connections=count)
        with httpx.Client(timeout=60, limits=limits) as http:
            def one(n: int) -> httpx.Response:
                start.wait(timeout=60)
                return call(http, self.url(n), n)

            with ThreadPoolExecutor(count) as pool:
                return list(pool.map(one, range(count)))


@pytest.fixture(scope="module", params=BACKENDS)
def hosts(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    url = _database(request.param, tmp_path_factory)
    try:
        with LiveServer.start(url, env=ENV, workers=2) as first, \
                LiveServer.start(url, env=ENV) as second:
            yield Hosts((first, second))
    finally:
        drop_database(url)


def test_racing_if_match_writes_across_hosts_have_one_winner(hosts: Hosts) -> None:
    _, auth = hosts.tenant()
    record = httpx.post(hosts.url(0) + "/api/v1/customers", json={"name": "race"},
                        headers=auth, timeout=30).json()
    path = f"/api/v1/customers/{record['id']}"

    def write(http: httpx.Client, base: str, n: int) -> httpx.Response:
        headers = {**auth, "If-Match": '"1"'}
        if n % 4 == 3:  # some deletes among the updates: one winner among all of them
            return http.delete(base + path, headers=headers)
        return http.patch(base + path, headers=headers, json={"name": f"writer {n}"})

    statuses = [r.status_code for r in hosts.race(40, write)]
    winners = [n for n, status in enumerate(statuses) if 200 <= status < 300]
    assert len(winners) == 1, statuses
    losers = statuses[:winners[0]] + statuses[winners[0] + 1:]
    final = httpx.get(hosts.url(1) + path, headers=auth, timeout=30)
    if winners[0] % 4 == 3:  # deleted: later writers find nothing (404), earlier ones 412
        assert set(losers) <= {404, 412}, statuses
        assert final.status_code == 404
    else:
        assert set(losers) == {412}, statuses
        assert final.status_code == 200 and final.json()["version"] == 2
        assert final.json()["name"].startswith("writer ")


CREATES: dict[str, tuple[str, Callable[[str], dict[str, Any]], sa.Table, int]] = {
    # endpoint: (path, body for a tag, table holding what it creates, success status)
    "customers": ("/api/v1/customers", lambda tag: {"name": f"idem {tag}"}, customers, 201),
    "webhooks": ("/api/v1/webhooks", lambda tag: {
        "url": f"http://127.0.0.1:9/{tag}", "event_types": ["customer.created"]}, webhooks, 201),
    "imports": ("/api/v1/imports", lambda tag: {
        "object_type": "customers", "records": [{"name": f"imported {tag}"}]}, import_jobs, 202),
}


@pytest.mark.parametrize("endpoint", sorted(CREATES))
def test_one_record_per_idempotency_key_across_hosts(hosts: Hosts, endpoint: str) -> None:
    path, body_for, table, created = CREATES[endpoint]
    tenant, auth = hosts.tenant()
    key = str(uuid.uuid4())
    body = body_for(key[:8])

    def create(http: httpx.Client, base: str, _: int) -> httpx.Response:
        return http.post(base + path, json=body, headers={**auth, "Idempotency-Key": key})

    responses = hosts.race(30, create)
    assert {r.status_code for r in responses} == {created}, {r.text for r in responses}
    assert len({r.content for r in responses}) == 1  # the first response, replayed
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 29
    with hosts.db.read() as conn:
        made = conn.execute(sa.select(sa.func.count()).select_from(table).where(
            table.c.tenant_id == tenant)).scalar_one()
        keys = conn.execute(sa.select(sa.func.count()).select_from(idempotency_keys).where(
            idempotency_keys.c.idem_key == key)).scalar_one()
    assert (made, keys) == (1, 1)


def test_rate_limit_is_counted_once_across_hosts(hosts: Hosts) -> None:
    _, auth = hosts.tenant()
    batch = max(1, min(1000, RATE_LIMIT // 100))  # the lease size of server/ratelimit.py

    def read(http: httpx.Client, base: str, n: int) -> httpx.Response:
        # a new connection every other request, so each host's workers all take some
        headers = {**auth, "Connection": "close"} if n % 4 < 2 else auth
        return http.get(base + "/api/v1/customers", params={"limit": "1"}, headers=headers)

    responses: list[httpx.Response] = []
    for _ in range(3):  # 600 requests in all, 200 at a time
        responses += hosts.race(200, read)
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 429}, set(statuses)
    accepted = statuses.count(200)
    # never more than the quota; refused early by at most one unused lease per process
    assert RATE_LIMIT - PROCESSES * batch <= accepted <= RATE_LIMIT, accepted
    refused = [r for r in responses if r.status_code == 429]
    assert all(int(r.headers["retry-after"]) >= 1 for r in refused)
    assert all(r.headers["ratelimit"].startswith('"default";r=0;') for r in refused)
    if hosts.db.dialect == "postgresql":
        # 200 requests at a time, yet no process opened more than its share of connections
        with hosts.db.read() as conn:
            opened = conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )).scalar_one()
        assert opened <= PROCESSES * int(ENV["SPECFIRST_SERVER_DB_CONNECTIONS"]) + 6, opened


def test_connections_per_process_are_a_setting() -> None:
    # every connection opened is kept: none is closed on return (and reopened at once)
    assert ServerSettings.from_env({}).pool_sizes() == {"pool_size": 40, "max_overflow": 0}
    sizes = ServerSettings.from_env({"SPECFIRST_SERVER_DB_CONNECTIONS": "4"}).pool_sizes()
    assert sizes == {"pool_size": 4, "max_overflow": 0}
    with pytest.raises(ConfigError):
        ServerSettings.from_env({"SPECFIRST_SERVER_DB_CONNECTIONS": "1"})


def test_each_webhook_delivery_is_sent_once_by_several_processes(hosts: Hosts,
                                                                 receiver: Receiver) -> None:
    receiver.script["/many"] = [("sleep", 0.05)]  # slow enough for deliveries to pile up
    _, auth = hosts.tenant()
    hook = httpx.post(hosts.url(0) + "/api/v1/webhooks", headers=auth, timeout=30, json={
        "url": receiver.url("/many"), "event_types": ["customer.created"]}).json()

    def create(http: httpx.Client, base: str, n: int) -> httpx.Response:
        return http.post(base + "/api/v1/customers", json={"name": f"hooked {n}"}, headers=auth)

    assert {r.status_code for r in hosts.race(40, create)} == {201}

    def settled() -> list[Any] | None:
        with hosts.db.read() as conn:
            rows = list(conn.execute(sa.select(webhook_deliveries).where(
                webhook_deliveries.c.webhook_id == hook["id"])).all())
        return rows if len(rows) == 40 and all(r.status == "succeeded" for r in rows) else None

    wait_for(lambda: settled() is not None, timeout=60)
    rows = settled()
    assert rows is not None
    sent = [hit.headers["webhook-id"] for hit in receiver.hits("/many")]
    assert sorted(sent) == sorted(row.id for row in rows)  # each one, once
    retried = [(row.attempts, row.error) for row in rows if row.attempts != 1]
    assert not retried, retried  # no attempt was lost to a second claim either


def test_each_import_job_is_run_once_by_several_processes(hosts: Hosts) -> None:
    tenant, auth = hosts.tenant()

    def start(http: httpx.Client, base: str, n: int) -> httpx.Response:
        return http.post(base + "/api/v1/imports", headers=auth, json={
            "object_type": "customers",
            "records": [{"name": f"job {n} row {r}"} for r in range(40)]})

    answers = hosts.race(6, start)
    assert {a.status_code for a in answers} == {202}
    ids = [a.json()["id"] for a in answers]

    def jobs() -> list[Any]:
        with hosts.db.read() as conn:
            return list(conn.execute(sa.select(import_jobs).where(
                import_jobs.c.id.in_(ids))).all())

    wait_for(lambda: all(job.status == "completed" for job in jobs()), timeout=120)
    assert all((job.processed, job.created, job.failed) == (40, 40, 0) for job in jobs())
    with hosts.db.read() as conn:
        names = conn.execute(sa.select(customers.c.name).where(
            customers.c.tenant_id == tenant)).scalars().all()
    assert sorted(names) == sorted(f"job {n} row {r}" for n in range(6) for r in range(40))


# -- the claims, raced by bare worker processes -------------------------------------------

CLAIMER = textwrap.dedent("""
    import json, sys, time
    from specfirst.server.db import Database
    kind, url = sys.argv[1], sys.argv[2]
    db = Database.from_url(url, pool_size=2, max_overflow=2)
    if kind == "deliveries":
        from specfirst.server.crm.webhooks.delivery import DeliveryConfig, DeliveryWorker, Outcome
        worker = DeliveryWorker(db, DeliveryConfig(batch_size=3, lease_s=600.0))
    else:
        from specfirst.server.crm.jobs.imports import ImportRunner
        worker = ImportRunner(db, lease_s=600.0, chunk_size=2, chunk_pause_s=0.02)
    print("ready", flush=True)
    sys.stdin.readline()  # every process starts claiming at once
    done = []
    while True:
        if kind == "deliveries":
            batch = worker.claim()
            if not batch:
                break
            time.sleep(0.02)  # sending them
            for item in batch:
                assert worker.record(item, Outcome(204, None)) == "succeeded"
                done.append(item.id)
        else:
            job = worker.claim()
            if job is None:
                break
            assert worker.run_job(job) == "completed"
            done.append(job.id)
    print(json.dumps(done), flush=True)
""")


def race_claimers(kind: str, url: str, count: int = 3) -> list[list[str]]:
    """Start `count` processes claiming `kind` from the database at `url`, release them
    together, and return what each one claimed."""
    processes = [subprocess.Popen([sys.executable, "-c", CLAIMER, kind, url], cwd=REPO,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(count)]
    try:
        for process in processes:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=120) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]


def test_worker_processes_claim_each_delivery_once(sync_db: Database, sync_db_url: str) -> None:
    tenant = new_tenant(sync_db)
    webhook_id, _ = subscribe(sync_db, tenant, "http://127.0.0.1:9/x", ["customer.created"])
    for n in range(90):
        change(sync_db, tenant, f"c-{n}")
    claimed = race_claimers("deliveries", sync_db_url)
    every = [item for ids in claimed for item in ids]
    assert len(every) == len(set(every)) == 90
    assert sum(1 for ids in claimed if ids) >= 2, [len(ids) for ids in claimed]  # a real race
    with sync_db.read() as conn:
        rows = conn.execute(sa.select(webhook_deliveries).where(
            webhook_deliveries.c.webhook_id == webhook_id)).all()
    assert sorted(row.id for row in rows) == sorted(every)
    assert all((row.status, row.attempts) == ("succeeded", 1) for row in rows)


def test_worker_processes_run_each_import_once(sync_db: Database, sync_db_url: str) -> None:
    tenant = new_tenant(sync_db)
    who = Caller(tenant_id=tenant, token_id="", scopes=frozenset())
    with sync_db.write() as conn:
        ids = [create_job(conn, who, {"object_type": "customers", "records": [
            {"name": f"job {n} row {r}"} for r in range(10)]})["id"] for n in range(8)]
    claimed = race_claimers("imports", sync_db_url)
    every = [item for jobs in claimed for item in jobs]
    assert sorted(every) == sorted(ids)
    assert sum(1 for jobs in claimed if jobs) >= 2, [len(jobs) for jobs in claimed]
    with sync_db.read() as conn:
        jobs = conn.execute(sa.select(import_jobs).where(import_jobs.c.id.in_(ids))).all()
        names = conn.execute(sa.select(customers.c.name).where(
            customers.c.tenant_id == tenant)).scalars().all()
    assert all((job.status, job.created) == ("completed", 10) for job in jobs)
    assert sorted(names) == sorted(f"job {n} row {r}" for n in range(8) for r in range(10))


def test_a_runner_that_lost_its_lease_leaves_the_job_to_the_new_holder(sync_db: Database
                                                                       ) -> None:
    tenant = new_tenant(sync_db)
    who = Caller(tenant_id=tenant, token_id="", scopes=frozenset())
    with sync_db.write() as conn:
        job_id = create_job(conn, who, {"object_type": "customers",
                                        "records": [{"name": "kept"}]})["id"]
    stalled, taking_over = ImportRunner(sync_db, lease_s=5), ImportRunner(sync_db, lease_s=5)
    first = stalled.claim()
    assert first is not None and first.id == job_id
    assert taking_over.claim() is None  # the lease holds
    second = taking_over.claim(now=time.time() + 10)  # ... until it expires
    assert second is not None and second.id == job_id
    # the stalled runner wakes up: it can neither apply rows nor fail the job
    assert stalled.run_job(first) == "running"
    assert stalled._fail(job_id, "internal error", row=0) == "running"
    assert taking_over.run_job(second) == "completed"
    with sync_db.read() as conn:
        job = conn.execute(sa.select(import_jobs).where(import_jobs.c.id == job_id)).one()
    assert (job.status, job.created, job.failure) == ("completed", 1, None)
