"""specfirst's serving runtime: any spec plus a handler package → an ASGI app; and the mock
server for any spec.

    from specfirst.server import Problem, Service, create_app

    app = create_app("openapi.yaml", handlers="handlers")   # an ASGI app (Connexion AsyncApp)

A handler returns a dict or a list, `(body, status)` or `(body, status, headers)`; the server
sends the media type the spec documents for that status. `raise Problem(404, "No such book.")`
answers a problem (`application/problem+json`). An application plugs services (lifespans,
migrations, problem types) in with `SERVICES = [Service(...)]` in its handler package. See
docs/server.md.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

# Connexion imports Starlette's test client at import time, which warns about httpx; the
# warning concerns test tooling, not this package.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

if TYPE_CHECKING:
    from specfirst.server.app import HandlerImportError, create_app
    from specfirst.server.context import Caller, Runtime, caller, get_db, get_settings
    from specfirst.server.point_reads import first_row, point_read
    from specfirst.server.problems import Problem
    from specfirst.server.services import Service
    from specfirst.server.settings import ServerSettings

__all__ = [
    "Caller",
    "HandlerImportError",
    "Problem",
    "Runtime",
    "ServerSettings",
    "Service",
    "caller",
    "create_app",
    "first_row",
    "get_db",
    "get_settings",
    "point_read",
]

# name -> module; imported on first use, so that `specfirst.server.db` and the mock do not pull
# in Connexion's app machinery.
_EXPORTS = {
    "Caller": "specfirst.server.context",
    "HandlerImportError": "specfirst.server.app",
    "Problem": "specfirst.server.problems",
    "Runtime": "specfirst.server.context",
    "ServerSettings": "specfirst.server.settings",
    "Service": "specfirst.server.services",
    "caller": "specfirst.server.context",
    "create_app": "specfirst.server.app",
    "first_row": "specfirst.server.point_reads",
    "get_db": "specfirst.server.context",
    "get_settings": "specfirst.server.context",
    "point_read": "specfirst.server.point_reads",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
