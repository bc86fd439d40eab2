"""Fingerprints of what nodes mean with their `$ref`s followed: a cheap test that two are equal.

Both specs are fingerprinted together. Every `$ref` target of either document gets a label by
partition refinement (the way automata are minimised): start with one class, then repeatedly
label each target by its own content with the labels of the targets it refers to, until the
number of classes stops growing. Two targets end with the same label exactly when their
unfoldings are equal, however their references loop, so a schema moved to another file,
renamed, or part of a recursive family hashes the same as before. Any other node's fingerprint
is a Merkle hash of its content in which a `$ref` contributes its target's label.

Annotations (descriptions, examples, `x-` extensions) are left out unless asked for. Equal
fingerprints mean "nothing to compare"; different ones only mean "compare in full".
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from specfirst.generator.loader import Spec, resolve_pointer

__all__ = ["Fingerprints"]

_SKIPPED = frozenset({"example", "examples", "externalDocs", "$comment", "xml"})
_TEXT = frozenset({"description", "summary", "title"})
_DATA = frozenset({"enum", "const", "default"})
# Maps whose keys are names (a property called "description" or "x-id" is not an annotation).
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions",
                        "dependentSchemas", "dependentRequired", "schemas", "responses",
                        "parameters", "headers", "content", "paths", "securitySchemes",
                        "requestBodies", "links", "callbacks", "mapping", "variables", "encoding",
                        "examples", "webhooks"})

Target = tuple[int, str]  # (0 old / 1 new, pointer without '#')
Token = str | Target


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _data(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _local_ref(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str) \
            and node["$ref"].startswith("#"):
        return str(node["$ref"][1:])
    return None


class Fingerprints:
    """Comparable fingerprints for the nodes of an old and a new spec."""

    def __init__(self, old: Spec, new: Spec, *, include_text: bool = False):
        self.documents = (old.document, new.document)
        self.skipped = _SKIPPED if include_text else _SKIPPED | _TEXT
        self.templates: dict[Target, list[Token]] = {}
        self.aliases: dict[Target, Target] = {}
        self.memo: tuple[dict[int, tuple[Any, str]], dict[int, tuple[Any, str]]] = ({}, {})
        pending: list[Target] = []
        for side, document in enumerate(self.documents):
            self._collect(side, document, pending, 0, False)
        while pending:
            target = pending.pop()
            if target not in self.templates:
                self._add_target(target, pending)
        self.labels = self._refine()

    # -- public ----------------------------------------------------------------------------
    def old(self, node: Any) -> str:
        return self._hash(0, node, 0)

    def new(self, node: Any) -> str:
        return self._hash(1, node, 0)

    # -- building --------------------------------------------------------------------------
    def _kept(self, key: str, names: bool) -> bool:
        return names or (key not in self.skipped and not key.startswith("x-"))

    def _collect(self, side: int, node: Any, pending: list[Target], depth: int,
                 names: bool) -> None:
        """Note every `$ref` target in `node` (without following refs)."""
        if depth > 400:
            return
        if isinstance(node, list):
            for item in node:
                self._collect(side, item, pending, depth + 1, False)
            return
        if not isinstance(node, dict):
            return
        pointer = _local_ref(node)
        if pointer is not None and not names:
            pending.append((side, pointer))
        for key, value in node.items():
            if self._kept(key, names) and (names or key not in _DATA):
                self._collect(side, value, pending, depth + 1, not names and key in _NAME_MAPS)

    def _add_target(self, target: Target, pending: list[Target]) -> None:
        side, pointer = target
        try:
            node = resolve_pointer(self.documents[side], pointer)
        except KeyError:
            self.templates[target] = ["missing:" + pointer]
            return
        tokens: list[Token] = []
        self.templates[target] = tokens
        self._tokens(side, node, tokens, 0)
        self._collect(side, node, pending, 0, False)

    def _tokens(self, side: int, node: Any, out: list[Token], depth: int,
                names: bool = False) -> None:
        """`node` as text, with each `$ref` left as a token to be replaced by a label."""
        if depth > 400:
            out.append("deep")
            return
        if isinstance(node, list):
            out.append("[")
            for item in node:
                self._tokens(side, item, out, depth + 1)
                out.append(",")
            out.append("]")
            return
        if not isinstance(node, dict):
            out.append(_data(node))
            return
        pointer = None if names else _local_ref(node)
        rest = sorted(k for k in node if k != "$ref" or pointer is None)
        if pointer is not None:
            out.append("ref(")
            out.append((side, pointer))
            out.append(",")
        out.append("{")
        for key in rest:
            if not self._kept(key, names):
                continue
            out.append(json.dumps(key) + ":")
            if key in _DATA and not names:
                out.append(_data(node[key]))
            else:
                self._tokens(side, node[key], out, depth + 1,
                             not names and key in _NAME_MAPS)
            out.append(",")
        out.append("}")
        if pointer is not None:
            out.append(")")

    def _alias(self, target: Target) -> Target:
        """A target that is only `{$ref: X}` means X: follow such chains (loops stop)."""
        seen = {target}
        current = target
        while True:
            side, pointer = current
            try:
                node = resolve_pointer(self.documents[side], pointer)
            except KeyError:
                return current
            nxt = _local_ref(node)
            if nxt is None or set(node) != {"$ref"} or (side, nxt) in seen:
                return current
            current = (side, nxt)
            seen.add(current)

    def _refine(self) -> dict[Target, str]:
        for target in self.templates:
            self.aliases[target] = self._alias(target)
        templates = {t: [self.aliases.get(tok, tok) if isinstance(tok, tuple) else tok
                         for tok in tokens]
                     for t, tokens in self.templates.items()}
        labels = {t: "" for t in templates}
        classes = 1
        for _ in range(len(templates) + 1):
            labels = {t: _digest("".join(tok if isinstance(tok, str) else labels[tok]
                                         for tok in tokens))
                      for t, tokens in templates.items()}
            count = len(set(labels.values()))
            if count == classes:
                break
            classes = count
        return {t: labels[self.aliases[t]] for t in templates}

    # -- hashing any node ------------------------------------------------------------------
    def _label(self, side: int, pointer: str) -> str:
        target = (side, pointer)
        if target in self.labels:
            return self.labels[target]
        try:  # a node no `$ref` of the document points at: its content (its refs are listed)
            node = resolve_pointer(self.documents[side], pointer)
        except KeyError:
            return _digest("missing:" + pointer)
        return _digest("unlisted:" + self._hash(side, node, 0))

    def _hash(self, side: int, node: Any, depth: int, names: bool = False) -> str:
        memo = self.memo[side]
        cached = memo.get(id(node)) if not names else None
        if cached is not None and cached[0] is node:
            return cached[1]
        if depth > 400:
            return _digest("deep")
        if isinstance(node, list):
            result = _digest("[" + ",".join(self._hash(side, i, depth + 1) for i in node) + "]")
        elif not isinstance(node, dict):
            result = _digest(_data(node))
        else:
            pointer = None if names else _local_ref(node)
            parts = []
            for key in sorted(node):
                if key == "$ref" and pointer is not None:
                    continue
                if not self._kept(key, names):
                    continue
                value = _digest(_data(node[key])) if key in _DATA and not names \
                    else self._hash(side, node[key], depth + 1, not names and key in _NAME_MAPS)
                parts.append(f"{json.dumps(key)}:{value}")
            body = "{" + ",".join(parts) + "}"
            if pointer is None:
                result = _digest(body)
            elif not parts:
                result = self._label(side, pointer)
            else:
                result = _digest(f"ref({self._label(side, pointer)},{body})")
        if isinstance(node, dict | list) and not names:
            memo[id(node)] = (node, result)
        return result
