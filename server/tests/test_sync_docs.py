"""The operator guide names every setting of the background workers, and each one works."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from specfirst.server.crm.jobs import runner_from_env
from specfirst.server.crm.webhooks.delivery import DeliveryConfig

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "server.md"

WEBHOOK_SETTINGS = {
    "SPECFIRST_SERVER_WEBHOOK_TIMEOUT": ("timeout_s", "3", 3.0),
    "SPECFIRST_SERVER_WEBHOOK_RETRY_BASE": ("base_delay_s", "7", 7.0),
    "SPECFIRST_SERVER_WEBHOOK_RETRY_MAX": ("max_delay_s", "70", 70.0),
    "SPECFIRST_SERVER_WEBHOOK_MAX_ATTEMPTS": ("max_attempts", "9", 9),
    "SPECFIRST_SERVER_WEBHOOK_POLL_INTERVAL": ("poll_interval_s", "0.5", 0.5),
    "SPECFIRST_SERVER_WEBHOOK_LEASE": ("lease_s", "120", 120.0),
    "SPECFIRST_SERVER_WEBHOOK_RETENTION_DAYS": ("retention_days", "7", 7.0),
}
IMPORT_SETTINGS = {
    "SPECFIRST_SERVER_IMPORT_CHUNK": ("chunk_size", "10", 10),
    "SPECFIRST_SERVER_IMPORT_LEASE": ("lease_s", "5", 5.0),
    "SPECFIRST_SERVER_IMPORT_CHUNK_PAUSE": ("chunk_pause_s", "0.2", 0.2),
}


@pytest.mark.parametrize("name", sorted(WEBHOOK_SETTINGS))
def test_webhook_setting_is_honoured_and_documented(name: str) -> None:
    attribute, raw, expected = WEBHOOK_SETTINGS[name]
    assert getattr(DeliveryConfig.from_env({name: raw}), attribute) == expected
    assert f"`{name}`" in GUIDE.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(IMPORT_SETTINGS))
def test_import_setting_is_honoured_and_documented(name: str) -> None:
    attribute, raw, expected = IMPORT_SETTINGS[name]
    runtime = SimpleNamespace(db=None, settings=SimpleNamespace(extra={name: raw}))
    assert getattr(runner_from_env(runtime), attribute) == expected  # type: ignore[arg-type]
    assert f"`{name}`" in GUIDE.read_text(encoding="utf-8")


def test_guide_documents_the_loopback_switch_and_the_signature() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert "`SPECFIRST_SERVER_WEBHOOKS_ALLOW_LOOPBACK" in text
    assert "webhook-signature" in text and "whsec_" in text
