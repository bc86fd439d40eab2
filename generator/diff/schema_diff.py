"""Compare two schemas by meaning, on the request or the response side.

The request side breaks when the new schema accepts less than the old one (a client's valid
request is refused); the response side breaks when the new schema allows more (a client receives
something it did not expect). Each node pair is first compared by fingerprint; recursion follows
properties, `patternProperties`, `additionalProperties`, `items`, `prefixItems` positions,
`propertyNames`, `contains`, `unevaluatedProperties`/`unevaluatedItems` schemas and
`oneOf`/`anyOf` alternatives; a pair of schemas is compared once per scope (operation, side and
root), at the first place it is reached, so recursive and heavily shared schemas cost one visit
per pair, not one per path. The 2020-12 keywords are compared in `schema_keywords`.
"""

from __future__ import annotations

from specfirst.generator.diff.alternatives import describe, pair_alternatives
from specfirst.generator.diff.catalogue import level_of, schema_change_id
from specfirst.generator.diff.change import Level
from specfirst.generator.diff.context import DiffContext, Scope
from specfirst.generator.diff.schema_keywords import NAMES, KeywordPair, closed, single
from specfirst.generator.diff.schema_view import Bound, NodeRef, SchemaView, schema_view

__all__ = ["SchemaDiff"]

_MAX_NESTING = 64
_LENGTHS = {  # keyword -> (event when the limit tightens, event when it loosens)
    "maxLength": ("max-length-decreased", "max-length-increased"),
    "minLength": ("min-length-increased", "min-length-decreased"),
    "maxItems": ("max-items-decreased", "max-items-increased"),
    "minItems": ("min-items-increased", "min-items-decreased"),
    "maxProperties": ("max-properties-decreased", "max-properties-increased"),
    "minProperties": ("min-properties-increased", "min-properties-decreased"),
}
_CONSEQUENCE = {  # (side, level, outgoing)
    ("request", Level.BREAKING, False): "requests that were valid may now be rejected",
    ("response", Level.BREAKING, False): "clients may receive data they do not expect",
    ("request", Level.BREAKING, True): "answers receivers send may no longer be accepted",
    ("response", Level.BREAKING, True): "receivers may get data they do not expect",
}
# Formats that hold more values than another format of the same type: (narrower, wider).
_WIDENINGS = frozenset({("int32", "int64"), ("float", "double")})


def _types_text(types: frozenset[str] | None) -> str:
    return "any type" if types is None else " or ".join(sorted(types)) or "null"


def _accepts(types: frozenset[str]) -> frozenset[str]:
    return types | {"integer"} if "number" in types else types


def _label(path: tuple[str, ...]) -> str:
    text = ""
    for token in path:
        text += token if token.startswith("[") or not text else "." + token
    return text


def _where(root: str, path: tuple[str, ...]) -> str:
    if not path:
        return root
    if path[-1] == NAMES:
        return f"the property names of {_where(root, path[:-1])}"
    if all(token == "[]" for token in path):
        return f"the items of {root}"
    return f"property '{_label(path)}' of {root}"


class SchemaDiff:
    """Compares schema pairs and records the changes in a `DiffContext`."""

    def __init__(self, ctx: DiffContext):
        self.ctx = ctx
        self.seen: dict[Scope, set[tuple[str, str]]] = {}

    def compare(self, old: NodeRef, new: NodeRef, scope: Scope, subject: str,
                path: tuple[str, ...] = (),
                stack: frozenset[tuple[str, str]] = frozenset()) -> None:
        if len(stack) > _MAX_NESTING or self.ctx.same(old.node, new.node):
            return
        ov = schema_view(self.ctx.old, old)
        nv = schema_view(self.ctx.new, new)
        key = (ov.pointer, nv.pointer)
        seen = self.seen.setdefault(scope, set())
        if key in stack or key in seen:  # a schema pair is compared once per place it hangs from
            return
        seen.add(key)
        stack = stack | {key}
        _Pair(self, ov, nv, scope, subject, path).run(stack)

    def emit(self, event: str, ov: SchemaView, nv: SchemaView, scope: Scope, subject: str,
             path: tuple[str, ...], detail: str) -> None:
        change_id = schema_change_id(scope.side, subject, event)
        self.emit_id(change_id, ov.pointer, nv.pointer, scope, path, detail)

    def emit_id(self, change_id: str, old_pointer: str | None, new_pointer: str | None,
                scope: Scope, path: tuple[str, ...], detail: str) -> None:
        message = f"{_where(scope.root, path)}: {detail}"
        consequence = _CONSEQUENCE.get((scope.side, level_of(change_id), scope.outgoing))
        if consequence:
            message += f"; {consequence}"
        self.ctx.emit(change_id, scope.operation, message, old_pointer, new_pointer)


class _Pair(KeywordPair):
    """One old/new schema pair being compared."""

    def run(self, stack: frozenset[tuple[str, str]]) -> None:
        self.types()
        old, new = self.ov.types, self.nv.types
        if old is not None and new is not None and old and new \
                and not _accepts(old) & _accepts(new):
            return  # unrelated types: their details are not comparable
        self.values()
        self.limits()
        self.flags()
        self.keywords()
        self.discriminator()
        self.properties(stack)
        self.patterns(stack)
        self.children(stack)

    def types(self) -> None:
        old, new = self.ov.types, self.nv.types
        if old != new:
            text = f"type changed from {_types_text(old)} to {_types_text(new)}"
            if new is None or (old is not None and _accepts(old) < _accepts(new)):
                self.say("type-widened", text)
            elif old is None or _accepts(new) < _accepts(old):
                self.say("type-narrowed", text)
            else:
                self.say("type-changed", text)
        if self.ov.nullable and not self.nv.nullable:
            self.say("became-not-nullable", "null is no longer allowed")
        elif self.nv.nullable and not self.ov.nullable:
            self.say("became-nullable", "may now be null")
        if self.ov.format != self.nv.format:
            if self.ov.format is None:
                self.say("format-added", f"format '{self.nv.format}' was added")
            elif self.nv.format is None:
                self.say("format-removed", f"format '{self.ov.format}' was removed")
            else:
                text = f"format changed from '{self.ov.format}' to '{self.nv.format}'"
                if (self.ov.format, self.nv.format) in _WIDENINGS:
                    self.say("format-widened", text)
                elif (self.nv.format, self.ov.format) in _WIDENINGS:
                    self.say("format-narrowed", text)
                else:
                    self.say("format-changed", text)

    def values(self) -> None:
        old, new = self.ov.enum, self.nv.enum
        if old is None and new is not None:
            self.say("became-enum", "values are now limited to " + ", ".join(sorted(new)))
        elif old is not None and new is None:
            self.say("enum-removed", "values are no longer limited to an enum")
        elif old is not None and new is not None:
            for text in sorted(set(old) - set(new)):
                self.say("enum-value-removed", f"enum value {text} was removed")
            for text in sorted(set(new) - set(old)):
                self.say("enum-value-added", f"enum value {text} was added")
        if self.ov.default != self.nv.default and self.subject != "body":
            self.say("default-changed",
                     f"default changed from {self.ov.default or 'none'} to "
                     f"{self.nv.default or 'none'}")

    def limits(self) -> None:
        for keyword, (tighter, looser) in _LENGTHS.items():
            old, new = self.ov.lengths.get(keyword), self.nv.lengths.get(keyword)
            if old == new:
                continue
            upper = keyword.startswith("max")
            text = f"{keyword} changed from {old if old is not None else 'none'} to " \
                   f"{new if new is not None else 'none'}"
            if upper:
                narrower = old is None or (new is not None and new < old)
            else:
                narrower = (new or 0) > (old or 0)
            self.say(tighter if narrower else looser, text)
        self.bound("maximum", self.ov.maximum, self.nv.maximum, upper=True)
        self.bound("minimum", self.ov.minimum, self.nv.minimum, upper=False)
        if self.ov.multiple_of != self.nv.multiple_of and self.nv.multiple_of is not None:
            self.say("multiple-of-changed",
                     f"multipleOf changed from {self.ov.multiple_of} to {self.nv.multiple_of}")
        if self.ov.patterns != self.nv.patterns:
            old_p = ", ".join(sorted(self.ov.patterns))
            new_p = ", ".join(sorted(self.nv.patterns))
            if not self.ov.patterns:
                self.say("pattern-added", f"must now match the pattern {new_p}")
            elif not self.nv.patterns:
                self.say("pattern-removed", f"the pattern {old_p} was removed")
            else:
                self.say("pattern-changed", f"pattern changed from {old_p} to {new_p}")
        if self.nv.unique_items and not self.ov.unique_items:
            self.say("unique-items-added", "items must now be unique")
        elif self.ov.unique_items and not self.nv.unique_items:
            self.say("unique-items-removed", "items no longer need to be unique")

    def bound(self, keyword: str, old: Bound | None, new: Bound | None, *, upper: bool) -> None:
        if old == new:
            return

        def text(bound: Bound | None) -> str:
            if bound is None:
                return "none"
            value = int(bound.value) if bound.value.is_integer() else bound.value
            return f"{value} (exclusive)" if bound.exclusive else str(value)

        if old is None:
            narrower = True
        elif new is None:
            narrower = False
        elif old.value == new.value:
            narrower = new.exclusive
        else:
            narrower = new.value < old.value if upper else new.value > old.value
        event = ("max-decreased" if narrower else "max-increased") if upper else \
            ("min-increased" if narrower else "min-decreased")
        self.say(event, f"{keyword} changed from {text(old)} to {text(new)}")

    def flags(self) -> None:
        if self.nv.read_only and not self.ov.read_only:
            self.say("became-read-only", "became read-only (only the server sets it)")
        if self.nv.write_only and not self.ov.write_only:
            self.say("became-write-only", "became write-only (no longer returned)")
        if self.nv.deprecated and not self.ov.deprecated:
            self.say("deprecated", "is now deprecated")
        if self.differ.ctx.include_descriptions and self.ov.description != self.nv.description:
            self.say("description-changed", "the description changed")
        old_closed, new_closed = self.ov.additional is False, self.nv.additional is False
        if new_closed and not old_closed:
            self.say("additional-properties-closed", "properties not listed are no longer allowed")
        elif old_closed and not new_closed:
            self.say("additional-properties-opened", "properties not listed are now allowed")
        elif self.ov.additional in (None, True) and isinstance(self.nv.additional, list):
            self.say("additional-properties-constrained",
                     "properties not listed must now match the additionalProperties schema")
        elif isinstance(self.ov.additional, list) and self.nv.additional in (None, True):
            self.say("additional-properties-unconstrained",
                     "properties not listed no longer have to match a schema")
        self.unevaluated()

    def discriminator(self) -> None:
        old, new = self.ov, self.nv
        if old.discriminator and new.discriminator and old.discriminator != new.discriminator:
            self.say("discriminator-property-changed",
                     f"the discriminator changed from '{old.discriminator}' to "
                     f"'{new.discriminator}'")
            return
        ctx = self.differ.ctx
        for value in sorted(set(old.mapping) - set(new.mapping)):
            self.say("discriminator-mapping-removed", f"discriminator value '{value}' is no "
                     "longer mapped")
        for value in sorted(set(new.mapping) - set(old.mapping)):
            self.say("discriminator-mapping-added", f"discriminator value '{value}' was mapped")
        old_targets, new_targets = ctx.mappings
        for value in sorted(set(old.mapping) & set(new.mapping)):
            # the same target whose content changed is compared where its alternative is; a
            # renamed or moved target (another file included) that means the same is no change
            before = old_targets.target(old.mapping[value], old.mapping_at.get(value, old.pointer))
            after = new_targets.target(new.mapping[value], new.mapping_at.get(value, new.pointer))
            if not ctx.same_target(before, after):
                self.say("discriminator-mapping-changed",
                         f"discriminator value '{value}' now maps to {new.mapping[value]} "
                         f"instead of {old.mapping[value]}")

    def properties(self, stack: frozenset[tuple[str, str]]) -> None:
        differ, ctx = self.differ, self.differ.ctx
        old_props, new_props = self.ov.properties, self.nv.properties
        for name in sorted(set(old_props) | set(new_props)):
            path = (*self.path, name)
            old_ref = single(old_props[name]) if name in old_props else None
            new_ref = single(new_props[name]) if name in new_props else None
            old_view = schema_view(ctx.old, old_ref) if old_ref else None
            new_view = schema_view(ctx.new, new_ref) if new_ref else None
            hidden_old = old_view is not None and self.hidden(old_view)
            hidden_new = new_view is not None and self.hidden(new_view)
            old_required = name in self.ov.required and not hidden_old
            new_required = name in self.nv.required and not hidden_new
            old_ptr = old_ref.pointer if old_ref else None
            new_ptr = new_ref.pointer if new_ref else None
            if new_ref is None:
                if hidden_old:
                    continue
                if self.request:
                    change_id = "request-property-no-longer-accepted" \
                        if closed(self.nv) else "request-property-removed"
                    detail = "was removed"
                else:
                    change_id = "response-required-property-removed" if old_required \
                        else "response-optional-property-removed"
                    detail = "is no longer returned"
                differ.emit_id(change_id, old_ptr, self.nv.pointer, self.scope, path, detail)
                continue
            if old_ref is None:
                if hidden_new:
                    continue
                if self.request:
                    change_id = "new-required-request-property" if new_required \
                        else "new-optional-request-property"
                    detail = "was added as a required property" if new_required \
                        else "was added as an optional property"
                else:
                    change_id = "response-required-property-added" if new_required \
                        else "response-optional-property-added"
                    detail = "was added"
                differ.emit_id(change_id, self.ov.pointer, new_ptr, self.scope, path, detail)
                continue
            if new_required and not old_required:
                change_id = "request-property-became-required" if self.request \
                    else "response-property-became-required"
                differ.emit_id(change_id, old_ptr, new_ptr, self.scope, path, "became required")
            elif old_required and not new_required and not hidden_new:
                change_id = "request-property-became-optional" if self.request \
                    else "response-property-became-optional"
                detail = "became optional" if self.request else "may now be missing"
                differ.emit_id(change_id, old_ptr, new_ptr, self.scope, path, detail)
            if hidden_new:  # not part of this side any more: nothing else about it matters
                if not hidden_old:
                    event, detail = ("became-read-only", "became read-only (only the server "
                                     "sets it)") if self.request else \
                        ("became-write-only", "became write-only (no longer returned)")
                    differ.emit_id(schema_change_id(self.scope.side, "property", event),
                                   old_ptr, new_ptr, self.scope, path, detail)
                continue
            differ.compare(old_ref, new_ref, self.scope, "property", path, stack)

    def hidden(self, view: SchemaView) -> bool:
        """readOnly properties do not exist in requests, writeOnly ones not in responses."""
        return view.read_only if self.request else view.write_only

    def children(self, stack: frozenset[tuple[str, str]]) -> None:
        differ = self.differ
        if isinstance(self.ov.additional, list) and isinstance(self.nv.additional, list):
            differ.compare(single(self.ov.additional), single(self.nv.additional), self.scope,
                           "property", (*self.path, "*"), stack)
        if self.ov.items and self.nv.items:
            differ.compare(single(self.ov.items), single(self.nv.items), self.scope,
                           "property", (*self.path, "[]"), stack)
        self.prefix_items(stack)
        self.applicators(stack)
        self.alternatives("oneOf", "one-of", self.ov.one_of, self.nv.one_of, stack)
        self.alternatives("anyOf", "any-of", self.ov.any_of, self.nv.any_of, stack)

    def alternatives(self, keyword: str, event: str, old: list[NodeRef], new: list[NodeRef],
                     stack: frozenset[tuple[str, str]]) -> None:
        pairing = pair_alternatives(self.differ.ctx, old, new)
        for old_alt, new_alt in pairing.pairs:
            self.differ.compare(old_alt, new_alt, self.scope, self.subject, self.path, stack)
        for alt in pairing.removed:
            self.differ.emit_id(schema_change_id(self.scope.side, self.subject, event + "-removed"),
                                alt.pointer, self.nv.pointer, self.scope, self.path,
                                f"a {keyword} alternative ({describe(alt.node)}) was removed")
        for alt in pairing.added:
            self.differ.emit_id(schema_change_id(self.scope.side, self.subject, event + "-added"),
                                self.ov.pointer, alt.pointer, self.scope, self.path,
                                f"a {keyword} alternative ({describe(alt.node)}) was added")

