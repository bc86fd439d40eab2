"""One import row: validated against the type's create schema, matched, then applied.

Rows are checked with the same JSON Schema the API applies to a create request
(`CustomerCreate`, `CompanyCreate`, `DealCreate`, read from the served spec), then written
through the resource layer, so an imported record is indistinguishable from one created by
the API (references checked, change feed, webhook events).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from connexion.exceptions import ProblemException
from referencing import Registry, Resource
from specfirst.server.context import Caller
from specfirst.server.fast_validation import validator_factory
from sqlalchemy.engine import Connection

CREATE_SCHEMAS = {"customers": "CustomerCreate", "companies": "CompanyCreate",
                  "deals": "DealCreate"}
NATURAL_KEYS: dict[str, str] = {"customers": "email", "companies": "domain"}
_SPEC_URI = "urn:specfirst:crm"


class RowError(Exception):
    """Why one row was rejected (reported in the job's `errors`)."""

    def __init__(self, row: int, pointer: str, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.pointer = pointer[:1000]
        self.message = message[:1000]

    def as_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"row": self.row, "message": self.message}
        if self.pointer:
            error["pointer"] = self.pointer
        return error

    @classmethod
    def from_problem(cls, row: int, problem: ProblemException) -> RowError:
        errors = getattr(problem, "errors", None) or []
        pointer = str(errors[0].get("pointer", "")) if errors else ""
        if pointer and not pointer.startswith("/"):
            pointer = "/" + pointer
        return cls(row, pointer, str(problem.detail or problem.title or "rejected"))


@functools.lru_cache(maxsize=1)
def _registry() -> Registry[Any]:
    from specfirst.generator.loader import Spec
    from specfirst.server.crm import SPEC as CRM_SPEC

    document = Spec.from_path(CRM_SPEC).document
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, Resource.from_contents(
        document, default_specification=validator_factory(document).specification))
    return registry


@functools.lru_cache(maxsize=8)
def _validator(object_type: str) -> Any:
    from specfirst.server.validation import install_format_checks

    install_format_checks()
    from specfirst.generator.loader import Spec
    from specfirst.server.crm import SPEC as CRM_SPEC

    dialect = validator_factory(Spec.from_path(CRM_SPEC).document)
    schema = {"$ref": f"{_SPEC_URI}#/components/schemas/{CREATE_SCHEMAS[object_type]}"}
    return dialect.request_validator_class(
        schema, registry=_registry(), format_checker=dialect.json_schema_class.FORMAT_CHECKER)


def _pointer(path: Any) -> str:
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in path]
    return "/" + "/".join(parts) if parts else ""


class RowValidator:
    """Applies the rows of one job: `apply` returns 'created' | 'updated' | 'skipped'."""

    def __init__(self, object_type: str, on_conflict: str) -> None:
        from specfirst.server.crm import record_types as crm

        self.object_type = object_type
        self.on_conflict = on_conflict
        self.rtype = {"customers": crm.CUSTOMERS, "companies": crm.COMPANIES,
                      "deals": crm.DEALS}[object_type]
        self.validator = _validator(object_type)

    def check(self, index: int, record: Any) -> tuple[str | None, dict[str, Any]]:
        """The row's `id` (if any) and its fields, or `RowError`."""
        if not isinstance(record, Mapping):
            raise RowError(index, "", "a row must be a JSON object")
        fields = dict(record)
        record_id = fields.pop("id", None)
        if record_id is not None:
            if self.on_conflict != "update":
                raise RowError(index, "/id", "'id' is accepted only with on_conflict 'update'")
            try:
                if not isinstance(record_id, str) or len(record_id) != 36:
                    raise ValueError
                uuid.UUID(record_id)
            except ValueError:
                raise RowError(index, "/id", "'id' must be a UUID") from None
        error = next(iter(sorted(self.validator.iter_errors(fields),
                                 key=lambda e: list(e.absolute_path))), None)
        if error is not None:
            raise RowError(index, _pointer(error.absolute_path), error.message)
        return record_id, fields

    def existing(self, conn: Connection, who: Caller, record_id: str | None,
                 fields: Mapping[str, Any]) -> tuple[str | None, str]:
        """The id of the record this row matches (and the field it matched on), if any."""
        table = self.rtype.table
        if record_id is not None:
            found = conn.execute(sa.select(table.c.id).where(
                table.c.tenant_id == who.tenant_id, table.c.id == record_id)).scalar()
            return (str(found) if found else None), "id"
        key = NATURAL_KEYS.get(self.object_type)
        value = fields.get(key) if key else None
        if key is None or not isinstance(value, str) or not value:
            return None, ""
        found = conn.execute(
            sa.select(table.c.id)
            .where(table.c.tenant_id == who.tenant_id,
                   sa.func.lower(table.c[key]) == value.lower())
            .order_by(table.c.created_at, table.c.id).limit(1)
        ).scalar()
        return (str(found) if found else None), key

    def apply(self, conn: Connection, who: Caller, index: int, record: Any) -> str:
        from specfirst.server.crm.resources import apply_update, insert_record

        record_id, fields = self.check(index, record)
        match, matched_on = self.existing(conn, who, record_id, fields)
        if match is None:
            if record_id is not None:
                raise RowError(index, "/id", f"no {self.rtype.singular} with this id exists")
            insert_record(conn, self.rtype, who, fields)
            return "created"
        if self.on_conflict == "skip":
            return "skipped"
        if self.on_conflict == "update":
            apply_update(conn, self.rtype, who, match, fields, None)
            return "updated"
        raise RowError(index, f"/{matched_on}",
                       f"a {self.rtype.singular} with this {matched_on} already exists")
