"""Naming styles: which styles a name is written in, and converting a name to a style."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["STYLES", "convert", "dominant_style", "matches", "split_words"]

STYLES: dict[str, re.Pattern[str]] = {
    "snake": re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"),
    "camel": re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$"),
    "pascal": re.compile(r"^[A-Z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$"),
    "kebab": re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"),
    "macro": re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$"),
    "cobol": re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$"),
    "flat": re.compile(r"^[a-z][a-z0-9]*$"),
}
# When names fit several styles equally well, the first of these wins.
_PREFERENCE = ("snake", "camel", "kebab", "pascal", "macro", "cobol", "flat")
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def matches(name: str, style: str) -> bool:
    return STYLES[style].match(name) is not None


def styles_of(name: str) -> set[str]:
    return {style for style, pattern in STYLES.items() if pattern.match(name)}


def dominant_style(names: Iterable[str], candidates: Iterable[str] = _PREFERENCE) -> str | None:
    """The style that the most names are written in (ties broken by a fixed preference).

    Single-word lowercase names fit snake, camel and kebab alike, so they only count once a
    multi-word name has decided; a spec of single words is consistent in any of those styles.
    """
    allowed = [style for style in _PREFERENCE if style in set(candidates)]
    counts: Counter[str] = Counter()
    for name in names:
        fits = styles_of(name)
        if "flat" in fits:
            continue
        for style in allowed:
            if style in fits:
                counts[style] += 1
    if not counts:
        return None
    best = max(counts.values())
    return next(style for style in allowed if counts[style] == best)


def split_words(name: str) -> list[str]:
    return [word.lower() for word in _WORDS.findall(name)]


def convert(name: str, style: str) -> str:
    """`name` rewritten in `style` ("getCustomers" -> "get_customers" for snake)."""
    words = split_words(name) or [name]
    if style in ("snake", "flat"):
        return "_".join(words)
    if style == "kebab":
        return "-".join(words)
    if style == "macro":
        return "_".join(words).upper()
    if style == "cobol":
        return "-".join(words).upper()
    if style == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    if style == "pascal":
        return "".join(w.capitalize() for w in words)
    raise ValueError(f"unknown naming style {style!r}")
