"""What a comparison carries along: both specs, their fingerprints, and the changes found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specfirst.generator.diff.catalogue import level_of
from specfirst.generator.diff.change import Change
from specfirst.generator.diff.fingerprint import Fingerprints
from specfirst.generator.diff.mapping import MappingTarget, MappingTargets
from specfirst.generator.diff.schema_view import NodeRef, deref
from specfirst.generator.errors import Location
from specfirst.generator.loader import Spec, resolve_pointer

__all__ = ["DiffContext", "Scope"]


@dataclass(frozen=True)
class Scope:
    """Where in an operation a schema is compared: which side, and the root it hangs from."""

    side: str  # "request" (read by the API) or "response" (read by the API's client)
    operation: str  # "METHOD /path", "webhook orderShipped: POST", ...
    root: str  # "the request body (application/json)", "query parameter 'limit'", ...
    outgoing: bool = False  # in a webhook or callback: the API sends the request


@dataclass
class DiffContext:
    old: Spec
    new: Spec
    include_descriptions: bool = False
    memoize: bool = True  # compare each schema pair once (see `SchemaDiff`)
    changes: list[Change] = field(default_factory=list)
    schema_steps: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    schema_roots: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    texts: dict[Any, Any] = field(default_factory=dict)  # messages told, by what they tell
    locations: tuple[dict[str, Location | None], dict[str, Location | None]] = field(
        default_factory=lambda: ({}, {}))

    def __post_init__(self) -> None:
        self.prints = Fingerprints(self.old, self.new, include_text=self.include_descriptions)
        self.mappings = (MappingTargets(self.old), MappingTargets(self.new))

    def same(self, old: Any, new: Any) -> bool:
        """True when both nodes mean the same (equal fingerprints through their `$ref`s)."""
        return self.prints.old(old) == self.prints.new(new)

    def same_target(self, old: MappingTarget, new: MappingTarget) -> bool:
        """True when two discriminator mapping values reach the same schema: the same named
        component or the same schema as written (whose changes are compared where it is used),
        or schemas that mean the same."""
        if old.pointer is None or new.pointer is None:
            return old.pointer is None and new.pointer is None and old.source == new.source
        if old.source == new.source or (old.pointer == new.pointer
                                        and old.pointer.startswith("/components/")):
            return True
        old_node = deref(self.old, NodeRef(resolve_pointer(self.old.document, old.pointer),
                                           old.pointer)).node
        new_node = deref(self.new, NodeRef(resolve_pointer(self.new.document, new.pointer),
                                           new.pointer)).node
        return self.same(old_node, new_node)

    def emit(self, change_id: str, operation: str, message: str,
             old_pointer: str | None, new_pointer: str | None, *,
             place: str | None = None) -> None:
        """Record a change; `place` tells it without the use (see `Change.place`)."""
        self.changes.append(Change(change_id, level_of(change_id), operation, message,
                                   old_pointer, new_pointer, self._locate(0, old_pointer),
                                   self._locate(1, new_pointer), place))

    def _locate(self, side: int, pointer: str | None) -> Location | None:
        """Where a pointer is in the old (0) or new (1) version's files; looked up once."""
        if pointer is None:
            return None
        cache = self.locations[side]
        if pointer not in cache:
            try:
                cache[pointer] = (self.old, self.new)[side].locate(pointer)
            except (KeyError, ValueError):
                cache[pointer] = None
        return cache[pointer]
