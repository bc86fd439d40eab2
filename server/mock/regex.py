"""Strings that match a regular expression, drawn from a seeded random source.

Walks the parsed pattern (`re._parser`) and emits one matching string; repetitions are bounded,
so every call is fast whatever the pattern. Patterns the walker cannot satisfy raise
`ValueError`; callers verify the result with `re.search` anyway.
"""

from __future__ import annotations

import random
import re
import re._constants as sre_constants  # Python 3.11+
import re._parser as sre_parse
import string
from typing import Any

__all__ = ["string_matching"]

_CATEGORIES: dict[Any, str] = {
    sre_constants.CATEGORY_DIGIT: string.digits,
    sre_constants.CATEGORY_NOT_DIGIT: string.ascii_letters,
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    sre_constants.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre_constants.CATEGORY_NOT_WORD: "-.!",
}
_PRINTABLE = string.ascii_letters + string.digits + "-_."
_MAX_EXTRA = 3


def _charset(items: list[tuple[Any, Any]]) -> tuple[set[str], bool]:
    chars: set[str] = set()
    negate = False
    for op, value in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            chars.add(chr(value))
        elif op is sre_constants.RANGE:
            low, high = value
            chars.update(chr(c) for c in range(low, min(high, low + 300) + 1))
        elif op is sre_constants.CATEGORY:
            chars.update(_CATEGORIES.get(value, ""))
    return chars, negate


class _Walker:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.groups: dict[int, str] = {}

    def emit(self, parsed: Any, depth: int = 0) -> str:
        if depth > 50:
            raise ValueError("pattern nests too deeply")
        return "".join(self.node(op, value, depth) for op, value in parsed)

    def node(self, op: Any, value: Any, depth: int) -> str:
        rng = self.rng
        if op is sre_constants.LITERAL:
            return chr(value)
        if op is sre_constants.NOT_LITERAL:
            return rng.choice([c for c in _PRINTABLE if ord(c) != value])
        if op is sre_constants.ANY:
            return rng.choice(_PRINTABLE)
        if op is sre_constants.IN:
            chars, negate = _charset(value)
            pool = [c for c in _PRINTABLE if c not in chars] if negate else sorted(chars)
            if not pool:
                raise ValueError("empty character class")
            return rng.choice(pool)
        if op is sre_constants.CATEGORY:
            return rng.choice(_CATEGORIES.get(value, _PRINTABLE))
        if op is sre_constants.BRANCH:
            return self.emit(rng.choice(value[1]), depth + 1)
        if op is sre_constants.SUBPATTERN:
            group, *_, sub = value
            text = self.emit(sub, depth + 1)
            if group:
                self.groups[group] = text
            return text
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(
                sre_constants, "POSSESSIVE_REPEAT", object())):
            low, high, sub = value
            high = low + _MAX_EXTRA if high is sre_constants.MAXREPEAT else min(
                high, low + _MAX_EXTRA)
            return "".join(self.emit(sub, depth + 1) for _ in range(rng.randint(low, high)))
        if op is sre_constants.GROUPREF:
            return self.groups.get(value, "")
        if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            return ""
        if op is getattr(sre_constants, "ATOMIC_GROUP", None):
            return self.emit(value, depth + 1)
        if op is sre_constants.GROUPREF_EXISTS:
            group, yes, no = value
            return self.emit(yes if group in self.groups else (no or []), depth + 1)
        raise ValueError(f"unsupported pattern construct {op}")


def string_matching(pattern: str, rng: random.Random, *, attempts: int = 8) -> str:
    """A string `re.search(pattern, s)` accepts; ValueError when none was found."""
    try:
        parsed = sre_parse.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"invalid pattern: {exc}") from None
    for _ in range(attempts):
        try:
            text = _Walker(rng).emit(parsed)
        except (ValueError, RecursionError):
            continue
        if compiled.search(text):
            return text
    raise ValueError(f"no string found for pattern {pattern!r}")
