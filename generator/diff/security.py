"""Security requirements: can a client that authenticated one way before still get in?"""

from __future__ import annotations

from typing import Any

from generator.diff.context import DiffContext
from generator.diff.operations import Operation
from generator.loader import escape_pointer

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


def compare_operation_security(ctx: DiffContext, old_op: Operation, new_op: Operation) -> None:
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
