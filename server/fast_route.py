"""The fast route: the operations of the spec served past Connexion's generic middleware.

For every request Connexion runs about ten ASGI layers — Swagger UI and routing (two Starlette
routers that try the routes one after the other), then security, request validation, response
validation, lifespan and context, each finding its operation again by id — and builds a
`ConnexionRequest`, a URI parser and a parameter validator three times over, before the handler
runs. That generic walk was about 70% of the CPU that holds the GIL (docs/performance.md).

`FastRoute` sits right after Connexion's exception middleware. It receives the same API as
every other layer (it is a Connexion `SpecMiddleware`), and builds once, per operation, the
pieces Connexion would use for it — the security check (`SecurityOperation`'s, over
`server.security_schemes`), the parameter validator (`server.validation`, with the compiled
validators of `server.fast_validation`), the media-type checks (`RequestValidationOperation`'s),
the body validator class, the handler with its thread hand-off and response building
(`server.dispatch`) and the response validation (`ResponseValidationOperation`'s) — and calls
them in Connexion's order: security, parameters, media type, body, `Accept`, handler, response.
Every error is the exception Connexion's own code raises, rendered by the same error handlers
(`server.app`), so an answer on the fast route is the answer Connexion gives.

What it leaves to Connexion's stack (`self.app`), unchanged: a path no operation matches (404,
Swagger UI, the spec document), a method the path does not define, an operation with cookie
parameters or non-string path parameters (Starlette converts those in routing), and any request
whose body is not JSON, or that brings a body its operation does not take, or that brings no
body where the operation has one (defaults, the required-body error). That decision is taken
before anything with an effect (the token check counts against the rate limit) has run.

Routing is the request guard's (`server.routes`, one table for both): OpenAPI's rule, concrete
paths before templated ones, then in the spec's order. (Connexion's Starlette router takes the
first route that matches in the spec's order, so in a spec that declares `GET /pets/{id}` before
`GET /pets/mine` it would serve `/pets/mine` as a pet whose id is "mine"; the fast route, like
OpenAPI, serves it as `/pets/mine`.)

Turned off with `SPECFIRST_SERVER_FAST_ROUTE=false` (then every request takes Connexion's
stack, the reference the differential test compares with).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from connexion.lifecycle import ConnexionRequest
from specfirst.server.connexion_compat import (
    METHODS,
    ROUTING_CONTEXT,
    AbstractOperation,
    RequestValidationOperation,
    ResponseValidationOperation,
    SecurityHandlerFactory,
    SecurityOperation,
    SpecMiddleware,
    _context,
    _operation,
    _receive,
    _scope,
    inspect_function_arguments,
    is_json_mimetype,
    is_nullable,
    prep_kwargs,
    pythonic,
    sanitized,
    unwrap_decorators,
)
from specfirst.server.dispatch import handler_decorator
from specfirst.server.fast_validation import FastJSONRequestBodyValidator
from specfirst.server.routes import RouteTable
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["FastOperation", "FastRoute"]

log = logging.getLogger(__name__)


_RESPONSE = "specfirst_fast_response"


class _RequestView:
    """What Connexion's parameter validator and argument builder read from a request."""

    __slots__ = ("headers", "mimetype", "path_params", "query_params")

    def __init__(self, headers: Headers, path_params: dict[str, Any],
                 query_params: dict[str, Any], mimetype: str):
        self.headers = headers
        self.path_params = path_params
        self.query_params = query_params
        self.mimetype = mimetype


async def _send_prepared(scope: Scope, receive: Receive, send: Send) -> None:
    """The last app of the response validation: the response the handler built."""
    response = scope["extensions"].pop(_RESPONSE)
    await response(scope, receive, send)


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return "transfer-encoding" in headers or (length is not None and length.strip() != "0")


class _MediaTypesSeen:
    """Connexion's media-type reading and checks of an operation, remembered: the media type
    and encoding read from a `Content-Type` value depend on that value alone (Connexion builds
    typing generics on every call to find it), and the check on the operation's
    `consumes`/`produces` and the type alone (it walked them with `fnmatch` every time)."""

    _accepted: set[str]

    def extract_content_type(self, headers: Any) -> tuple[str, str]:
        if isinstance(headers, dict):
            return super().extract_content_type(headers)  # type: ignore[misc,no-any-return]
        raw = next((value for name, value in headers if name.lower() == b"content-type"), None)
        read = self.__dict__.setdefault("_read", {})
        found: tuple[str, str] | None = read.get(raw)
        if found is None:
            found = super().extract_content_type(  # type: ignore[misc]
                [] if raw is None else [(b"content-type", raw)])
            if len(read) < 32:
                read[raw] = found
        return found

    def validate_mime_type(self, mime_type: str) -> None:
        accepted = self.__dict__.setdefault("_accepted", set())
        if mime_type in accepted:
            return
        super().validate_mime_type(mime_type)  # type: ignore[misc]
        if len(accepted) < 32:
            accepted.add(mime_type)


class _RequestChecks(_MediaTypesSeen, RequestValidationOperation):  # type: ignore[misc]
    pass


class _ResponseChecks(_MediaTypesSeen, ResponseValidationOperation):  # type: ignore[misc]
    pass


class FastOperation:
    """One operation, with the pieces Connexion's layers would use for it built once."""

    def __init__(self, operation: AbstractOperation, *, base_path: str, options: dict[str, Any],
                 security_handler_factory: SecurityHandlerFactory):
        self.operation = operation
        self.routing = {"api_base_path": base_path, "operation_id": operation.operation_id}
        validator_map = options.get("validator_map")
        strict = bool(options.get("strict_validation"))
        self.uri_parser = operation.uri_parser_class(operation.parameters,
                                                     operation.body_definition())
        self.verify = SecurityOperation.from_operation(
            operation, next_app=_send_prepared,
            security_handler_factory=security_handler_factory).verification_fn if (
            operation.security) else None
        self.request_checks = _RequestChecks(
            _send_prepared, operation=operation, strict_validation=strict,
            validator_map=validator_map)
        self.body_validators = self.request_checks._validator_map["body"]  # noqa: SLF001
        self.parameters = self.request_checks._validator_map["parameter"](  # noqa: SLF001
            operation.parameters, uri_parser=self.uri_parser, strict_validation=strict,
            security_query_params=self.request_checks.security_query_params)
        self.strict = strict
        self._bodies: dict[str, tuple[dict[str, Any], Any, bool]] = {}
        self.respond: ASGIApp = _ResponseChecks(
            _send_prepared, operation=operation, validator_map=validator_map) if options.get(
            "validate_responses") else _send_prepared
        responses = getattr(operation, "responses", None)
        decorator = handler_decorator(pythonic_params=bool(options.get("pythonic_params")),
                                      jsonifier=options.get("jsonifier"),
                                      responses=responses if isinstance(responses, dict) else {})
        self.check_accept = decorator.check_accept
        function = operation.function
        self.handler = decorator.without_parameters(function)
        self.arguments, self.has_kwargs = inspect_function_arguments(unwrap_decorators(function))
        # Connexion's own name rules, remembered: the names are the spec's, a handful per
        # operation, and the rules (inflection, three regular expressions) ran for each call.
        self.sanitize = functools.lru_cache(maxsize=256)(
            pythonic if options.get("pythonic_params") else sanitized)

    def _body(self, mime_type: str) -> tuple[dict[str, Any], Any, bool]:
        """(schema, body validator class, nullable) of a request body of this media type, as
        Connexion's request validation finds them (remembered: each is a walk of the operation
        and `fnmatch` over the validator map)."""
        found = self._bodies.get(mime_type)
        if found is None:
            schema = self.operation.body_schema(mime_type)
            found = (schema, self.body_validators.get(mime_type) if schema else None,
                     is_nullable(self.operation.body_definition(mime_type)) if schema else False)
            if len(self._bodies) < 32:
                self._bodies[mime_type] = found
        return found

    @staticmethod
    def supports(operation: AbstractOperation) -> bool:
        """Whether the fast route serves this operation exactly as Connexion does."""
        if any(p.get("in") == "cookie" for p in operation.parameters):
            return False
        # Connexion's routing converts integer, number and path parameters (Starlette
        # converters, which 404 a mismatch).
        return not any(kind in ("integer", "number", "path")
                       for kind in operation.get_path_parameter_types().values())

    async def __call__(self, scope: Scope, receive: Receive, send: Send,
                       path_params: dict[str, str]) -> bool:
        """Serve the request; False (having done nothing) when Connexion's stack must."""
        headers = Headers(scope=scope)
        mime_type, encoding = self.request_checks.extract_content_type(scope["headers"])
        schema, validator_class, nullable = self._body(mime_type)
        if schema:
            if not (isinstance(validator_class, type)
                    and issubclass(validator_class, FastJSONRequestBodyValidator)
                    and _has_body(headers) and is_json_mimetype(headers.get("content-type", ""))):
                return False
        elif _has_body(headers):
            return False

        extensions = scope.setdefault("extensions", {})
        extensions[ROUTING_CONTEXT] = self.routing
        scope.setdefault("path_params", {}).update(path_params)
        request = ConnexionRequest(scope)
        if self.verify is not None:
            await self.verify(request)
        query = scope.get("query_string")
        raw_query = QueryParams(query) if query else None
        view = _RequestView(
            headers, self.uri_parser.resolve_path(path_params),
            self.uri_parser.resolve_query({k: raw_query.getlist(k) for k in raw_query})
            if raw_query is not None else {}, request.mimetype)
        if self.operation.parameters or (self.strict and raw_query is not None):
            self.parameters.validate_request(view)
        self.request_checks.validate_mime_type(mime_type)
        body = None
        if schema:
            validator = validator_class(
                schema=schema, required=self.operation.request_body.get("required", False),
                nullable=nullable,
                encoding=encoding, strict_validation=self.strict, uri_parser=self.uri_parser)
            receive, scope = await validator.wrap_receive(receive, scope=scope)
            body_name = self.sanitize(self.operation.body_name(request.content_type))
            if body_name in self.arguments or self.has_kwargs:
                body = validator.parsed
        self.check_accept(headers.get("accept"))

        context = extensions.setdefault("connexion_context", {})
        _context.set(context)
        _operation.set(self.operation)
        _receive.set(receive)
        _scope.set(scope)
        kwargs = prep_kwargs(view, request_body=body, files={}, arguments=self.arguments,
                             has_kwargs=self.has_kwargs, sanitize=self.sanitize)
        response = await self.handler(**kwargs)
        scope.setdefault("extensions", {})[_RESPONSE] = response
        await self.respond(scope, receive, send)
        return True


class FastRoute(SpecMiddleware):  # type: ignore[misc]
    """ASGI middleware: operations served past Connexion's generic layers (module docstring).
    `routes` is the server's one route table (`server.routes`), the request guard's too."""

    def __init__(self, app: ASGIApp, *, routes: RouteTable) -> None:
        self.app = app
        self.routes = routes
        # (spec path, method) -> operation; None: left to Connexion
        self.operations: dict[tuple[str, str], FastOperation | None] = {}
        self.served: list[str] = []  # operation ids on the fast route

    def add_api(self, specification: Any, base_path: str | None = None, **options: Any) -> None:
        factory = SecurityHandlerFactory(options.get("security_map"))
        base = specification.base_path if base_path is None else base_path
        for path, item in (specification.get("paths") or {}).items():
            for method in item:
                if method not in METHODS:
                    continue
                operation = specification.operation_cls.from_spec(
                    specification, path=path, method=method, resolver=options.get("resolver"),
                    uri_parser_class=options.get("uri_parser_class"))
                fast = FastOperation(operation, base_path=base, options=options,
                                     security_handler_factory=factory) if (
                    FastOperation.supports(operation)) else None
                self.operations[(path, method.upper())] = fast
                if fast is not None:
                    self.served.append(str(operation.operation_id))
        log.debug("fast route: %d operations", len(self.served))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self.routes.match(scope["path"])
            if found is not None:
                operation = self.operations.get((found[0], scope["method"]))
                # Connexion's routing names `{pet-id}` `pet_id` (starlettify_path)
                if operation is not None and await operation(
                        scope, receive, send,
                        {name.replace("-", "_"): value for name, value in found[1].items()}):
                    return
        await self.app(scope, receive, send)
