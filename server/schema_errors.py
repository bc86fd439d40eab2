"""JSON Schema validation errors in plain words, for the people who read error answers.

jsonschema's own messages are Python reprs (`'password' is not one of ['name', '-name']`,
`'name' is a required property`); error answers (the server's problem details, the mock's
`Mock-Violation` lines) say where the value is and what the schema asks, with values as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

__all__ = ["describe_error", "first_error", "pointer_of"]


def first_error(errors: Iterable[ValidationError]) -> ValidationError | None:
    """The error most worth telling (jsonschema's `best_match`), or None when there is none."""
    return best_match(errors)


def pointer_of(error: ValidationError) -> str:
    """The JSON pointer (RFC 6901) of the value the error is about; "" for the whole value."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1")
                   for part in error.absolute_path)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _what(error: ValidationError) -> str:
    keyword = error.validator
    expected: Any = error.validator_value
    if keyword == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"must be of type {' or '.join(str(k) for k in kinds)}"
    if keyword == "required":
        missing = [name for name in expected if isinstance(error.instance, dict)
                   and name not in error.instance]
        return (f"is missing the required propert{'y' if len(missing) == 1 else 'ies'} "
                f"{', '.join(missing) or _shown(expected)}")
    if keyword in ("enum", "const"):
        return f"must be one of {_shown(expected if keyword == 'enum' else [expected])}"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        exclusive = "exclusiveMinimum" if keyword == "minimum" else "exclusiveMaximum"
        if keyword in ("minimum", "maximum") and isinstance(error.schema, dict) and (
                error.schema.get(exclusive) is True):  # Draft 4 / OpenAPI 3.0: a flag
            keyword = exclusive
        words = {"minimum": "at least", "maximum": "at most",
                 "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}
        return f"must be {words[str(keyword)]} {_shown(expected)}"
    if keyword in ("minLength", "maxLength"):
        return (f"must be {'at least' if keyword == 'minLength' else 'at most'} "
                f"{expected} characters long")
    if keyword in ("minItems", "maxItems"):
        return f"must have {'at least' if keyword == 'minItems' else 'at most'} {expected} items"
    if keyword in ("minProperties", "maxProperties"):
        return (f"must have {'at least' if keyword == 'minProperties' else 'at most'} "
                f"{expected} properties")
    if keyword == "pattern":
        return f"must match the pattern {_shown(expected)}"
    if keyword == "format":
        return f"must be a valid {expected}"
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        extra = sorted(set(error.instance) - set(error.schema.get("properties") or {})) if (
            isinstance(error.instance, dict)) else []
        return ("has properties the schema does not allow" if not extra else
                f"has propert{'y' if len(extra) == 1 else 'ies'} the schema does not allow: "
                f"{', '.join(_shown(name) for name in extra[:10])}")
    if keyword == "multipleOf":
        return f"must be a multiple of {_shown(expected)}"
    if keyword == "uniqueItems":
        return "must not repeat items"
    if keyword == "anyOf":
        return "matches none of the allowed forms"
    if keyword == "oneOf":
        return "must match exactly one of the allowed forms"
    if keyword == "not":
        return "is a value the schema excludes"
    return f"does not satisfy {keyword}"


def describe_error(error: ValidationError, subject: str = "the value") -> str:
    """`<where> <what the schema asks>`: where is the value's JSON pointer, or `subject` for
    the whole value (`the value`, `query parameter limit`)."""
    pointer = pointer_of(error)
    where = f"{subject} at {pointer}" if pointer and subject != "the value" else (
        pointer or subject)
    return f"{where} {_what(error)}"
