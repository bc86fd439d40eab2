"""Media types compared by essence (`type/subtype`), and wildcards that cover concrete types.

`application/json` and `application/json; charset=utf-8` are the same media type with different
parameters. `*/*` covers every type and `application/*` every `application/...` type, so a
concrete type replaced by a wildcard that matches it is still there for a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Media", "MediaMatch", "covers", "essence", "match_media", "parameters"]

T = TypeVar("T")


def essence(media_type: str) -> str:
    """`type/subtype` in lower case, without parameters or spaces."""
    return media_type.split(";", 1)[0].strip().lower()


def parameters(media_type: str) -> dict[str, str]:
    """The parameters (`charset`, `version`, ...): names and `charset` values in lower case."""
    found = {}
    for part in media_type.split(";")[1:]:
        name, _, value = part.partition("=")
        name = name.strip().lower()
        value = value.strip().strip('"')
        if name:
            found[name] = value.lower() if name == "charset" else value
    return found


def covers(wide: str, narrow: str) -> bool:
    """True when every value of the media type `narrow` is also one of `wide` (by essence)."""
    wide, narrow = essence(wide), essence(narrow)
    if wide == narrow or wide in ("*/*", "*"):
        return True
    kind, _, subtype = wide.partition("/")
    return subtype == "*" and narrow.partition("/")[0] == kind


@dataclass(frozen=True)
class Media(Generic[T]):
    written: str  # the media type as written
    value: T


@dataclass
class MediaMatch(Generic[T]):
    """Two versions' media types: the same essence, only in one version, or covered."""

    same: list[tuple[Media[T], Media[T]]]
    removed: list[Media[T]]
    added: list[Media[T]]
    covered: list[tuple[Media[T], Media[T]]]  # (old, new): one covers the other


def _keyed(content: dict[str, T]) -> dict[str, Media[T]]:
    keyed: dict[str, Media[T]] = {}
    for written, value in content.items():
        key = essence(written)
        if key in keyed:  # the same essence twice: tell them apart by their parameters
            key = f"{key};{sorted(parameters(written).items())}"
        keyed.setdefault(key, Media(written, value))
    return keyed


def _most_specific(candidates: list[Media[T]]) -> Media[T] | None:
    def rank(media: Media[T]) -> int:
        key = essence(media.written)
        return 2 if key in ("*/*", "*") else 1 if key.endswith("/*") else 0
    return min(candidates, key=rank, default=None)


def match_media(old: dict[str, T], new: dict[str, T], *, removals_matter: bool) -> MediaMatch[T]:
    """Pair two versions' media types.

    With `removals_matter` (the reader chooses among the types: request bodies, responses), an
    old type no longer listed is covered when a new type covers it; otherwise (the API chooses:
    what a webhook sends) a new type is covered when an old type covered it already.
    """
    before, after = _keyed(old), _keyed(new)
    same = [(before[k], after[k]) for k in sorted(set(before) & set(after))]
    removed = [before[k] for k in sorted(set(before) - set(after))]
    added = [after[k] for k in sorted(set(after) - set(before))]
    covered: list[tuple[Media[T], Media[T]]] = []
    if removals_matter:
        for media in list(removed):
            wide = _most_specific([m for m in after.values() if covers(m.written, media.written)])
            if wide is not None:
                covered.append((media, wide))
                removed.remove(media)
    else:
        for media in list(added):
            wide = _most_specific([m for m in before.values()
                                   if covers(m.written, media.written)])
            if wide is not None:
                covered.append((wide, media))
                added.remove(media)
    return MediaMatch(same, removed, added, covered)
