"""A lint finding: what is wrong, where, why it matters and how to fix it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

__all__ = ["Finding", "Severity"]


class Severity(enum.IntEnum):
    """Ordered so that `max()` gives the worst; `off` disables a rule."""

    OFF = 0
    HINT = 1
    INFO = 2
    WARNING = 3
    ERROR = 4

    @classmethod
    def parse(cls, value: str) -> Severity:
        aliases = {"warn": "warning", "information": "info", "none": "off"}
        name = aliases.get(value.lower(), value.lower())
        try:
            return cls[name.upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {value!r}: use error, warning, info, hint or off"
            ) from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """One problem in a spec. Output formats are renderers of a list of these."""

    rule: str
    name: str
    severity: Severity
    message: str
    pointer: str
    file: str
    line: int
    column: int
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.rule)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": "#" + self.pointer,
            "hint": self.hint,
        }
