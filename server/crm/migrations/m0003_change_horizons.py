"""Schema version 3: how far the change feed has been pruned, per tenant and object type.

`change_horizons.pruned_through` is the highest `changes.sequence` of that tenant and object
type that retention has deleted (`server.crm.retention`). A feed cursor below it may have missed
changes, and answers 410 instead of silently skipping them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 3

metadata = sa.MetaData()

change_horizons = sa.Table(
    "change_horizons",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("object_type", sa.String(32), primary_key=True),
    sa.Column("pruned_through", sa.BigInteger(), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)


def upgrade(conn: Connection) -> None:
    """Create the version-3 table (idempotent: an existing table is left alone)."""
    metadata.create_all(conn, checkfirst=True)
