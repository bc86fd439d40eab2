"""Handlers for the `pets` operations of Tricky "stubs" \\ test

Scaffolded by `specfirst stubs`; this module is yours. Later runs only append functions for new
operations and never change what is here. `specfirst stubs --check` reports drift.

A handler returns the body (a dict or a list), `(body, status)` or `(body, status, headers)`;
the server sends the media type the spec documents for that status. A documented error is one
call: `raise Problem(404, "No such item.")` (`from specfirst.server import Problem`).
"""

from __future__ import annotations

from typing import Any

from . import _models as models
from ._operations import not_implemented


def list_pets(
    type_: str,
    limit: int | None = None,
    filter_name: str | None = None,
    sort_by: str | None = None,
    *,
    user: str | None = None,
    token_info: dict[str, Any] | None = None,
) -> Any:
    """List pets.

    Returns pets. {{ 7*7 }} stays literal; so does <script>alert(1)</script>.
    A docstring breaker: \"\"\" and a trailing backslash \\

    Operation: GET /pets (listPets)
    """
    return not_implemented('GET /pets')


def x(
    body: models.NewPet,
    *,
    user: str | None = None,
    token_info: dict[str, Any] | None = None,
) -> Any:
    """Handle POST /pets.

    Operation: POST /pets (../../x)
    """
    return not_implemented('POST /pets')


def class_(id_: int) -> Any:
    """Handle GET /pets/{id}.

    Operation: GET /pets/{id} (class)
    """
    return not_implemented('GET /pets/{id}')


def init(
    id_: int,
    changes: dict[str, Any] | None = None,
    *,
    user: str | None = None,
    token_info: dict[str, Any] | None = None,
) -> Any:
    """Handle PATCH /pets/{id}.

    Operation: PATCH /pets/{id} (__init__)
    """
    return not_implemented('PATCH /pets/{id}')


def list_pets_2(
    id_: int,
    *,
    user: str | None = None,
    token_info: dict[str, Any] | None = None,
) -> Any:
    """Handle DELETE /pets/{id}.

    Operation: DELETE /pets/{id} (listPets_)
    """
    return not_implemented('DELETE /pets/{id}')
