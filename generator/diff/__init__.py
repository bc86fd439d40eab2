"""Breaking-change detection between two versions of a spec: `compare(old, new) -> DiffResult`.

Public API (stable; `specfirst diff` and `specfirst check --baseline` are built on it):

- `compare(old: Spec, new: Spec, *, include_descriptions=False, today=None) -> DiffResult`
  classifies every change from `old` to `new`.
- `DiffResult.changes: list[Change]` (worst first) and `DiffResult.breaking: bool` (any change
  at level breaking); `DiffResult.at_least(Level.WARNING)` filters; `to_dict()` is the JSON shape
  `{"breaking", "summary", "changes": [{"id", "level", "operation", "pointer", "message",
  "old_pointer", "new_pointer", "old_location", "new_location"}]}`.
- `Change`: `id` (stable kebab-case, every id in `CATALOGUE`), `level` (`Level.BREAKING`,
  `Level.WARNING`, `Level.INFO`), `operation` ("METHOD /path", "webhook NAME: METHOD", the owner
  operation followed by "callback NAME METHOD EXPRESSION", or "" for the whole API), `message`,
  `old_pointer`/`new_pointer` (JSON pointers into each version's bundled document, or None),
  `pointer` (the new one, else the old one), `old_location`/`new_location`.
- `load_version(argument, limits) -> Spec` reads a file path or `git:REF:path`.
- `render(result, fmt)` with `fmt` in `FORMATS` (`text`, `json`, `markdown`).
"""

from specfirst.generator.diff.catalogue import CATALOGUE, catalogue_markdown
from specfirst.generator.diff.change import Change, DiffResult, Level
from specfirst.generator.diff.compare import compare
from specfirst.generator.diff.render import FORMATS, render
from specfirst.generator.diff.source import load_version

__all__ = [
    "CATALOGUE",
    "Change",
    "DiffResult",
    "FORMATS",
    "Level",
    "catalogue_markdown",
    "compare",
    "load_version",
    "render",
]
