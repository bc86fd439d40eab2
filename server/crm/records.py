"""How a kind of record is stored and shown: fields, their kinds, and row ⇄ API conversion.

A `ResourceType` describes one table of the CRM to the generic resource layer
(`specfirst.server.crm.resources`): which fields the API shows and in which order,
 which of them a client may
write, which hold references to other records (checked to exist in the same tenant), which list
filters and sorts exist, and the hooks that derive server-owned fields (a deal's `status` from
its stage, a ticket's `solved_at`). The concrete types are declared in `specfirst.server.crm`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from specfirst.server.timeutil import format_ts, parse_ts
from sqlalchemy import Connection, Table

__all__ = ["Field", "Hook", "ResourceType", "from_api", "to_api"]

# prepare(conn, tenant_id, new_values, old_record_or_None) -> None; may raise a Problem
Hook = Callable[[Connection, str, dict[str, Any], "dict[str, Any] | None"], None]


@dataclass(frozen=True)
class Field:
    """One field of a record as the API shows it."""

    name: str
    kind: str = "str"  # str | int | num | bool | ts | date | tags | props | id
    writable: bool = True
    nullable: bool = True
    ref: str | None = None  # the resource type this id must name, in the same tenant
    order: tuple[str, ...] | None = None  # enum values in their natural sort order


@dataclass
class ResourceType:
    """A kind of record (a table) and its rules."""

    name: str  # plural, as in the API paths and the change feed
    singular: str
    table: Table
    fields: tuple[Field, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # list query parameter -> (how, column): eq | ci (case-insensitive) | tag | notnull
    filters: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    parent: tuple[str, str] | None = None  # (column, parent resource type) of nested records
    children: tuple[tuple[str, str], ...] = ()  # (resource type, column) deleted with it
    blockers: tuple[tuple[str, str], ...] = ()  # (resource type, column) that forbid a delete
    prepare: Hook | None = None
    emits_changes: bool = True
    read_only: bool = False

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.fields}
        self.writable = frozenset(f.name for f in self.fields if f.writable)
        self.columns = [self.table.c[f.name] for f in self.fields]

    def field_kind(self, name: str) -> str:
        return self.by_name[name].kind


def _out(kind: str, value: Any) -> Any:
    if value is None:
        return [] if kind == "tags" else ({} if kind == "props" else None)
    if kind in ("tags", "props"):
        return orjson.loads(value)
    if kind == "num":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    return value


def to_api(rtype: ResourceType, row: Any) -> dict[str, Any]:
    """A database row (mapping) as the API record."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    return {f.name: _out(f.kind, mapping[f.name]) for f in rtype.fields}


def _in(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("tags", "props"):
        return orjson.dumps(value).decode()
    if kind == "ts":
        return format_ts(parse_ts(value))
    if kind == "num":
        return float(value)
    if kind == "int":
        return int(value)
    return value


def from_api(rtype: ResourceType, values: Mapping[str, Any]) -> dict[str, Any]:
    """API field values (already validated by the spec) as column values."""
    return {name: _in(rtype.by_name[name].kind, value) for name, value in values.items()}
