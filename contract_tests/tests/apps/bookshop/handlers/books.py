"""Books."""

from __future__ import annotations

from typing import Any

from specfirst.contract_tests.tests.apps.bookshop.handlers.store import (
    BOOKS,
    next_id,
    problem,
    shown,
)


def list_books(limit: int = 20) -> dict[str, Any]:
    return {"items": [shown(book) for book in list(BOOKS.values())[:limit]]}


def create_book(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    book = {"id": next_id(), "title": body["title"], "author": body["author"],
            "subtitle": body.get("subtitle")}
    BOOKS[book["id"]] = book
    return shown(book), 201, {"Location": f"/v1/books/{book['id']}"}


def get_book(book_id: int) -> Any:
    book = BOOKS.get(int(book_id))
    if book is None:
        return problem(404, "Not Found", f"no book {book_id}")
    return shown(book)


def delete_book(book_id: int) -> Any:
    if BOOKS.pop(int(book_id), None) is None:
        return problem(404, "Not Found", f"no book {book_id}")
    return None, 204
