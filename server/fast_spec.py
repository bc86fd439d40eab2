"""Connexion's check of a spec against the OpenAPI schema, compiled: start-up in a fraction.

`connexion.spec.Specification` validates every document it is given against the OpenAPI 3.0
JSON Schema with the pure-Python `jsonschema`, extended so that each `default` is also checked
against the schema it sits in. On a spec of a thousand operations that takes about 4 s of a
5–6 s start-up. `install()` replaces it, for OpenAPI 3 documents, with the same two checks done
faster:

1. the structure, against the very same OpenAPI 3.0 schema, by `jsonschema_rs` (compiled once);
2. every `default`, against the schema object holding it, by Connexion's own nullable-aware
   Draft 4 validator — only the few nodes that carry a default are visited.

Whenever either check finds anything (or cannot decide), Connexion's original validation runs,
so an invalid spec is refused with exactly the error Connexion would give; the replacement is
never more permissive than the original. Installing twice is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
from jsonschema import Draft4Validator
from jsonschema.validators import extend
from specfirst.server.connexion_compat import (
    NullableTypeValidator,
    OpenAPISpecification,
    Specification,
)

__all__ = ["accepts", "install", "nodes_with_defaults", "validate_spec"]

log = logging.getLogger(__name__)

# Objects whose keys are names chosen by the author (a property called "default" is no default).
_NAME_MAPS = frozenset({"properties", "patternProperties", "schemas", "definitions", "paths",
                        "responses", "content", "headers", "securitySchemes", "requestBodies",
                        "parameters", "variables", "encoding", "links", "callbacks",
                        "examples"})
_VALUES = frozenset({"example", "examples", "enum", "default"})  # data, not schema

_original = Specification.__dict__["_validate_spec"]
_structure: Any = None


def nodes_with_defaults(node: Any, parent_key: str | None = None) -> Iterator[dict[str, Any]]:
    """Every object in the document that carries a `default`, outside example data."""
    if isinstance(node, dict):
        if "default" in node and parent_key not in _NAME_MAPS:
            yield node
        for key, value in node.items():
            if key in _VALUES or (isinstance(key, str) and key.startswith("x-")):
                continue
            if isinstance(value, (dict, list)):
                yield from nodes_with_defaults(value, key)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, (dict, list)):
                yield from nodes_with_defaults(item, None)


def _defaults_valid(spec: dict[str, Any]) -> bool:
    validator_class = extend(Draft4Validator, {"type": NullableTypeValidator})
    root = validator_class(spec)
    for node in nodes_with_defaults(spec):
        try:
            if any(True for _ in root.evolve(schema=node).iter_errors(node["default"])):
                return False
        except Exception:  # noqa: BLE001 - undecidable here: let Connexion decide
            return False
    return True


def accepts(spec: dict[str, Any]) -> bool:
    """Whether both compiled checks pass: then Connexion accepts the OpenAPI 3.0 document.
    False means "Connexion's own validation would have to decide", not necessarily invalid."""
    global _structure
    if _structure is None:
        _structure = jsonschema_rs.Draft4Validator(OpenAPISpecification.openapi_schema)
    try:
        return bool(_structure.is_valid(spec)) and _defaults_valid(spec)
    except Exception:  # noqa: BLE001 - e.g. a value jsonschema_rs cannot take: undecided
        return False


def validate_spec(cls: type, spec: dict[str, Any]) -> None:
    """The replacement of `Specification._validate_spec` (same contract: raise or return)."""
    if not accepts(spec):
        _original.__get__(None, cls)(spec)


def install() -> None:
    """Use the compiled validation for every OpenAPI 3 document Connexion loads."""
    OpenAPISpecification._validate_spec = classmethod(validate_spec)
