"""Custom rules without Python: a `given` JSONPath and `then` checks, as in Spectral rulesets.

```toml
[tool.specfirst.lint.custom-rules.operation-tags]
message = "{{path}} has no tags"
given = "$.paths[*][get,put,post,delete,patch]"
then = { field = "tags", function = "truthy" }
severity = "warning"
```
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar

from specfirst.generator.errors import ConfigError
from specfirst.generator.lint.casing import STYLES
from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.jsonpath import JSONPath, JSONPathError
from specfirst.generator.lint.rule import LintContext, Rule
from specfirst.generator.loader import escape_pointer

__all__ = ["FUNCTIONS", "DeclarativeRule", "declarative_rule"]

_MISSING = object()


def _truthy(value: Any, options: Mapping[str, Any]) -> str | None:
    return None if value is not _MISSING and value else "is missing or empty"


def _falsy(value: Any, options: Mapping[str, Any]) -> str | None:
    return None if value is _MISSING or not value else "must not be set"


def _defined(value: Any, options: Mapping[str, Any]) -> str | None:
    return None if value is not _MISSING else "must be defined"


def _undefined(value: Any, options: Mapping[str, Any]) -> str | None:
    return None if value is _MISSING else "must not be defined"


def _pattern(value: Any, options: Mapping[str, Any]) -> str | None:
    if value is _MISSING:
        return None
    text = value if isinstance(value, str) else str(value)
    if "match" in options and not re.search(str(options["match"]), text):
        return f"must match the pattern {options['match']!r}"
    if "notMatch" in options and re.search(str(options["notMatch"]), text):
        return f"must not match the pattern {options['notMatch']!r}"
    return None


def _enumeration(value: Any, options: Mapping[str, Any]) -> str | None:
    if value is _MISSING:
        return None
    allowed = list(options.get("values", []))
    return None if value in allowed else f"must be one of {', '.join(map(str, allowed))}"


def _length(value: Any, options: Mapping[str, Any]) -> str | None:
    if value is _MISSING:
        return None
    size = value if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else len(value) if isinstance(value, (str, list, dict)) else None
    if size is None:
        return None
    if "min" in options and size < options["min"]:
        return f"must be at least {options['min']} long"
    if "max" in options and size > options["max"]:
        return f"must be at most {options['max']} long"
    return None


def _casing(value: Any, options: Mapping[str, Any]) -> str | None:
    if value is _MISSING or not isinstance(value, str):
        return None
    style = str(options.get("type", "camel"))
    if style not in STYLES:
        raise ConfigError(f"casing: unknown type {style!r}; use one of {', '.join(STYLES)}")
    text = value
    if options.get("disallowDigits") and re.search(r"\d", text):
        return f"must be {style} case without digits"
    return None if STYLES[style].match(text) else f"must be {style} case"


FUNCTIONS: dict[str, Callable[[Any, Mapping[str, Any]], str | None]] = {
    "truthy": _truthy,
    "falsy": _falsy,
    "defined": _defined,
    "undefined": _undefined,
    "pattern": _pattern,
    "enumeration": _enumeration,
    "length": _length,
    "casing": _casing,
}
_RULE_KEYS = ("given", "then", "severity", "message", "description", "id", "recommended")
_THEN_KEYS = ("field", "function", "functionOptions")


@dataclass(frozen=True)
class _Then:
    field: str | None
    function: str
    options: Mapping[str, Any] = dataclass_field(default_factory=dict)


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


class DeclarativeRule(Rule):
    """A rule configured as data. One subclass is made per configured rule."""

    category = "custom"
    paths: ClassVar[tuple[JSONPath, ...]] = ()
    thens: ClassVar[tuple[_Then, ...]] = ()
    template: ClassVar[str] = ""

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for path in self.paths:
            for value, pointer, key in path.find(ctx.document):
                for then in self.thens:
                    yield from self._apply(ctx, then, value, pointer, key)

    def _apply(self, ctx: LintContext, then: _Then, value: Any, pointer: str, key: str
               ) -> Iterator[Finding]:
        target: Any = value
        at, is_key = pointer, False
        if then.field == "@key":
            target, is_key = key, True
        elif then.field:
            for part in then.field.split("."):
                if isinstance(target, dict) and part in target:
                    target = target[part]
                    at = f"{at}/{escape_pointer(part)}"
                else:
                    target = _MISSING
                    break
        error = FUNCTIONS[then.function](target, then.options)
        if error is None:
            return
        subject = then.field if then.field and then.field != "@key" else (key or "the value")
        shown = target if target is not _MISSING else None
        message = (self.template or "{{property}} {{error}}") \
            .replace("{{property}}", str(subject)).replace("{{error}}", error) \
            .replace("{{path}}", "#" + pointer).replace("{{value}}", str(shown))
        yield self.finding(ctx, at, message, self.summary or None, key=is_key)


def declarative_rule(name: str, table: Any) -> type[DeclarativeRule]:
    """Build the rule class for `[tool.specfirst.lint.custom-rules.<name>]`."""
    where = f"[tool.specfirst.lint.custom-rules.{name}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table with `given` and `then`")
    for key in table:
        if key not in _RULE_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{_did_you_mean(key, _RULE_KEYS)}")
    if "given" not in table or "then" not in table:
        raise ConfigError(f"{where} needs both `given` (a JSONPath) and `then`")
    givens = table["given"] if isinstance(table["given"], list) else [table["given"]]
    try:
        paths = tuple(JSONPath(str(g)) for g in givens)
    except JSONPathError as exc:
        raise ConfigError(f"{where}: given: {exc}") from None
    raw_thens = table["then"] if isinstance(table["then"], list) else [table["then"]]
    thens = []
    for then in raw_thens:
        if not isinstance(then, dict) or "function" not in then:
            raise ConfigError(f"{where}: each `then` is a table with a `function`")
        for key in then:
            if key not in _THEN_KEYS:
                raise ConfigError(f"{where}: then: unknown key {key!r}"
                                  f"{_did_you_mean(key, _THEN_KEYS)}")
        function = str(then["function"])
        if function not in FUNCTIONS:
            raise ConfigError(f"{where}: unknown function {function!r}"
                              f"{_did_you_mean(function, FUNCTIONS)}; known: "
                              f"{', '.join(FUNCTIONS)}")
        options = then.get("functionOptions") or {}
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: functionOptions must be a table")
        thens.append(_Then(then.get("field"), function, dict(options)))
    try:
        severity = Severity.parse(str(table.get("severity", "warning")))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    attributes = {
        "id": str(table.get("id", name)),
        "name": name,
        "severity": severity,
        "summary": str(table.get("description", "")),
        "paths": paths,
        "thens": tuple(thens),
        "template": str(table.get("message", "")),
    }
    class_name = "Custom_" + re.sub(r"\W", "_", name)
    return type(class_name, (DeclarativeRule,), attributes)
