"""`FifoLock`: the SQLite writers' queue is mutually exclusive, re-entrant and first come first
served."""

from __future__ import annotations

import threading

from specfirst.server.fifo_lock import FifoLock


def _wait_for_waiters(lock: FifoLock, count: int) -> None:
    event = threading.Event()
    while len(lock._waiters) < count:  # noqa: SLF001 - the queue is what is under test
        event.wait(0.001)


def test_waiters_get_the_lock_in_arrival_order() -> None:
    lock = FifoLock()
    assert lock.acquire()
    order: list[int] = []

    def writer(number: int) -> None:
        assert lock.acquire(timeout=30)
        order.append(number)
        lock.release()

    threads = []
    for number in range(12):
        thread = threading.Thread(target=writer, args=(number,))
        thread.start()
        _wait_for_waiters(lock, number + 1)  # queued before the next one arrives
        threads.append(thread)
    lock.release()
    for thread in threads:
        thread.join(30)
    assert order == list(range(12))


def test_a_newcomer_does_not_overtake_a_waiter() -> None:
    lock = FifoLock()
    assert lock.acquire()
    got: list[str] = []

    def wait_then_write() -> None:
        assert lock.acquire(timeout=30)
        got.append("waiter")
        lock.release()

    waiter = threading.Thread(target=wait_then_write)
    waiter.start()
    _wait_for_waiters(lock, 1)
    lock.release()  # handed to the waiter, not free for whoever comes next
    assert lock.acquire(timeout=30)
    got.append("newcomer")
    lock.release()
    waiter.join(30)
    assert got == ["waiter", "newcomer"]


def test_reentrant_and_released_only_by_the_last_release() -> None:
    lock = FifoLock()
    assert lock.acquire() and lock.acquire()
    lock.release()
    other: list[bool] = []
    thread = threading.Thread(target=lambda: other.append(lock.acquire(timeout=0.05)))
    thread.start()
    thread.join(30)
    assert other == [False]  # still held once
    assert not lock._waiters  # noqa: SLF001 - a waiter that gave up leaves the queue
    lock.release()
    thread = threading.Thread(target=lambda: other.append(lock.acquire(timeout=30)))
    thread.start()
    thread.join(30)
    assert other == [False, True]


def test_mutual_exclusion_under_contention() -> None:
    lock = FifoLock()
    inside = 0
    overlaps = 0
    total = 0

    def worker() -> None:
        nonlocal inside, overlaps, total
        for _ in range(300):
            assert lock.acquire(timeout=30)
            inside += 1
            overlaps += inside > 1
            total += 1
            inside -= 1
            lock.release()

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert (overlaps, total) == (0, 16 * 300)
    assert lock._owner is None and not lock._waiters  # noqa: SLF001
