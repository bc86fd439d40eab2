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

from typing import Any, cast

from specfirst.generator.diff.alternatives import describe, pair_alternatives
from specfirst.generator.diff.catalogue import level_of, schema_change_id
from specfirst.generator.diff.change import Level
from specfirst.generator.diff.context import DiffContext, Scope
from specfirst.generator.diff.schema_keywords import NAMES, KeywordPair, closed, single
from specfirst.generator.diff.schema_view import Bound, NodeRef, SchemaView, deref, schema_view

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


_ROOT = "\x00"  # stands for the root of a use in a message told once for every use
_EMIT = 0
_CHILD = 1
_UNRESOLVED: Any = object()  # a child pair not looked up yet
# A step of a pair's comparison, in the order it happens: [_EMIT, id, old pointer, new pointer,
# path inside the pair, detail] for a change found, [_CHILD, old, new, subject, path inside the
# pair, the child's entry once looked up] for a child pair compared.
_Step = list[Any]
_Entry = tuple[tuple[str, str], list[_Step]] | None
# A change found while walking from a root: id, pointers, path from the root, detail, and the
# pair it was found in with the path inside that pair.
_Emitted = tuple[str, str | None, str | None, tuple[str, ...], str,
                 tuple[tuple[str, str], tuple[str, ...]]]
_Told = tuple[str, str | None, str | None, str, str | None]  # id, pointers, template, place


class SchemaDiff:
    """Compares schema pairs and records the changes in a `DiffContext`.

    What a pair of schemas yields depends only on the pair, the side, the direction and the
    subject, so each such pair is compared once per `DiffContext` (its changes and child pairs
    are remembered as steps, `DiffContext.schema_steps`); every use then replays the steps with
    the use's own path, root and once-per-scope rule, which yields exactly what comparing the
    pair again would. `memoize=False` compares again at every use.
    """

    def __init__(self, ctx: DiffContext, *, memoize: bool | None = None):
        self.ctx = ctx
        self.memoize = ctx.memoize if memoize is None else memoize
        self.seen: dict[Scope, set[tuple[str, str]]] = {}
        self.current: tuple[tuple[str, str], int] | None = None  # the pair compared, its depth

    def compare(self, old: NodeRef, new: NodeRef, scope: Scope, subject: str,
                path: tuple[str, ...] = (),
                stack: frozenset[tuple[str, str]] = frozenset()) -> None:
        if not self.memoize:
            self._compare_again(old, new, scope, subject, path, stack)
            return
        if not path and not stack and not self.seen.get(scope):
            # a fresh root: what it yields is the same for every use of the same pair
            found = self._from_root(old, new, scope, subject)
            if found is None:
                return
            seen_keys, emitted = found
            self.seen[scope] = set(seen_keys)
        else:
            raw: list[_Emitted] = []
            self._walk(old, new, scope, subject, path, stack,
                       self.seen.setdefault(scope, set()), raw)
            emitted = [self._told(scope, item) for item in raw]
        emit = self.ctx.emit
        for change_id, old_pointer, new_pointer, template, place in emitted:
            emit(change_id, scope.operation, template.replace(_ROOT, scope.root), old_pointer,
                 new_pointer, place=place)

    def _from_root(self, old: NodeRef, new: NodeRef, scope: Scope,
                   subject: str) -> tuple[frozenset[tuple[str, str]], list[_Told]] | None:
        found = self._memo_key(old, new, scope, subject)
        if found is None:
            return None
        memo_key = found[0]
        memo = self.ctx.schema_roots
        if memo_key not in memo:
            seen: set[tuple[str, str]] = set()
            raw: list[_Emitted] = []
            self._walk(old, new, scope, subject, (), frozenset(), seen, raw)
            memo[memo_key] = (frozenset(seen), [self._told(scope, item) for item in raw])
        return cast(tuple[frozenset[tuple[str, str]], list[_Told]], memo[memo_key])

    def _walk(self, old: NodeRef, new: NodeRef, scope: Scope, subject: str,
              path: tuple[str, ...], stack: frozenset[tuple[str, str]],
              seen: set[tuple[str, str]], out: list[_Emitted]) -> None:
        """Replay the steps of a pair and, depth first, of its children, as comparing them
        again would: each pair once per scope, at the first place it is reached, no deeper
        than `_MAX_NESTING`."""
        if len(stack) > _MAX_NESTING:
            return
        entry = self._entry(old, new, scope, subject)
        if entry is not None:
            self._replay(entry, scope, path, set(stack), len(stack), seen, out)

    def _replay(self, entry: _Entry, scope: Scope, path: tuple[str, ...],
                stack: set[tuple[str, str]], depth: int, seen: set[tuple[str, str]],
                out: list[_Emitted]) -> None:
        assert entry is not None
        key, steps = entry
        if key in stack or key in seen:  # a schema pair is compared once per place it hangs from
            return
        seen.add(key)
        stack.add(key)
        depth += 1
        for step in steps:
            if step[0] == _EMIT:
                _, change_id, old_pointer, new_pointer, rel, detail = step
                out.append((change_id, old_pointer, new_pointer, (*path, *rel), detail,
                            (key, rel)))
            elif depth <= _MAX_NESTING:
                child = step[5]
                if child is _UNRESOLVED:
                    child = step[5] = self._entry(step[1], step[2], scope, step[3])
                if child is not None:
                    self._replay(child, scope, (*path, *step[4]), stack, depth, seen, out)
        stack.discard(key)

    def _told(self, scope: Scope, item: _Emitted) -> _Told:
        change_id, old_pointer, new_pointer, path, detail, made_at = item
        cache = self.ctx.texts
        consequence = _CONSEQUENCE.get((scope.side, level_of(change_id), scope.outgoing))
        if consequence:
            detail = f"{detail}; {consequence}"
        where = cache.get(path)
        if where is None:
            where = cache[path] = _where(_ROOT, path)
        place_key = (made_at, detail)
        place = cache.get(place_key, _UNRESOLVED)
        if place is _UNRESOLVED:
            component = _component_place(*made_at)
            place = cache[place_key] = None if component is None else f"{component}: {detail}"
        return change_id, old_pointer, new_pointer, f"{where}: {detail}", place

    def _memo_key(self, old: NodeRef, new: NodeRef, scope: Scope,
                  subject: str) -> tuple[tuple[Any, ...], NodeRef, NodeRef] | None:
        """What the comparison of a pair depends on (None when they mean the same): the
        schemas their `$ref`s lead to, the subject, the side and the direction."""
        ctx = self.ctx
        prints = ctx.prints
        if prints.old(old.node) == prints.new(new.node):
            return None
        old, new = deref(ctx.old, old), deref(ctx.new, new)
        return ((old.pointer, new.pointer, prints.old(old.node), prints.new(new.node), subject,
                 scope.side, scope.outgoing), old, new)

    def _entry(self, old: NodeRef, new: NodeRef, scope: Scope, subject: str) -> _Entry:
        found = self._memo_key(old, new, scope, subject)
        if found is None:
            return None
        memo_key, old, new = found
        ctx = self.ctx
        memo = ctx.schema_steps
        if memo_key in memo:
            return cast(_Entry, memo[memo_key])
        ov = schema_view(ctx.old, old)
        nv = schema_view(ctx.new, new)
        recorder = _Recorder(ctx)
        _Pair(recorder, ov, nv, Scope(scope.side, "", "", scope.outgoing), subject, ()) \
            .run(frozenset())
        entry: _Entry = ((ov.pointer, nv.pointer), recorder.steps)
        memo[memo_key] = entry
        return entry

    def _compare_again(self, old: NodeRef, new: NodeRef, scope: Scope, subject: str,
                       path: tuple[str, ...], stack: frozenset[tuple[str, str]]) -> None:
        if len(stack) > _MAX_NESTING or self.ctx.same(old.node, new.node):
            return
        ov = schema_view(self.ctx.old, old)
        nv = schema_view(self.ctx.new, new)
        key = (ov.pointer, nv.pointer)
        seen = self.seen.setdefault(scope, set())
        if key in stack or key in seen:
            return
        seen.add(key)
        stack = stack | {key}
        outer, self.current = self.current, (key, len(path))
        _Pair(self, ov, nv, scope, subject, path).run(stack)
        self.current = outer

    def emit(self, event: str, ov: SchemaView, nv: SchemaView, scope: Scope, subject: str,
             path: tuple[str, ...], detail: str) -> None:
        change_id = schema_change_id(scope.side, subject, event)
        self.emit_id(change_id, ov.pointer, nv.pointer, scope, path, detail)

    def emit_id(self, change_id: str, old_pointer: str | None, new_pointer: str | None,
                scope: Scope, path: tuple[str, ...], detail: str,
                made_at: tuple[tuple[str, str], tuple[str, ...]] | None = None) -> None:
        """`made_at`: the schema pair the change was found in (its old and new pointers) and
        the path inside it; by default the pair being compared."""
        if made_at is None and self.current is not None:
            made_at = (self.current[0], path[self.current[1]:])
        template, place = _tell(change_id, scope, path, detail, made_at)
        self.ctx.emit(change_id, scope.operation, template.replace(_ROOT, scope.root),
                      old_pointer, new_pointer, place=place)


def _tell(change_id: str, scope: Scope, path: tuple[str, ...], detail: str,
          made_at: tuple[tuple[str, str], tuple[str, ...]] | None) -> tuple[str, str | None]:
    """The message of a change at a use, with `_ROOT` standing for the use's root, and the
    message where it was made when that is a named schema (else None)."""
    consequence = _CONSEQUENCE.get((scope.side, level_of(change_id), scope.outgoing))
    if consequence:
        detail = f"{detail}; {consequence}"
    component = None if made_at is None else _component_place(*made_at)
    place = None if component is None else f"{component}: {detail}"
    return f"{_where(_ROOT, path)}: {detail}", place


class _Recorder(SchemaDiff):
    """Stands in for `SchemaDiff` while a pair is compared once: keeps its steps."""

    def __init__(self, ctx: DiffContext):
        super().__init__(ctx, memoize=True)
        self.steps: list[_Step] = []

    def compare(self, old: NodeRef, new: NodeRef, scope: Scope, subject: str,
                path: tuple[str, ...] = (),
                stack: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.steps.append([_CHILD, old, new, subject, path, _UNRESOLVED])

    def emit(self, event: str, ov: SchemaView, nv: SchemaView, scope: Scope, subject: str,
             path: tuple[str, ...], detail: str) -> None:
        change_id = schema_change_id(scope.side, subject, event)
        self.steps.append([_EMIT, change_id, ov.pointer, nv.pointer, path, detail])

    def emit_id(self, change_id: str, old_pointer: str | None, new_pointer: str | None,
                scope: Scope, path: tuple[str, ...], detail: str,
                made_at: tuple[tuple[str, str], tuple[str, ...]] | None = None) -> None:
        self.steps.append([_EMIT, change_id, old_pointer, new_pointer, path, detail])


_SKIPPED_TOKENS = frozenset({"allOf", "anyOf", "oneOf", "not", "if", "then", "else",
                             "dependentSchemas"})


def _component_place(made_at: tuple[str, str], path: tuple[str, ...]) -> str | None:
    """Where a schema change was made when that is a named schema component: "schema 'charge'"
    or "property 'customer.id' of schema 'charge'"; None for a schema written in place (its
    uses describe it)."""
    old_pointer, new_pointer = made_at
    pointer = new_pointer or old_pointer
    tokens = pointer.split("/")
    if len(tokens) < 4 or tokens[1] != "components" or tokens[2] != "schemas":
        return None
    name = tokens[3].replace("~1", "/").replace("~0", "~")
    steps: list[str] = []
    rest = [t.replace("~1", "/").replace("~0", "~") for t in tokens[4:]]
    i = 0
    while i < len(rest):
        token = rest[i]
        if token in ("properties", "patternProperties", "prefixItems") and i + 1 < len(rest):
            following = rest[i + 1]
            steps.append(following if token == "properties" else
                         f"/{following}/" if token == "patternProperties" else f"[{following}]")
            i += 2
            continue
        if token in _SKIPPED_TOKENS:
            i += 2 if token in ("allOf", "anyOf", "oneOf", "dependentSchemas") else 1
            continue
        steps.append({"items": "[]", "additionalProperties": "*", "propertyNames": NAMES,
                      "contains": "[contains]", "unevaluatedProperties": "*",
                      "unevaluatedItems": "[]"}.get(token, token))
        i += 1
    return _where(f"schema '{name}'", (*steps, *path))


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

