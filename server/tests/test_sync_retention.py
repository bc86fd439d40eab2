"""Retention of the change feed: old changes pruned in batches, recent ones kept, cursors
before what is kept answer 410, cursors inside it skip nothing (SQLite and PostgreSQL)."""
# ruff: noqa: F811 - the shared fixtures are imported by name

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from specfirst.server.crm import apply_migrations
from specfirst.server.crm.migrations.m0002_sync import changes
from specfirst.server.crm.migrations.m0003_change_horizons import change_horizons
from specfirst.server.crm.retention import cutoff_for, prune_batch, prune_changes, pruned_through
from specfirst.server.crm.settings import changes_retention_days
from specfirst.server.db import Database
from specfirst.server.settings import ServerSettings
from specfirst.server.tests.conftest import BACKENDS
from specfirst.server.tests.live import LiveServer
from specfirst.server.tests.test_sync_support import (  # noqa: F401 - fixtures
    new_tenant,
    pg_url,
    sync_db,
    sync_db_url,
    wait_for,
)
from specfirst.server.timeutil import format_ts

DAY = 86400.0
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "server.md"


def _ago(days: float) -> str:
    return format_ts(dt.datetime.now(dt.UTC) - dt.timedelta(days=days))


def _insert(db: Database, tenant_id: str, object_type: str, days_ago: float) -> int:
    with db.write() as conn:
        result = conn.execute(changes.insert().values(
            tenant_id=tenant_id, object_type=object_type, object_id="x", action="created",
            occurred_at=_ago(days_ago), data=None))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def _sequences(db: Database) -> list[int]:
    with db.read() as conn:
        return [int(s) for s in conn.execute(
            sa.select(changes.c.sequence).order_by(changes.c.sequence)).scalars()]


# -- the pruning itself -------------------------------------------------------------------------

def test_old_changes_are_pruned_in_batches_and_recent_ones_kept(sync_db: Database) -> None:
    a, b = new_tenant(sync_db), new_tenant(sync_db)
    old = [_insert(sync_db, tenant, kind, 40 - n / 10)
           for n, (tenant, kind) in enumerate([(a, "customers"), (b, "companies"),
                                               (a, "customers"), (a, "deals"), (b, "companies"),
                                               (a, "customers"), (b, "deals")])]
    recent = [_insert(sync_db, a, "customers", 29), _insert(sync_db, b, "deals", 1),
              _insert(sync_db, a, "deals", 0)]
    cutoff = cutoff_for(30)
    assert prune_batch(sync_db, cutoff, batch=3) == (3, True)
    assert _sequences(sync_db) == old[3:] + recent
    assert prune_changes(sync_db, 30, batch=3) == 4
    assert _sequences(sync_db) == recent
    assert prune_changes(sync_db, 30, batch=3) == 0
    with sync_db.read() as conn:
        assert pruned_through(conn, a) == old[5]
        assert pruned_through(conn, a, "customers") == old[5]
        assert pruned_through(conn, a, "deals") == old[3]
        assert pruned_through(conn, a, "companies") == 0
        assert pruned_through(conn, b) == old[6]
        assert pruned_through(conn, b, "companies") == old[4]
        assert pruned_through(conn, new_tenant(sync_db)) == 0


def test_zero_days_keeps_everything(sync_db: Database) -> None:
    tenant = new_tenant(sync_db)
    kept = [_insert(sync_db, tenant, "customers", 4000), _insert(sync_db, tenant, "deals", 1)]
    assert prune_changes(sync_db, 0) == 0
    assert _sequences(sync_db) == kept
    assert changes_retention_days(ServerSettings.from_env({})) == 30
    assert changes_retention_days(ServerSettings.from_env(
        {"SPECFIRST_SERVER_CHANGES_RETENTION_DAYS": "0"})) == 0
    assert changes_retention_days(ServerSettings.from_env(
        {"SPECFIRST_SERVER_CHANGES_RETENTION_DAYS": "7.5"})) == 7.5


def test_pruning_stops_at_the_first_change_to_keep(sync_db: Database) -> None:
    """Only a prefix of the feed is ever deleted, so a horizon never hides a kept change."""
    tenant = new_tenant(sync_db)
    first = _insert(sync_db, tenant, "customers", 40)
    rest = [_insert(sync_db, tenant, "customers", 1), _insert(sync_db, tenant, "customers", 40)]
    assert prune_changes(sync_db, 30) == 1
    assert _sequences(sync_db) == rest
    with sync_db.read() as conn:
        assert pruned_through(conn, tenant) == first


def test_the_admin_command_prunes(tmp_path: Path) -> None:
    from specfirst.server.crm.admin import admin

    url = f"sqlite:///{tmp_path / 'crm.db'}"
    db = Database.from_url(url)
    apply_migrations(db)
    tenant = new_tenant(db)
    _insert(db, tenant, "customers", 10)
    recent = _insert(db, tenant, "customers", 0)
    runner = CliRunner()
    kept = runner.invoke(admin, ["changes", "prune", "--db", url])
    assert kept.exit_code == 0, kept.output
    assert "pruned 0 changes older than 30 days" in kept.output
    pruned = runner.invoke(admin, ["changes", "prune", "--days", "5", "--db", url])
    assert pruned.exit_code == 0, pruned.output
    assert "pruned 1 changes older than 5 days" in pruned.output
    assert _sequences(db) == [recent]
    assert runner.invoke(admin, ["changes", "prune", "--days", "-1", "--db", url]
                         ).exit_code == 2
    db.dispose()


def test_the_settings_are_documented() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for name in ("SPECFIRST_SERVER_CHANGES_RETENTION_DAYS",
                 "SPECFIRST_SERVER_CHANGES_PRUNE_INTERVAL"):
        assert f"`{name}`" in text
    assert "410" in text and "admin changes prune" in text


# -- the feed over HTTP, with the server's own pruner -------------------------------------------

def _read_all(http: httpx.Client, cursor: str | None = None, **params: Any
              ) -> tuple[list[dict[str, Any]], str | None]:
    found: list[dict[str, Any]] = []
    for _ in range(100):
        page = http.get("/api/v1/changes", params={**params, **(
            {"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        if not body["data"]:
            return found, cursor
        found.extend(body["data"])
        cursor = body["next_cursor"]
    raise AssertionError("the feed did not end")


def _page(http: httpx.Client, limit: int, **params: Any) -> tuple[list[int], str]:
    body = http.get("/api/v1/changes", params={"limit": limit, **params}).json()
    return [c["sequence"] for c in body["data"]], body["next_cursor"]


@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_the_feed_prunes_itself_and_refuses_stale_cursors(backend_url: str) -> None:
    env = {"SPECFIRST_SERVER_CHANGES_PRUNE_INTERVAL": "0.2"}
    with LiveServer.start(backend_url, env=env) as server:
        tenant, other = server.token("retained"), server.token("retained-other")
        with server.client(headers=LiveServer.auth(tenant)) as http, \
                server.client(headers=LiveServer.auth(other)) as other_http:
            http.post("/api/v1/companies", json={"name": "Old Co"})
            for n in range(4):
                http.post("/api/v1/customers", json={"name": f"old {n}"})
            other_http.post("/api/v1/customers", json={"name": "other old"})
            after_company, at_company = _page(http, 1)
            _, at_second = _page(http, 2)
            old, at_end = _read_all(http)
            assert len(old) == 5 and at_end
            companies, at_companies = _read_all(http, object_type="companies")
            assert [c["sequence"] for c in companies] == after_company
            _, other_at_end = _read_all(other_http)

            with server.db.write() as conn:  # these changes are now 40 days old
                conn.execute(changes.update().values(occurred_at=_ago(40)))
            recent = [http.post("/api/v1/customers", json={"name": f"new {n}"}).json()["id"]
                      for n in range(3)]

            def pruned() -> bool:
                return len(_sequences(server.db)) == 3

            wait_for(pruned, timeout=30)
            assert [c["object_id"] for c in _read_all(http)[0]] == recent  # fresh sync

            # A cursor inside what is kept misses nothing and repeats nothing.
            resumed, _ = _read_all(http, at_end)
            assert [c["object_id"] for c in resumed] == recent
            assert [c["data"]["name"] for c in resumed] == ["new 0", "new 1", "new 2"]
            # Nothing of the companies after that cursor was pruned: it still works.
            assert _read_all(http, at_companies, object_type="companies")[0] == []
            assert _read_all(other_http, other_at_end)[0] == []

            # Cursors before the retained horizon: 410, never a silent gap.
            for cursor, params in ((at_company, {}), (at_second, {}),
                                   (at_second, {"limit": 100})):
                stale = http.get("/api/v1/changes", params={"cursor": cursor, **params})
                assert stale.status_code == 410, stale.text
                assert stale.headers["content-type"] == "application/problem+json"
                body = stale.json()
                assert body["type"] == "https://crm.example.com/problems/cursor-expired"
                assert body["code"] == "cursor_expired" and body["status"] == 410
                assert "fresh sync" in body["detail"] and "30 days" in body["detail"]

            # The cursor of the fresh sync keeps working as the feed grows.
            _, fresh = _read_all(http)
            http.post("/api/v1/customers", json={"name": "later"})
            later, _ = _read_all(http, fresh)
            assert [c["data"]["name"] for c in later] == ["later"]
        with server.db.read() as conn:
            horizons = conn.execute(sa.select(sa.func.count()).select_from(change_horizons)
                                    ).scalar()
        assert horizons == 3  # (tenant, companies), (tenant, customers), (other, customers)


def test_the_crm_admin_module_runs_on_its_own(tmp_path: Path) -> None:
    """`python -m specfirst.server.crm.admin`: the CRM's commands, outside `specfirst`."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'admin.db'}"
    command = [sys.executable, "-m", "specfirst.server.crm.admin"]
    created = subprocess.run([*command, "user", "create", "--tenant", "acme", "--name", "Grace",
                              "--email", "grace@acme.example", "--db", url],
                             capture_output=True, text=True, timeout=120, check=False)
    assert created.returncode == 0, created.stderr
    assert len(created.stdout.strip()) == 36  # the new user's id
    refused = subprocess.run([*command, "changes", "prune", "--db", "mysql://x/y"],
                             capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 2
    assert "unsupported database backend" in refused.stderr
    assert "Traceback" not in refused.stderr
