"""A regular expression's syntax tree, and what each part of it can match.

The pattern is parsed with Python's own regex parser (`re._parser`); the ReDoS analyses
(`regex_safety.py`, `regex_polynomial.py`) ask `TreeFacts` which characters a part can
consume, whether it can match the empty string, and which characters it can start with.
Character sets are code point intervals, so `\\d`, `[a-f]`, `.` and negated classes compare
exactly. JSON Schema patterns are ECMA-262; the few spellings Python does not share
(`(?<name>`, `\\p{...}`) are translated before parsing, and `\\s`, `\\w` cover what either
dialect gives them.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["ALL", "C", "REPEATS", "Intervals", "TreeFacts", "complement", "intersect",
           "is_guard", "overlaps", "parse_pattern", "union"]

# Python's own regex parser and its constants (private modules, stable since 3.11).
C: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

MAX = 0x10FFFF
Intervals = tuple[tuple[int, int], ...]
ALL: Intervals = ((0, MAX),)
_DIGIT: Intervals = ((48, 57),)
# Python's `\s` (str.isspace) and ECMA-262's (which adds U+FEFF).
_SPACE: Intervals = ((9, 13), (28, 32), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680),
                     (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F),
                     (0x3000, 0x3000), (0xFEFF, 0xFEFF))
REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_GUARDS = (0xE000, 0xE000 + 5999)  # the private-use characters `_guard_alternatives` uses


def _norm(intervals: list[tuple[int, int]]) -> Intervals:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def union(*sets: Intervals) -> Intervals:
    return _norm([i for s in sets for i in s])


def complement(s: Intervals) -> Intervals:
    out, start = [], 0
    for lo, hi in _norm(list(s)):
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= MAX:
        out.append((start, MAX))
    return tuple(out)


def intersect(*sets: Intervals) -> Intervals:
    result = ALL
    for other in sets:
        if not result:
            break
        out: list[tuple[int, int]] = []
        i = j = 0
        while i < len(result) and j < len(other):
            lo, hi = max(result[i][0], other[j][0]), min(result[i][1], other[j][1])
            if lo <= hi:
                out.append((lo, hi))
            if result[i][1] < other[j][1]:
                i += 1
            else:
                j += 1
        result = tuple(out)
    return result


def overlaps(a: Intervals, b: Intervals) -> bool:
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][1] < b[j][0]:
            i += 1
        elif b[j][1] < a[i][0]:
            j += 1
        else:
            return True
    return False


# `\w`: ASCII letters, digits and `_`, and (Python) any other character that is not a space.
_WORD: Intervals = union(((48, 57), (65, 90), (95, 95), (97, 122)),
                         intersect(((128, MAX),), complement(_SPACE)))


def _category(code: Any) -> Intervals:
    table = {
        C.CATEGORY_DIGIT: _DIGIT, C.CATEGORY_NOT_DIGIT: complement(_DIGIT),
        C.CATEGORY_SPACE: _SPACE, C.CATEGORY_NOT_SPACE: complement(_SPACE),
        C.CATEGORY_WORD: _WORD, C.CATEGORY_NOT_WORD: complement(_WORD),
    }
    return table.get(code, ALL)


def _set(items: list[tuple[Any, Any]]) -> Intervals:
    negate = False
    parts: list[Intervals] = []
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            parts.append(((av, av),))
        elif op is C.RANGE:
            parts.append(((av[0], av[1]),))
        elif op is C.CATEGORY:
            parts.append(_category(av))
        else:
            parts.append(ALL)
    result = union(*parts) if parts else ()
    return complement(result) if negate else result


def is_guard(op: Any, av: Any) -> bool:
    """Whether an item is one of the empty lookaheads `_guard_alternatives` inserted."""
    if op is not C.ASSERT_NOT or len(av[1]) != 1:
        return False
    inner_op, inner_av = av[1][0]
    return bool(inner_op is C.LITERAL and _GUARDS[0] <= inner_av <= _GUARDS[1])


class TreeFacts:
    """What the items of a parsed pattern can match."""

    def chars(self, seq: Any) -> Intervals:
        """Every character the sequence can consume."""
        return union(*(self.item_chars(op, av) for op, av in seq)) if len(seq) else ()

    def item_chars(self, op: Any, av: Any) -> Intervals:
        if op is C.LITERAL:
            return ((av, av),)
        if op is C.NOT_LITERAL:
            return complement(((av, av),))
        if op is C.ANY:
            return ALL
        if op is C.IN:
            return _set(av)
        if op in (C.SUBPATTERN,):
            return self.chars(av[3])
        if op in REPEATS or op is getattr(C, "POSSESSIVE_REPEAT", None):
            return self.chars(av[2])
        if op is C.BRANCH:
            return union(*(self.chars(alt) for alt in av[1]))
        if op is getattr(C, "ATOMIC_GROUP", None):
            return self.chars(av)
        if op is C.GROUPREF or op is C.GROUPREF_EXISTS:
            return ALL
        return ()  # anchors and lookarounds consume nothing

    def nullable(self, seq: Any) -> bool:
        return all(self.item_nullable(op, av) for op, av in seq)

    def item_nullable(self, op: Any, av: Any) -> bool:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            return False
        if op is C.SUBPATTERN:
            return self.nullable(av[3])
        if op in REPEATS or op is getattr(C, "POSSESSIVE_REPEAT", None):
            return av[0] == 0 or self.nullable(av[2])
        if op is C.BRANCH:
            return any(self.nullable(alt) for alt in av[1])
        if op is getattr(C, "ATOMIC_GROUP", None):
            return self.nullable(av)
        return True

    def first(self, seq: Any) -> Intervals:
        out: list[Intervals] = []
        for op, av in seq:
            out.append(self.item_first(op, av))
            if not self.item_nullable(op, av):
                break
        return union(*out) if out else ()

    def item_first(self, op: Any, av: Any) -> Intervals:
        if op is C.SUBPATTERN:
            return self.first(av[3])
        if op in REPEATS:
            return self.first(av[2])
        if op is C.BRANCH:
            return union(*(self.first(alt) for alt in av[1]))
        return self.item_chars(op, av)


_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z_])")
_UNICODE_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}")


def _guard_alternatives(pattern: str) -> str:
    """Mark each alternative with a distinct empty lookahead.

    Python's parser merges single-character alternatives into one class (`(a|b)` becomes
    `[ab]`) and hoists common prefixes, which hides exactly the ambiguity looked for here. A
    lookahead for a private-use character consumes nothing, and keeps the alternatives apart.
    """
    out: list[str] = []
    in_class = escaped = False
    count = 0
    for char in pattern:
        out.append(char)
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]" or out[-2:-1] == ["["]
        elif char == "[":
            in_class = True
        elif char == "|":
            out.append(f"(?!{chr(_GUARDS[0] + count % 6000)})")
            count += 1
    return "".join(out)


def parse_pattern(pattern: str) -> Any:
    """The syntax tree of an ECMA-262 / Python pattern, alternatives kept apart.

    Raises `re.error` when the pattern cannot be parsed.
    """
    translated = _NAMED_GROUP.sub("(?P<", pattern)
    translated = _UNICODE_PROPERTY.sub(r"\\w", translated)
    sre_parse.parse(translated)  # raises re.error on an invalid pattern, before any rewrite
    return sre_parse.parse(_guard_alternatives(translated))
