"""Every use of Connexion's internals, in one place.

Connexion 3's public API is the app (`AsyncApp`), its options and extension points (resolvers,
validator map, security handlers, jsonifier), `connexion.request`/`context`, the lifecycle and
exception classes. The server reaches further in a few places, for speed and to answer as
Connexion does:

- the fast route (`server.fast_route`) builds once per operation the pieces Connexion's own
  middleware layers build per request — the security, request- and response-validation
  operations, the routing context, the handler's argument preparation — and sets the context
  variables Connexion's `context` names read;
- handler dispatch (`server.dispatch`) decorates each handler once, with Connexion's decorator
  classes, on Connexion's own operation and API classes;
- the spec is validated once (`server.fast_spec`, `server.mock.served`) with Connexion's
  specification classes and its `nullable`-aware JSON Schema validators;
- a few helpers (`is_nullable`, `pythonic`, ...) give Connexion's exact reading of a name or a
  schema.

They are imported here only, so that an upgrade of Connexion that moves one breaks this module
(and `server/tests/test_connexion_compat.py`), not the server. The tested range is pinned in
pyproject.toml (`connexion>=3.1,<4`).
"""

from __future__ import annotations

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import _context, _operation, _receive, _scope
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import prep_kwargs, pythonic, sanitized, unwrap_decorators
from connexion.decorators.response import AsyncResponseDecorator
from connexion.http_facts import METHODS
from connexion.json_schema import Draft4RequestValidator, NullableTypeValidator
from connexion.middleware.abstract import ROUTING_CONTEXT, SpecMiddleware
from connexion.middleware.request_validation import RequestValidationOperation
from connexion.middleware.response_validation import ResponseValidationOperation
from connexion.middleware.security import SecurityOperation
from connexion.operations import AbstractOperation
from connexion.security import SecurityHandlerFactory
from connexion.spec import OpenAPISpecification, Specification, create_spec_validator
from connexion.utils import inspect_function_arguments, is_json_mimetype, is_null, is_nullable

__all__ = [
    "METHODS",
    "ROUTING_CONTEXT",
    "AbstractOperation",
    "AsyncApi",
    "AsyncOperation",
    "AsyncResponseDecorator",
    "Draft4RequestValidator",
    "NullableTypeValidator",
    "OpenAPISpecification",
    "RequestValidationOperation",
    "ResponseValidationOperation",
    "SecurityHandlerFactory",
    "SecurityOperation",
    "SpecMiddleware",
    "Specification",
    "StarletteDecorator",
    "_context",
    "_operation",
    "_receive",
    "_scope",
    "create_spec_validator",
    "inspect_function_arguments",
    "is_json_mimetype",
    "is_null",
    "is_nullable",
    "prep_kwargs",
    "pythonic",
    "sanitized",
    "unwrap_decorators",
]
