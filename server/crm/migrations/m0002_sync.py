"""Schema version 2: the change feed, webhook subscriptions and their outbox, import jobs.

The tables are defined here once, as they are at version 2, and the runtime modules
(`specfirst.server.crm.events`, `specfirst.server.crm.webhooks`,
 `specfirst.server.crm.jobs`) query them through these objects.
A later migration that alters one of them changes its definition here too.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 2

metadata = sa.MetaData()

# SQLite needs INTEGER PRIMARY KEY (the rowid) with AUTOINCREMENT so a sequence is never
# reused; PostgreSQL gets a BIGINT identity.
_Sequence = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

changes = sa.Table(
    "changes",
    metadata,
    sa.Column("sequence", _Sequence, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("object_type", sa.String(32), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("occurred_at", sa.String(40), nullable=False),
    sa.Column("data", sa.Text(), nullable=True),
    sa.Index("ix_changes_tenant_sequence", "tenant_id", "sequence"),
    sa.Index("ix_changes_tenant_type_sequence", "tenant_id", "object_type", "sequence"),
    sa.Index("ix_changes_object", "tenant_id", "object_type", "object_id", "sequence"),
    sqlite_autoincrement=True,
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("event_types", sa.Text(), nullable=False),  # JSON array
    sa.Column("description", sa.String(500), nullable=True),
    sa.Column("active", sa.Boolean(), nullable=False, default=True),
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("disabled_reason", sa.String(200), nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False, default=1),
    sa.Index("ix_webhooks_tenant_created", "tenant_id", "created_at", "id"),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column(
        "webhook_id",
        sa.String(36),
        sa.ForeignKey("webhooks.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),  # the exact body that is signed and sent
    sa.Column("status", sa.String(16), nullable=False),  # pending | succeeded | failed
    sa.Column("attempts", sa.Integer(), nullable=False, default=0),
    sa.Column("response_status", sa.Integer(), nullable=True),
    sa.Column("error", sa.String(1000), nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("last_attempt_at", sa.String(40), nullable=True),
    sa.Column("next_attempt_at", sa.String(40), nullable=True),
    # Epoch seconds: what the delivery worker compares; the ISO columns are for the API.
    sa.Column("due_at", sa.Float(), nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_until", sa.Float(), nullable=True),
    sa.Index("ix_webhook_deliveries_due", "status", "due_at"),
    sa.Index("ix_webhook_deliveries_webhook", "webhook_id", "created_at", "id"),
)

import_jobs = sa.Table(
    "import_jobs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("token_id", sa.String(64), nullable=True),
    sa.Column("object_type", sa.String(16), nullable=False),
    sa.Column("on_conflict", sa.String(8), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # queued | running | completed | failed
    sa.Column("records", sa.Text(), nullable=False),  # JSON array, kept until the job ends
    sa.Column("total", sa.Integer(), nullable=False),
    sa.Column("processed", sa.Integer(), nullable=False, default=0),
    sa.Column("created", sa.Integer(), nullable=False, default=0),
    sa.Column("updated", sa.Integer(), nullable=False, default=0),
    sa.Column("skipped", sa.Integer(), nullable=False, default=0),
    sa.Column("failed", sa.Integer(), nullable=False, default=0),
    sa.Column("errors", sa.Text(), nullable=False),  # JSON array, bounded
    sa.Column("failure", sa.String(1000), nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("completed_at", sa.String(40), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False, default=1),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_until", sa.Float(), nullable=True),
    sa.Index("ix_import_jobs_tenant_created", "tenant_id", "created_at", "id"),
    sa.Index("ix_import_jobs_status", "status"),
)


def upgrade(conn: Connection) -> None:
    """Create the version-2 tables (idempotent: existing tables are left alone)."""
    metadata.create_all(conn, checkfirst=True)
