"""One classified change between two versions of a spec, and the result of a comparison."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from specfirst.generator.errors import Location

__all__ = ["Change", "DiffResult", "Level"]


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


@dataclass(frozen=True)
class Change:
    """A change a client developer may need to know about.

    `id` is stable (kebab-case, listed in `generator.diff.catalogue.CATALOGUE` with its level);
    `operation` is `"METHOD /path"` (of the new version, or the old one when removed),
    `"webhook NAME: METHOD"`, the owner operation followed by `"callback NAME METHOD
    EXPRESSION"`, or `""` for a change to the whole API; pointers are JSON pointers (without `#`)
    into each version's bundled document, `None` where the element does not exist in that
    version.
    """

    id: str
    level: Level
    operation: str
    message: str
    old_pointer: str | None = None
    new_pointer: str | None = None
    old_location: Location | None = field(default=None, compare=False)
    new_location: Location | None = field(default=None, compare=False)

    @property
    def pointer(self) -> str:
        """The new version's pointer, or the old one's when the element was removed."""
        if self.new_pointer is not None:
            return self.new_pointer
        return self.old_pointer or ""

    @property
    def location(self) -> Location | None:
        return self.new_location if self.new_pointer is not None else self.old_location

    def sort_key(self) -> tuple[int, str, str, str, str]:
        method, _, path = self.operation.partition(" ")
        return (-self.level, path, method, self.id, self.pointer)

    def to_dict(self) -> dict[str, Any]:
        def where(location: Location | None) -> str | None:
            return str(location) if location is not None and location.line else None

        return {
            "id": self.id,
            "level": str(self.level),
            "operation": self.operation,
            "pointer": "#" + self.pointer,
            "message": self.message,
            "old_pointer": None if self.old_pointer is None else "#" + self.old_pointer,
            "new_pointer": None if self.new_pointer is None else "#" + self.new_pointer,
            "old_location": where(self.old_location),
            "new_location": where(self.new_location),
        }


@dataclass(frozen=True)
class DiffResult:
    """Every change found, worst first; `breaking` is true when any change is breaking."""

    changes: list[Change]

    @property
    def breaking(self) -> bool:
        return any(change.level is Level.BREAKING for change in self.changes)

    def at_least(self, level: Level) -> list[Change]:
        return [change for change in self.changes if change.level >= level]

    def counts(self) -> dict[str, int]:
        return {str(level): sum(1 for c in self.changes if c.level is level)
                for level in sorted(Level, reverse=True)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "breaking": self.breaking,
            "summary": self.counts(),
            "changes": [change.to_dict() for change in self.changes],
        }
