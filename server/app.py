"""The app factory: any spec plus a handler package → a Connexion `AsyncApp` (ASGI), hardened.

    from specfirst.server import create_app

    app = create_app("openapi.yaml", handlers="bookshop.handlers")
    app = create_app()          # the spec and handler package of [tool.specfirst]

The spec is read only through `generator.loader.Spec.from_path` (safe, multi-file) and handed to
Connexion as the bundled dict, so Connexion never opens a file or follows a reference itself.
Requests are validated; responses too unless `SPECFIRST_SERVER_RESPONSE_VALIDATION=false`.
The operations are served past Connexion's generic middleware (`specfirst.server.fast_route`),
with Connexion's own checks and answers, unless `SPECFIRST_SERVER_FAST_ROUTE=false`.
Handlers are found by the handler convention (`server.resolver`); operations without one answer
501. A handler package that cannot be imported is an error (`HandlerImportError`) before
anything is served. The services the package declares (`SERVICES`, `specfirst.server.Service`)
bring their migrations, lifespans and problem types. Every error is `application/problem+json`
(`specfirst.server.problems`), and the ASGI guard (`specfirst.server.guard`) sits in front of
everything. The spec document is served at `<prefix>/openapi.json` and Swagger UI at
`<prefix>/ui`, where the prefix is the path all the spec's operations share.
"""

from __future__ import annotations

import copy
import gc
import importlib
import logging
import os
import re
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import orjson
from connexion import AsyncApp
from connexion.exceptions import ExtraParameterProblem, ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from specfirst.generator.errors import ConfigError
from specfirst.generator.loader import Spec
from specfirst.generator.stubs import plan_handlers
from specfirst.server import dispatch, fast_spec
from specfirst.server.context import configure
from specfirst.server.db import Database, DatabaseBusy
from specfirst.server.fast_route import FastRoute
from specfirst.server.fast_validation import VALIDATOR_MAP as COMPILED_VALIDATORS
from specfirst.server.guard import RequestGuard
from specfirst.server.jsonify import jsonifier
from specfirst.server.migrations import apply_migrations
from specfirst.server.mock.served import connexion_document
from specfirst.server.problems import (
    ABOUT_BLANK,
    Problem,
    configure_problem_types,
    problem_response,
)
from specfirst.server.ratelimit import RateLimitHeaders
from specfirst.server.resolver import ConventionResolver
from specfirst.server.routes import RouteTable
from specfirst.server.security_schemes import SECURITY_MAP, OperationChallenges
from specfirst.server.services import (
    Service,
    declared_services,
    problem_types_of,
    services_lifespan,
)
from specfirst.server.settings import ServerSettings
from specfirst.server.validation import PreconditionParameterValidator, install_format_checks
from starlette.exceptions import HTTPException

__all__ = ["HandlerImportError", "create_app", "create_app_from_env", "docs_prefix",
           "import_handlers"]

log = logging.getLogger(__name__)


class HandlerImportError(ConfigError):
    """The handler package (or a module it imports) cannot be imported."""


def import_handlers(package: str) -> ModuleType:
    """The handler package, imported; any failure is a `HandlerImportError` of one or two lines
    (the exception's type and message, with file and line for a syntax error)."""
    try:
        return importlib.import_module(package)
    except Exception as exc:  # noqa: BLE001 - whatever the package raises on import
        raise HandlerImportError(f"cannot import the handler package {package!r}: "
                                 f"{type(exc).__name__}: {exc}",
                                 hint="check --handlers / handlers-package and that the "
                                      "package's folder is on the Python path") from None


def docs_prefix(document: dict[str, Any]) -> str:
    """The path every operation of the spec starts with ('/api/v1' when all start so)."""
    split = [[s for s in p.strip("/").split("/")] for p in document.get("paths", {})]
    prefix: list[str] = []
    for segments in zip(*split, strict=False) if split else []:
        if len(set(segments)) != 1 or "{" in segments[0] or not segments[0]:
            break
        prefix.append(segments[0])
    if len(prefix) == min((len(s) for s in split), default=0):
        prefix = prefix[:-1]  # never the whole path of an operation
    return "/" + "/".join(prefix) if prefix else ""


def base_path(document: dict[str, Any]) -> str:
    """The path of the first server URL, where Connexion mounts the operations."""
    servers = document.get("servers") or [{}]
    server = servers[0] if isinstance(servers[0], dict) else {}
    url = str(server.get("url", ""))
    for name, variable in (server.get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return urlsplit(url).path.rstrip("/")


def _problem_handler(challenges: OperationChallenges | None = None
                     ) -> Callable[[ConnexionRequest, Exception], ConnexionResponse]:
    """The handler of every ProblemException. A 401 raised by Connexion itself (no credential
    sent for any alternative of the operation's security) gets the challenges and the detail
    of the operation's own schemes."""

    def handle(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        if isinstance(exc, Problem):
            return exc.to_problem()
        assert isinstance(exc, ProblemException)
        status = int(exc.status or 500)
        detail = exc.detail if status < 500 else None
        if status == 500 and exc.detail and "response" in str(exc.title or "").lower() + str(
                exc.detail).lower():
            log.error("response does not conform to the spec: %s", exc.detail)
        errors = None
        if status == 400 and detail:
            detail, errors = _validation_detail(str(detail))
        if isinstance(exc, ExtraParameterProblem) and detail:
            detail = _extra_parameters_detail(str(detail))
            errors = [{"message": detail}]
        if status == 415 and detail:
            detail = _media_type_detail(str(detail))
        headers = dict(exc.headers or {})
        if status == 401 and "WWW-Authenticate" not in headers:
            found = challenges.for_request(request.scope["path"], request.method) if (
                challenges is not None) else None
            challenge, required = found if found is not None else (None, None)
            headers["WWW-Authenticate"] = challenge or 'Bearer realm="api"'
            if required and str(detail).startswith("No authorization token provided"):
                detail = required
        if status == 403:
            detail = "The token lacks a scope this operation requires."
        return problem_response(status, str(detail) if detail else None, headers=headers,
                                errors=errors)

    return handle


_ERROR_PATH = re.compile(r" - '([^']*)'$")
_EXTRA_PARAMETERS = re.compile(r"Extra (?P<kind>\w+) parameter\(s\) (?P<names>.*) not in spec")
_MEDIA_TYPE_ERROR = re.compile(
    r"Invalid Content-type \((?P<actual>.*)\), expected \[(?P<expected>.*)\]")


def _extra_parameters_detail(text: str) -> str:
    """Connexion's message for parameters the operation does not define, in plain words."""
    match = _EXTRA_PARAMETERS.fullmatch(text.strip())
    if match is None:
        return text
    names = [name for name in match["names"].split(",") if name]
    return (f"the operation has no {match['kind']} parameter"
            f"{'' if len(names) == 1 else 's'} {', '.join(names)}")


def _media_type_detail(text: str) -> str:
    """Connexion's 415 message in plain words (it prints a Python list of the media types)."""
    match = _MEDIA_TYPE_ERROR.fullmatch(text.strip())
    if match is None:
        return text
    expected = ", ".join(part.strip().strip("'\"") for part in match["expected"].split(","))
    actual = match["actual"].split(";", 1)[0].strip() or "not given"
    return f"the body is {actual}; this operation accepts {expected}"


def _validation_detail(text: str) -> tuple[str, list[dict[str, str]]]:
    """Connexion's validation message, without the schema dump, and as an `errors` entry."""
    first = text.split("\n\n", 1)[0].strip()
    match = _ERROR_PATH.search(first)
    if match:
        message = first[:match.start()]
        return first, [{"pointer": "/" + match.group(1).replace(".", "/"), "message": message}]
    return first, [{"message": first}]


def _http_handler(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    detail = {404: "No such resource.", 405: "This method is not allowed on this resource."}.get(
        status, None)
    return problem_response(status, detail, headers=dict(exc.headers or {}))


def _busy_handler(_request: ConnexionRequest, _exc: Exception) -> ConnexionResponse:
    return problem_response(503, "The service is busy; retry shortly.",
                            headers={"Retry-After": "1"})


def _error_handler(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.error("unhandled error: %r", exc, exc_info=exc)
    return problem_response(500, "The server could not complete the request.")


def create_app(
    spec: str | os.PathLike[str] | None = None,
    handlers: str | ModuleType | None = None,
    settings: ServerSettings | None = None,
    *,
    db: Database | None = None,
    services: Sequence[Service] | None = None,
    spec_path: str | os.PathLike[str] | None = None,
    handlers_package: str | None = None,
) -> AsyncApp:
    """The ASGI app serving `spec` with the handler package `handlers` (a name or the module).

    Without `spec`: the `spec` and `handlers-package` of `[tool.specfirst]` in the nearest
    pyproject.toml (the defaults `openapi.yaml` and `handlers`); a ConfigError when that spec
    does not exist. `services` replaces the `SERVICES` the handler package declares. `db`
    replaces the database of the settings (`DATABASE_URL`). `spec_path` and `handlers_package`
    are the older names of `spec` and `handlers`.
    """
    spec = spec if spec is not None else spec_path
    handlers = handlers if handlers is not None else handlers_package
    if spec is None:
        spec, handlers = _configured(handlers)
    settings = settings or ServerSettings.from_env()
    install_format_checks()
    fast_spec.install()
    package = import_handlers(handlers) if isinstance(handlers, str) else handlers
    if services is None:
        services = declared_services(package) if package is not None else []
    configure_problem_types(settings.problem_base_uri or problem_types_of(services)
                            or ABOUT_BLANK)
    loaded = Spec.from_path(spec)
    document = loaded.document
    db = db or Database.from_url(settings.database_url, **settings.pool_sizes())
    if settings.migrate:
        apply_migrations(db, services)
    runtime = configure(db, settings)

    prefix = docs_prefix(document)
    served = orjson.dumps(document)
    routes = RouteTable(document, base_path(document))
    app = AsyncApp(__name__, lifespan=services_lifespan(runtime, services), jsonifier=jsonifier)
    dispatch.install(app)
    served_document, relaxed = _connexion_document(loaded)
    resolver = ConventionResolver(package.__name__ if package is not None else None,
                                  handler_names(loaded),
                                  relaxed_numbers(document) if relaxed else None)
    app.add_api(
        served_document,
        resolver=resolver,
        pythonic_params=True,
        strict_validation=True,
        validate_responses=settings.response_validation,
        security_map=SECURITY_MAP,
        validator_map={**COMPILED_VALIDATORS, "parameter": PreconditionParameterValidator},
        swagger_ui_options=SwaggerUIOptions(
            serve_spec=False,
            spec_path=f"{prefix}/openapi.json",
            swagger_ui_path=f"{prefix}/ui",
        ),
    )
    app.add_error_handler(DatabaseBusy, _busy_handler)
    app.add_error_handler(ProblemException,
                          _problem_handler(OperationChallenges(document, routes)))
    app.add_error_handler(HTTPException, _http_handler)
    app.add_error_handler(Exception, _error_handler)
    app.add_middleware(RateLimitHeaders, position=MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(
        RequestGuard,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        max_body=settings.max_body,
        max_depth=settings.max_json_depth,
        spec_routes={f"{base_path(document)}{prefix}/openapi.json": served},
        routes=routes,
    )
    if settings.fast_route:
        # Right after the exception middleware: its errors are rendered as Connexion's are.
        app.add_middleware(FastRoute, position=MiddlewarePosition.BEFORE_SWAGGER, routes=routes)
    if resolver.missing:
        log.warning("%d operations have no handler and answer 501", len(resolver.missing))
    return app


def _configured(handlers: str | ModuleType | None) -> tuple[str, str | ModuleType | None]:
    """The configured spec path and (unless given) handler package, from [tool.specfirst]."""
    from specfirst.generator.config import load_settings

    config = load_settings()
    path = config.path("spec")
    if not path.is_file():
        where = f" (from {config.source})" if config.source else ""
        raise ConfigError(f"create_app: no spec given and the configured spec {path} does not "
                          f"exist{where}", hint="pass the spec, or set spec in [tool.specfirst]")
    return str(path), handlers if handlers is not None else str(config["handlers-package"])


def handler_names(spec: Spec) -> dict[tuple[str, str], tuple[str, str]]:
    """(method, path) -> (module, function) by the stubs generator's own assignment."""
    return {(op.method, op.path): (op.module, op.function)
            for op in plan_handlers(spec).operations}


def relaxed_numbers(original: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    """(method, path) -> {python name: "integer" | "number"} of the path parameters the spec
    types as numbers, which a relaxed served copy checks as strings (handlers get numbers)."""
    from specfirst.generator.loader import HTTP_METHODS, deref
    from specfirst.server.connexion_compat import pythonic

    def resolved(node: Any) -> Any:
        return deref(original, node)[0]

    found: dict[tuple[str, str], dict[str, str]] = {}
    for path, raw_item in (original.get("paths") or {}).items():
        item = resolved(raw_item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            kinds: dict[str, str] = {}
            for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
                param = resolved(raw)
                if not isinstance(param, dict) or param.get("in") != "path":
                    continue
                schema = resolved(param.get("schema") or {})
                kind = schema.get("type") if isinstance(schema, dict) else None
                if isinstance(kind, list):  # 3.1: ["integer", "null"]
                    kind = next((k for k in kind if k in ("integer", "number")), None)
                if kind in ("integer", "number"):
                    kinds[pythonic(str(param.get("name")))] = str(kind)
            if kinds:
                found[(method, str(path))] = kinds
    return found


def _connexion_document(spec: Spec) -> tuple[dict[str, Any], bool]:
    """The document handed to Connexion: the spec itself when Connexion accepts it; otherwise
    (OpenAPI 3.1, or constructs Connexion 3 refuses) a compatible copy, with the relaxations
    logged (and True: it is relaxed). Responses are still those of the handlers; see docs/mock.md
    for what is relaxed."""
    if not spec.is_v31 and fast_spec.accepts(spec.document):
        return copy.deepcopy(spec.document), False
    notes: list[str] = []
    served = connexion_document(spec.document, is_v31=spec.is_v31, notes=notes,
                                keep_defaults=True)
    for note in dict.fromkeys(notes):  # one line per relaxation, however many operations share it
        log.warning("serving a Connexion-compatible copy: %s", note)
    return served, True


def create_app_from_env() -> AsyncApp:
    """Factory for `uvicorn --factory` (and `specfirst serve --workers N`): the spec and the
    handler package come from `SPECFIRST_SERVER_SPEC` and `SPECFIRST_SERVER_HANDLERS`."""
    spec = os.environ.get("SPECFIRST_SERVER_SPEC") or None
    handlers = os.environ.get("SPECFIRST_SERVER_HANDLERS") or None
    app = create_app(spec, handlers)
    _freeze_start_up_objects()
    return app


def _freeze_start_up_objects() -> None:
    """What start-up built (the resolved spec, compiled validators, routes) lives as long as the
    server process: out of the cyclic collector's reach, the collections that run under load
    only traverse per-request objects (docs/performance.md: p99 of creates)."""
    gc.collect()
    gc.freeze()
