"""The delivery worker: sends the webhook outbox, at least once, with backoff and leases.

Each server process runs one worker (an asyncio task). A round:

1. **claim** (one write transaction): pick due `pending` deliveries whose lease is free and
   stamp them with this worker's id and a lease deadline. On PostgreSQL the pick is
   `FOR UPDATE SKIP LOCKED`, on SQLite the transaction is `BEGIN IMMEDIATE`; either way two
   workers never hold the same delivery, so nothing is sent twice while a lease runs.
2. **send** each one (httpx through `server.crm.ssrf`'s guarded transport: the target is resolved
   and checked again, the connection goes to the checked address, redirects are not followed),
   signed the Standard Webhooks way, with a short timeout.
3. **record** the outcome (one write transaction, only if this worker still holds the lease):
   2xx → `succeeded`; 410 → `failed` and the subscription is paused; anything else → retried
   after an exponential delay with jitter, until the attempts run out (`failed`).

A process killed between 1 and 3 leaves a leased row behind; when the lease expires another
worker (or the restarted one) sends it again: at-least-once, never lost. Receivers deduplicate
on `webhook-id`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import httpx
import sqlalchemy as sa
from specfirst.server.crm.migrations.m0002_sync import webhook_deliveries, webhooks
from specfirst.server.crm.ssrf import (
    Resolver,
    TargetRefused,
    Unresolvable,
    check_url,
    guarded_client,
)
from specfirst.server.crm.webhooks.signing import signed_headers
from specfirst.server.db import Database
from specfirst.server.timeutil import format_ts, now_iso

logger = logging.getLogger(__name__)

TEST_EVENT = "webhook.test"
PRUNE_INTERVAL_S = 3600.0
ERROR_PAUSE_MAX_S = 30.0  # longest pause after repeated failures (database down, ...)


def _env_float(environ: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        from specfirst.generator.errors import ConfigError

        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value < minimum:
        from specfirst.generator.errors import ConfigError

        raise ConfigError(f"{name} must be at least {minimum}")
    return value


@dataclass(frozen=True)
class DeliveryConfig:
    """How the worker sends; every field has a `SPECFIRST_SERVER_WEBHOOK_*` variable."""

    timeout_s: float = 10.0  # SPECFIRST_SERVER_WEBHOOK_TIMEOUT
    base_delay_s: float = 5.0  # SPECFIRST_SERVER_WEBHOOK_RETRY_BASE
    max_delay_s: float = 6 * 3600.0  # SPECFIRST_SERVER_WEBHOOK_RETRY_MAX
    max_attempts: int = 24  # SPECFIRST_SERVER_WEBHOOK_MAX_ATTEMPTS (about 3 days)
    poll_interval_s: float = 1.0  # SPECFIRST_SERVER_WEBHOOK_POLL_INTERVAL
    lease_s: float = 60.0  # SPECFIRST_SERVER_WEBHOOK_LEASE
    batch_size: int = 20
    retention_days: float = 30.0  # SPECFIRST_SERVER_WEBHOOK_RETENTION_DAYS
    allow_loopback: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, allow_loopback: bool = False
                 ) -> DeliveryConfig:
        prefix = "SPECFIRST_SERVER_WEBHOOK_"
        timeout = _env_float(environ, prefix + "TIMEOUT", cls.timeout_s, 0.1)
        return cls(
            timeout_s=timeout,
            base_delay_s=_env_float(environ, prefix + "RETRY_BASE", cls.base_delay_s, 0.0),
            max_delay_s=_env_float(environ, prefix + "RETRY_MAX", cls.max_delay_s, 0.0),
            max_attempts=int(_env_float(environ, prefix + "MAX_ATTEMPTS", cls.max_attempts, 1)),
            poll_interval_s=_env_float(environ, prefix + "POLL_INTERVAL", cls.poll_interval_s,
                                       0.01),
            lease_s=max(_env_float(environ, prefix + "LEASE", cls.lease_s, 1.0), timeout + 2),
            retention_days=_env_float(environ, prefix + "RETENTION_DAYS", cls.retention_days,
                                      1.0),
            allow_loopback=allow_loopback,
        )


def backoff_delay(attempts: int, config: DeliveryConfig, rng: random.Random | None = None
                  ) -> float:
    """Seconds before the next attempt after `attempts` failures: exponential, capped, with
    "equal jitter" (half fixed, half random) so retries of many deliveries spread out."""
    exponent = min(max(attempts - 1, 0), 40)
    delay = min(config.max_delay_s, config.base_delay_s * (2 ** exponent))
    return float(delay / 2 + (rng or random).uniform(0, delay / 2))


@dataclass(frozen=True)
class Claimed:
    id: str
    webhook_id: str
    tenant_id: str
    event_type: str
    payload: str
    attempts: int
    url: str
    secret: str


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str | None
    permanent: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class DeliveryWorker:
    """Claims, sends and records webhook deliveries of one database."""

    def __init__(self, db: Database, config: DeliveryConfig, *, worker_id: str | None = None,
                 resolver: Resolver | None = None) -> None:
        self.db = db
        self.config = config
        self.worker_id = worker_id or f"{socket.gethostname()[:30]}:{uuid.uuid4().hex[:12]}"
        self.resolver = resolver
        self._rng = random.Random()

    # -- claim ---------------------------------------------------------------------------
    def claim(self, now: float | None = None) -> list[Claimed]:
        now = time.time() if now is None else now
        d, w = webhook_deliveries, webhooks
        query = (
            sa.select(d.c.id, d.c.webhook_id, d.c.tenant_id, d.c.event_type, d.c.payload,
                      d.c.attempts, w.c.url, w.c.secret)
            .join(w, w.c.id == d.c.webhook_id)
            .where(
                d.c.status == "pending",
                d.c.due_at <= now,
                sa.or_(d.c.lease_until.is_(None), d.c.lease_until < now),
                sa.or_(w.c.active.is_(True), d.c.event_type == TEST_EVENT),
            )
            .order_by(d.c.due_at, d.c.id)
            .limit(self.config.batch_size)
        )
        with self.db.write() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(of=d, skip_locked=True)
            rows = conn.execute(query).all()
            if not rows:
                return []
            conn.execute(
                d.update()
                .where(d.c.id.in_([row.id for row in rows]))
                .values(lease_owner=self.worker_id, lease_until=now + self.config.lease_s)
            )
        return [Claimed(row.id, row.webhook_id, row.tenant_id, row.event_type, row.payload,
                        int(row.attempts), row.url, row.secret) for row in rows]

    # -- send ----------------------------------------------------------------------------
    async def send(self, client: httpx.AsyncClient, item: Claimed) -> Outcome:
        body = item.payload.encode()
        headers = signed_headers(item.secret, item.id, body)
        headers["content-type"] = "application/json"
        try:
            check_url(item.url, allow_loopback=self.config.allow_loopback)
            # The whole attempt, not only each read, ends within the timeout (a receiver
            # dripping its headers byte by byte resets httpx's read timeout every time), so
            # an attempt always ends well inside the lease and no other worker sends it too.
            async with asyncio.timeout(self.config.timeout_s), client.stream(
                    "POST", item.url, content=body, headers=headers) as resp:
                status = resp.status_code
        except Unresolvable as exc:  # may resolve later: retried like a network error
            return Outcome(None, f"target not reachable: {exc}")
        except TargetRefused as exc:
            return Outcome(None, f"refused target: {exc}", permanent=True)
        except (httpx.TimeoutException, TimeoutError):
            return Outcome(None, f"no answer within {self.config.timeout_s:g} s")
        except httpx.HTTPError as exc:
            return Outcome(None, f"request failed: {type(exc).__name__}: {exc}"[:1000])
        if 200 <= status < 300:
            return Outcome(status, None)
        if 300 <= status < 400:
            return Outcome(status, f"redirect not followed (HTTP {status})")
        if status == 410:
            return Outcome(status, "the endpoint answered 410 Gone: subscription paused",
                           permanent=True)
        return Outcome(status, f"the endpoint answered HTTP {status}")

    # -- record --------------------------------------------------------------------------
    def record(self, item: Claimed, outcome: Outcome, now: float | None = None) -> str:
        """Store the outcome of one attempt; returns the new status."""
        now = time.time() if now is None else now
        stamp = format_ts_epoch(now)
        attempts = item.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "response_status": outcome.status,
            "error": outcome.error[:1000] if outcome.error else None,
            "last_attempt_at": stamp,
            "updated_at": stamp,
            "lease_owner": None,
            "lease_until": None,
        }
        if outcome.ok:
            values.update(status="succeeded", next_attempt_at=None)
        elif outcome.permanent or attempts >= self.config.max_attempts:
            values.update(status="failed", next_attempt_at=None)
        else:
            due = now + backoff_delay(attempts, self.config, self._rng)
            values.update(status="pending", due_at=due, next_attempt_at=format_ts_epoch(due))
        d = webhook_deliveries
        with self.db.write() as conn:
            result = conn.execute(
                d.update().where(d.c.id == item.id, d.c.lease_owner == self.worker_id)
                .values(**values)
            )
            if result.rowcount != 1:
                logger.info("delivery %s: lease lost before the outcome was stored", item.id)
            if outcome.status == 410:
                conn.execute(
                    webhooks.update()
                    .where(webhooks.c.id == item.webhook_id, webhooks.c.active.is_(True))
                    .values(active=False, disabled_reason="410 Gone", updated_at=now_iso(),
                            version=webhooks.c.version + 1)
                )
        return str(values["status"])

    # -- housekeeping --------------------------------------------------------------------
    def prune(self, now: float | None = None, batch: int = 1000) -> int:
        """Delete finished deliveries (succeeded or failed) older than the retention period;
        pending ones are never pruned. Returns how many rows went."""
        now = time.time() if now is None else now
        cutoff = format_ts_epoch(now - self.config.retention_days * 86400)
        d = webhook_deliveries
        with self.db.write() as conn:
            ids = conn.execute(
                sa.select(d.c.id)
                .where(d.c.status.in_(("succeeded", "failed")), d.c.updated_at < cutoff)
                .limit(batch)
            ).scalars().all()
            if ids:
                conn.execute(d.delete().where(d.c.id.in_(ids)))
        return len(ids)

    # -- loop ----------------------------------------------------------------------------
    async def run_once(self, client: httpx.AsyncClient) -> int:
        """One round: claim a batch, send it concurrently, record. Returns deliveries tried."""
        claimed = await anyio.to_thread.run_sync(self.claim)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self.send(client, item) for item in claimed))
        for item, outcome in zip(claimed, outcomes, strict=True):
            status = await anyio.to_thread.run_sync(self.record, item, outcome)
            logger.info("webhook delivery %s (%s) attempt %d: %s%s", item.id, item.event_type,
                        item.attempts + 1, status,
                        f" ({outcome.error})" if outcome.error else "")
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; errors are logged and the loop goes on."""
        next_prune = time.monotonic() + 60
        failures = 0
        async with guarded_client(timeout=self.config.timeout_s,
                                  allow_loopback=self.config.allow_loopback,
                                  resolver=self.resolver) as client:
            while not stop.is_set():
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_INTERVAL_S
                    try:
                        await anyio.to_thread.run_sync(self.prune)
                    except Exception:  # noqa: BLE001 - housekeeping must not stop deliveries
                        logger.exception("pruning old webhook deliveries failed")
                pause = self.config.poll_interval_s
                try:
                    done = await self.run_once(client)
                    failures = 0
                except Exception:  # noqa: BLE001 - a broken round must not kill the worker
                    failures += 1
                    logger.exception("webhook delivery round failed (%d in a row)", failures)
                    done = 0
                    pause = min(ERROR_PAUSE_MAX_S, pause * 2 ** min(failures, 10))
                if done:
                    continue
                try:
                    await asyncio.wait_for(stop.wait(), timeout=pause)
                except TimeoutError:
                    pass


def format_ts_epoch(seconds: float) -> str:
    import datetime as dt

    return format_ts(dt.datetime.fromtimestamp(seconds, dt.UTC))
