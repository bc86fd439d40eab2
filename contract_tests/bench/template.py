"""Request-body templates: `{{seq}}`, `{{uuid}}`, `{{worker}}` replaced per request.

The template is split into literal parts and placeholders once; rendering is plain string
joining, so a body read from an untrusted file can never run code (no template engine involved).

    BodyTemplate.parse('{"email": "c{{seq}}@example.com"}').render(seq=7, worker=0)
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from specfirst.generator.errors import UsageError

__all__ = ["PLACEHOLDERS", "BodyTemplate"]

PLACEHOLDERS = ("seq", "uuid", "worker")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class BodyTemplate:
    """A body split into literal text and placeholder names (even indexes are literal)."""

    parts: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> BodyTemplate:
        parts: list[str] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            name = match.group(1)
            if name not in PLACEHOLDERS:
                raise UsageError(f"unknown placeholder {{{{{name}}}}} in the body template",
                                 hint="known placeholders: " + ", ".join(
                                     "{{" + p + "}}" for p in PLACEHOLDERS))
            parts.append(text[position:match.start()])
            parts.append(name)
            position = match.end()
        parts.append(text[position:])
        return cls(tuple(parts))

    @property
    def is_static(self) -> bool:
        return len(self.parts) == 1

    def render(self, seq: int, worker: int) -> bytes:
        if self.is_static:
            return self.parts[0].encode()
        out: list[str] = []
        for index, part in enumerate(self.parts):
            if index % 2 == 0:
                out.append(part)
            elif part == "seq":
                out.append(str(seq))
            elif part == "uuid":
                out.append(str(uuid.uuid4()))
            else:
                out.append(str(worker))
        return "".join(out).encode()
