"""Per-tenant rate limiting with its state in the database, so every worker shares one quota.

A fixed window of `window` seconds allows `limit` requests per tenant. Counting each request
with its own write would serialise every request on SQLite, so a worker *leases* a small batch
of requests from the shared counter in one write (`INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`) and hands them out locally. The batch is 1 when the quota is small (exact), at most
1% of the quota otherwise: across N workers a tenant may be refused at most N batches early,
never allowed more than `limit` in a window.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from specfirst.server.db import Database
from sqlalchemy import text

__all__ = ["Decision", "RateLimitHeaders", "RateLimiter", "decision_of"]

Message = MutableMapping[str, Any]
ASGIApp = Callable[[Message, Callable[[], Awaitable[Message]],
                    Callable[[Message], Awaitable[None]]], Awaitable[None]]

_UPSERT = text(
    "INSERT INTO specfirst_rate_limits (tenant_id, window_start, used) VALUES (:t, :w, :n) "
    "ON CONFLICT (tenant_id, window_start) DO UPDATE "
    "SET used = specfirst_rate_limits.used + excluded.used RETURNING used"
)
_PURGE = text("DELETE FROM specfirst_rate_limits WHERE tenant_id = :t AND window_start < :w")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends
    window: int

    def header_pairs(self) -> list[tuple[bytes, bytes]]:
        """`headers()` as ASGI header pairs."""
        return [(name.lower().encode(), value.encode()) for name, value in self.headers().items()]

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit": f'"default";r={self.remaining};t={self.reset}',
            "RateLimit-Policy": f'"default";q={self.limit};w={self.window}',
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, self.reset))
        return headers


@dataclass
class _Lease:
    window_start: int
    left: int
    used_estimate: int


class RateLimiter:
    def __init__(self, db: Database, limit: int, window: int):
        self.db = db
        self.limit = limit
        self.window = window
        self.batch = max(1, min(1000, limit // 100))
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()
        # One refill at a time: threads that find the lease used up together would otherwise
        # each take a batch from the shared counter and keep only the last, burning the quota.
        self._refill = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def acquire_local(self, tenant_id: str) -> Decision | None:
        """A request from this process's lease without touching the database; None when the
        lease is used up (then `acquire`, which may write, decides)."""
        now = time.time()
        window_start = int(now // self.window) * self.window
        return self._take_local(tenant_id, window_start,
                                max(1, math.ceil(window_start + self.window - now)))

    def acquire(self, tenant_id: str) -> Decision:
        now = time.time()
        window_start = int(now // self.window) * self.window
        reset = max(1, math.ceil(window_start + self.window - now))
        local = self._take_local(tenant_id, window_start, reset)
        if local is not None:
            return local
        with self._refill:
            local = self._take_local(tenant_id, window_start, reset)  # refilled meanwhile?
            if local is not None:
                return local
            granted, used = self._lease(tenant_id, window_start)
            with self._lock:
                if granted == 0:
                    self._leases[tenant_id] = _Lease(window_start, 0, self.limit)
                    return Decision(False, self.limit, 0, reset, self.window)
                self._leases[tenant_id] = _Lease(window_start, granted - 1, used)
        # the lease's requests not served yet are counted in `used` but still available
        return Decision(True, self.limit, max(0, self.limit - used + granted - 1), reset,
                        self.window)

    def _take_local(self, tenant_id: str, window_start: int, reset: int) -> Decision | None:
        """One request from this process's lease, or None when the lease is used up."""
        with self._lock:
            lease = self._leases.get(tenant_id)
            if lease is not None and lease.window_start == window_start and lease.left > 0:
                lease.left -= 1
                return Decision(True, self.limit, max(0, self.limit - lease.used_estimate
                                                      + lease.left), reset, self.window)
        return None

    def _lease(self, tenant_id: str, window_start: int) -> tuple[int, int]:
        """Take up to one batch from the shared counter: (granted, counter after)."""
        with self.db.write() as conn:
            used = int(conn.execute(_UPSERT, {"t": tenant_id, "w": window_start,
                                              "n": self.batch}).scalar_one())
            if used <= self.batch:  # first lease of this window: forget older windows
                conn.execute(_PURGE, {"t": tenant_id, "w": window_start})
        before = used - self.batch
        granted = max(0, min(self.batch, self.limit - before))
        return granted, min(used, self.limit)


def decision_of(token_info: Any) -> Decision | None:
    """The rate-limit decision the token check left in `token_info` (one scheme, or several
    combined, where Connexion keys the information by scheme name)."""
    if not isinstance(token_info, dict):
        return None
    found = token_info.get("rate_limit")
    if isinstance(found, Decision):
        return found
    for value in token_info.values():
        if isinstance(value, dict) and isinstance(value.get("rate_limit"), Decision):
            return value["rate_limit"]  # type: ignore[no-any-return]
    return None


class RateLimitHeaders:
    """ASGI middleware: a response to a request that counted against its tenant's quota carries
    `RateLimit` and `RateLimit-Policy` (IETF draft "RateLimit header fields for HTTP"), whatever
    its status; a 429 carries them already, with `Retry-After`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Message, receive: Callable[[], Awaitable[Message]],
                      send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Connexion's security check writes `token_info` into this dict of the shared scope.
        context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})

        async def send_with_quota(message: Message) -> None:
            if message["type"] == "http.response.start":
                decision = decision_of(context.get("token_info"))
                if decision is not None:
                    headers = list(message.get("headers") or [])
                    present = {name.lower() for name, _ in headers}
                    headers += [pair for pair in decision.header_pairs() if pair[0] not in present]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_quota)
