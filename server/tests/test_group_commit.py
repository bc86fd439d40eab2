"""Group commit of concurrent writes: every unit committed and acknowledged only after its
commit, one failing unit isolated from the rest of its batch, a failed commit failing them all."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from specfirst.server.db import Database
from specfirst.server.tests.conftest import BACKENDS, Tenant
from specfirst.server.tests.live import LiveServer
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

UNITS = 24
DEADLINE_S = 30.0


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{(tmp_path / 'g.db').as_posix()}")
    with database.write() as conn:
        conn.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, owner TEXT NOT NULL)"))
        conn.execute(text("CREATE TABLE child (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL"
                          " REFERENCES item (id) DEFERRABLE INITIALLY DEFERRED)"))
    yield database
    database.dispose()


def _visible(db: Database, sql: str, **params: Any) -> int:
    with db.read() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def _batch_behind_a_held_leader(db: Database, works: list[Callable[[Connection], Any]]
                                ) -> list[tuple[str, Any]]:
    """Run `works` concurrently so that they all form one batch: a first unit holds the write
    turn until every one of them is queued. Returns ("ok", result) or ("error", exc) each."""
    release = threading.Event()

    def holder(conn: Connection) -> None:
        release.wait(DEADLINE_S)

    outcomes: list[tuple[str, Any]] = [("none", None)] * len(works)

    def submit(index: int) -> None:
        try:
            outcomes[index] = ("ok", db.write_grouped(works[index]))
        except Exception as exc:  # noqa: BLE001 - what the caller of that unit gets
            outcomes[index] = ("error", exc)

    with ThreadPoolExecutor(len(works) + 1) as pool:
        first = pool.submit(db.write_grouped, holder)
        _wait_until(lambda: db._group.pending == 0)  # noqa: SLF001 - the holder leads
        for index in range(len(works)):
            pool.submit(submit, index)
        _wait_until(lambda: db._group.pending == len(works))  # noqa: SLF001
        release.set()
        first.result(DEADLINE_S)
    return outcomes


def _noting_visibility(db: Database, seen: list[int]) -> Callable[[int], Callable[[Connection],
                                                                            int]]:
    """Units inserting item `n` that note whether another connection sees it meanwhile."""
    def insert(n: int) -> Callable[[Connection], int]:
        def work(conn: Connection) -> int:
            conn.execute(text("INSERT INTO item (id, owner) VALUES (:id, 'w')"), {"id": n})
            # another connection does not see it yet: not committed while the unit runs
            seen.append(_visible(db, "SELECT count(*) FROM item WHERE id = :id", id=n))
            return n
        return work
    return insert


def test_concurrent_units_are_committed_together_and_acknowledged_after_the_commit(
        db: Database) -> None:
    seen_before_commit: list[int] = []
    insert = _noting_visibility(db, seen_before_commit)
    outcomes = _batch_behind_a_held_leader(db, [insert(n) for n in range(UNITS)])
    assert outcomes == [("ok", n) for n in range(UNITS)]
    assert seen_before_commit == [0] * UNITS
    assert _visible(db, "SELECT count(*) FROM item") == UNITS


def test_a_failing_unit_leaves_the_rest_of_its_batch_committed(db: Database) -> None:
    with db.write() as conn:
        conn.execute(text("INSERT INTO item (id, owner) VALUES (1000, 'taken')"))

    def insert(n: int) -> Callable[[Connection], int]:
        def work(conn: Connection) -> int:
            conn.execute(text("INSERT INTO item (id, owner) VALUES (:id, 'w')"), {"id": n})
            if n == 5:  # a write, then a constraint error: the write must vanish too
                conn.execute(text("INSERT INTO item (id, owner) VALUES (1000, 'dup')"))
            if n == 9:
                raise LookupError("the handler refused")
            return n
        return work

    outcomes = _batch_behind_a_held_leader(db, [insert(n) for n in range(UNITS)])
    assert outcomes[5][0] == "error" and isinstance(outcomes[5][1], IntegrityError)
    assert outcomes[9][0] == "error" and isinstance(outcomes[9][1], LookupError)
    assert [o for i, o in enumerate(outcomes) if i not in (5, 9)] == [
        ("ok", n) for n in range(UNITS) if n not in (5, 9)]
    ids = {row for row in _rows(db, "SELECT id FROM item")}
    assert ids == {1000, *(n for n in range(UNITS) if n not in (5, 9))}


def test_a_failed_commit_fails_every_unit_of_the_batch_and_keeps_none(db: Database) -> None:
    def insert(n: int) -> Callable[[Connection], int]:
        def work(conn: Connection) -> int:
            conn.execute(text("INSERT INTO item (id, owner) VALUES (:id, 'w')"), {"id": n})
            if n == 3:  # a deferred foreign key: accepted now, refused by the COMMIT
                conn.execute(text("INSERT INTO child (id, item_id) VALUES (1, 999999)"))
            return n
        return work

    outcomes = _batch_behind_a_held_leader(db, [insert(n) for n in range(UNITS)])
    assert all(kind == "error" and isinstance(exc, IntegrityError) for kind, exc in outcomes)
    assert _visible(db, "SELECT count(*) FROM item") == 0
    assert _visible(db, "SELECT count(*) FROM child") == 0
    # the next batch commits normally
    assert db.write_grouped(insert(100)) == 100
    assert _rows(db, "SELECT id FROM item") == [100]


def test_a_lone_unit_is_its_own_transaction(db: Database) -> None:
    with pytest.raises(LookupError):
        def fail(conn: Connection) -> None:
            conn.execute(text("INSERT INTO item (id, owner) VALUES (1, 'x')"))
            raise LookupError("no")
        db.write_grouped(fail)
    assert _visible(db, "SELECT count(*) FROM item") == 0
    assert db.write_grouped(lambda conn: conn.execute(
        text("INSERT INTO item (id, owner) VALUES (2, 'y')")).rowcount) == 1


@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_grouped_writes_on_either_backend_commit_or_vanish_alone(backend_url: str) -> None:
    """On SQLite concurrent units share a transaction, on PostgreSQL each has its own: either
    way every unit that returned is committed and a unit that raised left nothing."""
    database = Database.from_url(backend_url)
    try:
        with database.write() as conn:
            conn.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, owner TEXT NOT NULL)"))

        def insert(n: int) -> int:
            def work(conn: Connection) -> int:
                conn.execute(text("INSERT INTO item (id, owner) VALUES (:id, 'w')"), {"id": n})
                if n % 5 == 0:
                    raise LookupError(n)
                return n
            try:
                return database.write_grouped(work)
            except LookupError:
                return -n

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(insert, range(1, 41)))
        assert results == [-n if n % 5 == 0 else n for n in range(1, 41)]
        assert sorted(_rows(database, "SELECT id FROM item")) == [
            n for n in range(1, 41) if n % 5]
    finally:
        database.dispose()


def _rows(db: Database, sql: str) -> list[Any]:
    with db.read() as conn:
        return [row[0] for row in conn.execute(text(sql))]


def test_concurrent_creates_all_committed_visible_and_in_the_feed_with_failures_isolated(
        live_server: LiveServer, tenant: Tenant) -> None:
    """40 concurrent creates of one tenant: plain ones answered 201 and readable, each with
    one `created` change; those naming a company that does not exist answered 422; pairs
    sending one Idempotency-Key with two bodies: one 201, the other 422. Nothing of a 422 is
    left behind."""
    run = uuid.uuid4().hex[:8]
    missing_company = str(uuid.uuid4())
    plans: list[tuple[str, dict[str, Any], dict[str, str]]] = []
    for n in range(40):
        body: dict[str, Any] = {"name": f"gc-{run}-{n}"}
        if n % 8 == 3:
            plans.append(("bad-ref", {**body, "company_id": missing_company}, {}))
        elif n % 8 in (4, 5):
            plans.append(("keyed", body, {"Idempotency-Key": f"{run}-{n // 8}"}))
        else:
            plans.append(("plain", body, {}))
    limits = httpx.Limits(max_connections=40)
    with httpx.Client(base_url=live_server.url, headers=tenant.headers, timeout=60,
                      limits=limits) as http:
        def create(plan: tuple[str, dict[str, Any], dict[str, str]]) -> httpx.Response:
            return http.post("/api/v1/customers", json=plan[1], headers=plan[2])

        with ThreadPoolExecutor(40) as pool:
            responses = list(pool.map(create, plans))
        made: dict[str, dict[str, Any]] = {}
        keyed: dict[str, list[int]] = {}
        for (kind, body, headers), response in zip(plans, responses, strict=True):
            if kind == "bad-ref":
                assert response.status_code == 422, response.text
                continue
            if kind == "keyed":
                keyed.setdefault(headers["Idempotency-Key"], []).append(response.status_code)
                if response.status_code == 422:
                    assert response.json()["code"] == "idempotency_key_reused"
                    continue
            assert response.status_code == 201, response.text
            record = response.json()
            assert record["name"] == body["name"]
            made[record["id"]] = record
        assert all(sorted(statuses) == [201, 422] for statuses in keyed.values()), keyed
        assert len(made) == 40 - 5 - 5
        for record_id, record in made.items():
            got = http.get(f"/api/v1/customers/{record_id}")
            assert got.status_code == 200 and got.json() == record
        feed: list[dict[str, Any]] = []
        page = http.get("/api/v1/changes", params={"limit": 100}).json()
        feed.extend(page["data"])
        while page.get("next_cursor"):
            page = http.get("/api/v1/changes", params={"cursor": page["next_cursor"],
                                                        "limit": 100}).json()
            feed.extend(page["data"])
    created = [c for c in feed if c["object_type"] == "customers" and c["action"] == "created"]
    assert sorted(c["object_id"] for c in created) == sorted(made)


def _in_a_loop(db: Database, works: list[Callable[[Connection], Any]],
               on_queued: Callable[[], None] | None = None, queued: int | None = None
               ) -> list[tuple[str, Any]]:
    """Await `db.write_grouped_async(work)` for every work concurrently on one event loop (in
    this thread); `on_queued` runs once `queued` units (default: these) are queued."""
    expected = len(works) if queued is None else queued

    async def one(work: Callable[[Connection], Any]) -> tuple[str, Any]:
        try:
            return ("ok", await db.write_grouped_async(work))
        except Exception as exc:  # noqa: BLE001 - what the coroutine of that unit gets
            return ("error", exc)

    async def main() -> list[tuple[str, Any]]:
        tasks = [asyncio.ensure_future(one(work)) for work in works]
        if on_queued is not None:
            while db._group.pending < expected:  # noqa: SLF001
                await asyncio.sleep(0.005)
            on_queued()
        return list(await asyncio.gather(*tasks))

    return asyncio.run(main())


def test_units_of_coroutines_and_threads_share_a_batch_and_resume_after_its_commit(
        db: Database) -> None:
    """Coroutines queue their units from the event loop beside units of threads; the batch
    holds them all, and every caller sees its result only once the batch committed."""
    seen_before_commit: list[int] = []
    insert = _noting_visibility(db, seen_before_commit)
    release = threading.Event()
    with ThreadPoolExecutor(UNITS + 1) as pool:
        holder = pool.submit(db.write_grouped, lambda conn: release.wait(DEADLINE_S))
        _wait_until(lambda: db._group.pending == 0)  # noqa: SLF001 - the holder leads
        threads = [pool.submit(db.write_grouped, insert(n)) for n in range(UNITS // 2)]
        _wait_until(lambda: db._group.pending == UNITS // 2)  # noqa: SLF001
        outcomes = _in_a_loop(db, [insert(n) for n in range(UNITS // 2, UNITS)],
                              on_queued=lambda: _release_when(db, UNITS, release), queued=UNITS)
        assert holder.result(DEADLINE_S) is True
        assert [f.result(DEADLINE_S) for f in threads] == list(range(UNITS // 2))
    assert outcomes == [("ok", n) for n in range(UNITS // 2, UNITS)]
    assert seen_before_commit == [0] * UNITS
    assert _visible(db, "SELECT count(*) FROM item") == UNITS


def _release_when(db: Database, queued: int, release: threading.Event) -> None:
    assert db._group.pending == queued  # noqa: SLF001 - all of them wait for one batch
    release.set()


def test_a_coroutine_unit_is_led_by_the_writer_thread_without_blocking_its_loop(
        db: Database) -> None:
    """With no batch running, a coroutine's unit is run by the writer thread; the event loop
    goes on meanwhile (here: it is what lets the unit finish)."""
    go = threading.Event()
    ran_on: list[str] = []

    def work(conn: Connection) -> str:
        ran_on.append(threading.current_thread().name)
        assert go.wait(DEADLINE_S), "the event loop was blocked while the unit ran"
        conn.execute(text("INSERT INTO item (id, owner) VALUES (1, 'w')"))
        return "done"

    async def main() -> str:
        pending = asyncio.ensure_future(db.write_grouped_async(work))
        while not ran_on:
            await asyncio.sleep(0.005)
        go.set()  # only possible while the loop runs
        return await pending

    assert asyncio.run(main()) == "done"
    assert ran_on == ["specfirst-group-commit"]
    assert _visible(db, "SELECT count(*) FROM item") == 1


def test_a_failing_coroutine_unit_gets_its_error_and_its_batch_commits(db: Database) -> None:
    with db.write() as conn:
        conn.execute(text("INSERT INTO item (id, owner) VALUES (1000, 'taken')"))

    def insert(n: int) -> Callable[[Connection], int]:
        def work(conn: Connection) -> int:
            conn.execute(text("INSERT INTO item (id, owner) VALUES (:id, 'w')"), {"id": n})
            if n == 2:
                conn.execute(text("INSERT INTO item (id, owner) VALUES (1000, 'dup')"))
            if n == 4:
                raise LookupError("the handler refused")
            return n
        return work

    release = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(db.write_grouped, lambda conn: release.wait(DEADLINE_S))
        _wait_until(lambda: db._group.pending == 0)  # noqa: SLF001
        outcomes = _in_a_loop(db, [insert(n) for n in range(8)],
                              on_queued=lambda: _release_when(db, 8, release))
        holder.result(DEADLINE_S)
    assert outcomes[2][0] == "error" and isinstance(outcomes[2][1], IntegrityError)
    assert outcomes[4][0] == "error" and isinstance(outcomes[4][1], LookupError)
    assert [o for i, o in enumerate(outcomes) if i not in (2, 4)] == [
        ("ok", n) for n in range(8) if n not in (2, 4)]
    assert sorted(_rows(db, "SELECT id FROM item")) == [0, 1, 3, 5, 6, 7, 1000]


def test_a_cancelled_coroutine_leaves_its_unit_to_commit_and_the_loop_quiet(
        db: Database) -> None:
    """A client that goes away cancels its request's coroutine, not its queued write: the unit
    commits with its batch, and resuming nobody raises nothing on the loop."""
    release = threading.Event()
    loop_errors: list[dict[str, Any]] = []

    async def main() -> int:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: loop_errors.append(
            ctx))
        gone = asyncio.ensure_future(db.write_grouped_async(lambda conn: conn.execute(
            text("INSERT INTO item (id, owner) VALUES (1, 'gone')")).rowcount))
        stays = asyncio.ensure_future(db.write_grouped_async(lambda conn: conn.execute(
            text("INSERT INTO item (id, owner) VALUES (2, 'stays')")).rowcount))
        while db._group.pending < 2:  # noqa: SLF001
            await asyncio.sleep(0.005)
        gone.cancel()
        release.set()
        result = await stays
        with pytest.raises(asyncio.CancelledError):
            await gone
        # one batch, so one callback settled both: the cancelled one was passed over already
        return result

    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(db.write_grouped, lambda conn: release.wait(DEADLINE_S))
        _wait_until(lambda: db._group.pending == 0)  # noqa: SLF001
        assert asyncio.run(main()) == 1
        holder.result(DEADLINE_S)
    assert sorted(_rows(db, "SELECT id FROM item")) == [1, 2]
    assert loop_errors == []


@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_grouped_writes_of_coroutines_on_either_backend(backend_url: str) -> None:
    """`write_grouped_async` keeps `write_grouped`'s promise on both backends (on PostgreSQL
    each unit is its own transaction, in a worker thread)."""
    database = Database.from_url(backend_url)
    try:
        with database.write() as conn:
            conn.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, owner TEXT NOT NULL)"))

        def insert(n: int) -> Callable[[Connection], int]:
            def work(conn: Connection) -> int:
                conn.execute(text("INSERT INTO item (id, owner) VALUES (:id, 'w')"), {"id": n})
                if n % 5 == 0:
                    raise LookupError(n)
                return n
            return work

        outcomes = _in_a_loop(database, [insert(n) for n in range(1, 41)])
        assert [value if kind == "ok" else -value.args[0] for kind, value in outcomes] == [
            -n if n % 5 == 0 else n for n in range(1, 41)]
        assert sorted(_rows(database, "SELECT id FROM item")) == [
            n for n in range(1, 41) if n % 5]
    finally:
        database.dispose()


def test_an_idle_writer_thread_leaves_and_the_next_coroutine_unit_starts_another(
        db: Database) -> None:
    from specfirst.server.group_commit import GroupCommit

    group = GroupCommit(db.write, writer_idle_s=0.01)
    threads: list[threading.Thread] = []

    def insert(n: int) -> Callable[[Connection], int]:
        def work(conn: Connection) -> int:
            threads.append(threading.current_thread())
            conn.execute(text("INSERT INTO item (id, owner) VALUES (:id, 'w')"), {"id": n})
            return n
        return work

    for n in range(3):
        assert asyncio.run(group.run_async(insert(n))) == n
        threads[-1].join(DEADLINE_S)  # it leaves once idle
        assert not threads[-1].is_alive()
    assert len({id(thread) for thread in threads}) == 3
    assert _rows(db, "SELECT id FROM item ORDER BY id") == [0, 1, 2]
