"""The delivery worker against a receiver on 127.0.0.1: signatures, retries, redirects, 410,
leases, and recovery after a worker is killed."""
# ruff: noqa: F811 - the shared fixtures are imported by name

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from specfirst.server.crm.events import record_change
from specfirst.server.crm.migrations.m0002_sync import webhook_deliveries, webhooks
from specfirst.server.crm.ssrf import guarded_client
from specfirst.server.crm.webhooks import store
from specfirst.server.crm.webhooks.delivery import DeliveryConfig, DeliveryWorker, backoff_delay
from specfirst.server.crm.webhooks.signing import SignatureInvalid, verify
from specfirst.server.db import Database
from specfirst.server.tests.test_sync_support import (  # noqa: F401 - fixtures
    Receiver,
    new_tenant,
    pg_url,
    receiver,
    sync_db,
    sync_db_url,
)

FAST = DeliveryConfig(timeout_s=2.0, base_delay_s=0.02, max_delay_s=0.1, max_attempts=5,
                      poll_interval_s=0.02, lease_s=30.0, allow_loopback=True)


def subscribe(db: Database, tenant: str, url: str, types: list[str]) -> tuple[str, str]:
    with db.write() as conn:
        view, secret = store.create_webhook(conn, tenant, {"url": url, "event_types": types})
    return view["id"], secret


def change(db: Database, tenant: str, object_id: str = "c-1") -> None:
    with db.write() as conn:
        record_change(conn, tenant_id=tenant, object_type="customers", object_id=object_id,
                      action="created", data={"id": object_id, "name": "Ada"})


def deliveries(db: Database, webhook_id: str) -> list[Any]:
    with db.read() as conn:
        return list(conn.execute(
            sa.select(webhook_deliveries).where(webhook_deliveries.c.webhook_id == webhook_id)
            .order_by(webhook_deliveries.c.created_at)
        ).all())


def drain(worker: DeliveryWorker, until: Any, timeout: float = 10.0) -> None:
    """Run delivery rounds until `until()` is true (bounded)."""

    async def loop() -> None:
        async with guarded_client(timeout=worker.config.timeout_s, allow_loopback=True) as client:
            deadline = time.monotonic() + timeout
            while not until():
                assert time.monotonic() < deadline, "deliveries did not settle in time"
                if not await worker.run_once(client):
                    await asyncio.sleep(0.02)

    asyncio.run(loop())


def test_signed_delivery_verifies(sync_db: Database, receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    webhook_id, secret = subscribe(sync_db, tenant, receiver.url("/ok"), ["customer.created"])
    change(sync_db, tenant)
    worker = DeliveryWorker(sync_db, FAST)
    drain(worker, lambda: deliveries(sync_db, webhook_id)[0].status != "pending")
    [hit] = receiver.hits("/ok")
    verify(secret, hit.headers, hit.body)
    body = orjson.loads(hit.body)
    assert body["type"] == "customer.created" and body["data"]["name"] == "Ada"
    assert hit.headers["content-type"] == "application/json"
    [row] = deliveries(sync_db, webhook_id)
    assert (row.status, row.attempts, row.response_status) == ("succeeded", 1, 204)
    assert hit.headers["webhook-id"] == row.id
    with pytest.raises(SignatureInvalid):
        verify(secret, hit.headers, hit.body + b" ")
    with pytest.raises(SignatureInvalid):
        verify("whsec_" + "A" * 32, hit.headers, hit.body)


def test_retries_after_server_errors_with_the_same_id(sync_db: Database,
                                                      receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    receiver.script["/flaky"] = [500, 503, 200]
    webhook_id, secret = subscribe(sync_db, tenant, receiver.url("/flaky"), ["customer.created"])
    change(sync_db, tenant)
    worker = DeliveryWorker(sync_db, FAST)
    drain(worker, lambda: deliveries(sync_db, webhook_id)[0].status == "succeeded")
    hits = receiver.hits("/flaky")
    assert len(hits) == 3
    assert len({hit.headers["webhook-id"] for hit in hits}) == 1
    for hit in hits:
        verify(secret, hit.headers, hit.body)
    [row] = deliveries(sync_db, webhook_id)
    assert (row.attempts, row.response_status, row.error) == (3, 200, None)


def test_retries_run_out(sync_db: Database, receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    receiver.script["/down"] = [500]
    webhook_id, _ = subscribe(sync_db, tenant, receiver.url("/down"), ["customer.created"])
    change(sync_db, tenant)
    worker = DeliveryWorker(sync_db, FAST)
    drain(worker, lambda: deliveries(sync_db, webhook_id)[0].status == "failed")
    [row] = deliveries(sync_db, webhook_id)
    assert row.attempts == FAST.max_attempts == len(receiver.hits("/down"))
    assert row.error == "the endpoint answered HTTP 500"


def test_redirects_are_not_followed(sync_db: Database, receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    receiver.script["/moved"] = [(302, {"location": receiver.url("/elsewhere")})]
    webhook_id, _ = subscribe(sync_db, tenant, receiver.url("/moved"), ["customer.created"])
    change(sync_db, tenant)
    worker = DeliveryWorker(sync_db, FAST)
    drain(worker, lambda: deliveries(sync_db, webhook_id)[0].status == "failed")
    assert receiver.hits("/elsewhere") == []
    assert len(receiver.hits("/moved")) == FAST.max_attempts
    assert "redirect not followed" in deliveries(sync_db, webhook_id)[0].error


def test_gone_pauses_the_subscription(sync_db: Database, receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    receiver.script["/gone"] = [410]
    webhook_id, _ = subscribe(sync_db, tenant, receiver.url("/gone"), ["customer.created"])
    change(sync_db, tenant, "c-1")
    worker = DeliveryWorker(sync_db, FAST)
    drain(worker, lambda: deliveries(sync_db, webhook_id)[0].status == "failed")
    assert len(receiver.hits("/gone")) == 1
    with sync_db.read() as conn:
        hook = store.get_webhook(conn, tenant, webhook_id)
    assert hook is not None and not hook.active and hook.version == 2
    change(sync_db, tenant, "c-2")  # a paused subscription gets no new deliveries
    assert len(deliveries(sync_db, webhook_id)) == 1


def test_refused_target_at_delivery(sync_db: Database, receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    webhook_id, _ = subscribe(sync_db, tenant, receiver.url("/ok"), ["customer.created"])
    change(sync_db, tenant)
    strict = DeliveryConfig(**{**FAST.__dict__, "allow_loopback": False})
    worker = DeliveryWorker(sync_db, strict)

    async def one_round() -> None:
        async with guarded_client(timeout=2, allow_loopback=False) as client:
            assert await worker.run_once(client) == 1

    asyncio.run(one_round())
    [row] = deliveries(sync_db, webhook_id)
    assert row.status == "failed" and "loopback" in row.error
    assert receiver.hits("/ok") == []


def test_timeout_is_short(sync_db: Database, receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    receiver.script["/slow"] = [("sleep", 1.5), 204]
    webhook_id, _ = subscribe(sync_db, tenant, receiver.url("/slow"), ["customer.created"])
    change(sync_db, tenant)
    quick = DeliveryConfig(**{**FAST.__dict__, "timeout_s": 0.3})
    worker = DeliveryWorker(sync_db, quick)

    async def one_round() -> None:
        async with guarded_client(timeout=0.3, allow_loopback=True) as client:
            assert await worker.run_once(client) == 1

    asyncio.run(one_round())
    [row] = deliveries(sync_db, webhook_id)
    assert row.status == "pending" and row.error == "no answer within 0.3 s"


def test_paused_subscription_holds_deliveries_but_not_test_events(
        sync_db: Database, receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    webhook_id, _ = subscribe(sync_db, tenant, receiver.url("/p"), ["customer.created"])
    change(sync_db, tenant)
    with sync_db.write() as conn:
        conn.execute(webhooks.update().where(webhooks.c.id == webhook_id).values(active=False))
        store.queue_test_event(conn, tenant, webhook_id)
    worker = DeliveryWorker(sync_db, FAST)
    drain(worker, lambda: len(receiver.hits("/p")) == 1)
    time.sleep(0.1)
    drain(worker, lambda: True)
    [hit] = receiver.hits("/p")
    assert orjson.loads(hit.body)["type"] == "webhook.test"
    statuses = sorted((r.event_type, r.status) for r in deliveries(sync_db, webhook_id))
    assert statuses == [("customer.created", "pending"), ("webhook.test", "succeeded")]


def test_concurrent_workers_never_claim_the_same_delivery(sync_db: Database) -> None:
    tenant = new_tenant(sync_db)
    webhook_id, _ = subscribe(sync_db, tenant, "http://127.0.0.1:9/x", ["customer.created"])
    for n in range(60):
        change(sync_db, tenant, f"c-{n}")
    config = DeliveryConfig(**{**FAST.__dict__, "batch_size": 7})
    workers = [DeliveryWorker(sync_db, config) for _ in range(4)]
    claimed: dict[str, list[str]] = {w.worker_id: [] for w in workers}
    errors: list[BaseException] = []

    def claim_all(worker: DeliveryWorker) -> None:
        try:
            while batch := worker.claim():
                claimed[worker.worker_id].extend(item.id for item in batch)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=claim_all, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    every = [item for ids in claimed.values() for item in ids]
    assert len(every) == 60 and len(set(every)) == 60


def test_expired_lease_is_taken_over(sync_db: Database, receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    webhook_id, _ = subscribe(sync_db, tenant, receiver.url("/ok"), ["customer.created"])
    change(sync_db, tenant)
    first, second = DeliveryWorker(sync_db, FAST), DeliveryWorker(sync_db, FAST)
    assert len(first.claim()) == 1  # ... and the first worker dies here
    assert second.claim() == []  # the lease holds
    later = time.time() + FAST.lease_s + 1
    [item] = second.claim(now=later)
    assert second.record(item, asyncio.run(_send(second, item))) == "succeeded"
    assert len(receiver.hits("/ok")) == 1


async def _send(worker: DeliveryWorker, item: Any) -> Any:
    async with guarded_client(timeout=2, allow_loopback=True) as client:
        return await worker.send(client, item)


KILLED_WORKER = textwrap.dedent("""
    import os, signal, sys
    from specfirst.server.db import Database
    from specfirst.server.crm.webhooks.delivery import DeliveryConfig, DeliveryWorker
    db = Database.from_url(sys.argv[1])
    claimed = DeliveryWorker(db, DeliveryConfig(lease_s=1.0)).claim()
    print(len(claimed), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_outbox_survives_a_killed_worker(sync_db: Database, sync_db_url: str,
                                         receiver: Receiver) -> None:
    tenant = new_tenant(sync_db)
    webhook_id, secret = subscribe(sync_db, tenant, receiver.url("/ok"), ["customer.created"])
    change(sync_db, tenant)
    proc = subprocess.run([sys.executable, "-c", KILLED_WORKER, sync_db_url],
                          capture_output=True, text=True, timeout=60,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert proc.returncode == -9 and proc.stdout.strip() == "1"
    assert deliveries(sync_db, webhook_id)[0].lease_owner is not None
    worker = DeliveryWorker(sync_db, FAST)
    drain(worker, lambda: deliveries(sync_db, webhook_id)[0].status == "succeeded")
    [hit] = receiver.hits("/ok")
    verify(secret, hit.headers, hit.body)


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    config = DeliveryConfig(base_delay_s=5, max_delay_s=3600)
    rng = random.Random(7)
    delays = [backoff_delay(n, config, rng) for n in range(1, 15)]
    for n, delay in enumerate(delays, start=1):
        ceiling = min(3600, 5 * 2 ** (n - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert len({round(backoff_delay(3, config), 6) for _ in range(20)}) > 1
    schedule = sum(min(6 * 3600, 5 * 2 ** (n - 1)) for n in range(1, DeliveryConfig.max_attempts))
    assert 2 * 86400 < schedule < 4 * 86400  # the default retries span about three days


def test_config_from_environment() -> None:
    config = DeliveryConfig.from_env({"SPECFIRST_SERVER_WEBHOOK_TIMEOUT": "3",
                                      "SPECFIRST_SERVER_WEBHOOK_MAX_ATTEMPTS": "4"})
    assert (config.timeout_s, config.max_attempts, config.lease_s) == (3.0, 4, 60.0)
    from specfirst.generator.errors import ConfigError

    with pytest.raises(ConfigError):
        DeliveryConfig.from_env({"SPECFIRST_SERVER_WEBHOOK_TIMEOUT": "soon"})


def test_finished_deliveries_are_pruned_after_the_retention(sync_db: Database) -> None:
    tenant = new_tenant(sync_db)
    webhook_id, _ = subscribe(sync_db, tenant, "http://127.0.0.1:9/x", ["customer.created"])
    for n in range(3):
        change(sync_db, tenant, f"c-{n}")
    rows = deliveries(sync_db, webhook_id)
    with sync_db.write() as conn:
        for row, status in zip(rows, ("succeeded", "failed", "pending"), strict=True):
            conn.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == row.id)
                         .values(status=status))
    worker = DeliveryWorker(sync_db, FAST)
    assert worker.prune() == 0  # young: kept
    assert worker.prune(now=time.time() + 31 * 86400) == 2
    assert [r.status for r in deliveries(sync_db, webhook_id)] == ["pending"]


def test_unresolvable_target_is_retried(sync_db: Database) -> None:
    tenant = new_tenant(sync_db)
    webhook_id, _ = subscribe(sync_db, tenant, "https://nowhere.example/x", ["customer.created"])
    change(sync_db, tenant)

    def no_dns(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    worker = DeliveryWorker(sync_db, FAST, resolver=no_dns)

    async def one_round() -> None:
        async with guarded_client(timeout=2, allow_loopback=False, resolver=no_dns) as client:
            assert await worker.run_once(client) == 1

    asyncio.run(one_round())
    [row] = deliveries(sync_db, webhook_id)
    assert row.status == "pending" and row.attempts == 1
    assert "does not resolve" in row.error


def test_worker_survives_database_errors_and_stops_on_request(
        monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        calls = 0

        def write(self) -> Any:
            Broken.calls += 1
            raise RuntimeError("database unavailable")

    worker = DeliveryWorker(Broken(), FAST)  # type: ignore[arg-type]
    # The pauses the loop asks for between rounds (the timeout of its wait on `stop`).
    pauses: list[float] = []
    real_wait_for = asyncio.wait_for

    async def spy_wait_for(awaitable: Any, timeout: float | None) -> Any:
        if timeout is not None:
            pauses.append(timeout)
        return await real_wait_for(awaitable, timeout)

    monkeypatch.setattr(asyncio, "wait_for", spy_wait_for)

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        deadline = time.monotonic() + 60
        while Broken.calls < 4:  # failed rounds, and the loop goes on
            assert time.monotonic() < deadline, f"only {Broken.calls} rounds"
            assert not task.done()
            await real_wait_for(asyncio.sleep(0.01), None)
        assert not task.done()
        stop.set()
        await real_wait_for(task, 60)  # stops on request

    asyncio.run(scenario())
    assert Broken.calls >= 4
    assert len(pauses) >= 3
    # retried, with growing pauses (doubling from the poll interval, capped)
    assert pauses[:3] == [FAST.poll_interval_s * 2, FAST.poll_interval_s * 4,
                          FAST.poll_interval_s * 8]


def test_an_attempt_ends_within_the_timeout_however_the_receiver_drips(sync_db: Database
                                                                       ) -> None:
    """A receiver that sends its status line a byte at a time never trips a read timeout;
    the attempt still ends at the delivery timeout, well inside the lease, so no other
    worker can take the delivery over and send it a second time meanwhile."""
    import socket

    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)

    def drip() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                for byte in b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n":
                    if stop.wait(0.3):
                        return
                    conn.sendall(bytes([byte]))

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        tenant = new_tenant(sync_db)
        port = listener.getsockname()[1]
        subscribe(sync_db, tenant, f"http://127.0.0.1:{port}/drip", ["customer.created"])
        change(sync_db, tenant)
        config = DeliveryConfig(**{**FAST.__dict__, "timeout_s": 1.0, "lease_s": 3.0})
        worker = DeliveryWorker(sync_db, config)
        [item] = worker.claim()
        outcome = asyncio.run(_send(worker, item))
    finally:
        stop.set()
        thread.join(10)
        listener.close()
    assert outcome.status is None and outcome.error == "no answer within 1 s"
