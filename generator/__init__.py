"""Reading specs safely, and everything derived from them: lint, docs, stubs, diff."""

from specfirst.generator.errors import (
    ConfigError,
    Location,
    RegenerationConflict,
    SpecError,
    SpecfirstError,
    SpecLoadError,
    UsageError,
)
from specfirst.generator.loader import Spec, load_spec

__all__ = [
    "ConfigError",
    "Location",
    "RegenerationConflict",
    "Spec",
    "SpecError",
    "SpecLoadError",
    "SpecfirstError",
    "UsageError",
    "load_spec",
]
