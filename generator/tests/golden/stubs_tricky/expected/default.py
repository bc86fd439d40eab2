"""Handlers for the `default` operations of Tricky "stubs" \\ test

Scaffolded by `specfirst stubs`; this module is yours. Later runs only append functions for new
operations and never change what is here. `specfirst stubs --check` reports drift.

A handler returns the body (a dict or a list), `(body, status)` or `(body, status, headers)`;
the server sends the media type the spec documents for that status. A documented error is one
call: `raise Problem(404, "No such item.")` (`from specfirst.server import Problem`).
"""

from __future__ import annotations

from typing import Any

from ._operations import not_implemented


def get_health() -> Any:
    """Health.

    Operation: GET /health
    """
    return not_implemented('GET /health')
