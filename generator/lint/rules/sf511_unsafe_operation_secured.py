"""SF511 unsafe-operation-secured: on an API that requires credentials, operations that change
data (POST, PUT, PATCH, DELETE) require them too (OWASP API2, broken authentication).

An operation is unsecured when its effective `security` is `[]`, or lists an empty requirement
`{}` (which makes credentials optional). The rule speaks only when most of the API's operations
are secured and another operation on the same resource (the same path, or the collection and
its items) requires credentials: there an unsecured write is likely a slip (a copied
`security: []`). A stand-alone public action (`POST /apply`) and an API that is public
throughout (SF501's business) are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Operation, Rule

__all__ = ["UnsafeOperationSecured", "security_state"]

UNSAFE = frozenset({"post", "put", "patch", "delete"})
# Writes that are public by nature: signing up or in, asking for a token or a password reset.
PUBLIC_ACTIONS = frozenset({
    "login", "logout", "signin", "sign-in", "sign_in", "signup", "sign-up", "sign_up", "register",
    "registration", "token", "tokens", "oauth", "oauth2", "authorize", "auth", "session",
    "sessions", "password", "passwords", "password-reset", "reset-password", "forgot-password",
    "verify", "verification", "refresh", "revoke", "introspect",
})


def security_state(ctx: LintContext, op: Operation) -> str:
    """`secured`, `optional` (an empty requirement among others) or `none`."""
    security: Any = op.node.get("security", ctx.document.get("security"))
    if not isinstance(security, list):
        return "none"
    requirements = [r for r in security if isinstance(r, dict)]
    if not requirements:
        return "none"
    if any(not r for r in requirements):
        return "optional"
    return "secured"


def _same_resource(a: str, b: str) -> bool:
    """The same path, or a collection and its items (`/orders`, `/orders/{id}`)."""
    a, b = a.rstrip("/"), b.rstrip("/")
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    rest = long[len(short):]
    return long.startswith(short + "/") and rest.count("/") == 1 and rest[1:].startswith("{")


def _public_by_nature(op: Operation) -> bool:
    segments = [s.lower() for s in op.path.strip("/").split("/") if s and not s.startswith("{")]
    return any(s in PUBLIC_ACTIONS for s in segments)


class UnsafeOperationSecured(Rule):
    id = "SF511"
    name = "unsafe-operation-secured"
    summary = ("On an API secured elsewhere, operations that change data (POST, PUT, PATCH, "
               "DELETE) require credentials too.")
    severity = Severity.ERROR
    category = "security"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        ops = self.operations(ctx)
        states = {op.pointer: security_state(ctx, op) for op in ops}
        secured = sum(1 for state in states.values() if state == "secured")
        if not ops or secured * 2 <= len(ops):
            return
        for op in ops:
            state = states[op.pointer]
            if op.method not in UNSAFE or state == "secured" or _public_by_nature(op):
                continue
            neighbours = [other for other in ops if other is not op
                          and _same_resource(other.path, op.path)
                          and states[other.pointer] == "secured"]
            if not neighbours:
                continue  # a stand-alone action (`POST /apply`): public by design, likely
            how = ("makes credentials optional (an empty requirement `{}`)"
                   if state == "optional" else "requires no credentials")
            pointer = f"{op.pointer}/security" if "security" in op.node else op.pointer
            yield self.finding(
                ctx, pointer,
                f"{op.label()} changes data but {how}, while {secured} of the API's {len(ops)} "
                "operations require them",
                "require the API's security scheme here; if the operation is public on "
                "purpose, say why with `x-specfirst-ignore: [SF511]` and a comment", key=True)
