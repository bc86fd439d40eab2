"""A small, safe JSONPath evaluator: the subset Spectral rulesets use in `given`.

Supported: `$`, `.name`, `['name']`, `.*`, `[*]`, `[0]`, `['a','b']` unions, `..name` and `..*`
(recursive descent), and filters `[?(@.field)]`, `[?(@.a.b == 'v')]`, `[?(@property != 'x')]`
with `==`, `!=`, `===`, `!==`, `&&` and `||`. Expressions are parsed into data, never
evaluated as code; the number of matched nodes is capped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from specfirst.generator.loader import escape_pointer

__all__ = ["JSONPath", "JSONPathError", "Match"]

MAX_NODES = 1_000_000
Match = tuple[Any, str, str]  # value, JSON pointer, key (property name or index)


class JSONPathError(ValueError):
    """A JSONPath outside the supported subset, with the position of the problem."""


@dataclass(frozen=True)
class _Comparison:
    left: tuple[str, ...]  # ("@property",) or the field path under @
    op: str | None  # None: the field exists and is truthy
    right: Any = None


@dataclass(frozen=True)
class _Filter:
    any_of: tuple[tuple[_Comparison, ...], ...]  # OR of ANDs


@dataclass(frozen=True)
class _Step:
    recursive: bool
    names: tuple[str | int, ...] | None  # None: wildcard
    filter: _Filter | None = None


_TOKEN = re.compile(r"""\s*(?:
    (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op>===|!==|==|!=|&&|\|\|)
  | (?P<word>@property|@[A-Za-z_$][\w$-]*|@|true|false|null|[A-Za-z_$][\w$-]*)
  | (?P<punct>[.\[\]()])
)""", re.VERBOSE)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


class JSONPath:
    """A compiled JSONPath: `JSONPath("$.paths[*][get,post]").find(document)`."""

    def __init__(self, expression: str):
        self.expression = expression
        self.steps = self._parse(expression.strip())

    # --- parsing -------------------------------------------------------------------------
    def _parse(self, text: str) -> list[_Step]:
        if not text.startswith("$"):
            raise JSONPathError(f"{self.expression!r}: a path starts with '$'")
        i, steps = 1, []
        while i < len(text):
            recursive = text.startswith("..", i)
            if recursive:
                i += 2
            elif text[i] == ".":
                i += 1
            elif text[i] != "[":
                raise JSONPathError(f"{self.expression!r}: unexpected {text[i]!r} at {i}")
            if i < len(text) and text[i] == "[":
                end = self._closing(text, i)
                steps.append(self._bracket(text[i + 1:end], recursive))
                i = end + 1
                continue
            match = re.compile(r"\*|[A-Za-z_$@][\w$@-]*").match(text, i)
            if not match:
                raise JSONPathError(f"{self.expression!r}: expected a name at {i}")
            name = match.group(0)
            steps.append(_Step(recursive, None if name == "*" else (name,)))
            i = match.end()
        return steps

    def _closing(self, text: str, start: int) -> int:
        depth, quote = 0, ""
        for i in range(start, len(text)):
            char = text[i]
            if quote:
                if char == quote and text[i - 1] != "\\":
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return i
        raise JSONPathError(f"{self.expression!r}: unclosed '['")

    def _bracket(self, inner: str, recursive: bool) -> _Step:
        inner = inner.strip()
        if inner == "*":
            return _Step(recursive, None)
        if inner.startswith("?"):
            body = inner[1:].strip()
            if body.startswith("(") and body.endswith(")"):
                body = body[1:-1]
            return _Step(recursive, None, self._filter(body))
        names: list[str | int] = []
        for part in self._split(inner):
            part = part.strip()
            if part[:1] in "'\"" and part[-1:] == part[:1] and len(part) >= 2:
                names.append(_unquote(part))
            elif re.fullmatch(r"-?\d+", part):
                names.append(int(part))
            elif re.fullmatch(r"[A-Za-z_$][\w$-]*", part):
                names.append(part)
            else:
                raise JSONPathError(f"{self.expression!r}: unsupported selector {part!r}")
        return _Step(recursive, tuple(names))

    @staticmethod
    def _split(inner: str) -> list[str]:
        parts, current, quote = [], "", ""
        for char in inner:
            if quote:
                current += char
                if char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
                current += char
            elif char == ",":
                parts.append(current)
                current = ""
            else:
                current += char
        parts.append(current)
        return parts

    def _filter(self, body: str) -> _Filter:
        tokens = []
        position = 0
        while position < len(body):
            match = _TOKEN.match(body, position)
            if not match or match.end() == position:
                if body[position:].strip() == "":
                    break
                raise JSONPathError(
                    f"{self.expression!r}: cannot read the filter at {body[position:]!r}")
            tokens.append((match.lastgroup, match.group(match.lastgroup or "")))
            position = match.end()
        groups: list[tuple[_Comparison, ...]] = []
        current: list[_Comparison] = []
        i = 0
        while i < len(tokens):
            left, i = self._operand_path(tokens, i)
            op = None
            right: Any = None
            if i < len(tokens) and tokens[i][0] == "op" and tokens[i][1] in ("==", "!=", "===",
                                                                            "!=="):
                op = tokens[i][1].replace("===", "==").replace("!==", "!=")
                right, i = self._literal(tokens, i + 1)
            current.append(_Comparison(left, op, right))
            if i < len(tokens):
                kind, value = tokens[i]
                if value == "&&":
                    i += 1
                elif value == "||":
                    groups.append(tuple(current))
                    current = []
                    i += 1
                else:
                    raise JSONPathError(f"{self.expression!r}: unexpected {value!r} in filter")
        groups.append(tuple(current))
        return _Filter(tuple(groups))

    def _operand_path(self, tokens: list[tuple[str | None, str]], i: int
                      ) -> tuple[tuple[str, ...], int]:
        if i >= len(tokens) or tokens[i][0] != "word" or not tokens[i][1].startswith("@"):
            raise JSONPathError(f"{self.expression!r}: a filter compares '@...' with a value")
        head = tokens[i][1]
        if head == "@property":
            return ("@property",), i + 1
        path: list[str] = [] if head == "@" else [head[1:]]
        i += 1
        while i < len(tokens) and tokens[i][1] in (".", "["):
            if tokens[i][1] == "." and i + 1 < len(tokens):
                path.append(tokens[i + 1][1])
                i += 2
            elif tokens[i][1] == "[" and i + 2 < len(tokens) and tokens[i + 2][1] == "]":
                value = tokens[i + 1][1]
                path.append(_unquote(value) if tokens[i + 1][0] == "str" else value)
                i += 3
            else:
                break
        return tuple(path), i

    def _literal(self, tokens: list[tuple[str | None, str]], i: int) -> tuple[Any, int]:
        if i >= len(tokens):
            raise JSONPathError(f"{self.expression!r}: a comparison needs a value")
        kind, value = tokens[i]
        if kind == "str":
            return _unquote(value), i + 1
        if kind == "num":
            return (float(value) if "." in value else int(value)), i + 1
        if value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value], i + 1
        raise JSONPathError(f"{self.expression!r}: {value!r} is not a literal")

    # --- evaluation ----------------------------------------------------------------------
    def find(self, document: Any) -> list[Match]:
        nodes: list[Match] = [(document, "", "")]
        for step in self.steps:
            nodes = list(self._apply(step, nodes))
            if len(nodes) > MAX_NODES:
                raise JSONPathError(f"{self.expression!r} matches more than {MAX_NODES} nodes")
        return nodes

    def _apply(self, step: _Step, nodes: list[Match]) -> Iterator[Match]:
        for node in nodes:
            sources = self._descend(node) if step.recursive else iter([node])
            for value, pointer, _ in sources:
                yield from self._children(step, value, pointer)

    def _descend(self, node: Match) -> Iterator[Match]:
        stack = [node]
        count = 0
        while stack:
            current = stack.pop()
            count += 1
            if count > MAX_NODES:
                raise JSONPathError(f"{self.expression!r} visits more than {MAX_NODES} nodes")
            yield current
            value, pointer, _ = current
            if isinstance(value, dict):
                stack.extend(reversed([(v, f"{pointer}/{escape_pointer(str(k))}", str(k))
                                       for k, v in value.items()]))
            elif isinstance(value, list):
                stack.extend(reversed([(v, f"{pointer}/{i}", str(i))
                                       for i, v in enumerate(value)]))

    def _children(self, step: _Step, value: Any, pointer: str) -> Iterator[Match]:
        if isinstance(value, dict):
            items: list[tuple[str | int, Any]] = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        else:
            return
        if step.names is not None:
            for name in step.names:
                if isinstance(value, dict) and isinstance(name, str) and name in value:
                    yield value[name], f"{pointer}/{escape_pointer(name)}", name
                elif isinstance(value, list) and isinstance(name, int) \
                        and -len(value) <= name < len(value):
                    index = name % len(value)
                    yield value[index], f"{pointer}/{index}", str(index)
            return
        for key, child in items:
            if step.filter is None or self._matches(step.filter, key, child):
                yield child, f"{pointer}/{escape_pointer(str(key))}", str(key)

    @staticmethod
    def _matches(condition: _Filter, key: str | int, value: Any) -> bool:
        for group in condition.any_of:
            if all(JSONPath._compare(c, key, value) for c in group):
                return True
        return False

    @staticmethod
    def _compare(c: _Comparison, key: str | int, value: Any) -> bool:
        if c.left == ("@property",):
            actual: Any = key
            found = True
        else:
            actual, found = value, True
            for part in c.left:
                if isinstance(actual, dict) and part in actual:
                    actual = actual[part]
                else:
                    found = False
                    break
        if c.op is None:
            return found and bool(actual)
        if c.op == "==":
            return found and actual == c.right
        return not found or actual != c.right
