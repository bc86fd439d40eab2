"""record_change: the feed row and the outbox rows share the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
import sqlalchemy as sa
from specfirst.server.crm.events import EVENT_TYPES, emit_event, event_types_for, record_change
from specfirst.server.crm.migrations import m0002_sync
from specfirst.server.crm.migrations.m0002_sync import changes, webhook_deliveries, webhooks
from sqlalchemy.engine import Engine


@pytest.fixture()
def engine(tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'events.db'}")
    with eng.begin() as conn:
        m0002_sync.upgrade(conn)
    yield eng
    eng.dispose()


def add_webhook(conn: sa.Connection, tenant: str, types: list[str], *, active: bool = True) -> str:
    import uuid

    webhook_id = str(uuid.uuid4())
    conn.execute(webhooks.insert().values(
        id=webhook_id, tenant_id=tenant, url="https://hooks.example.com/x",
        event_types=orjson.dumps(types).decode(), description=None, active=active,
        secret="whsec_test", created_at="2026-01-01T00:00:00.000000Z",
        updated_at="2026-01-01T00:00:00.000000Z", version=1,
    ))
    return webhook_id


def test_feed_and_outbox_follow_the_transaction(engine: Engine) -> None:
    with engine.begin() as conn:
        wanted = add_webhook(conn, "t1", ["customer.created"])
        add_webhook(conn, "t1", ["deal.created"])
        add_webhook(conn, "t1", ["customer.created"], active=False)
        add_webhook(conn, "t2", ["customer.created"])
    with engine.begin() as conn:
        record_change(conn, tenant_id="t1", object_type="customers", object_id="c1",
                      action="created", data={"id": "c1", "name": "Ada"})
    with pytest.raises(RuntimeError), engine.begin() as conn:
        record_change(conn, tenant_id="t1", object_type="customers", object_id="c2",
                      action="created", data={"id": "c2"})
        raise RuntimeError("the write fails after recording")
    with engine.connect() as conn:
        feed = conn.execute(sa.select(changes)).all()
        outbox = conn.execute(sa.select(webhook_deliveries)).all()
    assert [(r.object_id, r.action) for r in feed] == [("c1", "created")]
    assert [r.webhook_id for r in outbox] == [wanted]
    body = orjson.loads(outbox[0].payload)
    assert body["type"] == "customer.created"
    assert body["data"] == {"id": "c1", "name": "Ada"}
    assert outbox[0].status == "pending"


def test_sequence_is_strictly_increasing(engine: Engine) -> None:
    for n in range(5):
        with engine.begin() as conn:
            record_change(conn, tenant_id="t", object_type="company", object_id=f"o{n}",
                          action="created", data={"id": f"o{n}"})
    with engine.connect() as conn:
        rows = conn.execute(sa.select(changes).order_by(changes.c.sequence)).all()
    assert [r.object_id for r in rows] == [f"o{n}" for n in range(5)]
    assert [r.object_type for r in rows] == ["companies"] * 5
    seqs = [r.sequence for r in rows]
    assert seqs == sorted(set(seqs))


def test_stage_change_raises_its_own_event(engine: Engine) -> None:
    with engine.begin() as conn:
        add_webhook(conn, "t", ["deal.stage_changed"])
        record_change(conn, tenant_id="t", object_type="deals", object_id="d",
                      action="created", data={"id": "d", "stage_id": "s1", "name": "x"})
        record_change(conn, tenant_id="t", object_type="deals", object_id="d",
                      action="updated", data={"id": "d", "stage_id": "s1", "name": "y"})
        record_change(conn, tenant_id="t", object_type="deals", object_id="d",
                      action="updated", data={"id": "d", "stage_id": "s2", "name": "y"})
    with engine.connect() as conn:
        types = conn.execute(sa.select(webhook_deliveries.c.event_type)).scalars().all()
    assert types == ["deal.stage_changed"]


def test_deleted_event_carries_only_the_id(engine: Engine) -> None:
    with engine.begin() as conn:
        add_webhook(conn, "t", ["ticket.deleted"])
        record_change(conn, tenant_id="t", object_type="tickets", object_id="k",
                      action="deleted", data=None)
    with engine.connect() as conn:
        payload = conn.execute(sa.select(webhook_deliveries.c.payload)).scalar_one()
        data = conn.execute(sa.select(changes.c.data)).scalar_one()
    assert orjson.loads(payload)["data"] == {"id": "k"}
    assert data is None


def test_event_names_exist_in_the_contract() -> None:
    assert event_types_for("stages", "created", {}, None) == []
    assert event_types_for("comments", "updated", {}, None) == []
    assert event_types_for("tickets", "updated", {"status": "solved"}, {"status": "open"}) == [
        "ticket.updated", "ticket.status_changed"]
    assert "import.completed" in EVENT_TYPES


def test_bad_input_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        with pytest.raises(ValueError):
            record_change(conn, tenant_id="t", object_type="widgets", object_id="w",
                          action="created", data={})
        with pytest.raises(ValueError):
            record_change(conn, tenant_id="t", object_type="customers", object_id="w",
                          action="exploded", data={})
        assert emit_event(conn, tenant_id="t", event_type="import.completed", data={}) == 0


@pytest.mark.parametrize("name", ["specfirst.server.crm.events", "specfirst.server.crm.analytics",
                         "specfirst.server.crm.ssrf",
                                  "specfirst.server.crm.webhooks", "specfirst.server.crm.jobs"])
def test_public_api_is_sorted_and_importable(name: str) -> None:
    import importlib

    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for attribute in module.__all__:
        assert hasattr(module, attribute), attribute
