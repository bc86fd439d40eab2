"""Discriminator mapping values resolved to the schema they reach in the bundled document.

The loader bundles every file into one document but copies a `mapping` value as written: a
component name (`Cat`), a pointer (`#/components/schemas/Cat`), or a reference to another file
(`pets/cat.yaml`, `pets.yaml#/Dog`), relative to the file the mapping is written in. A name
that is a component schema is read as that name (OpenAPI 3.1.1 recommends so when a value could
be either); anything else is a URI reference, followed to the place its file and pointer were
bundled to. A `#/...` pointer written in another file that holds no such node means the root
document's. A reference to a schema no `$ref` of the document reaches (so never read) has no
place in the bundled document: it is known only by its file, relative to the spec's folder, and
its pointer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from specfirst.generator.loader import Spec, escape_pointer, resolve_pointer

__all__ = ["MappingTarget", "MappingTargets"]

_FILE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class MappingTarget:
    """Where a mapping value leads: a pointer into the bundled document, or None when it leads
    to no node of it; and the source it names (file relative to the spec's folder, pointer)."""

    pointer: str | None
    source: str


class MappingTargets:
    """Resolves the mapping values of one spec (the bundle's placements are read once)."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self._placed: dict[tuple[Path, str], str] | None = None

    def target(self, value: str, written_at: str) -> MappingTarget:
        """The schema `value` names, written in the mapping at the bundled pointer `written_at`."""
        document = self.spec.document
        components = document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        if isinstance(schemas, dict) and value in schemas:
            pointer = f"/components/schemas/{escape_pointer(value)}"
            return MappingTarget(pointer, self._source(pointer))
        if _absolute(value):  # never read: known by its text
            return MappingTarget(None, value)
        if "#" not in value and "/" not in value and not value.endswith(_FILE_SUFFIXES):
            return MappingTarget(None, f"#/components/schemas/{value}")  # an undefined name
        file, _ = self.spec.origin(written_at)
        location, _, fragment = value.partition("#")
        fragment = unquote(fragment)
        target_file = Path(os.path.normpath(file.parent / unquote(location))) if location \
            else file
        candidates: list[str | None] = [self._bundled(target_file, fragment)]
        if not location:
            candidates.append(fragment)  # written in another file, meaning the root document's
        for candidate in candidates:
            if candidate is not None and _exists(document, candidate):
                return MappingTarget(candidate, self._source(candidate))
        return MappingTarget(None, f"{self._relative(target_file)}#{fragment}")

    def _source(self, pointer: str) -> str:
        file, file_pointer = self.spec.origin(pointer)
        return f"{self._relative(file)}#{file_pointer}"

    def _relative(self, file: Path) -> str:
        """A file as both versions name it: "" for the root document, else relative to it."""
        if file == self.spec.path:
            return ""
        return Path(os.path.relpath(file, self.spec.root_dir)).as_posix()

    def _bundled(self, file: Path, pointer: str) -> str | None:
        """Where the node at `pointer` of `file` was placed in the bundled document."""
        if self._placed is None:
            self._placed = {}
            for bundled, origin in sorted(self.spec.origins.items()):
                self._placed.setdefault(origin, bundled)
        tokens = pointer.split("/") if pointer else [""]
        for cut in range(len(tokens), 0, -1):
            base = self._placed.get((file, "/".join(tokens[:cut])))
            if base is not None:
                rest = "/".join(tokens[cut:])
                return f"{base}/{rest}" if rest else base
        return None


def _absolute(value: str) -> bool:
    """An absolute URI, or text that is no URI reference at all."""
    try:
        return bool(urlsplit(value).scheme)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return True


def _exists(document: Any, pointer: str) -> bool:
    try:
        resolve_pointer(document, pointer)
    except KeyError:
        return False
    return True
