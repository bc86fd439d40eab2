"""Queries of the resource layer: list filters, sort keys, keyset pages, search filter groups.

Every condition is built with SQLAlchemy expressions over allow-listed columns, so values are
always bound parameters and field names never come from the request as SQL text. A search
filter whose value does not suit its field and operator matches no record (the contract's rule):
it is a false condition, not an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from specfirst.server.crm.records import Field, ResourceType
from specfirst.server.problems import BadRequest
from specfirst.server.timeutil import format_ts, parse_ts
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    true,
)

__all__ = ["SortKey", "keyset_condition", "list_conditions", "search_condition", "sort_keys"]

SortKey = tuple[ColumnElement[Any], bool]  # (expression, descending)


def _sentinel(field: Field) -> Any:
    return -1 if field.kind in ("int", "num") else ""


def sort_expression(rtype: ResourceType, name: str) -> ColumnElement[Any]:
    field = rtype.by_name[name]
    column = rtype.table.c[name]
    if field.order:
        return case({value: index for index, value in enumerate(field.order)}, value=column,
                    else_=len(field.order))
    if field.nullable:
        return func.coalesce(column, literal(_sentinel(field)))
    return column


def sort_keys(rtype: ResourceType, sorts: Sequence[tuple[str, bool]]) -> list[SortKey]:
    """(field, descending) pairs → expressions, with the id as the final tie-breaker."""
    keys = [(sort_expression(rtype, name), desc) for name, desc in sorts]
    keys.append((rtype.table.c.id, False))
    return keys


def keyset_condition(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order of `keys` (lexicographic, mixed directions)."""
    clauses: list[ColumnElement[bool]] = []
    for index, (expression, desc) in enumerate(keys):
        equal = [keys[j][0] == values[j] for j in range(index)]
        beyond = expression < values[index] if desc else expression > values[index]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def _tag_condition(rtype: ResourceType, column: str, tag: str) -> ColumnElement[bool]:
    import orjson

    needle = orjson.dumps(tag).decode()
    return rtype.table.c[column].contains(needle, autoescape=True)


def list_conditions(rtype: ResourceType, params: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """Conditions for the list filters given (None values are absent filters)."""
    conditions: list[ColumnElement[bool]] = []
    for name, value in params.items():
        if value is None:
            continue
        how, column_name = rtype.filters[name]
        column = rtype.table.c[column_name]
        if how == "eq":
            conditions.append(column == value)
        elif how == "ci":
            conditions.append(func.lower(column) == str(value).lower())
        elif how == "tag":
            conditions.append(_tag_condition(rtype, column_name, str(value)))
        elif how == "notnull":
            conditions.append(column.is_not(None) if value else column.is_(None))
        else:  # pragma: no cover - declared in specfirst.server.crm
            raise ValueError(how)
    return conditions


def _bad(index: tuple[int, int], message: str) -> BadRequest:
    pointer = f"/filter_groups/{index[0]}/filters/{index[1]}"
    return BadRequest(f"Filter {pointer}: {message}", errors=[{"pointer": pointer,
                                                              "message": message}])


class _Unsuitable(Exception):
    """A filter value that cannot equal any value of its field: the filter matches nothing."""


def _timestamp(value: str) -> str:
    """An RFC 3339 date-time, or a date (its first instant, UTC), as stored."""
    try:
        return format_ts(parse_ts(value))
    except ValueError:
        pass
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _Unsuitable from None
    return format_ts(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))


def _coerce(field: Field, value: Any) -> Any:
    kind = field.kind
    if isinstance(value, list):
        raise _Unsuitable
    if kind in ("int", "num"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Unsuitable
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            return float(value)  # beyond a 64-bit column: compare as a float
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _Unsuitable
        return value
    if not isinstance(value, str):
        raise _Unsuitable
    if kind == "ts":
        return _timestamp(value)
    return value


def _suitable(field: Field, values: Sequence[Any]) -> list[Any]:
    kept = []
    for value in values:
        try:
            kept.append(_coerce(field, value))
        except _Unsuitable:
            continue
    return kept


def _filter(rtype: ResourceType, spec: Mapping[str, Any], where: tuple[int, int]
            ) -> ColumnElement[bool]:
    """One filter as a condition. A value that does not suit the field and operator can equal
    no stored value, so such a filter matches nothing (the contract's rule, not an error)."""
    name = spec["field"]
    field = rtype.by_name.get(name)
    if field is None:
        raise _bad(where, f"unknown field '{name}'")
    operator = spec["operator"]
    if operator not in _OPERATORS:
        raise _bad(where, f"unknown operator '{operator}'")
    if operator != "exists" and spec.get("value") is None:
        raise _bad(where, f"operator '{operator}' needs a value")
    try:
        return _condition(rtype, field, operator, spec.get("value"))
    except _Unsuitable:
        return false()


_OPERATORS = frozenset({"eq", "neq", "lt", "lte", "gt", "gte", "contains", "in", "exists"})


def _condition(rtype: ResourceType, field: Field, operator: str, value: Any
               ) -> ColumnElement[bool]:
    name = field.name
    column = rtype.table.c[name]
    if operator == "exists":
        wanted = True if value is None else value
        if not isinstance(wanted, bool):
            raise _Unsuitable
        present: ColumnElement[bool] = (column != "[]") if field.kind == "tags" else (
            column.is_not(None))
        return present if wanted else not_(present)
    if field.kind == "tags":
        if operator not in ("contains", "eq", "neq", "in"):
            raise _Unsuitable
        if operator == "in":
            if not isinstance(value, list):
                raise _Unsuitable
            items = [v for v in value if isinstance(v, str)]
        elif isinstance(value, str):
            items = [value]
        else:
            raise _Unsuitable
        any_tag = or_(false(), *(_tag_condition(rtype, name, v) for v in items))
        return not_(any_tag) if operator == "neq" else any_tag
    if operator == "in":
        if not isinstance(value, list):
            raise _Unsuitable
        values = _suitable(field, value)
        return column.in_(values) if values else false()
    coerced = _coerce(field, value)
    if operator == "contains":
        if field.kind in ("int", "num", "bool"):
            raise _Unsuitable
        return func.lower(column).contains(str(coerced).lower(), autoescape=True)
    if field.kind == "bool" and operator not in ("eq", "neq"):
        raise _Unsuitable
    comparisons: dict[str, Callable[[], ColumnElement[bool]]] = {
        "eq": lambda: column == coerced,
        "neq": lambda: or_(column != coerced, column.is_(None)),
        "lt": lambda: column < coerced,
        "lte": lambda: column <= coerced,
        "gt": lambda: column > coerced,
        "gte": lambda: column >= coerced,
    }
    return comparisons[operator]()


def search_condition(rtype: ResourceType, groups: Sequence[Mapping[str, Any]] | None
                     ) -> ColumnElement[bool]:
    """OR across groups, AND within a group; no groups → everything."""
    if not groups:
        return true()
    ors = []
    for g, group in enumerate(groups):
        filters = group.get("filters") or []
        ors.append(and_(true(), *(_filter(rtype, f, (g, i)) for i, f in enumerate(filters))))
    return or_(*ors)
