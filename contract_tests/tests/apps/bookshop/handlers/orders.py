"""Orders."""

from __future__ import annotations

from typing import Any

from specfirst.contract_tests.tests.apps.bookshop.handlers.store import (
    BOOKS,
    ORDERS,
    next_id,
    orders_closed,
    problem,
)


def create_order(body: dict[str, Any]) -> Any:
    if orders_closed():
        return problem(422, "Unprocessable Content", "the shop takes no orders")
    if body["book_id"] not in BOOKS:
        return problem(422, "Unprocessable Content", f"no book {body['book_id']}")
    order = {"id": next_id(), "book_id": body["book_id"], "quantity": body["quantity"]}
    ORDERS[order["id"]] = order
    return order, 201, {"Location": f"/v1/orders/{order['id']}"}
