"""The runtime's own tables, version 1: tenants and their API tokens, rate-limit counters, and
the secrets the server generates once (the pagination cursor key).

Every spec served gets these, whatever its application; an application's tables live in its own
chain. Tenants are the accounts tokens belong to: an application may reference
`specfirst_tenants.id` from its own tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 1

metadata = sa.MetaData()

_ID = 36
_TS = 40

tenants = sa.Table(
    "specfirst_tenants", metadata,
    sa.Column("id", sa.String(_ID), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("created_at", sa.String(_TS), nullable=False),
)

tokens = sa.Table(
    "specfirst_tokens", metadata,
    sa.Column("id", sa.String(_ID), primary_key=True),
    sa.Column("tenant_id", sa.String(_ID), sa.ForeignKey("specfirst_tenants.id"),
              nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.Text(), nullable=False),  # space-separated; `*` is every scope
    sa.Column("label", sa.String(200), nullable=True),
    sa.Column("created_at", sa.String(_TS), nullable=False),
    sa.Column("revoked_at", sa.String(_TS), nullable=True),
)

rate_limits = sa.Table(
    "specfirst_rate_limits", metadata,
    sa.Column("tenant_id", sa.String(_ID), sa.ForeignKey("specfirst_tenants.id"),
              nullable=False),
    sa.Column("window_start", sa.BigInteger(), nullable=False),
    sa.Column("used", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "window_start", name="pk_specfirst_rate_limits"),
)

secrets = sa.Table(
    "specfirst_secrets", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)


def upgrade(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)
