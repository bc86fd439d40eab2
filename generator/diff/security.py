"""Security requirements: can a client that authenticated one way before still get in?

In a webhook or callback the API is the client and the receiver checks the credentials, so the
question turns around: will receivers that check credentials the old way accept every way the
API may now authenticate? Only the operation's own `security` counts there: the document's
describes how clients authenticate to the API, not how the API authenticates to receivers.
"""

from __future__ import annotations

from typing import Any

from specfirst.generator.diff.context import DiffContext
from specfirst.generator.diff.operations import Operation
from specfirst.generator.loader import escape_pointer

__all__ = ["compare_operation_security", "compare_security_schemes"]

Requirement = dict[str, frozenset[str]]


def _requirements(value: Any) -> list[Requirement] | None:
    if not isinstance(value, list):
        return None
    result = []
    for alternative in value:
        if isinstance(alternative, dict):
            result.append({str(k): frozenset(str(scope) for scope in v
                                             if isinstance(scope, str | int | float))
                           if isinstance(v, list) else frozenset()
                           for k, v in alternative.items()})
    return result


def _effective(document: dict[str, Any], operation: Operation) -> tuple[list[Requirement], str]:
    own = _requirements(operation.node.get("security"))
    if own is not None:
        return own, f"{operation.pointer}/security"
    return _requirements(document.get("security")) or [], "/security"


def _public(requirements: list[Requirement]) -> bool:
    return not requirements or any(not alternative for alternative in requirements)


def _text(requirement: Requirement) -> str:
    return " and ".join(
        f"{name} ({', '.join(sorted(scopes))})" if scopes else name
        for name, scopes in sorted(requirement.items()))


def _own(operation: Operation) -> tuple[list[Requirement], str]:
    """A webhook or callback operation's own requirements (none inherited) and their pointer."""
    own = _requirements(operation.node.get("security"))
    if own is None:
        return [], operation.pointer
    return own, f"{operation.pointer}/security"


def compare_operation_security(ctx: DiffContext, old_op: Operation, new_op: Operation) -> None:
    if new_op.outgoing:
        _compare_outgoing(ctx, old_op, new_op)
        return
    old, old_ptr = _effective(ctx.old.document, old_op)
    new, new_ptr = _effective(ctx.new.document, new_op)
    name = new_op.name
    if _public(old):
        if not _public(new):
            ctx.emit("api-security-added", name,
                     f"now requires credentials: {' or '.join(_text(r) for r in new)}",
                     old_ptr, new_ptr)
        return
    if _public(new):
        ctx.emit("api-security-removed", name, "no longer requires credentials", old_ptr, new_ptr)
        return
    lost = False
    for alternative in old:
        if any(_satisfies(alternative, candidate) for candidate in new):
            continue
        lost = True
        same = [c for c in new if set(c) == set(alternative)]
        if same:
            candidate = min(same, key=lambda c: sum(len(c[s] - alternative[s]) for s in c))
            for scheme in sorted(candidate):
                for scope in sorted(candidate[scheme] - alternative[scheme]):
                    ctx.emit("api-security-scope-added", name,
                             f"a token for {scheme} now needs the scope '{scope}'; tokens "
                             "without it will be refused", old_ptr, new_ptr)
        else:
            ctx.emit("api-security-requirement-changed", name,
                     f"authenticating with {_text(alternative)} is no longer accepted; now: "
                     f"{' or '.join(_text(r) for r in new)}", old_ptr, new_ptr)
    for candidate in new:
        if candidate in old:
            continue
        same = [a for a in old if set(a) == set(candidate)]
        if not same:
            if not lost:  # a replacement was reported above; this is an addition
                ctx.emit("api-security-alternative-added", name,
                         f"also accepts {_text(candidate)}", old_ptr, new_ptr)
            continue
        for alternative in same:
            if all(candidate[s] <= alternative[s] for s in candidate):
                removed = sorted(set().union(*(alternative[s] - candidate[s] for s in candidate)))
                if removed:
                    ctx.emit("api-security-scope-removed", name,
                             f"no longer needs the scope(s) {', '.join(removed)}",
                             old_ptr, new_ptr)
                break


def _compare_outgoing(ctx: DiffContext, old_op: Operation, new_op: Operation) -> None:
    """The API sends the credentials: each way it may now authenticate must meet a way
    receivers checked before."""
    (old, old_ptr), (new, new_ptr) = _own(old_op), _own(new_op)
    name = new_op.name
    if _public(old) and _public(new):
        return
    if _public(old):
        ctx.emit("callback-security-added", name,
                 f"the API now authenticates these requests with {' or '.join(map(_text, new))}",
                 old_ptr, new_ptr)
        return
    if _public(new):
        ctx.emit("callback-security-removed", name,
                 "the API may now send these requests without credentials; receivers checking "
                 f"{' or '.join(map(_text, old))} will refuse them", old_ptr, new_ptr)
        return
    broken = False
    for candidate in new:
        if any(_satisfies(candidate, alternative) for alternative in old):
            continue
        broken = True
        same = [a for a in old if set(a) == set(candidate)]
        if same:
            alternative = min(same, key=lambda a: sum(len(a[s] - candidate[s]) for s in a))
            for scheme in sorted(alternative):
                for scope in sorted(alternative[scheme] - candidate[scheme]):
                    ctx.emit("callback-security-scope-removed", name,
                             f"the token the API sends for {scheme} no longer carries the scope "
                             f"'{scope}'; receivers requiring it will refuse the requests",
                             old_ptr, new_ptr)
        elif all(a in new for a in old):
            ctx.emit("callback-security-alternative-added", name,
                     f"the API may now authenticate with {_text(candidate)}; receivers checking "
                     f"only {' or '.join(map(_text, old))} will refuse those requests",
                     old_ptr, new_ptr)
        else:
            ctx.emit("callback-security-requirement-changed", name,
                     f"the API may now authenticate with {_text(candidate)}, which "
                     f"{' or '.join(map(_text, old))} does not cover; receivers checking the old "
                     "way will refuse those requests", old_ptr, new_ptr)
    for alternative in old:
        if alternative in new:
            continue
        same = [c for c in new if set(c) == set(alternative)]
        if not same:
            if not broken:  # a replacement was reported above; this is a removal
                ctx.emit("callback-security-alternative-removed", name,
                         f"the API no longer authenticates with {_text(alternative)}",
                         old_ptr, new_ptr)
            continue
        for candidate in same:
            if all(alternative[s] <= candidate[s] for s in alternative):
                added = sorted(set().union(*(candidate[s] - alternative[s] for s in candidate)))
                if added:
                    ctx.emit("callback-security-scope-added", name,
                             f"the token the API sends now also carries the scope(s) "
                             f"{', '.join(added)}", old_ptr, new_ptr)
                break


def _satisfies(held: Requirement, required: Requirement) -> bool:
    """Credentials that met `held` also meet `required`."""
    return all(s in held and required[s] <= held[s] for s in required)


_SCHEME_KEYS = ("type", "scheme", "in", "name", "openIdConnectUrl")


def _scheme_shape(ctx_spec_resolve: Any, node: Any) -> dict[str, Any]:
    node = ctx_spec_resolve(node)
    if not isinstance(node, dict):
        return {}
    shape: dict[str, Any] = {}
    for key in _SCHEME_KEYS:
        value = node.get(key)
        if isinstance(value, str):
            shape[key] = value.lower() if key in ("type", "scheme", "in") else value
    flows = node.get("flows")
    if isinstance(flows, dict):
        shape["flows"] = {
            kind: {k: v for k, v in flow.items() if k in ("authorizationUrl", "tokenUrl")}
            for kind, flow in flows.items() if isinstance(flow, dict)}
    return shape


def compare_security_schemes(ctx: DiffContext) -> None:
    def schemes(document: dict[str, Any]) -> dict[str, Any]:
        components = document.get("components")
        found = components.get("securitySchemes") if isinstance(components, dict) else None
        return found if isinstance(found, dict) else {}

    old, new = schemes(ctx.old.document), schemes(ctx.new.document)
    for name in sorted(set(old) & set(new)):
        before = _scheme_shape(ctx.old.resolve, old[name])
        after = _scheme_shape(ctx.new.resolve, new[name])
        if before != after:
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            pointer = f"/components/securitySchemes/{escape_pointer(name)}"
            ctx.emit("security-scheme-changed", "",
                     f"security scheme '{name}' changed ({', '.join(changed)}): credentials "
                     "sent the old way will be refused", pointer, pointer)
