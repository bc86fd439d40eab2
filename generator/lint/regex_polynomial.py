"""Polynomial backtracking: repeats in sequence that can share the same run of characters.

`^\\d+\\d+$` on `"1" * n + "x"` fails only after a backtracking engine has tried every way of
splitting the digits between the two repeats: about n² steps. Each further repeat that can take
a share of the same run multiplies by n (`.*.*=` is cubic when no `=` comes). A pattern without
a leading `^` is tried at every start position (JSON Schema's `pattern` searches), which acts as
one more such repeat in front: `\\s+$` is quadratic, the cause of well-known outages.

Two unbounded repeats A and B, B after A, are **linked** when some character c can be repeated
by both and everything written between them can match a run of c alone (an optional part, or
one that accepts c). The degree is the length of the longest chain of linked repeats whose last
repeat is followed by something that can fail (a `$`, a required character): when whatever
follows can match nothing, the first split tried succeeds and nothing is retried. This is the
"infinite degree of ambiguity" criterion of Weideman et al. (2016), read off the syntax tree
for single characters, which covers the shapes written in API specs. Repeats inside a repeat are
the exponential analysis' concern (`regex_safety.py`); atomic groups, possessive repeats and
lookarounds are not backtracked into and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.lint.regex_tree import (
    ALL,
    REPEATS,
    C,
    Intervals,
    TreeFacts,
    intersect,
    is_guard,
    union,
)

__all__ = ["polynomial_degree"]

# Repeats allowing more iterations than this count as unbounded here: a bounded one (`{1,64}`)
# can only multiply the work by its bound.
_LONG = 255
Frame = tuple[Any, int]  # a sequence of the tree, and the index of an item in it
_START = (C.AT_BEGINNING, C.AT_BEGINNING_STRING)
_BLOCKING = (C.AT_BEGINNING, C.AT_BEGINNING_STRING, C.AT_END, C.AT_END_STRING, C.AT_BOUNDARY,
             C.AT_BEGINNING_LINE, C.AT_END_LINE)


@dataclass(frozen=True)
class _Loop:
    frames: tuple[Frame, ...]
    body: Any


class _Runs(TreeFacts):
    """Which runs of one repeated character the parts of a pattern can match."""

    def run_chars(self, items: Any) -> Intervals:
        """The characters c such that the items can together match c…c (possibly nothing)."""
        return intersect(*(self.item_run_chars(op, av) for op, av in items))

    def item_run_chars(self, op: Any, av: Any) -> Intervals:
        if op is C.AT:
            return () if av in _BLOCKING else ALL
        if op in (C.ASSERT, C.ASSERT_NOT, C.GROUPREF) or self.item_nullable(op, av):
            return ALL
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            return self.item_chars(op, av)
        if op in REPEATS or op is getattr(C, "POSSESSIVE_REPEAT", None):
            return self.run_chars(av[2])
        if op is C.SUBPATTERN:
            return self.run_chars(av[3])
        if op is getattr(C, "ATOMIC_GROUP", None):
            return self.run_chars(av)
        if op is C.BRANCH:
            return union(*(self.run_chars(alt) for alt in av[1]))
        return ()

    def loop_chars(self, body: Any) -> Intervals:
        """The characters a repeat can take one after the other."""
        return intersect(self.run_chars(body), self.chars(body))

    def can_fail(self, items: list[tuple[Any, Any]]) -> bool:
        """Whether what follows a repeat can refuse the rest of the input."""
        for op, av in items:
            if op is C.AT and av in _BLOCKING:
                return True
            if op in (C.ASSERT, C.ASSERT_NOT) and not is_guard(op, av):
                return True
            if not self.item_nullable(op, av):
                return True
        return False


def _loops(seq: Any, frames: tuple[Frame, ...], found: list[_Loop]) -> None:
    for index, (op, av) in enumerate(seq):
        here = frames + ((seq, index),)
        if op in REPEATS:
            if av[1] > _LONG:
                found.append(_Loop(here, av[2]))
            _loops(av[2], here, found)
        elif op is C.SUBPATTERN:
            _loops(av[3], here, found)
        elif op is C.BRANCH:
            for alt in av[1]:
                _loops(alt, here, found)


def _between(a: tuple[Frame, ...], b: tuple[Frame, ...]) -> list[tuple[Any, Any]] | None:
    """The items a match passes from the end of loop `a` to the start of loop `b`, or None
    when `b` cannot follow `a` (other alternatives of one branch, or one inside the other)."""
    depth = 0
    while depth < min(len(a), len(b)):
        if a[depth][0] is not b[depth][0]:
            return None
        if a[depth][1] != b[depth][1]:
            break
        depth += 1
    else:
        return None
    if a[depth][1] > b[depth][1]:
        return None
    items: list[tuple[Any, Any]] = []
    for seq, index in reversed(a[depth + 1:]):
        items.extend(seq[index + 1:])
    seq, index = a[depth]
    items.extend(seq[index + 1:b[depth][1]])
    for seq, index in b[depth + 1:]:
        items.extend(seq[:index])
    return items


def _anchored(seq: Any) -> bool:
    for op, av in seq:
        if op in (C.ASSERT, C.ASSERT_NOT):
            continue
        if op is C.AT:
            return bool(av in _START)
        if op is C.SUBPATTERN:
            return _anchored(av[3])
        if op is C.BRANCH:
            return all(_anchored(alt) for alt in av[1])
        return False
    return False


def polynomial_degree(tree: Any) -> tuple[int, bool] | None:
    """(degree, whether the missing leading anchor counts) of the worst chain of repeats that
    share a failing input, or None when no failing input costs more than linear time per start.
    """
    runs = _Runs()
    loops: list[_Loop] = []
    _loops(tree, (), loops)
    unanchored = not _anchored(tree)
    chars = [runs.loop_chars(loop.body) for loop in loops]
    # chain[i]: the longest chain ending at loop i, and whether it starts at the search loop.
    chain: list[tuple[int, bool]] = []
    for i, loop in enumerate(loops):
        best = (1, False)
        if unanchored and chars[i]:
            before = [item for seq, index in loop.frames for item in seq[:index]]
            if intersect(chars[i], runs.run_chars(before)):
                best = (2, True)
        for k in range(i):
            middle = _between(loops[k].frames, loop.frames)
            if middle is None or chain[k][0] + 1 <= best[0]:
                continue
            if intersect(chars[k], chars[i], runs.run_chars(middle)):
                best = (chain[k][0] + 1, chain[k][1])
        chain.append(best)
    worst: tuple[int, bool] | None = None
    for loop, (degree, from_start) in zip(loops, chain, strict=True):
        if degree < 2 or (worst is not None and degree <= worst[0]):
            continue
        after = [item for seq, index in reversed(loop.frames) for item in seq[index + 1:]]
        if runs.can_fail(after):
            worst = (degree, from_start)
    return worst
