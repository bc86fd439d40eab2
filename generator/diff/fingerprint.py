"""Hashes of what a node means with its `$ref`s followed: a cheap test that two nodes are equal.

A node's fingerprint is a Merkle hash: a `$ref` contributes the fingerprint of its target, not
the reference text, so a schema moved to another file or renamed hashes the same. Annotations
(descriptions, examples, `x-` extensions) are left out unless asked for. Equal fingerprints mean
nothing to compare; different fingerprints only mean "compare in full".
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from generator.loader import Spec, resolve_pointer

__all__ = ["Fingerprints"]

_SKIPPED = frozenset({"example", "examples", "externalDocs", "$comment", "xml"})
_TEXT = frozenset({"description", "summary", "title"})
_DATA = frozenset({"enum", "const", "default"})


class Fingerprints:
    """Fingerprints of one spec's nodes, memoised by the pointer of each `$ref` target."""

    def __init__(self, spec: Spec, *, include_text: bool = False):
        self.spec = spec
        self.skipped = _SKIPPED if include_text else _SKIPPED | _TEXT
        self.memo: dict[str, str] = {}
        self.active: list[str] = []

    def of(self, node: Any) -> str:
        return self._hash(node, 0)[0]

    def _hash(self, node: Any, depth: int) -> tuple[str, bool]:
        """The hash, and whether it depended on a cut cycle (then it is not memoised)."""
        if depth > 200:
            return "deep", True
        if isinstance(node, list):
            parts = [self._hash(item, depth + 1) for item in node]
            return _digest("[" + ",".join(p for p, _ in parts) + "]"), any(c for _, c in parts)
        if not isinstance(node, dict):
            return _digest(json.dumps(node, sort_keys=True, default=str)), False
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            target_hash, cut = self._target(ref[1:], depth)
            rest = {k: v for k, v in node.items() if k != "$ref"}
            if not rest:
                return target_hash, cut
            rest_hash, rest_cut = self._hash(rest, depth + 1)
            return _digest(f"ref({target_hash},{rest_hash})"), cut or rest_cut
        parts_text = []
        cut = False
        for key in sorted(node):
            if key in self.skipped or key.startswith("x-"):
                continue
            value = node[key]
            if key in _DATA:
                text = _digest(json.dumps(value, sort_keys=True, default=str))
            else:
                text, value_cut = self._hash(value, depth + 1)
                cut = cut or value_cut
            parts_text.append(f"{json.dumps(key)}:{text}")
        return _digest("{" + ",".join(parts_text) + "}"), cut

    def _target(self, pointer: str, depth: int) -> tuple[str, bool]:
        if pointer in self.memo:
            return self.memo[pointer], False
        if pointer in self.active:  # a back edge: hash how far back it goes, not where
            return _digest(f"cycle:{len(self.active) - self.active.index(pointer)}"), True
        try:
            target = resolve_pointer(self.spec.document, pointer)
        except KeyError:
            return _digest("missing:" + pointer), False
        self.active.append(pointer)
        try:
            result, cut = self._hash(target, depth + 1)
        finally:
            self.active.pop()
        if not cut:
            self.memo[pointer] = result
        return result, cut


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
