"""Server runtime settings, read once from the environment (twelve-factor style).

| variable | default | meaning |
|---|---|---|
| `DATABASE_URL` | `sqlite:///.specfirst/<project>.db` | `sqlite:///FILE` or `postgresql://…` |
| `SPECFIRST_SERVER_RESPONSE_VALIDATION` | `true` | validate every response against the spec |
| `SPECFIRST_SERVER_RATE_LIMIT` | `100000` | requests per tenant per window (0 = unlimited) |
| `SPECFIRST_SERVER_RATE_WINDOW` | `60` | rate-limit window, seconds |
| `SPECFIRST_SERVER_MAX_BODY` | `1048576` | largest request body, bytes (413 above), see below |
| `SPECFIRST_SERVER_MAX_JSON_DEPTH` | `32` | deepest JSON nesting accepted in a body (400 above) |
| `SPECFIRST_SERVER_CURSOR_SECRET` | generated once, kept in the database | key of the cursor HMAC |
| `SPECFIRST_SERVER_MIGRATE` | `true` | apply pending migrations at start-up |
| `SPECFIRST_SERVER_DB_CONNECTIONS` | `40` | most database connections a worker process keeps |
| `SPECFIRST_SERVER_PROBLEM_BASE_URI` | see below | base of problem `type` URIs |
| `SPECFIRST_SERVER_FAST_ROUTE` | `true` | serve operations past Connexion's middleware |

Every `SPECFIRST_SERVER_*` variable is also in `extra`, for the settings of an application's
services.

An operation may declare its own body cap in the spec with `x-specfirst-max-body`, which then
replaces `SPECFIRST_SERVER_MAX_BODY` for it (`create_import`: 16 MiB, so that its 10,000 rows fit).

`<project>` is `[project] name` of the nearest pyproject.toml, else its folder's name (the file
lives in the `.specfirst/` folder next to that pyproject.toml, or in the working directory).

Problem `type` URIs are `<base><slug>`: by default the base the application's services declare
(`specfirst.server.Service.problem_types`), else `about:blank` (title = the status phrase,
RFC 9457).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from specfirst.generator.config import default_database_url
from specfirst.generator.errors import ConfigError

__all__ = ["ServerSettings", "default_database_url", "env_bool", "env_float", "env_int",
           "env_problem_base"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def env_int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")
    return value


def env_float(environ: Mapping[str, str], name: str, default: float,
              minimum: float = 0.0) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.replace("_", ""))
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not math.isfinite(value) or value < minimum:
        raise ConfigError(f"{name} must be a finite number of at least {minimum:g}")
    return value


def env_problem_base(environ: Mapping[str, str], name: str) -> str | None:
    """`about:blank`, or an absolute URI that problem slugs are appended to (a `/` is added
    unless it already ends with `/`, `#`, `:`, `=` or `?`); None when unset."""
    raw = (environ.get(name) or "").strip()
    if not raw:
        return None
    if raw == "about:blank":
        return raw
    parts = urlsplit(raw)
    if not parts.scheme or any(c.isspace() or c in '"<>\\^`{|}' for c in raw) or not (
            parts.netloc or parts.path):
        raise ConfigError(f"{name} must be an absolute URI or about:blank, not {raw!r}")
    return raw if raw.endswith(("/", "#", ":", "=", "?")) else raw + "/"


@dataclass(frozen=True)
class ServerSettings:
    database_url: str = field(default_factory=default_database_url)
    response_validation: bool = True
    rate_limit: int = 100_000
    rate_window: int = 60
    max_body: int = 1024 * 1024
    max_json_depth: int = 32
    cursor_secret: str | None = None
    migrate: bool = True
    db_connections: int = 40
    problem_base_uri: str | None = None  # None: the services' base, else about:blank
    fast_route: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ServerSettings:
        env = os.environ if environ is None else environ
        settings = cls(
            database_url=env.get("DATABASE_URL") or default_database_url(),
            response_validation=env_bool(env, "SPECFIRST_SERVER_RESPONSE_VALIDATION", True),
            rate_limit=env_int(env, "SPECFIRST_SERVER_RATE_LIMIT", 100_000),
            rate_window=env_int(env, "SPECFIRST_SERVER_RATE_WINDOW", 60, minimum=1),
            max_body=env_int(env, "SPECFIRST_SERVER_MAX_BODY", 1024 * 1024, minimum=1024),
            max_json_depth=env_int(env, "SPECFIRST_SERVER_MAX_JSON_DEPTH", 32, minimum=2),
            cursor_secret=env.get("SPECFIRST_SERVER_CURSOR_SECRET") or None,
            migrate=env_bool(env, "SPECFIRST_SERVER_MIGRATE", True),
            db_connections=env_int(env, "SPECFIRST_SERVER_DB_CONNECTIONS", 40, minimum=2),
            problem_base_uri=env_problem_base(env, "SPECFIRST_SERVER_PROBLEM_BASE_URI"),
            fast_route=env_bool(env, "SPECFIRST_SERVER_FAST_ROUTE", True),
            extra={k: v for k, v in env.items() if k.startswith("SPECFIRST_SERVER_")},
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    def pool_sizes(self) -> dict[str, int]:
        """`Database.from_url` pool arguments: up to `db_connections` connections, opened as
        needed and then kept. An overflow connection would be closed on its return, and under
        32 concurrent reads on PostgreSQL that opened a new session (a server process) for
        every other request. Across N processes on one PostgreSQL server, N × `db_connections`
        must stay below its `max_connections`."""
        return {"pool_size": self.db_connections, "max_overflow": 0}
