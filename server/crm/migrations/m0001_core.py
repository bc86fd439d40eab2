"""CRM schema version 1: the CRM records and idempotency keys.

The tables are defined here once, as they are at version 1; the CRM modules query them through
these objects. A later migration that alters one of them changes its
definition here too. Every record table carries `tenant_id` (a tenant of the runtime's
`specfirst_tenants`, whose tokens authenticate the requests); every query filters on it.
Timestamps are fixed-width UTC RFC 3339 strings (they sort as text on every backend); `tags`
and `properties` are JSON text.
"""

from __future__ import annotations

import sqlalchemy as sa
from specfirst.server.migrations.m0001_specfirst import tenants as _tenants
from sqlalchemy.engine import Connection

VERSION = 1

metadata = sa.MetaData()

_ID = 36
_TS = 40


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(_ID), sa.ForeignKey(_tenants.c.id), nullable=False)


def _record_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.String(_ID), primary_key=True),
        _tenant(),
        sa.Column("created_at", sa.String(_TS), nullable=False),
        sa.Column("updated_at", sa.String(_TS), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
    ]


def _record_indexes(name: str) -> list[sa.Index]:
    return [
        sa.Index(f"ix_{name}_tenant_created", "tenant_id", "created_at", "id"),
        sa.Index(f"ix_{name}_tenant_updated", "tenant_id", "updated_at", "id"),
    ]


def _ref(name: str, target: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(_ID), sa.ForeignKey(f"{target}.id", ondelete="SET NULL"),
                     nullable=True)


users = sa.Table(
    "users", metadata, *_record_columns(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    *_record_indexes("users"),
    sa.UniqueConstraint("tenant_id", "email", name="uq_users_tenant_email"),
)

companies = sa.Table(
    "companies", metadata, *_record_columns(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("domain", sa.String(253), nullable=True),
    sa.Column("industry", sa.String(100), nullable=True),
    sa.Column("employee_count", sa.BigInteger(), nullable=True),
    sa.Column("website", sa.String(2048), nullable=True),
    sa.Column("phone", sa.String(50), nullable=True),
    _ref("owner_id", "users"),
    sa.Column("tags", sa.Text(), nullable=False),
    sa.Column("properties", sa.Text(), nullable=False),
    *_record_indexes("companies"),
)

customers = sa.Table(
    "customers", metadata, *_record_columns(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column("phone", sa.String(50), nullable=True),
    _ref("company_id", "companies"),
    sa.Column("lifecycle_stage", sa.String(20), nullable=False),
    sa.Column("source", sa.String(100), nullable=True),
    _ref("owner_id", "users"),
    sa.Column("tags", sa.Text(), nullable=False),
    sa.Column("properties", sa.Text(), nullable=False),
    *_record_indexes("customers"),
    sa.Index("ix_customers_tenant_email", "tenant_id", "email"),
)

pipelines = sa.Table(
    "pipelines", metadata, *_record_columns(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("description", sa.String(1000), nullable=True),
    *_record_indexes("pipelines"),
)

stages = sa.Table(
    "stages", metadata, *_record_columns(),
    sa.Column("pipeline_id", sa.String(_ID), sa.ForeignKey("pipelines.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("probability", sa.Float(), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    *_record_indexes("stages"),
    sa.Index("ix_stages_pipeline", "tenant_id", "pipeline_id", "position"),
)

deals = sa.Table(
    "deals", metadata, *_record_columns(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("amount", sa.Float(), nullable=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("pipeline_id", sa.String(_ID), sa.ForeignKey("pipelines.id"), nullable=False),
    sa.Column("stage_id", sa.String(_ID), sa.ForeignKey("stages.id"), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("probability", sa.Float(), nullable=True),
    sa.Column("expected_close_date", sa.String(10), nullable=True),
    sa.Column("closed_at", sa.String(_TS), nullable=True),
    _ref("customer_id", "customers"),
    _ref("company_id", "companies"),
    _ref("owner_id", "users"),
    sa.Column("tags", sa.Text(), nullable=False),
    sa.Column("properties", sa.Text(), nullable=False),
    *_record_indexes("deals"),
    sa.Index("ix_deals_stage", "tenant_id", "stage_id"),
)

tickets = sa.Table(
    "tickets", metadata, *_record_columns(),
    sa.Column("subject", sa.String(500), nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("priority", sa.String(20), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    _ref("customer_id", "customers"),
    _ref("assignee_id", "users"),
    sa.Column("satisfaction_score", sa.Integer(), nullable=True),
    sa.Column("solved_at", sa.String(_TS), nullable=True),
    sa.Column("tags", sa.Text(), nullable=False),
    sa.Column("properties", sa.Text(), nullable=False),
    *_record_indexes("tickets"),
)

ticket_comments = sa.Table(
    "ticket_comments", metadata, *_record_columns(),
    sa.Column("ticket_id", sa.String(_ID), sa.ForeignKey("tickets.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("public", sa.Boolean(), nullable=False),
    _ref("author_id", "users"),
    *_record_indexes("ticket_comments"),
    sa.Index("ix_ticket_comments_ticket", "tenant_id", "ticket_id", "created_at"),
)

activities = sa.Table(
    "activities", metadata, *_record_columns(),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("subject", sa.String(500), nullable=False),
    sa.Column("body", sa.Text(), nullable=True),
    sa.Column("due_at", sa.String(_TS), nullable=True),
    sa.Column("completed_at", sa.String(_TS), nullable=True),
    sa.Column("duration_minutes", sa.Integer(), nullable=True),
    _ref("customer_id", "customers"),
    _ref("deal_id", "deals"),
    _ref("ticket_id", "tickets"),
    _ref("owner_id", "users"),
    *_record_indexes("activities"),
)

idempotency_keys = sa.Table(
    "idempotency_keys", metadata,
    sa.Column("id", sa.String(_ID), primary_key=True),
    _tenant(),
    sa.Column("idem_key", sa.String(255), nullable=False),
    sa.Column("endpoint", sa.String(300), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("response_status", sa.Integer(), nullable=True),
    sa.Column("response_headers", sa.Text(), nullable=True),
    sa.Column("response_body", sa.Text(), nullable=True),
    sa.Column("created_at", sa.String(_TS), nullable=False),
    sa.Column("expires_at", sa.Float(), nullable=False),  # epoch seconds
    sa.UniqueConstraint("tenant_id", "idem_key", "endpoint", name="uq_idempotency_key"),
    sa.Index("ix_idempotency_expires", "expires_at"),
)


def upgrade(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)
