"""Import jobs: stored on creation, run in the background chunk by chunk, resumable.

A job row holds its records (JSON) and its progress. The runner claims a job with a lease and
processes its rows in chunks. Each chunk is ONE write transaction that (1) re-checks that this
runner still holds the job at the expected position, (2) applies the rows through the resource
layer (`server.crm.resources.insert_record` / `apply_update`, so validation, references, the change
feed and webhook events are exactly those of the API), each row inside a savepoint so a bad row
is reported without undoing the others, and (3) stores the new position, counters and row
errors. A crash loses at most the chunk in flight, which rolled back as a whole; the next
runner resumes at the stored position. Nothing is ever half-applied silently.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa
from connexion.exceptions import ProblemException
from specfirst.server.context import Caller
from specfirst.server.crm.events import emit_event, lock_feed
from specfirst.server.crm.jobs.rows import RowError, RowValidator
from specfirst.server.crm.migrations.m0002_sync import import_jobs
from specfirst.server.db import Database
from specfirst.server.timeutil import now_iso
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

logger = logging.getLogger(__name__)

MAX_RECORDS = 10_000
MAX_ERRORS = 1_000
CHUNK_SIZE = 100
OBJECT_TYPES = ("customers", "companies", "deals")


def job_view(row: Any) -> dict[str, Any]:
    data = row._mapping if hasattr(row, "_mapping") else row
    return {
        "id": data["id"],
        "object_type": data["object_type"],
        "status": data["status"],
        "on_conflict": data["on_conflict"],
        "counts": {name: int(data[name]) for name in
                   ("total", "processed", "created", "updated", "skipped", "failed")},
        "errors": orjson.loads(data["errors"]),
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
        "completed_at": data["completed_at"],
    }


def create_job(conn: Connection, who: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    """Store a queued job (inside the caller's transaction); returns its view."""
    records = list(body["records"])
    if not 1 <= len(records) <= MAX_RECORDS:
        raise ValueError(f"an import holds 1 to {MAX_RECORDS} records")
    if body["object_type"] not in OBJECT_TYPES:
        raise ValueError("unknown object type")
    stamp = now_iso()
    row = {
        "id": str(uuid.uuid4()),
        "tenant_id": who.tenant_id,
        "token_id": who.token_id,
        "object_type": body["object_type"],
        "on_conflict": body.get("on_conflict") or "fail",
        "status": "queued",
        "records": orjson.dumps(records).decode(),
        "total": len(records),
        "processed": 0, "created": 0, "updated": 0, "skipped": 0, "failed": 0,
        "errors": "[]",
        "failure": None,
        "created_at": stamp,
        "updated_at": stamp,
        "completed_at": None,
        "version": 1,
        "lease_owner": None,
        "lease_until": None,
    }
    conn.execute(import_jobs.insert().values(**row))
    return job_view(row)


@dataclass
class _Progress:
    processed: int
    created: int
    updated: int
    skipped: int
    failed: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add_error(self, error: RowError) -> None:
        self.failed += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error.as_dict())


class ImportRunner:
    """Claims import jobs and runs them chunk by chunk."""

    def __init__(self, db: Database, *, worker_id: str | None = None, lease_s: float = 60.0,
                 chunk_size: int = CHUNK_SIZE, chunk_pause_s: float = 0.0,
                 stop: threading.Event | None = None) -> None:
        self.db = db
        self.stop = stop or threading.Event()
        self.worker_id = worker_id or f"imports:{uuid.uuid4().hex[:12]}"
        self.lease_s = lease_s
        self.chunk_size = chunk_size
        self.chunk_pause_s = chunk_pause_s  # lets other writers in between chunks

    def claim(self, now: float | None = None) -> Any | None:
        """Take the oldest job that is queued, or running with an expired lease (a runner
        died): returns its row, leased to this runner, or None."""
        now = time.time() if now is None else now
        j = import_jobs
        query = (
            sa.select(j)
            .where(j.c.status.in_(("queued", "running")),
                   sa.or_(j.c.lease_until.is_(None), j.c.lease_until < now))
            .order_by(j.c.created_at, j.c.id)
            .limit(1)
        )
        with self.db.write() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = conn.execute(query).first()
            if row is None:
                return None
            conn.execute(j.update().where(j.c.id == row.id).values(
                status="running", lease_owner=self.worker_id, lease_until=now + self.lease_s,
                updated_at=now_iso(), version=j.c.version + 1))
            if row.processed:
                logger.info("import %s resumes at row %d of %d", row.id, row.processed,
                            row.total)
            return conn.execute(sa.select(j).where(j.c.id == row.id)).first()

    def run_job(self, job: Any) -> str:
        """Process a claimed job to its end (or until the lease is lost); returns its status."""
        try:
            records = orjson.loads(job.records)
        except orjson.JSONDecodeError:
            return self._fail(job.id, "the stored records cannot be read")
        validator = RowValidator(job.object_type, job.on_conflict)
        who = Caller(tenant_id=job.tenant_id, token_id=job.token_id or "", scopes=frozenset())
        progress = _Progress(job.processed, job.created, job.updated, job.skipped, job.failed,
                             list(orjson.loads(job.errors)))
        while progress.processed < len(records):
            start = progress.processed
            if self.stop.is_set():
                self._release(job.id)
                return "running"
            chunk = records[start:start + self.chunk_size]
            try:
                if not self._apply_chunk(job, who, validator, start, chunk, progress):
                    logger.warning("import %s: lease lost at row %d; another runner has it",
                                   job.id, start)
                    return "running"
            except Exception:  # noqa: BLE001 - the job fails, the server goes on
                logger.exception("import %s failed at row %d", job.id, start)
                return self._fail(job.id, "the import stopped here: internal error", row=start)
            if self.chunk_pause_s:
                time.sleep(self.chunk_pause_s)
        return self._complete(job)

    def _apply_chunk(self, job: Any, who: Caller, validator: RowValidator, start: int,
                     chunk: Sequence[Any], progress: _Progress) -> bool:
        j = import_jobs
        snapshot = _Progress(progress.processed, progress.created, progress.updated,
                             progress.skipped, progress.failed, list(progress.errors))
        with self.db.write() as conn:
            held = conn.execute(
                j.update()
                .where(j.c.id == job.id, j.c.lease_owner == self.worker_id,
                       j.c.processed == start, j.c.status == "running")
                .values(lease_until=time.time() + self.lease_s)
            ).rowcount
            if held != 1:
                return False
            # Take the tenant's feed lock before any row lock (PostgreSQL), so the rows'
            # record_change calls cannot deadlock against another writer of the tenant.
            lock_feed(conn, job.tenant_id)
            for offset, record in enumerate(chunk):
                outcome = self._apply_row(conn, who, validator, start + offset, record)
                if isinstance(outcome, RowError):
                    snapshot.add_error(outcome)
                else:
                    setattr(snapshot, outcome, getattr(snapshot, outcome) + 1)
            snapshot.processed = start + len(chunk)
            conn.execute(j.update().where(j.c.id == job.id).values(
                processed=snapshot.processed, created=snapshot.created,
                updated=snapshot.updated, skipped=snapshot.skipped, failed=snapshot.failed,
                errors=orjson.dumps(snapshot.errors).decode(), updated_at=now_iso(),
                version=j.c.version + 1))
        progress.__dict__.update(snapshot.__dict__)
        return True

    def _apply_row(self, conn: Connection, who: Caller, validator: RowValidator, index: int,
                   record: Any) -> str | RowError:
        """One row in a savepoint: 'created' | 'updated' | 'skipped', or the row's error."""
        savepoint = conn.begin_nested()
        try:
            outcome = validator.apply(conn, who, index, record)
        except RowError as error:
            savepoint.rollback()
            return error
        except ProblemException as problem:
            savepoint.rollback()
            return RowError.from_problem(index, problem)
        except (IntegrityError, DBAPIError) as exc:
            savepoint.rollback()
            logger.info("import row %d refused by the database: %s", index,
                        type(exc.orig).__name__ if hasattr(exc, "orig") else type(exc).__name__)
            return RowError(index, "", "the row conflicts with existing data")
        savepoint.commit()
        return outcome

    def _complete(self, job: Any) -> str:
        j = import_jobs
        with self.db.write() as conn:
            done = conn.execute(
                j.update()
                .where(j.c.id == job.id, j.c.lease_owner == self.worker_id,
                       j.c.status == "running")
                .values(status="completed", completed_at=now_iso(), updated_at=now_iso(),
                        records="[]", lease_owner=None, lease_until=None,
                        version=j.c.version + 1)
            ).rowcount
            if done != 1:
                return "running"
            row = conn.execute(sa.select(j).where(j.c.id == job.id)).first()
            emit_event(conn, tenant_id=job.tenant_id, event_type="import.completed",
                       data=job_view(row))
        logger.info("import %s completed", job.id)
        return "completed"

    def _release(self, job_id: str) -> None:
        """Give a job back (graceful shutdown): the next runner resumes it at once."""
        j = import_jobs
        with self.db.write() as conn:
            conn.execute(j.update().where(j.c.id == job_id, j.c.lease_owner == self.worker_id)
                         .values(lease_owner=None, lease_until=None))

    def _fail(self, job_id: str, reason: str, row: int | None = None) -> str:
        """Mark a job failed, if this runner still holds it (else another runner that took
        over an expired lease goes on with it); rows already applied stay applied and
        counted."""
        j = import_jobs
        held = (j.c.id == job_id, j.c.lease_owner == self.worker_id, j.c.status == "running")
        with self.db.write() as conn:
            current = conn.execute(sa.select(j.c.errors).where(*held)).first()
            if current is None:
                return "running"
            errors = orjson.loads(current.errors or "[]")
            if row is not None and len(errors) < MAX_ERRORS:
                errors.append({"row": row, "message": reason[:1000]})
            failed = conn.execute(j.update().where(*held).values(
                status="failed", failure=reason[:1000], completed_at=now_iso(),
                errors=orjson.dumps(errors).decode(),
                updated_at=now_iso(), lease_owner=None, lease_until=None,
                version=j.c.version + 1)).rowcount
        return "failed" if failed == 1 else "running"

    def run_once(self) -> bool:
        """Claim one job and run it; False when there was nothing to do."""
        job = self.claim()
        if job is None:
            return False
        self.run_job(job)
        return True
