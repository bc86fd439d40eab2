"""Finding catastrophic backtracking (ReDoS) in regular expressions, from the regex's syntax tree.

The pattern is parsed with Python's own regex parser (`re._parser`) and the tree is analysed
for the two shapes that make a backtracking engine take exponential time on a failing input:

- **nested quantifiers**: a repeated group whose body holds another repeat that can meet the
  next copy of itself with nothing in between that it could not match (`(a+)+`, `(\\w+\\s?)*`,
  `(\\d+(\\.\\d+)?)+`); a separator that the inner repeat cannot match (`([a-z]+-)*`) makes the
  split unique again, and is accepted;
- **overlapping alternation** under a repeat: two alternatives that can spell the same text
  (`(a|a)*`, `(\\w|\\d)+`, `(a|aa)*`).

Character sets are tracked as code point intervals, so `\\d`, `[a-f]`, `.` and negated classes
compare exactly. JSON Schema patterns are ECMA-262; the few spellings Python does not share
(`(?<name>`, `\\p{...}`) are translated before parsing.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["RegexIssue", "analyse_pattern"]

# Python's own regex parser and its constants (private modules, stable since 3.11).
C: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

MAX = 0x10FFFF
Intervals = tuple[tuple[int, int], ...]
_ALL: Intervals = ((0, MAX),)
_DIGIT: Intervals = ((48, 57),)
_SPACE: Intervals = ((9, 13), (32, 32), (160, 160), (0x2000, 0x200A), (0x3000, 0x3000))
_WORD: Intervals = ((48, 57), (65, 90), (95, 95), (97, 122), (170, MAX))
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_BIG = 10  # a repeat allowing more than this many iterations counts as unbounded


@dataclass(frozen=True)
class RegexIssue:
    kind: str  # "nested-quantifier" or "overlapping-alternation"
    detail: str


def _norm(intervals: list[tuple[int, int]]) -> Intervals:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _union(*sets: Intervals) -> Intervals:
    return _norm([i for s in sets for i in s])


def _complement(s: Intervals) -> Intervals:
    out, start = [], 0
    for lo, hi in _norm(list(s)):
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= MAX:
        out.append((start, MAX))
    return tuple(out)


def _overlaps(a: Intervals, b: Intervals) -> bool:
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][1] < b[j][0]:
            i += 1
        elif b[j][1] < a[i][0]:
            j += 1
        else:
            return True
    return False


def _category(code: Any) -> Intervals:
    table = {
        C.CATEGORY_DIGIT: _DIGIT, C.CATEGORY_NOT_DIGIT: _complement(_DIGIT),
        C.CATEGORY_SPACE: _SPACE, C.CATEGORY_NOT_SPACE: _complement(_SPACE),
        C.CATEGORY_WORD: _WORD, C.CATEGORY_NOT_WORD: _complement(_WORD),
    }
    return table.get(code, _ALL)


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
            parts.append(_ALL)
    result = _union(*parts) if parts else ()
    return _complement(result) if negate else result


class _Analyser:
    def __init__(self) -> None:
        self.issues: list[RegexIssue] = []

    # --- facts about a sequence of items -------------------------------------------------
    def chars(self, seq: Any) -> Intervals:
        return _union(*(self.item_chars(op, av) for op, av in seq)) if len(seq) else ()

    def item_chars(self, op: Any, av: Any) -> Intervals:
        if op is C.LITERAL:
            return ((av, av),)
        if op is C.NOT_LITERAL:
            return _complement(((av, av),))
        if op is C.ANY:
            return _ALL
        if op is C.IN:
            return _set(av)
        if op in (C.SUBPATTERN,):
            return self.chars(av[3])
        if op in _REPEATS or op is getattr(C, "POSSESSIVE_REPEAT", None):
            return self.chars(av[2])
        if op is C.BRANCH:
            return _union(*(self.chars(alt) for alt in av[1]))
        if op is getattr(C, "ATOMIC_GROUP", None):
            return self.chars(av)
        if op is C.GROUPREF or op is C.GROUPREF_EXISTS:
            return _ALL
        return ()  # anchors and lookarounds consume nothing

    def nullable(self, seq: Any) -> bool:
        return all(self.item_nullable(op, av) for op, av in seq)

    def item_nullable(self, op: Any, av: Any) -> bool:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            return False
        if op is C.SUBPATTERN:
            return self.nullable(av[3])
        if op in _REPEATS or op is getattr(C, "POSSESSIVE_REPEAT", None):
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
        return _union(*out) if out else ()

    def item_first(self, op: Any, av: Any) -> Intervals:
        if op is C.SUBPATTERN:
            return self.first(av[3])
        if op in _REPEATS:
            return self.first(av[2])
        if op is C.BRANCH:
            return _union(*(self.first(alt) for alt in av[1]))
        return self.item_chars(op, av)

    def repeats_in(self, op: Any, av: Any) -> list[tuple[Any, Intervals]]:
        """Repeats of variable length inside an item (`+`, `*`, `{2,5}`), with their charsets."""
        found: list[tuple[Any, Intervals]] = []
        if op in _REPEATS:
            if av[1] > 1 and av[1] != av[0]:  # a fixed count ({4}) splits text one way only
                found.append((av, self.chars(av[2])))
            for sub_op, sub_av in av[2]:
                found.extend(self.repeats_in(sub_op, sub_av))
        elif op is C.SUBPATTERN:
            for sub_op, sub_av in av[3]:
                found.extend(self.repeats_in(sub_op, sub_av))
        elif op is C.BRANCH:
            for alt in av[1]:
                for sub_op, sub_av in alt:
                    found.extend(self.repeats_in(sub_op, sub_av))
        return found

    # --- the walk ------------------------------------------------------------------------
    def walk(self, seq: Any) -> None:
        for op, av in seq:
            if op in _REPEATS:
                if av[1] > _BIG:
                    self.check_repeat(av[2])
                self.walk(av[2])
            elif op is C.SUBPATTERN:
                self.walk(av[3])
            elif op is C.BRANCH:
                for alt in av[1]:
                    self.walk(alt)
            elif op in (C.ASSERT, C.ASSERT_NOT):
                self.walk(av[1])
            elif op is C.GROUPREF_EXISTS:
                self.walk(av[1])
                if av[2]:
                    self.walk(av[2])
            # atomic groups and possessive repeats never backtrack into themselves

    def check_repeat(self, body: Any) -> None:
        items = list(body)
        if len(items) == 1 and items[0][0] is C.SUBPATTERN:
            items = list(items[0][1][3])
        for index, (op, av) in enumerate(items):
            inner = self.repeats_in(op, av)
            if inner:
                others = items[:index] + items[index + 1:]
                for _, charset in inner:
                    if not charset:
                        continue
                    separators = [self.item_chars(o, a) for o, a in others
                                  if not self.item_nullable(o, a)]
                    if not any(not _overlaps(s, charset) for s in separators):
                        self.issues.append(RegexIssue(
                            "nested-quantifier",
                            "a repeated group contains a repeat that can match the same text "
                            "in many ways"))
                        return
            if op is C.BRANCH and len(items) == 1 or (op is C.BRANCH and self.nullable(
                    items[:index] + items[index + 1:])):
                if self.ambiguous_branch(av[1]):
                    self.issues.append(RegexIssue(
                        "overlapping-alternation",
                        "a repeated alternation has alternatives that can match the same text"))
                    return

    def ambiguous_branch(self, alternatives: list[Any]) -> bool:
        """Whether some text can be spelled by the alternatives in more than one way.

        Checked for alternatives made of single characters: two one-character alternatives
        that overlap (`a|[a-z]`), or a longer alternative every character of which another,
        one-character alternative can also match (`a|aa`, `a|b|ab`).
        """
        spelled = [self.spelling(alt) for alt in alternatives]
        singles = [(i, s[0]) for i, s in enumerate(spelled) if s is not None and len(s) == 1]
        for index, parts in enumerate(spelled):
            if parts is None:
                continue
            others = [charset for i, charset in singles if i != index]
            if len(parts) == 1:
                if any(_overlaps(parts[0], other) for other in others):
                    return True
            elif others and all(any(_overlaps(part, other) for other in others)
                                for part in parts):
                return True
        return False

    def spelling(self, seq: Any) -> list[Intervals] | None:
        """The charsets of an alternative made only of (repeated) single characters, or None."""
        out: list[Intervals] = []
        for op, av in seq:
            if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
                continue
            if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
                out.append(self.item_chars(op, av))
            elif op in _REPEATS and len(av[2]) == 1 and av[2][0][0] in (
                    C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
                if av[0] == 0:
                    return None
                out.append(self.item_chars(*av[2][0]))
            elif op is C.SUBPATTERN:
                inner = self.spelling(av[3])
                if inner is None:
                    return None
                out.extend(inner)
            else:
                return None
        return out or None


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
            out.append(f"(?!{chr(0xE000 + count % 6000)})")
            count += 1
    return "".join(out)


def analyse_pattern(pattern: str) -> list[RegexIssue]:
    """The ReDoS-prone shapes in an ECMA-262 / Python regular expression (empty if none).

    Raises `re.error` when the pattern cannot be parsed.
    """
    translated = _NAMED_GROUP.sub("(?P<", pattern)
    translated = _UNICODE_PROPERTY.sub(r"\\w", translated)
    sre_parse.parse(translated)  # raises re.error on an invalid pattern, before any rewrite
    tree = sre_parse.parse(_guard_alternatives(translated))
    analyser = _Analyser()
    analyser.walk(tree)
    return analyser.issues
