"""The CRM's own settings, read from the `SPECFIRST_SERVER_*` variables the runtime passes on
(`ServerSettings.extra`).

| variable | default | meaning |
|---|---|---|
| `SPECFIRST_SERVER_CHANGES_RETENTION_DAYS` | `30` | days of change feed kept (0 = forever) |
| `SPECFIRST_SERVER_ALLOW_LOOPBACK_WEBHOOKS` | `false` | webhooks may target loopback (tests) |
"""

from __future__ import annotations

from specfirst.server.settings import ServerSettings, env_bool, env_float

__all__ = ["allow_loopback_webhooks", "changes_retention_days"]


def changes_retention_days(settings: ServerSettings) -> float:
    """Days of change feed kept; 0 keeps it forever."""
    return env_float(settings.extra, "SPECFIRST_SERVER_CHANGES_RETENTION_DAYS", 30.0)


def allow_loopback_webhooks(settings: ServerSettings) -> bool:
    return env_bool(settings.extra, "SPECFIRST_SERVER_ALLOW_LOOPBACK_WEBHOOKS", False)
