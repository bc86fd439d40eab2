"""Users of a tenant: managed outside the API (`python -m specfirst.server.crm.admin user
create`), read-only in it."""

from __future__ import annotations

import uuid

from specfirst.server.crm.migrations.m0001_core import users
from specfirst.server.db import Database
from specfirst.server.security import ensure_tenant
from specfirst.server.timeutil import now_iso
from sqlalchemy import select

__all__ = ["create_user"]


def create_user(db: Database, tenant: str, *, name: str, email: str, role: str = "sales",
                active: bool = True) -> str:
    """Create a user in tenant `tenant` (by name) and return its id; an existing email is
    returned as is."""
    tenant_id = ensure_tenant(db, tenant)
    with db.write() as conn:
        found = conn.execute(select(users.c.id).where(users.c.tenant_id == tenant_id,
                                                      users.c.email == email)).scalar()
        if found is not None:
            return str(found)
        user_id = str(uuid.uuid4())
        now = now_iso()
        conn.execute(users.insert().values(id=user_id, tenant_id=tenant_id, name=name,
                                           email=email, role=role, active=active,
                                           created_at=now, updated_at=now, version=1))
    return user_id
