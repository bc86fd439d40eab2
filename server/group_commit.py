"""Group commit: concurrent write units of one process committed together, one transaction each
batch, every unit acknowledged only after the commit that holds it.

SQLite has one writer at a time. With one transaction per request, 32 concurrent creates take
the write lock 32 times: each turn wakes another thread, which must win the GIL back from the
event loop and the other request threads before it can run its statements, and each ends in a
`COMMIT`. Under group commit the units queue here; one thread — the leader, the first that found
no batch running — takes the write turn, runs every queued unit in a row inside one
`BEGIN IMMEDIATE` transaction, commits once and wakes every waiter of the batch. Units that
arrive meanwhile form the next batch, led by the oldest of them.

Guarantees:

- each unit runs inside its own `SAVEPOINT`: a unit that raises is rolled back to it and its
  caller gets the exception, while the other units of the batch still commit;
- a unit is acknowledged (its caller returns) only after the `COMMIT` of its batch succeeded;
  when the `COMMIT` fails, every unit of the batch gets that error and none of their writes
  persists;
- every statement of a unit (the record, its idempotency key, its change-feed and outbox rows)
  is in the one transaction, so they commit or vanish together;
- a unit runs in its submitter's `contextvars` context, on the leader's thread; it must not
  itself wait for this process's write turn (so `run` is never called inside a write
  transaction: the leader needs that turn for the batch).

A coroutine submits its unit with `run_async` and awaits it without a thread of its own:
the event loop queues the unit and, when no batch is running, wakes the process's writer
thread, which leads batches as long as units of coroutines head the queue; a batch's coroutines
are resumed by one callback on their event loop after its commit. A request whose write is one
grouped unit then costs the loop no thread hand-off of its own (each costs two thread
wake-ups and two GIL hand-offs), only its share of the batch's. Units of threads and of
coroutines share one queue and one order: leadership passes to the head of the queue, to its
own thread for a unit of a thread, to the writer thread for a unit of a coroutine.

Other backends run several writers at once and flush the log of concurrent commits together
themselves (PostgreSQL): there each unit is its own transaction, run by its caller.

    value = db.write_grouped(lambda conn: insert_something(conn))
    value = await db.write_grouped_async(lambda conn: insert_something(conn))
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from specfirst.server.sql import run_sql
from sqlalchemy import Connection

__all__ = ["GroupCommit", "MAX_BATCH", "WRITER_IDLE_S"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Units committed together at most; more wait for the next batch. Past a few dozen a larger
#: batch only lengthens the wait of its first unit.
MAX_BATCH = 64
#: Seconds the writer thread waits for work before it leaves.
WRITER_IDLE_S = 60.0

_SAVEPOINT = "SAVEPOINT group_commit_unit"
_ROLLBACK_TO = "ROLLBACK TO SAVEPOINT group_commit_unit"
_RELEASE = "RELEASE SAVEPOINT group_commit_unit"


class _Unit(Generic[T]):
    __slots__ = ("context", "done", "error", "future", "lead", "result", "work")

    def __init__(self, work: Callable[[Connection], T], *, done: threading.Event | None = None,
                 future: asyncio.Future[T] | None = None) -> None:
        self.work = work
        self.context = contextvars.copy_context()
        # a thread's unit is told through `done`, a coroutine's through `future`
        self.done = done
        self.future = future
        self.lead = False  # woken to lead the next batch, not because its unit is done
        self.result: T | None = None
        self.error: BaseException | None = None


def _settle(units: list[_Unit[Any]]) -> None:
    """On the units' event loop: resume their coroutines with their results or errors."""
    for unit in units:
        future = unit.future
        if future is None or future.done():  # its coroutine was cancelled meanwhile
            continue
        if unit.error is not None:
            future.set_exception(unit.error)
        else:
            future.set_result(unit.result)


class GroupCommit:
    """The queue of one database's grouped writes; `transaction` opens one write transaction
    (with the process's write turn held) and commits it on a normal exit."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[Connection]],
                 max_batch: int = MAX_BATCH, writer_idle_s: float = WRITER_IDLE_S) -> None:
        self._transaction = transaction
        self._max_batch = max_batch
        self._mutex = threading.Lock()
        self._queue: deque[_Unit[Any]] = deque()
        self._leading = False
        self._writer: threading.Thread | None = None  # leads for coroutines, started on demand
        self._writer_turn = threading.Event()
        self._writer_started = threading.Lock()
        self._writer_idle_s = writer_idle_s

    @property
    def pending(self) -> int:
        """Units waiting for a batch (not counting the batch being committed)."""
        with self._mutex:
            return len(self._queue)

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run `work(conn)` inside a write transaction shared with concurrent units; return
        its result once that transaction committed, or raise its error."""
        done = threading.Event()
        unit: _Unit[T] = _Unit(work, done=done)
        lead = self._enqueue(unit)
        while True:
            if not lead:
                done.wait()
                if unit.lead:  # promoted: its unit is still queued, at the head
                    unit.lead = False
                    done.clear()
                    lead = True
                    continue
                if unit.error is not None:
                    raise unit.error
                return unit.result  # type: ignore[return-value]
            self._lead()
            lead = False

    async def run_async(self, work: Callable[[Connection], T]) -> T:
        """`run` for a coroutine: the unit is queued from the event loop and led by the writer
        thread (or by a thread already leading), the coroutine resumed after the commit."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if self._enqueue(_Unit(work, future=future)):
            self._wake_writer()
        return await future

    def _enqueue(self, unit: _Unit[Any]) -> bool:
        """Queue `unit`; True when no batch was running, so its caller must see it led."""
        with self._mutex:
            self._queue.append(unit)
            lead = not self._leading
            self._leading = True
        return lead

    def _wake_writer(self) -> None:
        with self._writer_started:  # once per batch: a turn is never given to a leaving writer
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, daemon=True,
                                                name="specfirst-group-commit")
                self._writer.start()
            self._writer_turn.set()

    def _write(self) -> None:
        """The writer thread: leads a batch each time leadership passes to a coroutine's unit;
        leaves after `writer_idle_s` without one (the next such unit starts another)."""
        while True:
            if not self._writer_turn.wait(self._writer_idle_s):
                with self._writer_started:
                    if not self._writer_turn.is_set():
                        self._writer = None
                        return
            self._writer_turn.clear()
            try:
                self._lead()
            except BaseException:  # noqa: BLE001 - told to the batch's callers; keep leading
                log.exception("a grouped write failed")

    def _lead(self) -> None:
        with self._mutex:
            batch = [self._queue.popleft()
                     for _ in range(min(self._max_batch, len(self._queue)))]
        try:
            self._commit(batch)
        finally:
            writer_leads = False
            with self._mutex:
                if self._queue:
                    successor = self._queue[0]
                    if successor.done is not None:
                        successor.lead = True
                        successor.done.set()
                    else:
                        writer_leads = True
                else:
                    self._leading = False
            if writer_leads:
                self._wake_writer()
            resumed: dict[asyncio.AbstractEventLoop, list[_Unit[Any]]] = {}
            for unit in batch:
                if unit.done is not None:
                    unit.done.set()
                elif unit.future is not None:
                    resumed.setdefault(unit.future.get_loop(), []).append(unit)
            for loop, units in resumed.items():
                try:
                    loop.call_soon_threadsafe(_settle, units)
                except RuntimeError:  # the loop is closed: nobody is waiting any more
                    pass

    def _commit(self, batch: list[_Unit[Any]]) -> None:
        try:
            with self._transaction() as conn:
                if len(batch) == 1:  # alone: its error rolls the whole transaction back
                    only = batch[0]
                    only.result = only.context.run(only.work, conn)
                    return
                for unit in batch:
                    # plain statements on the driver: SQLAlchemy's nested-transaction objects
                    # cost more than the unit's own INSERT, and nothing else on this
                    # connection nests
                    run_sql(conn, _SAVEPOINT)
                    try:
                        unit.result = unit.context.run(unit.work, conn)
                    except Exception as exc:  # noqa: BLE001 - the unit's own error, for its caller
                        run_sql(conn, _ROLLBACK_TO)
                        unit.error = exc
                    run_sql(conn, _RELEASE)
        except BaseException as exc:  # a lone unit's error, or BEGIN / COMMIT failed: all units
            for unit in batch:
                unit.result, unit.error = None, exc
            if not isinstance(exc, Exception):
                raise
