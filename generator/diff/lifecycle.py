"""Operations, webhooks and callbacks that appear or disappear between two versions.

Removals follow one deprecation ladder, for operations and for webhooks and callbacks alike:
removed without being deprecated first is breaking; deprecated with a Sunset date still ahead,
breaking; deprecated with no Sunset date, a warning; past its Sunset date, info. An operation
removed breaks clients calling it; a webhook or callback removed breaks receivers in another
way: they no longer get the requests they were written for, and nothing tells them. A removed
webhook or callback is reported once, not once per method, on the worst rung of its operations;
a callback is not reported when its owner operation is itself removed or added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from specfirst.generator.diff.context import DiffContext
from specfirst.generator.diff.operations import Operation, OperationKey, sunset_of
from specfirst.generator.loader import escape_pointer

__all__ = ["report_added", "report_removed"]

Operations = dict[OperationKey, Operation]

# The rungs of the ladder, worst first: (suffix of the id, level order).
_WITHOUT, _BEFORE, _DEPRECATED, _AFTER = ("", "-before-sunset", "-after-deprecation",
                                          "-after-sunset")
_RUNGS = (_WITHOUT, _BEFORE, _DEPRECATED, _AFTER)


def _callback_pointer(owners: Operations, op: Operation) -> str:
    assert op.parent is not None
    return f"{owners[op.parent].pointer}/callbacks/{escape_pointer(str(op.callback))}"


def _owner_name(owners: Operations, op: Operation) -> str:
    return owners[op.parent].name if op.parent in owners else op.name


def _rung(ctx: DiffContext, op: Operation, today: dt.date) -> tuple[str, dt.date | None]:
    """Where a removed operation stands on the deprecation ladder, and its Sunset date."""
    sunset = sunset_of(ctx.old, op)
    if sunset is not None and sunset <= today:
        return _AFTER, sunset
    if op.deprecated and sunset is not None:
        return _BEFORE, sunset
    if op.deprecated:
        return _DEPRECATED, None
    return _WITHOUT, None


def _worst(ctx: DiffContext, ops: Iterable[Operation], today: dt.date) -> tuple[str, str]:
    """The worst rung of a group of operations removed together, and how to tell it."""
    rungs = [_rung(ctx, op, today) for op in ops]
    rung = min((r for r, _ in rungs), key=_RUNGS.index, default=_WITHOUT)
    dates = sorted(date for r, date in rungs if r == rung and date is not None)
    if rung == _AFTER:
        return rung, f"after its Sunset date {dates[-1].isoformat()}"
    if rung == _BEFORE:
        return rung, f"before its Sunset date {dates[0].isoformat()}"
    if rung == _DEPRECATED:
        return rung, "after being deprecated (it had no Sunset date)"
    return rung, "without being deprecated first"


def _outgoing_removed(ctx: DiffContext, change_id: str, operation: str, what: str,
                      ops: list[Operation], pointer: str, today: dt.date) -> None:
    rung, when = _worst(ctx, ops, today)
    consequence = "" if rung == _AFTER else "; receivers no longer get its requests"
    ctx.emit(change_id + rung, operation, f"{what} was removed {when}{consequence}", pointer,
             None)


def report_removed(ctx: DiffContext, old: Operations, new: Operations, today: dt.date) -> None:
    webhooks = {op.path for op in new.values() if op.kind == "webhook"}
    callbacks = {(op.parent, op.callback) for op in new.values() if op.kind == "callback"}
    reported: set[tuple[object, ...]] = set()
    gone = [old[key] for key in sorted(set(old) - set(new))]
    for op in gone:
        if op.kind == "path":
            _removed_operation(ctx, op, today)
        elif op.kind == "webhook" and op.path in webhooks:
            _outgoing_removed(ctx, "api-webhook-operation-removed", op.name,
                              f"the {op.method.upper()} request of the webhook '{op.path}'",
                              [op], op.pointer, today)
        elif op.kind == "webhook" and ("webhook", op.path) not in reported:
            reported.add(("webhook", op.path))
            _outgoing_removed(ctx, "api-webhook-removed", f"webhook {op.path}",
                              f"the webhook '{op.path}'",
                              [o for o in gone if o.kind == "webhook" and o.path == op.path],
                              f"/webhooks/{escape_pointer(op.path)}", today)
        elif op.kind == "callback" and op.parent in new:
            if (op.parent, op.callback) in callbacks:
                _outgoing_removed(ctx, "api-callback-operation-removed", op.name,
                                  f"the {op.method.upper()} {op.path} request of the callback "
                                  f"'{op.callback}'", [op], op.pointer, today)
            elif (op.parent, op.callback) not in reported:
                reported.add((op.parent, op.callback))
                _outgoing_removed(ctx, "api-callback-removed", _owner_name(new, op),
                                  f"the callback '{op.callback}'",
                                  [o for o in gone if o.kind == "callback"
                                   and (o.parent, o.callback) == (op.parent, op.callback)],
                                  _callback_pointer(old, op), today)


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
    rung, sunset = _rung(ctx, op, today)
    if rung == _AFTER:
        assert sunset is not None
        ctx.emit("api-removed-after-sunset", op.name,
                 f"{op.name} was removed after its Sunset date {sunset.isoformat()}",
                 op.pointer, None)
    elif rung == _BEFORE:
        assert sunset is not None
        ctx.emit("api-removed-before-sunset", op.name,
                 f"{op.name} was removed before its Sunset date {sunset.isoformat()}; "
                 "clients still calling it will fail", op.pointer, None)
    elif rung == _DEPRECATED:
        ctx.emit("api-removed-after-deprecation", op.name,
                 f"the deprecated operation {op.name} was removed (it had no Sunset date)",
                 op.pointer, None)
    else:
        ctx.emit("api-removed-without-deprecation", op.name,
                 f"{op.name} was removed without being deprecated first; clients calling it "
                 "will fail", op.pointer, None)
