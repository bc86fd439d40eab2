"""Many threads refilling one tenant's lease at once do not burn the tenant's quota."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from specfirst.server.db import Database
from specfirst.server.migrations import apply_migrations
from specfirst.server.ratelimit import RateLimiter
from specfirst.server.security import ensure_tenant


def test_concurrent_refills_take_one_batch_each(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{(tmp_path / 'r.db').as_posix()}")
    apply_migrations(db)
    tenant = ensure_tenant(db, "acme")
    limiter = RateLimiter(db, limit=2000, window=3600)  # batches of 20
    take_batch = limiter._lease

    def slow_lease(tenant_id: str, window_start: int) -> tuple[int, int]:
        time.sleep(0.01)  # a write that waits for the lock, as under load
        return take_batch(tenant_id, window_start)

    limiter._lease = slow_lease  # type: ignore[method-assign]
    denied: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(17)

    def client() -> None:
        try:
            start.wait(10)
            for _ in range(60):
                if not limiter.acquire(tenant).allowed:
                    denied.append(1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=client) for _ in range(16)]
    for thread in threads:
        thread.start()
    start.wait(10)
    for thread in threads:
        thread.join(60)
    assert not failures
    assert not denied  # 960 requests of a 2000 quota
    with db.read() as conn:
        used = conn.exec_driver_sql("SELECT SUM(used) FROM specfirst_rate_limits").scalar_one()
    assert 960 <= used <= 960 + limiter.batch  # leased, never wasted
    db.dispose()


def test_local_decisions_never_write(tmp_path: Path) -> None:
    """`acquire_local` answers from the lease alone, so the token check can run on the event
    loop; when the lease is used up it says so instead of writing."""
    db = Database.from_url(f"sqlite:///{(tmp_path / 'r.db').as_posix()}")
    apply_migrations(db)
    tenant = ensure_tenant(db, "acme")
    limiter = RateLimiter(db, limit=300, window=3600)  # batches of 3
    writes: list[str] = []
    take_batch = limiter._lease

    def counted_lease(tenant_id: str, window_start: int) -> tuple[int, int]:
        writes.append(tenant_id)
        return take_batch(tenant_id, window_start)

    limiter._lease = counted_lease  # type: ignore[method-assign]
    assert limiter.acquire_local(tenant) is None and not writes  # no lease yet
    first = limiter.acquire(tenant)  # leases a batch of 3 and spends one
    assert first.allowed and len(writes) == 1
    local = [limiter.acquire_local(tenant) for _ in range(3)]
    assert [d is not None and d.allowed for d in local] == [True, True, False]
    assert len(writes) == 1
    refilled = limiter.acquire(tenant)
    assert refilled.allowed and len(writes) == 2
    # `RateLimit` says what is left of the quota, request by request, across leases
    remaining = [first.remaining, *(d.remaining for d in local if d), refilled.remaining]
    assert remaining == [299, 298, 297, 296]
    db.dispose()
