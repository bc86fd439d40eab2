"""The record types of the reference CRM, declared for the generic resource layer."""

from __future__ import annotations

from typing import Any

from specfirst.server.crm.migrations import m0001_core as t
from specfirst.server.crm.records import Field, ResourceType
from specfirst.server.crm.resources import register
from specfirst.server.problems import Unprocessable
from specfirst.server.timeutil import now_iso
from sqlalchemy import Connection, func, select

__all__ = ["ACTIVITIES", "COMMENTS", "COMPANIES", "CUSTOMERS", "DEALS", "PIPELINES", "STAGES",
           "TICKETS", "USERS"]

_META = (
    Field("created_at", "ts", writable=False, nullable=False),
    Field("updated_at", "ts", writable=False, nullable=False),
    Field("version", "int", writable=False, nullable=False),
)
_ID = Field("id", "id", writable=False, nullable=False)
_OWNER = Field("owner_id", ref="users")
_TAGS = Field("tags", "tags", nullable=False)
_PROPS = Field("properties", "props", nullable=False)
_COMMON_FILTERS = {"owner_id": ("eq", "owner_id"), "tag": ("tag", "tags")}

USERS = ResourceType(
    "users", "user", t.users,
    (_ID, Field("name", nullable=False, writable=False), Field("email", nullable=False,
                                                               writable=False),
     Field("role", nullable=False, writable=False),
     Field("active", "bool", nullable=False, writable=False), *_META),
    filters={"email": ("ci", "email"), "role": ("eq", "role"), "active": ("eq", "active")},
    emits_changes=False, read_only=True,
)

COMPANIES = ResourceType(
    "companies", "company", t.companies,
    (_ID, Field("name", nullable=False), Field("domain"), Field("industry"),
     Field("employee_count", "int"), Field("website"), Field("phone"), _OWNER, _TAGS, _PROPS,
     *_META),
    filters={"domain": ("ci", "domain"), **_COMMON_FILTERS},
)

CUSTOMERS = ResourceType(
    "customers", "customer", t.customers,
    (_ID, Field("name", nullable=False), Field("email"), Field("phone"),
     Field("company_id", ref="companies"),
     Field("lifecycle_stage", nullable=False, order=("lead", "prospect", "customer", "churned")),
     Field("source"), _OWNER, _TAGS, _PROPS, *_META),
    defaults={"lifecycle_stage": "lead"},
    filters={"email": ("ci", "email"), "lifecycle_stage": ("eq", "lifecycle_stage"),
             "source": ("eq", "source"), "company_id": ("eq", "company_id"), **_COMMON_FILTERS},
)


def _prepare_stage(conn: Connection, tenant_id: str, row: dict[str, Any],
                   old: dict[str, Any] | None) -> None:
    if row.get("position") is None:
        highest = conn.execute(select(func.max(t.stages.c.position)).where(
            t.stages.c.tenant_id == tenant_id,
            t.stages.c.pipeline_id == row["pipeline_id"])).scalar()
        row["position"] = 0 if highest is None else min(int(highest) + 1, 1000)
    if row.get("probability") is None:
        row["probability"] = 0.0


PIPELINES = ResourceType(
    "pipelines", "pipeline", t.pipelines,
    (_ID, Field("name", nullable=False), Field("description"), *_META),
    children=(("stages", "pipeline_id"),),
    blockers=(("deals", "pipeline_id"),),
)

STAGES = ResourceType(
    "stages", "stage", t.stages,
    (_ID, Field("pipeline_id", "id", writable=False, nullable=False),
     Field("name", nullable=False), Field("position", "int", nullable=False),
     Field("probability", "num", nullable=False),
     Field("kind", nullable=False, order=("open", "won", "lost")), *_META),
    defaults={"kind": "open", "probability": 0},
    parent=("pipeline_id", "pipelines"),
    blockers=(("deals", "stage_id"),),
    prepare=_prepare_stage,
)


def _prepare_deal(conn: Connection, tenant_id: str, row: dict[str, Any],
                  old: dict[str, Any] | None) -> None:
    stage = conn.execute(select(t.stages.c.pipeline_id, t.stages.c.kind).where(
        t.stages.c.tenant_id == tenant_id, t.stages.c.id == row["stage_id"])).first()
    if stage is None or stage.pipeline_id != row["pipeline_id"]:
        raise Unprocessable("stage_id must name a stage of pipeline_id.",
                            errors=[{"pointer": "/stage_id",
                                     "message": "not a stage of this pipeline"}])
    was_open = old is None or old.get("status") == "open"
    row["status"] = stage.kind
    if stage.kind == "open":
        row["closed_at"] = None
    elif was_open or row.get("closed_at") is None:
        row["closed_at"] = now_iso()


DEALS = ResourceType(
    "deals", "deal", t.deals,
    (_ID, Field("name", nullable=False), Field("amount", "num"),
     Field("currency", nullable=False), Field("pipeline_id", nullable=False, ref="pipelines"),
     Field("stage_id", nullable=False, ref="stages"),
     Field("status", writable=False, nullable=False, order=("open", "won", "lost")),
     Field("probability", "num"), Field("expected_close_date", "date"),
     Field("closed_at", "ts", writable=False), Field("customer_id", ref="customers"),
     Field("company_id", ref="companies"), _OWNER, _TAGS, _PROPS, *_META),
    defaults={"currency": "USD"},
    filters={"pipeline_id": ("eq", "pipeline_id"), "stage_id": ("eq", "stage_id"),
             "status": ("eq", "status"), "customer_id": ("eq", "customer_id"),
             "company_id": ("eq", "company_id"), **_COMMON_FILTERS},
    prepare=_prepare_deal,
)

_SOLVED = ("solved", "closed")


def _prepare_ticket(conn: Connection, tenant_id: str, row: dict[str, Any],
                    old: dict[str, Any] | None) -> None:
    if row["status"] in _SOLVED:
        if row.get("solved_at") is None or (old is not None and old["status"] not in _SOLVED):
            row["solved_at"] = now_iso()
    else:
        row["solved_at"] = None


TICKETS = ResourceType(
    "tickets", "ticket", t.tickets,
    (_ID, Field("subject", nullable=False), Field("description"),
     Field("status", nullable=False,
           order=("new", "open", "pending", "on_hold", "solved", "closed")),
     Field("priority", nullable=False, order=("low", "normal", "high", "urgent")),
     Field("channel", nullable=False), Field("customer_id", ref="customers"),
     Field("assignee_id", ref="users"), Field("satisfaction_score", "int"),
     Field("solved_at", "ts", writable=False), _TAGS, _PROPS, *_META),
    defaults={"status": "new", "priority": "normal", "channel": "api"},
    filters={"status": ("eq", "status"), "priority": ("eq", "priority"),
             "channel": ("eq", "channel"), "customer_id": ("eq", "customer_id"),
             "assignee_id": ("eq", "assignee_id"), "tag": ("tag", "tags")},
    children=(("comments", "ticket_id"),),
    prepare=_prepare_ticket,
)

COMMENTS = ResourceType(
    "comments", "comment", t.ticket_comments,
    (_ID, Field("ticket_id", "id", writable=False, nullable=False), Field("body", nullable=False),
     Field("public", "bool", nullable=False), Field("author_id", ref="users"), *_META),
    defaults={"public": True},
    parent=("ticket_id", "tickets"),
)

ACTIVITIES = ResourceType(
    "activities", "activity", t.activities,
    (_ID, Field("type", nullable=False), Field("subject", nullable=False), Field("body"),
     Field("due_at", "ts"), Field("completed_at", "ts"), Field("duration_minutes", "int"),
     Field("customer_id", ref="customers"), Field("deal_id", ref="deals"),
     Field("ticket_id", ref="tickets"), _OWNER, *_META),
    filters={"type": ("eq", "type"), "customer_id": ("eq", "customer_id"),
             "deal_id": ("eq", "deal_id"), "ticket_id": ("eq", "ticket_id"),
             "owner_id": ("eq", "owner_id"), "completed": ("notnull", "completed_at")},
)

register(USERS, COMPANIES, CUSTOMERS, PIPELINES, STAGES, DEALS, TICKETS, COMMENTS, ACTIVITIES)
