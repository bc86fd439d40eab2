"""The ReDoS analysis of `pattern`s: catastrophic shapes found, safe ones left alone."""

from __future__ import annotations

import re
import time

import pytest

from generator.lint.regex_safety import analyse_pattern

CATASTROPHIC = [
    (r"^(a+)+$", "nested-quantifier"),
    (r"^(a*)*$", "nested-quantifier"),
    (r"(\w+\s?)*$", "nested-quantifier"),
    (r"(\d+(\.\d+)?)+x", "nested-quantifier"),
    (r"^(\w+\.?)+@example\.com$", "nested-quantifier"),
    (r"(x+x+)+y", "nested-quantifier"),
    (r"^(([a-z])+.)+[A-Z]([a-z])+$", "nested-quantifier"),
    (r"(.*a){12}", "nested-quantifier"),
    (r"^((ab){1,3})+$", "nested-quantifier"),
    (r"(a|a)*b", "overlapping-alternation"),
    (r"^(\w|\d)+$", "overlapping-alternation"),
    (r"^(a|aa)*$", "overlapping-alternation"),
    (r"^(a|[a-z])+$", "overlapping-alternation"),
    (r"^(a|b|ab)*$", "overlapping-alternation"),
    (r"^(a|a+)*$", "nested-quantifier"),
    (r"^(?:[a-z]+|-)*$", "nested-quantifier"),
]
SAFE = [
    r"^[a-z]+$",
    r"^([a-z0-9]+-)*[a-z0-9]+$",
    r"^\d{4}-\d{2}-\d{2}$",
    r"(a|ab)*c",
    r"^(a|bc|cb)*$",
    r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$",
    r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    r"^\+?[0-9]{7,15}$",
    r"^(?:[a-z]{2,3})(?:-[A-Z]{2})?$",
    r"^(GET|POST|PUT)$",
    r"[|]x(a|b)+",
    r"^(?:[a-z]|-)+$",
    r"^([0-9a-f]{2}:)+[0-9a-f]{2}$",
    r"^(?<year>\d{4})-(?<month>\d{2})$",
    r"^\p{L}+$",
    r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$",
]


@pytest.mark.parametrize(("pattern", "kind"), CATASTROPHIC)
def test_catastrophic_patterns_are_found(pattern: str, kind: str) -> None:
    assert [issue.kind for issue in analyse_pattern(pattern)] == [kind]


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_patterns_are_left_alone(pattern: str) -> None:
    assert analyse_pattern(pattern) == []


def test_flagged_patterns_really_backtrack() -> None:
    """The analysis predicts what the engine does: the flagged one blows up, the safe one not."""
    def seconds(pattern: str, subject: str) -> float:
        started = time.perf_counter()
        re.match(pattern, subject)
        return time.perf_counter() - started

    flagged, safe = r"^(\w+\s?)*$", r"^([a-z0-9]+-)*[a-z0-9]+$"
    assert analyse_pattern(flagged) and not analyse_pattern(safe)
    assert seconds(flagged, "a" * 22 + "!") > 20 * seconds(safe, "a" * 22 + "!")


def test_invalid_patterns_raise_re_error() -> None:
    with pytest.raises(re.error):
        analyse_pattern("(unclosed")
