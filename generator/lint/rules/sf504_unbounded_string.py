"""SF504 unbounded-string: strings a client sends have a maximum length.

A string is bounded by `maxLength`, an `enum` or `const`, a format of bounded length, or a
`pattern` anchored at both ends (`^...$`) whose every repetition is bounded (`^[0-9]{13}$`,
`^[a-z]{1,40}$`): such a pattern refuses any longer string, as maxLength would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

try:  # the regular expression parser of the standard library
    import re._parser as _sre_parse  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as _sre_parse  # type: ignore[no-redef,unused-ignore]

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule

__all__ = ["UnboundedString", "has_type"]

_BOUNDED_FORMATS = frozenset({"date", "date-time", "time", "uuid", "ipv4", "ipv6", "byte-size",
                              "int32", "int64", "duration"})


_AT_START = {"AT_BEGINNING", "AT_BEGINNING_STRING"}
_AT_END = {"AT_END", "AT_END_STRING"}
_LONG = 1 << 20


def pattern_max_length(pattern: Any) -> int | None:
    """The longest string a `pattern` accepts, when anchored at both ends and every repetition
    in it bounded; None when it accepts strings of any length (or cannot be read)."""
    if not isinstance(pattern, str):
        return None
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - an ECMA-only construct: not known to be bounded
        return None
    items = list(parsed)
    if len(items) < 2:
        return None
    (first_op, first_arg), (last_op, last_arg) = items[0], items[-1]
    if str(first_op) != "AT" or str(first_arg) not in _AT_START:
        return None
    if str(last_op) != "AT" or str(last_arg) not in _AT_END:
        return None
    _, longest = parsed.getwidth()
    return int(longest) if longest < _LONG else None


def has_type(schema: dict[str, Any], name: str) -> bool:
    kind = schema.get("type")
    return kind == name or (isinstance(kind, list) and name in kind)


class UnboundedString(Rule):
    id = "SF504"
    name = "unbounded-string"
    summary = "Strings in requests have maxLength (or an enum, const or bounded format)."
    category = "security"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for schema, pointer in ctx.request_schemas():
            if not has_type(schema, "string") or "maxLength" in schema:
                continue
            if "enum" in schema or "const" in schema or schema.get("readOnly") is True:
                continue
            if str(schema.get("format")) in _BOUNDED_FORMATS:
                continue
            if pattern_max_length(schema.get("pattern")) is not None:
                continue
            yield self.finding(ctx, pointer,
                               "this string is sent by clients and has no maxLength",
                               "add maxLength, so the server can refuse oversized input early")
