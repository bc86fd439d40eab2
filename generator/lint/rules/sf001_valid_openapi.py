"""SF001 valid-openapi: the document conforms to the OpenAPI 3.0 / 3.1 specification.

The structural check is openapi-spec-validator's JSON Schema of the OpenAPI specification, run on
the bundled document our loader produced, so every error has an exact path. Where a `oneOf` or
`anyOf` fails, the most relevant sub-error is reported instead of "not valid under any schema".
The semantic checks (unique operationIds, declared path parameters, valid defaults) follow,
in `generator/lint/semantics.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import validator_for
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.schemas import schema_v30, schema_v31
from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import LintContext, Rule
from specfirst.generator.lint.semantics import semantic_problems
from specfirst.generator.loader import escape_pointer

__all__ = ["ValidOpenAPI"]

_UNEXPECTED = re.compile(r"'([^']+)' (?:was|were) unexpected|^'([^']+)' does not match any of")


def _pointer(path: Any) -> str:
    return "".join("/" + escape_pointer(str(token)) for token in path)


def _deepest(error: ValidationError) -> ValidationError:
    """Descend through oneOf/anyOf to the sub-error that explains what the author got wrong."""
    while error.context:
        candidates = [
            e for e in error.context
            if not (e.validator == "required" and "'$ref'" in e.message)
        ] or list(error.context)
        depth = max(len(e.absolute_path) for e in candidates)
        deepest = [e for e in candidates if len(e.absolute_path) == depth]
        chosen = best_match(deepest)
        if chosen is None or chosen is error:
            break
        error = chosen
    return error


def _message(error: ValidationError) -> str:
    text = str(error.message).split("\n", 1)[0]
    if len(text) > 300:
        text = text[:297] + "..."
    return text


_HINTS = {
    "additionalProperties": "remove the unexpected key, or prefix custom keys with 'x-'",
    "required": "add the missing field",
    "enum": "use one of the allowed values",
    "type": "check the value's type (quote numbers meant as strings)",
    "pattern": "check the key or value's spelling against the OpenAPI specification",
}


class ValidOpenAPI(Rule):
    id = "SF001"
    name = "valid-openapi"
    severity = Severity.ERROR
    summary = "The document must be a valid OpenAPI 3.0 or 3.1 description."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: set[tuple[str, str]] = set()
        for error in self._structural_errors(ctx):
            detail = _deepest(error)
            pointer = _pointer(detail.absolute_path)
            message = _message(detail)
            if (pointer, message) in seen:
                continue
            seen.add((pointer, message))
            key = False
            match = _UNEXPECTED.search(detail.message)
            if detail.validator in ("additionalProperties", "unevaluatedProperties") and match:
                name = match.group(1) or match.group(2)
                pointer, key = f"{pointer}/{escape_pointer(name)}", True
                message = f"{name!r} is not allowed here"
            yield self.finding(ctx, pointer, message, _HINTS.get(str(detail.validator)), key=key)
        # The semantic checks run on a structurally invalid document too, so that every
        # finding is reported in one run; each reads defensively and skips what it cannot read.
        for problem in semantic_problems(ctx):
            if (problem.pointer, problem.message) in seen:
                continue
            seen.add((problem.pointer, problem.message))
            yield self.finding(ctx, problem.pointer, problem.message, problem.hint,
                               key=problem.key)

    @staticmethod
    def _structural_errors(ctx: LintContext) -> Iterator[ValidationError]:
        """Errors against the OpenAPI schema; the fast backend decides, jsonschema explains."""
        cls = OpenAPIV31SpecValidator if ctx.spec.is_v31 else OpenAPIV30SpecValidator
        if cls.schema_validator.is_valid(ctx.document):
            return
        schema = dict(schema_v31 if ctx.spec.is_v31 else schema_v30)
        yield from validator_for(schema)(schema).iter_errors(ctx.document)
