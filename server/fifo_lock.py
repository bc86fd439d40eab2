"""A re-entrant lock granted in the order it was asked for.

The SQLite writers of one process queue on it before `BEGIN IMMEDIATE` (`specfirst.server.db`). With
`threading.RLock` a thread that arrives while the lock is being released can take it before
threads that have been waiting (barging), so under 32 concurrent creates some waited through
many turns: p99 about 1.6x the mean. Handing the lock to the longest waiter keeps every wait
close to the queue length times the time a write takes (docs/performance.md).
"""

from __future__ import annotations

import collections
import threading

__all__ = ["FifoLock"]


class FifoLock:
    """A re-entrant lock granted in the order it was asked for (no barging)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._count = 0
        self._waiters: collections.deque[tuple[threading.Lock, int]] = collections.deque()

    def acquire(self, timeout: float = -1) -> bool:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._count += 1
                return True
            if self._owner is None and not self._waiters:
                self._owner, self._count = me, 1
                return True
            gate = threading.Lock()
            gate.acquire()
            entry = (gate, me)
            self._waiters.append(entry)
        if gate.acquire(timeout=timeout):
            return True  # handed over by release()
        with self._mutex:
            try:
                self._waiters.remove(entry)
            except ValueError:  # handed over between the timeout and here
                return True
        return False

    def release(self) -> None:
        with self._mutex:
            self._count -= 1
            if self._count:
                return
            if self._waiters:
                gate, self._owner = self._waiters.popleft()
                self._count = 1
                gate.release()
            else:
                self._owner = None
