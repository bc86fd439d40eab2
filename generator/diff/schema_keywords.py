"""The JSON Schema 2020-12 keywords of a schema pair, compared by direction.

`not`, `if`/`then`/`else` and `dependentSchemas` are compared as a whole (a condition rewritten
is rarely wider or narrower as a whole); `dependentRequired` per pair; `patternProperties` per
pattern; `prefixItems` per position; `propertyNames` and `contains` added or removed, else as
schemas like any other, with `minContains`/`maxContains`; `unevaluatedProperties` and
`unevaluatedItems` from allowed, through constrained by a schema, to refused, where nothing else
evaluates every property or item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specfirst.generator.diff.context import Scope
from specfirst.generator.diff.media_types import essence
from specfirst.generator.diff.schema_view import NodeRef, SchemaView

if TYPE_CHECKING:
    from specfirst.generator.diff.schema_diff import SchemaDiff

__all__ = ["NAMES", "KeywordPair", "closed", "single"]

NAMES = "(property names)"  # path token: the schema property names are compared with


def _unevaluated(view: SchemaView, what: str) -> bool | list[NodeRef] | None:
    """unevaluatedProperties/Items where it can apply: `additionalProperties` (any value)
    evaluates every property, and `items` every item after the prefixItems."""
    if what == "properties":
        return view.unevaluated_properties if view.additional is None else None
    return view.unevaluated_items if not view.items and not view.items_closed else None


def closed(view: SchemaView) -> bool:
    """No property beyond those the schema lists or matches is allowed."""
    return view.additional is False or _unevaluated(view, "properties") is False


def _strictness(value: bool | list[NodeRef] | None) -> int:
    """`additionalProperties`-like values ordered: allowed, constrained by a schema, refused."""
    return 2 if value is False else 1 if isinstance(value, list) else 0


def single(refs: list[NodeRef]) -> NodeRef:
    """Several schemas that apply at once (merged `allOf` members) as one."""
    if len(refs) == 1:
        return refs[0]
    return NodeRef({"allOf": [r.node for r in refs]}, refs[0].pointer)


class KeywordPair:
    """One old/new schema pair: the 2020-12 keywords (the rest is in `schema_diff`)."""

    def __init__(self, differ: SchemaDiff, ov: SchemaView, nv: SchemaView, scope: Scope,
                 subject: str, path: tuple[str, ...]):
        self.differ, self.ov, self.nv = differ, ov, nv
        self.scope, self.subject, self.path = scope, subject, path
        self.request = scope.side == "request"

    def say(self, event: str, detail: str) -> None:
        self.differ.emit(event, self.ov, self.nv, self.scope, self.subject, self.path, detail)

    def keywords(self) -> None:
        """`not`, `if`/`then`/`else`, `dependentSchemas`, `dependentRequired`,
        `contentEncoding`/`contentMediaType`."""
        ctx = self.differ.ctx
        for keyword, event, old_refs, new_refs in (
                ("not", "not", self.ov.excluded, self.nv.excluded),
                ("if/then/else", "if-then-else", self.ov.conditions, self.nv.conditions)):
            before = sorted(ctx.prints.old(r.node) for r in old_refs)
            after = sorted(ctx.prints.new(r.node) for r in new_refs)
            if before == after:
                continue
            if not before:
                self.say(f"{event}-added", f"a {keyword} condition was added")
            elif not after:
                self.say(f"{event}-removed", f"the {keyword} condition was removed")
            else:
                self.say(f"{event}-changed", f"the {keyword} condition changed")
        self.dependent_schemas()
        old_dep = {(k, v) for k, names in self.ov.dependent_required.items() for v in names}
        new_dep = {(k, v) for k, names in self.nv.dependent_required.items() for v in names}
        for name, needed in sorted(new_dep - old_dep):
            self.say("dependent-required-added",
                     f"when '{name}' is present, '{needed}' must now be present too")
        for name, needed in sorted(old_dep - new_dep):
            self.say("dependent-required-removed",
                     f"when '{name}' is present, '{needed}' no longer needs to be")
        old_enc, new_enc = self.ov.content_encoding, self.nv.content_encoding
        if (old_enc or "").lower() != (new_enc or "").lower():
            self.say("content-encoding-changed",
                     f"contentEncoding changed from {old_enc or 'none'} to {new_enc or 'none'}")
        old_type, new_type = self.ov.content_media_type, self.nv.content_media_type
        if (old_type and essence(old_type)) != (new_type and essence(new_type)):
            self.say("content-media-type-changed",
                     f"contentMediaType changed from {old_type or 'none'} to "
                     f"{new_type or 'none'}")

    def dependent_schemas(self) -> None:
        """dependentSchemas, per property, each compared as a whole like `if`/`then`."""
        ctx = self.differ.ctx
        old, new = self.ov.dependent_schemas, self.nv.dependent_schemas
        for name in sorted(set(old) | set(new)):
            if name not in old:
                self.say("dependent-schema-added",
                         f"when '{name}' is present, the value must now also match a schema")
            elif name not in new:
                self.say("dependent-schema-removed",
                         f"when '{name}' is present, the value no longer needs to match a schema")
            elif sorted(ctx.prints.old(r.node) for r in old[name]) \
                    != sorted(ctx.prints.new(r.node) for r in new[name]):
                self.say("dependent-schema-changed",
                         f"the schema required when '{name}' is present changed")

    def patterns(self, stack: frozenset[tuple[str, str]]) -> None:
        """patternProperties: compared by pattern. In a schema closed by `additionalProperties:
        false` (or `unevaluatedProperties: false`) on both sides a pattern decides which names
        are allowed at all."""
        old, new = self.ov.pattern_properties, self.nv.pattern_properties
        both_closed = closed(self.ov) and closed(self.nv)
        for pattern in sorted(set(old) | set(new)):
            if pattern in old and pattern in new:
                self.differ.compare(single(old[pattern]), single(new[pattern]), self.scope,
                                    "property", (*self.path, f"/{pattern}/"), stack)
            elif pattern in new:
                if both_closed:
                    self.say("additional-properties-opened",
                             f"properties matching /{pattern}/ are now allowed")
                else:
                    self.say("pattern-property-added",
                             f"properties matching /{pattern}/ must now match its schema")
            elif both_closed:
                self.say("additional-properties-closed",
                         f"properties matching /{pattern}/ are no longer allowed")
            else:
                self.say("pattern-property-removed",
                         f"properties matching /{pattern}/ are no longer constrained")

    def prefix_items(self, stack: frozenset[tuple[str, str]]) -> None:
        """prefixItems position by position. With `items: false` the positions are all there
        is, so more positions allow longer arrays (a maxItems change)."""
        old, new = self.ov.prefix_items, self.nv.prefix_items
        for index, (before, after) in enumerate(zip(old, new, strict=False)):
            self.differ.compare(before, after, self.scope, "property",
                                (*self.path, f"[{index}]"), stack)
        closed = self.ov.items_closed and self.nv.items_closed
        if len(new) > len(old):
            self.say("max-items-increased" if closed else "prefix-items-added",
                     f"prefixItems grew from {len(old)} to {len(new)} positions")
        elif len(new) < len(old):
            self.say("max-items-decreased" if closed else "prefix-items-removed",
                     f"prefixItems shrank from {len(old)} to {len(new)} positions")
        if self.nv.items_closed and not self.ov.items_closed:
            self.say("max-items-decreased",
                     f"no items are allowed after the {len(new)} prefixItems any more")
        elif self.ov.items_closed and not self.nv.items_closed:
            self.say("max-items-increased",
                     f"items are now allowed after the {len(new)} prefixItems")

    def applicators(self, stack: frozenset[tuple[str, str]]) -> None:
        """propertyNames and contains (schemas compared as any other once both versions have
        one), minContains/maxContains, and the schemas of unevaluatedProperties/Items."""
        differ, ov, nv = self.differ, self.ov, self.nv
        if ov.property_names and nv.property_names:
            differ.compare(single(ov.property_names), single(nv.property_names), self.scope,
                           "property", (*self.path, NAMES), stack)
        elif nv.property_names:
            self.say("property-names-added", "property names must now match a schema")
        elif ov.property_names:
            self.say("property-names-removed", "property names are no longer constrained")
        if ov.contains and nv.contains:
            differ.compare(single(ov.contains), single(nv.contains), self.scope, "property",
                           (*self.path, "[contains]"), stack)
            self.contains_counts()
        elif nv.contains:
            self.say("contains-added", "the array must now contain an item matching `contains`")
        elif ov.contains:
            self.say("contains-removed",
                     "the array no longer needs to contain an item matching `contains`")
        for what, token in (("properties", "*"), ("items", "[]")):
            old, new = _unevaluated(ov, what), _unevaluated(nv, what)
            if isinstance(old, list) and isinstance(new, list):
                differ.compare(single(old), single(new), self.scope, "property",
                               (*self.path, token), stack)

    def contains_counts(self) -> None:
        """minContains (1 when not written) and maxContains, with `contains` in both versions."""
        old_min = self.ov.lengths.get("minContains", 1)
        new_min = self.nv.lengths.get("minContains", 1)
        if new_min != old_min:
            self.say("min-contains-increased" if new_min > old_min else "min-contains-decreased",
                     f"minContains changed from {old_min} to {new_min}")
        old_max, new_max = self.ov.lengths.get("maxContains"), self.nv.lengths.get("maxContains")
        if old_max != new_max:
            narrower = old_max is None or (new_max is not None and new_max < old_max)
            self.say("max-contains-decreased" if narrower else "max-contains-increased",
                     f"maxContains changed from {old_max if old_max is not None else 'none'} to "
                     f"{new_max if new_max is not None else 'none'}")

    def unevaluated(self) -> None:
        """unevaluatedProperties/Items ordered allowed < constrained by a schema < refused."""
        for keyword, event, what in (
                ("unevaluatedProperties", "unevaluated-properties", "properties"),
                ("unevaluatedItems", "unevaluated-items", "items")):
            before = _strictness(_unevaluated(self.ov, what))
            after = _strictness(_unevaluated(self.nv, what))
            if after > before:
                self.say(f"{event}-closed", f"{what} no other keyword evaluates are "
                         + ("no longer allowed" if after == 2 else "now constrained by "
                            f"{keyword}"))
            elif after < before:
                self.say(f"{event}-opened", f"{what} no other keyword evaluates are now "
                         + ("allowed" if after == 0 else f"allowed when they match {keyword}"))
