"""Operations moved to another path: the same operationId and method under another path template.

Without this a move reads as a removal plus an addition, and nothing the moved operation's
clients also have to change (its parameters, body, responses) would be compared. An operation
of the old version whose path is gone is taken as moved when exactly one operation of the new
version, also under a path the old version did not have, has the same method and operationId.
The move is reported once, as `api-path-changed` (clients calling the old URL fail); the two
versions are then compared like any other pair, and the callbacks the operation declares follow
it.
"""

from __future__ import annotations

import dataclasses

from specfirst.generator.diff.context import DiffContext
from specfirst.generator.diff.operations import Operation, OperationKey

__all__ = ["follow_moves"]

Operations = dict[OperationKey, Operation]


def _movable(ops: Operations, others: Operations) -> dict[tuple[str, str], list[Operation]]:
    """Path operations found only in `ops`, by (operationId, method)."""
    found: dict[tuple[str, str], list[Operation]] = {}
    for key, op in ops.items():
        operation_id = op.node.get("operationId")
        if op.kind == "path" and key not in others and isinstance(operation_id, str) \
                and operation_id:
            found.setdefault((operation_id, op.method), []).append(op)
    return found


def _moves(old: Operations, new: Operations) -> list[tuple[Operation, Operation]]:
    before, after = _movable(old, new), _movable(new, old)
    return [(before[k][0], after[k][0]) for k in sorted(set(before) & set(after))
            if len(before[k]) == 1 and len(after[k]) == 1]


def follow_moves(ctx: DiffContext, old: Operations, new: Operations) -> Operations:
    """`old` with each moved operation, and every callback it declares, keyed as in `new`.

    Each move is reported as `api-path-changed`.
    """
    moved: dict[OperationKey, tuple[Operation, Operation]] = {}
    for before, after in _moves(old, new):
        moved[before.key] = (before, after)
        ctx.emit("api-path-changed", after.name,
                 f"{before.name} moved to {after.path} (operationId "
                 f"'{before.node.get('operationId')}'); clients calling {before.path} will fail",
                 before.pointer, after.pointer)
    if not moved:
        return old

    def rekey(key: OperationKey) -> OperationKey:
        owner = moved.get(key[:2])
        return (*owner[1].key, *key[2:]) if owner is not None else key

    followed: Operations = {}
    for key, op in old.items():
        owner = moved.get(key[:2])
        if owner is None:
            followed[key] = op
            continue
        before, after = owner
        label = op.label
        if label.startswith(before.name):
            label = after.name + label[len(before.name):]
        parent = rekey(op.parent) if op.parent is not None else None
        followed[rekey(key)] = dataclasses.replace(op, key=rekey(key), parent=parent, label=label)
    return followed
