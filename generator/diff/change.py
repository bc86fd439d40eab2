"""One classified change between two versions of a spec, and the result of a comparison."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from specfirst.generator.errors import Location

__all__ = ["Change", "ChangeGroup", "DiffResult", "Level", "group_changes"]


class Level(enum.IntEnum):
    """How much a change matters to an existing client; ordered so that `max()` gives the worst."""

    INFO = 1
    WARNING = 2
    BREAKING = 3

    @classmethod
    def parse(cls, value: str) -> Level:
        try:
            return cls[value.upper()]
        except KeyError:
            raise ValueError(f"unknown level {value!r}: use breaking, warning or info") from None

    def __str__(self) -> str:
        return self.name.lower()



class _Placed:
    """Where a change or a group of changes stands: the new version's pointer and location, or
    the old one's when the element was removed."""

    __slots__ = ()
    old_pointer: str | None
    new_pointer: str | None
    old_location: Location | None
    new_location: Location | None

    @property
    def pointer(self) -> str:
        if self.new_pointer is not None:
            return self.new_pointer
        return self.old_pointer or ""

    @property
    def location(self) -> Location | None:
        return self.new_location if self.new_pointer is not None else self.old_location

@dataclass(frozen=True, slots=True)
class Change(_Placed):
    """A change a client developer may need to know about, at one use.

    `id` is stable (kebab-case, listed in `generator.diff.catalogue.CATALOGUE` with its level);
    `operation` is `"METHOD /path"` (of the new version, or the old one when removed),
    `"webhook NAME: METHOD"`, the owner operation followed by `"callback NAME METHOD
    EXPRESSION"`, or `""` for a change to the whole API; pointers are JSON pointers (without `#`)
    into each version's bundled document, `None` where the element does not exist in that
    version. `message` tells the change as this use sees it (from the root of the body,
    parameter or header); `place` tells it where it was made when that is a named schema
    component ("property 'id' of schema 'Pet': ..."), else None.
    """

    id: str
    level: Level
    operation: str
    message: str
    old_pointer: str | None = None
    new_pointer: str | None = None
    old_location: Location | None = field(default=None, compare=False)
    new_location: Location | None = field(default=None, compare=False)
    place: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[int, str, str, str, str]:
        method, _, path = self.operation.partition(" ")
        return (-self.level, path, method, self.id, self.pointer)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": str(self.level),
            "operation": self.operation,
            "pointer": "#" + self.pointer,
            "message": self.message,
            "old_pointer": None if self.old_pointer is None else "#" + self.old_pointer,
            "new_pointer": None if self.new_pointer is None else "#" + self.new_pointer,
            "old_location": _where(self.old_location),
            "new_location": _where(self.new_location),
        }


def _where(location: Location | None) -> str | None:
    return str(location) if location is not None and location.line else None


def _operation_key(name: str) -> tuple[str, str]:
    method, _, path = name.partition(" ")
    return (path, method)


@dataclass(frozen=True)
class ChangeGroup(_Placed):
    """One change where it was made, with every operation it affects.

    The same change to a shared schema reaches every operation (and every body, parameter or
    header of it) that uses the schema: a group is one change (`id`, the same pointers, the same
    text where it was made) with the sorted `operations` it affects and the number of `uses`
    (places it is reached from). Its level is decided per use, by its `id`: a schema change on
    the request side and the same change on the response side are two groups.
    """

    id: str
    level: Level
    message: str
    old_pointer: str | None
    new_pointer: str | None
    old_location: Location | None
    new_location: Location | None
    operations: tuple[str, ...]
    uses: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": str(self.level),
            "message": self.message,
            "pointer": "#" + self.pointer,
            "old_pointer": None if self.old_pointer is None else "#" + self.old_pointer,
            "new_pointer": None if self.new_pointer is None else "#" + self.new_pointer,
            "old_location": _where(self.old_location),
            "new_location": _where(self.new_location),
            "operation_count": len(self.operations),
        }


def group_changes(changes: list[Change]) -> list[ChangeGroup]:
    """Each change once, where it was made, worst first, then by where."""
    found: dict[tuple[str, str | None, str | None, str], list[Change]] = {}
    for change in changes:
        text = change.place if change.place is not None else change.message
        found.setdefault((change.id, change.old_pointer, change.new_pointer, text),
                         []).append(change)
    groups = []
    for (change_id, old_pointer, new_pointer, text), members in found.items():
        first = members[0]
        operations = sorted({c.operation for c in members}, key=_operation_key)
        groups.append(ChangeGroup(change_id, first.level, text, old_pointer, new_pointer,
                                  first.old_location, first.new_location, tuple(operations),
                                  len(members)))
    groups.sort(key=lambda g: (-g.level, g.pointer, g.id, g.message))
    return groups


@dataclass(frozen=True)
class DiffResult:
    """Every change found at every use, worst first; `groups` has each change once.

    `breaking` is true when any change is breaking; `verdicts()` gives each affected
    operation's worst level.
    """

    changes: list[Change]

    @property
    def breaking(self) -> bool:
        return any(change.level is Level.BREAKING for change in self.changes)

    @cached_property
    def groups(self) -> list[ChangeGroup]:
        return group_changes(self.changes)

    def at_least(self, level: Level) -> list[Change]:
        return [change for change in self.changes if change.level >= level]

    def verdicts(self) -> dict[str, Level]:
        """Operation ("" for the whole API) -> the worst level of the changes that affect it."""
        worst: dict[str, Level] = {}
        for change in self.changes:
            if change.level > worst.get(change.operation, 0):
                worst[change.operation] = change.level
        return worst

    def counts(self) -> dict[str, int]:
        """Distinct changes (groups) per level."""
        return {str(level): sum(1 for g in self.groups if g.level is level)
                for level in sorted(Level, reverse=True)}

    def operation_counts(self) -> dict[str, int]:
        """Operations per worst level of the changes that affect them."""
        verdicts = self.verdicts()
        return {str(level): sum(1 for name, v in verdicts.items() if name and v is level)
                for level in sorted(Level, reverse=True)}

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: each change once, with `operation_set`, the index of the list of
        operations it affects in `operation_sets` (changes to one shared schema affect the same
        operations; each list is written once)."""
        sets: dict[tuple[str, ...], int] = {}
        changes = []
        for group in self.groups:
            entry = group.to_dict()
            entry["operation_set"] = sets.setdefault(group.operations, len(sets))
            changes.append(entry)
        return {
            "breaking": self.breaking,
            "summary": self.counts(),
            "operations": self.operation_counts(),
            "uses": len(self.changes),
            "changes": changes,
            "operation_sets": [list(operations) for operations in sets],
        }
