"""The toolkit's error tree: problems with the tool's input, each with a location and exit code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Sequence

    from specfirst.generator.lint.finding import Finding

__all__ = [
    "ConfigError",
    "Location",
    "RegenerationConflict",
    "SpecError",
    "SpecLoadError",
    "SpecfirstError",
    "UsageError",
]


@dataclass(frozen=True)
class Location:
    """Where something is: a file, a 1-based line and column, and a JSON pointer."""

    file: str
    line: int = 0
    column: int = 0
    pointer: str | None = None

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


class SpecfirstError(Exception):
    """The tool or its input is broken. Exit codes live on the classes; the CLI maps them."""

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.location is not None and self.location.pointer is not None:
            text += f" (at #{self.location.pointer})"
        return text


class UsageError(SpecfirstError):
    """A bad flag or argument combination."""

    exit_code = 2


class ConfigError(SpecfirstError):
    """Invalid configuration in pyproject.toml, the environment or flags."""

    exit_code = 2


class SpecLoadError(SpecfirstError):
    """A spec that cannot be read safely: unreadable, unsafe, too large, or with a refused $ref."""

    exit_code = 2


class SpecError(SpecfirstError):
    """A spec that was read but is invalid; carries every finding at once."""

    exit_code = 1

    def __init__(self, message: str, findings: Sequence[Finding]):
        super().__init__(message)
        self.findings = list(findings)


class RegenerationConflict(SpecfirstError):
    """Generated output would overwrite something a person wrote."""

    exit_code = 3
