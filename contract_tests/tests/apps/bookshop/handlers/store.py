"""The bookshop's in-memory store, shared by its handler modules."""

from __future__ import annotations

import itertools
import os
from typing import Any

BOOKS: dict[int, dict[str, Any]] = {}
ORDERS: dict[int, dict[str, Any]] = {}
_ids = itertools.count(1)


def next_id() -> int:
    return next(_ids)


def drop_author() -> bool:
    """A planted bug for the test that a dropped required field fails the contract test."""
    return os.environ.get("BOOKSHOP_DROP_AUTHOR") == "1"


def orders_closed() -> bool:
    """A shop that takes no orders: `create_order` never answers 2xx."""
    return os.environ.get("BOOKSHOP_ORDERS_CLOSED") == "1"


def problem(status: int, title: str, detail: str) -> tuple[dict[str, Any], int]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}, status


def shown(book: dict[str, Any]) -> dict[str, Any]:
    if drop_author():
        return {key: value for key, value in book.items() if key != "author"}
    return book


