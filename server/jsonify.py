"""JSON encoding of handler results with orjson (fast, strict), behind Connexion's Jsonifier."""

from __future__ import annotations

import json
from typing import Any

import orjson
from connexion.jsonifier import Jsonifier

__all__ = ["jsonifier"]


class _OrjsonModule:
    """The subset of the `json` module interface Connexion's Jsonifier uses."""

    JSONDecodeError = json.JSONDecodeError

    @staticmethod
    def dumps(data: Any, **_kwargs: Any) -> str:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()

    @staticmethod
    def loads(data: str | bytes, **_kwargs: Any) -> Any:
        return orjson.loads(data)


jsonifier = Jsonifier(_OrjsonModule)
