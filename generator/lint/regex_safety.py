"""Finding catastrophic backtracking (ReDoS) in regular expressions, from the regex's syntax tree.

The pattern is parsed (`regex_tree.py`) and the tree is analysed for the two shapes that make a
backtracking engine take exponential time on a failing input:

- **nested quantifiers**: a repeated group whose body holds another repeat that can meet the
  next copy of itself with nothing in between that it could not match (`(a+)+`, `(\\w+\\s?)*`,
  `(\\d+(\\.\\d+)?)+`); a separator that the inner repeat cannot match (`([a-z]+-)*`) makes the
  split unique again, and is accepted;
- **overlapping alternation** under a repeat: two alternatives that can spell the same text
  (`(a|a)*`, `(\\w|\\d)+`, `(a|aa)*`).

When neither is found, `regex_polynomial.py` looks for repeats in sequence that can share a
failing input between them, which costs polynomial time (`\\d+\\d+$`, `.*.*=`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specfirst.generator.lint.regex_polynomial import polynomial_degree
from specfirst.generator.lint.regex_tree import (
    REPEATS,
    C,
    Intervals,
    TreeFacts,
    overlaps,
    parse_pattern,
)

__all__ = ["RegexIssue", "analyse_pattern"]

_BIG = 10  # a repeat allowing more than this many iterations counts as unbounded


@dataclass(frozen=True)
class RegexIssue:
    """A ReDoS-prone shape: exponential (`degree` None) or polynomial of the given degree."""

    kind: str  # "nested-quantifier", "overlapping-alternation" or "overlapping-quantifiers"
    detail: str
    degree: int | None = None

    @property
    def exponential(self) -> bool:
        return self.degree is None


class _Analyser(TreeFacts):
    def __init__(self) -> None:
        self.issues: list[RegexIssue] = []

    def repeats_in(self, op: Any, av: Any) -> list[tuple[Any, Any]]:
        """Repeats of variable length inside an item (`+`, `*`, `{2,5}`), with their charsets."""
        found: list[tuple[Any, Any]] = []
        if op in REPEATS:
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
            if op in REPEATS:
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
                    if not any(not overlaps(s, charset) for s in separators):
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
                if any(overlaps(parts[0], other) for other in others):
                    return True
            elif others and all(any(overlaps(part, other) for other in others)
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
            elif op in REPEATS and len(av[2]) == 1 and av[2][0][0] in (
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


def analyse_pattern(pattern: str) -> list[RegexIssue]:
    """The ReDoS-prone shapes in an ECMA-262 / Python regular expression (empty if none):
    the exponential ones, else the worst polynomial one.

    Raises `re.error` when the pattern cannot be parsed.
    """
    tree = parse_pattern(pattern)
    analyser = _Analyser()
    analyser.walk(tree)
    if analyser.issues:
        return analyser.issues
    found = polynomial_degree(tree)
    if found is None:
        return []
    degree, from_start = found
    if from_start:
        detail = ("without a leading ^ the pattern is tried at every position, and its repeats "
                  "can match the same characters from each, so a failing input is tried in "
                  f"about n^{degree} ways")
    else:
        detail = ("repeats in sequence can match the same characters, so a failing input is "
                  f"split between them in about n^{degree} ways")
    return [RegexIssue("overlapping-quantifiers", detail, degree)]
