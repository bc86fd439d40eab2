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

from specfirst.generator.lint.regex_tree import (
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
# Only this many repeats of one pattern are compared with each other, which bounds the work.
_MAX_LOOPS = 200
Frame = tuple[Any, int]  # a sequence of the tree, and the index of an item in it
_START = (C.AT_BEGINNING, C.AT_BEGINNING_STRING)
_BLOCKING = (C.AT_BEGINNING, C.AT_BEGINNING_STRING, C.AT_END, C.AT_END_STRING, C.AT_BOUNDARY,
             C.AT_BEGINNING_LINE, C.AT_END_LINE)


class _Sequence:
    """One sequence of the tree: the run characters of any slice of it, and what can fail."""

    def __init__(self, runs: list[Intervals], fails: list[bool]) -> None:
        # table[level][i]: the run characters of items i .. i + 2**level - 1 (a sparse table).
        self.table = [runs]
        width = 1
        while 2 * width <= len(runs):
            row = self.table[-1]
            self.table.append([intersect(row[i], row[i + width])
                               for i in range(len(row) - width)])
            width *= 2
        self.fails_from = [False] * (len(fails) + 1)
        for i in range(len(fails) - 1, -1, -1):
            self.fails_from[i] = fails[i] or self.fails_from[i + 1]
        self.size = len(runs)

    def runs(self, start: int, stop: int) -> Intervals:
        if start >= stop:
            return ALL
        level = (stop - start).bit_length() - 1
        row = self.table[level]
        return intersect(row[start], row[stop - (1 << level)])


class _Runs(TreeFacts):
    """Which runs of one repeated character the parts of a pattern can match."""

    def __init__(self) -> None:
        self.sequences: dict[int, _Sequence] = {}
        self.kept: list[Any] = []  # the sequences keyed by id, kept alive while in use

    def sequence(self, seq: Any) -> _Sequence:
        found = self.sequences.get(id(seq))
        if found is None:
            items = list(seq)
            found = _Sequence([self.item_run_chars(op, av) for op, av in items],
                              [self.item_can_fail(op, av) for op, av in items])
            self.sequences[id(seq)] = found
            self.kept.append(seq)
        return found

    def run_chars(self, seq: Any) -> Intervals:
        """The characters c such that the sequence can match c…c (possibly nothing)."""
        view = self.sequence(seq)
        return view.runs(0, view.size)

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

    def item_can_fail(self, op: Any, av: Any) -> bool:
        """Whether an item following a repeat can refuse the rest of the input."""
        if op is C.AT:
            return bool(av in _BLOCKING)
        if op in (C.ASSERT, C.ASSERT_NOT):
            return not is_guard(op, av)
        return not self.item_nullable(op, av)


@dataclass
class _Loop:
    frames: tuple[Frame, ...]
    chars: Intervals = ()
    # after[d] / before[d]: the run characters of what follows / precedes the loop inside the
    # frames d, d+1, ... (up to their ends / from their starts).
    after: tuple[Intervals, ...] = ()
    before: tuple[Intervals, ...] = ()
    can_fail_after: bool = False


def _loops(seq: Any, frames: tuple[Frame, ...], found: list[_Loop]) -> None:
    for index, (op, av) in enumerate(seq):
        if len(found) >= _MAX_LOOPS:
            return
        here = frames + ((seq, index),)
        if op in REPEATS:
            if av[1] > _LONG:
                found.append(_Loop(here))
            _loops(av[2], here, found)
        elif op is C.SUBPATTERN:
            _loops(av[3], here, found)
        elif op is C.BRANCH:
            for alt in av[1]:
                _loops(alt, here, found)


def _describe(runs: _Runs, loop: _Loop) -> None:
    seq, index = loop.frames[-1]
    body = seq[index][1][2]
    loop.chars = intersect(runs.run_chars(body), runs.chars(body))
    after: list[Intervals] = [ALL] * (len(loop.frames) + 1)
    before: list[Intervals] = [ALL] * (len(loop.frames) + 1)
    for depth in range(len(loop.frames) - 1, -1, -1):
        seq, index = loop.frames[depth]
        view = runs.sequence(seq)
        after[depth] = intersect(after[depth + 1], view.runs(index + 1, view.size))
        before[depth] = intersect(before[depth + 1], view.runs(0, index))
        loop.can_fail_after = loop.can_fail_after or view.fails_from[index + 1]
    loop.after, loop.before = tuple(after), tuple(before)


def _link(runs: _Runs, a: _Loop, b: _Loop) -> bool:
    """Whether loop `b` can follow loop `a` with a run of one character shared by both and
    by everything between them."""
    shared = intersect(a.chars, b.chars)
    if not shared:
        return False
    depth = 0
    while depth < min(len(a.frames), len(b.frames)):
        if a.frames[depth][0] is not b.frames[depth][0]:
            return False  # different alternatives of one branch
        if a.frames[depth][1] != b.frames[depth][1]:
            break
        depth += 1
    else:
        return False  # one inside the other: the exponential analysis' concern
    seq, start = a.frames[depth]
    stop = b.frames[depth][1]
    if start > stop:
        return False
    view = runs.sequence(seq)
    return bool(intersect(shared, a.after[depth + 1], view.runs(start + 1, stop),
                          b.before[depth + 1]))


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
    """(degree, whether the search from every position counts in it) of the worst chain of
    repeats that share a failing input, or None when a failing input costs linear time per
    start position. Only the first `_MAX_LOOPS` repeats are compared.
    """
    runs = _Runs()
    loops: list[_Loop] = []
    _loops(tree, (), loops)
    for loop in loops:
        _describe(runs, loop)
    unanchored = not _anchored(tree)
    # chain[i]: the longest chain ending at loop i, and whether it starts at the search loop.
    chain: list[tuple[int, bool]] = []
    for i, loop in enumerate(loops):
        best = (1, False)
        if unanchored and intersect(loop.chars, loop.before[0]):
            best = (2, True)
        for k in range(i):
            if chain[k][0] + 1 > best[0] and _link(runs, loops[k], loop):
                best = (chain[k][0] + 1, chain[k][1])
        chain.append(best)
    worst: tuple[int, bool] | None = None
    for loop, (degree, from_start) in zip(loops, chain, strict=True):
        if degree >= 2 and loop.can_fail_after and (worst is None or degree > worst[0]):
            worst = (degree, from_start)
    return worst
