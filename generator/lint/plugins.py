"""Python plugin rules, found through the entry point group `specfirst.lint_rules`.

A distribution registers rules in its own pyproject.toml:

```toml
[project.entry-points."specfirst.lint_rules"]
acme = "acme_lint.rules:RULES"   # a Rule subclass, or a list of them
```
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Any

from specfirst.generator.errors import ConfigError
from specfirst.generator.lint.rule import Rule

__all__ = ["ENTRY_POINT_GROUP", "load_plugin_rules"]

ENTRY_POINT_GROUP = "specfirst.lint_rules"
log = logging.getLogger(__name__)


def _rule_classes(name: str, loaded: Any) -> list[type[Rule]]:
    items = loaded if isinstance(loaded, (list, tuple)) else [loaded]
    out = []
    for item in items:
        if not (isinstance(item, type) and issubclass(item, Rule)):
            raise ConfigError(f"lint plugin {name!r} provides {item!r}, not a Rule subclass")
        for attribute in ("id", "name"):
            if not isinstance(getattr(item, attribute, None), str):
                raise ConfigError(f"lint plugin rule {item.__name__} has no {attribute}")
        out.append(item)
    return out


def load_plugin_rules() -> list[type[Rule]]:
    """Every rule class the installed plugins provide; a broken plugin is a ConfigError."""
    rules: list[type[Rule]] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except Exception as exc:  # a plugin's import error, whatever it is
            raise ConfigError(f"lint plugin {entry.name!r} ({entry.value}) cannot be loaded: "
                              f"{type(exc).__name__}: {exc}") from None
        log.debug("lint plugin %s from %s", entry.name, entry.value)
        rules.extend(_rule_classes(entry.name, loaded))
    return rules
