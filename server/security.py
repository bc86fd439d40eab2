"""API tokens per tenant: creation, revocation, and the check in front of every operation.

The runtime keeps them in its own tables (`specfirst_tenants`, `specfirst_tokens`), for any spec.

A token is 32 random bytes (`sf_` + URL-safe base64); only its SHA-256 is stored, so a database
leak does not leak usable tokens, and the token is shown once, when it is created. The check
(`verify_token`) looks the hash up on every request, so a revocation takes effect at once on
every worker. Scopes come from the operation's security requirement: the token needs all of
them (403 otherwise); a token created without scopes holds `*`, every scope. A malformed,
unknown or revoked token gets 401 with the challenge of the scheme it was sent for. After
authentication the tenant's rate limit is applied (429 with `Retry-After`, `RateLimit`,
`RateLimit-Policy`).

How a token travels (bearer header, API key, Basic password, OAuth 2 access token) is the
business of the Connexion security handlers in `server.security_schemes`; they all end here.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from specfirst.server.context import get_runtime
from specfirst.server.db import Database
from specfirst.server.migrations.m0001_specfirst import tenants
from specfirst.server.migrations.m0001_specfirst import tokens as api_tokens
from specfirst.server.point_reads import first_row
from specfirst.server.problems import Problem
from specfirst.server.ratelimit import RateLimiter
from specfirst.server.timeutil import now_iso
from sqlalchemy import select, update

__all__ = [
    "ALL_SCOPES",
    "TokenInfo",
    "WriteNeeded",
    "create_token",
    "ensure_tenant",
    "hash_token",
    "lookup_token",
    "revoke_token",
    "verify_token",
]

log = logging.getLogger(__name__)

# The scope of a token created without scopes: it holds every scope any operation requires.
ALL_SCOPES = "*"
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{20,200}$")


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    tenant_id: str
    scopes: frozenset[str]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ensure_tenant(db: Database, name: str) -> str:
    """The id of the tenant called `name`, created if needed."""
    with db.write() as conn:
        found = conn.execute(select(tenants.c.id).where(tenants.c.name == name)).scalar()
        if found is not None:
            return str(found)
        tenant_id = str(uuid.uuid4())
        conn.execute(tenants.insert().values(id=tenant_id, name=name, created_at=now_iso()))
        return tenant_id


def create_token(db: Database, tenant: str, scopes: Sequence[str] | None = None,
                 label: str | None = None) -> tuple[str, str]:
    """Create a token for tenant `tenant` (by name); returns (token, token id)."""
    tenant_id = ensure_tenant(db, tenant)
    token = "sf_" + secrets.token_urlsafe(32)
    token_id = str(uuid.uuid4())
    granted = sorted(set(scopes)) if scopes else [ALL_SCOPES]
    with db.write() as conn:
        conn.execute(api_tokens.insert().values(
            id=token_id, tenant_id=tenant_id, token_hash=hash_token(token),
            scopes=" ".join(granted), label=label, created_at=now_iso(), revoked_at=None))
    return token, token_id


def revoke_token(db: Database, *, token: str | None = None, token_id: str | None = None) -> int:
    """Revoke a token given by value or by id; returns how many tokens were revoked."""
    condition = (api_tokens.c.token_hash == hash_token(token)) if token else (
        api_tokens.c.id == token_id)
    with db.write() as conn:
        result = conn.execute(update(api_tokens).where(condition, api_tokens.c.revoked_at.is_(
            None)).values(revoked_at=now_iso()))
        return int(result.rowcount or 0)


_LOOKUP = ("SELECT id, tenant_id, scopes, revoked_at FROM specfirst_tokens "
           "WHERE token_hash = :hash")


def lookup_token(db: Database, token: str) -> TokenInfo | None:
    """The live token with this value, or None (unknown or revoked)."""
    row = first_row(db, _LOOKUP, {"hash": hash_token(token)})
    if row is None or row[3] is not None:
        return None
    return TokenInfo(str(row[0]), str(row[1]), frozenset(str(row[2]).split()))


_limiters: dict[int, RateLimiter] = {}


def _limiter() -> RateLimiter:
    runtime = get_runtime()
    limiter = _limiters.get(id(runtime))
    if limiter is None:
        settings = runtime.settings
        limiter = _limiters[id(runtime)] = RateLimiter(runtime.db, settings.rate_limit,
                                                       settings.rate_window)
    return limiter


class WriteNeeded(Exception):
    """`verify_token(..., may_write=False)` could not decide without a database write."""


def verify_token(token: str, required_scopes: Iterable[str], *,
                 unauthorized: Mapping[str, str], forbidden: Mapping[str, str] | None = None,
                 what: str = "token", may_write: bool = True) -> dict[str, Any]:
    """The whole check of one presented token: the `token_info` of
    the request, or a Problem: 401 with the `unauthorized` headers (the scheme's challenge),
    403 with the `forbidden` ones, 429 from the rate limit. `what` names the credential in
    the problem's detail ("bearer token", "API key", ...)."""
    if not _TOKEN_SHAPE.match(token):
        raise Problem(f"The {what} is malformed.", status=401, headers=unauthorized)
    runtime = get_runtime()
    info = lookup_token(runtime.db, token)
    if info is None:
        raise Problem(f"The {what} is unknown or revoked.", status=401, headers=unauthorized)
    missing = [] if ALL_SCOPES in info.scopes else sorted(set(required_scopes) - info.scopes)
    if missing:
        raise Problem(f"This operation requires the scope {', '.join(repr(m) for m in missing)}.",
                      status=403, headers=forbidden)
    limiter = _limiter()
    found: dict[str, Any] = {"sub": info.tenant_id, "tenant_id": info.tenant_id,
                             "token_id": info.token_id, "scopes": sorted(info.scopes)}
    if limiter.enabled:
        decision = limiter.acquire_local(info.tenant_id)
        if decision is None:
            if not may_write:
                raise WriteNeeded
            decision = limiter.acquire(info.tenant_id)
        if not decision.allowed:
            raise Problem("The rate limit of your account is exhausted; retry after the time in "
                          "Retry-After.", status=429, headers=decision.headers())
        found["rate_limit"] = decision  # RateLimit headers on the response (server.ratelimit)
    return found
