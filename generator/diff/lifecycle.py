"""Operations, webhooks and callbacks that appear or disappear between two versions.

An operation removed without deprecation breaks clients calling it; a deprecated one follows
the Sunset ladder. A webhook or callback removed breaks receivers in another way: they no longer
get the requests they were written for, and nothing tells them. A removed webhook or callback is
reported once, not once per method; a callback is not reported when its owner operation is
itself removed or added.
"""

from __future__ import annotations

import datetime as dt

from generator.diff.context import DiffContext
from generator.diff.operations import Operation, OperationKey, sunset_of
from generator.loader import escape_pointer

__all__ = ["report_added", "report_removed"]

Operations = dict[OperationKey, Operation]


def _callback_pointer(owners: Operations, op: Operation) -> str:
    assert op.parent is not None
    return f"{owners[op.parent].pointer}/callbacks/{escape_pointer(str(op.callback))}"


def _owner_name(owners: Operations, op: Operation) -> str:
    return owners[op.parent].name if op.parent in owners else op.name


def report_removed(ctx: DiffContext, old: Operations, new: Operations, today: dt.date) -> None:
    webhooks = {op.path for op in new.values() if op.kind == "webhook"}
    callbacks = {(op.parent, op.callback) for op in new.values() if op.kind == "callback"}
    reported: set[tuple[object, ...]] = set()
    for key in sorted(set(old) - set(new)):
        op = old[key]
        if op.kind == "path":
            _removed_operation(ctx, op, today)
        elif op.kind == "webhook" and op.path in webhooks:
            ctx.emit("api-webhook-operation-removed", op.name,
                     f"the webhook '{op.path}' no longer sends {op.method.upper()} requests; "
                     "receivers written for them no longer get them", op.pointer, None)
        elif op.kind == "webhook" and ("webhook", op.path) not in reported:
            reported.add(("webhook", op.path))
            ctx.emit("api-webhook-removed", f"webhook {op.path}",
                     f"the webhook '{op.path}' was removed; receivers no longer get its requests",
                     f"/webhooks/{escape_pointer(op.path)}", None)
        elif op.kind == "callback" and op.parent in new:
            if (op.parent, op.callback) in callbacks:
                ctx.emit("api-callback-operation-removed", op.name,
                         f"the callback '{op.callback}' no longer sends {op.method.upper()} "
                         f"{op.path}", op.pointer, None)
            elif (op.parent, op.callback) not in reported:
                reported.add((op.parent, op.callback))
                ctx.emit("api-callback-removed", _owner_name(new, op),
                         f"the callback '{op.callback}' was removed; receivers no longer get "
                         "its requests", _callback_pointer(old, op), None)


def report_added(ctx: DiffContext, old: Operations, new: Operations) -> None:
    webhooks = {op.path for op in old.values() if op.kind == "webhook"}
    callbacks = {(op.parent, op.callback) for op in old.values() if op.kind == "callback"}
    reported: set[tuple[object, ...]] = set()
    for key in sorted(set(new) - set(old)):
        op = new[key]
        if op.kind == "path":
            ctx.emit("endpoint-added", op.name, f"new operation {op.name}", None, op.pointer)
        elif op.kind == "webhook" and op.path in webhooks:
            ctx.emit("api-webhook-operation-added", op.name,
                     f"the webhook '{op.path}' now also sends {op.method.upper()} requests",
                     None, op.pointer)
        elif op.kind == "webhook" and ("webhook", op.path) not in reported:
            reported.add(("webhook", op.path))
            ctx.emit("api-webhook-added", f"webhook {op.path}", f"new webhook '{op.path}'",
                     None, f"/webhooks/{escape_pointer(op.path)}")
        elif op.kind == "callback" and op.parent in old:
            if (op.parent, op.callback) in callbacks:
                ctx.emit("api-callback-operation-added", op.name,
                         f"the callback '{op.callback}' now also sends {op.method.upper()} "
                         f"{op.path}", None, op.pointer)
            elif (op.parent, op.callback) not in reported:
                reported.add((op.parent, op.callback))
                ctx.emit("api-callback-added", _owner_name(new, op),
                         f"new callback '{op.callback}'", None, _callback_pointer(new, op))


def _removed_operation(ctx: DiffContext, op: Operation, today: dt.date) -> None:
    sunset = sunset_of(ctx.old, op)
    if sunset is not None and sunset <= today:
        ctx.emit("api-removed-after-sunset", op.name,
                 f"{op.name} was removed after its Sunset date {sunset.isoformat()}",
                 op.pointer, None)
    elif op.deprecated and sunset is not None:
        ctx.emit("api-removed-before-sunset", op.name,
                 f"{op.name} was removed before its Sunset date {sunset.isoformat()}; "
                 "clients still calling it will fail", op.pointer, None)
    elif op.deprecated:
        ctx.emit("api-removed-after-deprecation", op.name,
                 f"the deprecated operation {op.name} was removed (it had no Sunset date)",
                 op.pointer, None)
    else:
        ctx.emit("api-removed-without-deprecation", op.name,
                 f"{op.name} was removed without being deprecated first; clients calling it "
                 "will fail", op.pointer, None)
