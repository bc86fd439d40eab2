"""SF305 example-valid: every example is valid against the schema it illustrates.

Examples are checked with the OpenAPI dialect of JSON Schema (openapi-schema-validator):
`nullable` for 3.0, `readOnly` properties refused in request examples and `writeOnly` ones in
response examples (of operations under `paths`: a webhook or callback request is sent by the API,
so neither is refused there), and the formats OpenAPI defines. `$ref`s resolve in the bundled
document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from jsonschema.exceptions import best_match
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30Validator,
    OAS30WriteValidator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import MINIMAL, LintContext, Rule, is_json
from specfirst.generator.loader import escape_pointer

__all__ = ["ExampleValid"]

_MAX_ERRORS = 3


class ExampleValid(Rule):
    id = "SF305"
    name = "example-valid"
    summary = "Examples match their schemas, so docs, mocks and tests do not lie."
    severity = Severity.ERROR
    category = "readability"
    rulesets = MINIMAL

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        validators = self._validators(ctx)
        seen: set[str] = set()
        for op in self.operations(ctx):
            # readOnly / writeOnly speak of a client calling the API; a webhook or callback
            # request is sent by the API itself, so its examples are checked without them.
            write, read = ("write", "read") if op.kind == "path" else ("any", "any")
            for media, obj, where in ctx.request_media(op):
                if is_json(media):
                    yield from self._holder(ctx, validators[write], obj, where, seen)
            for _, media, obj, where in ctx.response_media(op):
                if is_json(media):
                    yield from self._holder(ctx, validators[read], obj, where, seen)
            for param, where in ctx.parameters(op):
                yield from self._holder(ctx, validators["any"], param, where, seen)
            for _, response, where in ctx.responses(op):
                headers = response.get("headers")
                if isinstance(headers, dict):
                    for name, header in headers.items():
                        header, at = ctx.deref(header, f"{where}/headers/{escape_pointer(name)}")
                        if isinstance(header, dict):
                            yield from self._holder(ctx, validators["any"], header, at, seen)
        for schema, pointer in ctx.schemas():
            if "example" in schema and not ctx.spec.is_v31:
                yield from self._validate(ctx, validators["any"], schema, schema["example"],
                                          f"{pointer}/example")
            examples = schema.get("examples")
            if ctx.spec.is_v31 and isinstance(examples, list):
                for index, value in enumerate(examples):
                    yield from self._validate(ctx, validators["any"], schema, value,
                                              f"{pointer}/examples/{index}")

    @staticmethod
    def _validators(ctx: LintContext) -> dict[str, Any]:
        document = ctx.document
        if ctx.spec.is_v31:
            base = OAS31Validator(document, format_checker=oas31_format_checker)
            return {"read": base, "write": base, "any": base}
        checker = oas30_format_checker
        return {
            "read": OAS30ReadValidator(document, format_checker=checker),
            "write": OAS30WriteValidator(document, format_checker=checker),
            "any": OAS30Validator(document, format_checker=checker),
        }

    def _holder(self, ctx: LintContext, validator: Any, holder: dict[str, Any], where: str,
                seen: set[str]) -> Iterator[Finding]:
        """The `example` and `examples` of a media type, parameter or header."""
        if where in seen or not isinstance(holder.get("schema"), dict):
            return
        seen.add(where)
        schema = holder["schema"]
        if "example" in holder:
            yield from self._validate(ctx, validator, schema, holder["example"],
                                      f"{where}/example")
        examples = holder.get("examples")
        if isinstance(examples, dict):
            for name, example in examples.items():
                example, at = ctx.deref(example, f"{where}/examples/{escape_pointer(name)}")
                if isinstance(example, dict) and "value" in example:
                    yield from self._validate(ctx, validator, schema, example["value"],
                                              f"{at}/value")

    def _validate(self, ctx: LintContext, validator: Any, schema: Any, value: Any,
                  pointer: str) -> Iterator[Finding]:
        if not isinstance(schema, (dict, bool)):
            return
        try:
            errors = list(validator.evolve(schema=schema).iter_errors(value))
        except Exception as exc:  # an unresolvable $ref or a schema jsonschema cannot compile
            ctx.cache.setdefault("example-valid-skipped", []).append((pointer, str(exc)))
            return
        if not errors:
            return
        # One finding per place in the example: a `null` that is neither nullable nor of the
        # type is one mistake, not two ("None for not nullable" and "None is not of type").
        by_place: dict[str, list[Any]] = {}
        for error in errors:
            at = pointer + "".join("/" + escape_pointer(str(p)) for p in error.absolute_path)
            by_place.setdefault(at, []).append(error)
        chosen = best_match(errors)
        first = pointer + "".join("/" + escape_pointer(str(p)) for p in chosen.absolute_path)
        places = [first] + [at for at in by_place if at != first][: _MAX_ERRORS - 1]
        for at in places:
            group = by_place[at]
            error = chosen if at == first else best_match(group)
            text = json_message(error, group)
            text = text if len(text) <= 200 else text[:197] + "..."
            yield self.finding(ctx, at, f"the example does not match its schema: {text}",
                               "fix the example, or the schema if the example is right")


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def json_message(error: Any, group: list[Any]) -> str:
    """jsonschema's message with the values written as JSON (`null`, `true`, `"a"`), not as
    Python (`None`, `True`, `'a'`)."""
    instance = error.instance
    if instance is None and any(e.validator in ("nullable", "type") for e in group):
        return "null is not allowed here (the schema does not accept null)"
    if error.validator == "type":
        expected = error.validator_value
        names = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return f"{_json(instance)} is not of type {names}"
    if error.validator == "enum" and isinstance(error.validator_value, list):
        return f"{_json(instance)} is not one of {_json(error.validator_value)}"
    if error.validator == "const":
        return f"{_json(instance)} is not {_json(error.validator_value)}"
    text = str(error.message)
    shown = repr(instance)
    if text.startswith(shown):
        text = _json(instance) + text[len(shown):]
    return text
