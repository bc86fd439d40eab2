"""RFC 9457 problem details: the body of every error answer (`application/problem+json`).

Handlers raise `Problem` (or one of the named subclasses); Connexion's exception middleware turns
it into the response. `problem_body` and `problem_response` build the same thing for the ASGI
guard and the error handlers. The `code` member is the problem's slug in snake_case (`not_found`,
`idempotency_key_reused`). Details never carry tracebacks, SQL or file paths.

The `type` member is `<base><slug>`, where the base is set once per process by the app factory
(`configure_problem_types`): `SPECFIRST_SERVER_PROBLEM_BASE_URI` when set, else the
`problem_types` of the application's services (`specfirst.server.Service`), else `about:blank`
(RFC 9457 section 4.2.1), where the `title` is the HTTP status phrase.

A handler raises a documented problem in one call: `raise Problem(404, "No such book.")`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import orjson
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionResponse

__all__ = [
    "ABOUT_BLANK",
    "BadRequest",
    "Conflict",
    "Gone",
    "NotFound",
    "PROBLEM_JSON",
    "PreconditionFailed",
    "PreconditionRequired",
    "Problem",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unprocessable",
    "configure_problem_types",
    "problem_body",
    "problem_bytes",
    "problem_response",
    "problem_type",
    "slug_for",
]

PROBLEM_JSON = "application/problem+json"
ABOUT_BLANK = "about:blank"

# status -> (slug, title)
_KINDS: dict[int, tuple[str, str]] = {
    400: ("invalid-request", "Invalid request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Insufficient scope"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    410: ("gone", "Gone"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("unprocessable", "Unprocessable request"),
    428: ("precondition-required", "Precondition required"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal-error", "Internal server error"),
    501: ("not-implemented", "Not implemented"),
    503: ("unavailable", "Service unavailable"),
}


# The status phrases of RFC 9110 where Python's differ (its names predate the RFC).
_PHRASES: dict[int, str] = {
    **{int(status): status.phrase for status in HTTPStatus},
    413: "Content Too Large", 416: "Range Not Satisfiable", 422: "Unprocessable Content",
}

_type_base: str | None = None  # None: about:blank


def configure_problem_types(base: str) -> None:
    """Make problem types `base + slug` from now on, or `about:blank` when `base` is
    `about:blank` (then every title is the status phrase). Called once by the app factory."""
    global _type_base
    _type_base = None if base == ABOUT_BLANK else base


def problem_type(slug: str) -> str:
    """The `type` URI of the problem with this slug, under the configured base."""
    return ABOUT_BLANK if _type_base is None else _type_base + slug


def slug_for(status: int) -> str:
    return _KINDS.get(status, ("error", "Error"))[0]


def problem_body(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    slug: str | None = None,
    instance: str | None = None,
    errors: Sequence[Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    default_slug, default_title = _KINDS.get(status, ("error", "Error"))
    slug = slug or default_slug
    base = _type_base
    body: dict[str, Any] = {
        "type": ABOUT_BLANK, "title": _PHRASES.get(status, "Error"), "status": status,
    } if base is None else {
        "type": base + slug, "title": (title or default_title)[:200], "status": status,
    }
    if detail:
        body["detail"] = detail[:2000]
    if instance:
        body["instance"] = instance[:2048]
    body["code"] = slug.replace("-", "_")
    if errors:
        body["errors"] = [
            {key: str(value)[:1000] for key, value in error.items() if key in ("pointer",
                                                                             "message")}
            for error in list(errors)[:100]
        ]
    return body


def problem_bytes(status: int, detail: str | None = None, **kwargs: Any) -> bytes:
    return orjson.dumps(problem_body(status, detail, **kwargs))


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype=PROBLEM_JSON,
        content_type=PROBLEM_JSON,
        body=problem_bytes(status, detail, **kwargs),
        headers=dict(headers or {}),
    )


class Problem(ProblemException):  # type: ignore[misc]
    """An error answer raised from a handler or a check: `Problem(404, "No such book.")`, or
    `Problem("detail", status=404)`; `slug`, `title`, `headers` and `errors` are optional."""

    status_code_default = 400

    def __init__(
        self,
        detail: str | int | None = None,
        message: str | None = None,
        *,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, str]] | None = None,
    ):
        if isinstance(detail, int) and not isinstance(detail, bool):
            status, detail = status or detail, message
        elif message is not None:
            raise TypeError("Problem(status, detail) takes the status first")
        status = status or self.status_code_default
        default_slug, default_title = _KINDS.get(status, ("error", "Error"))
        super().__init__(status=status, title=title or default_title, detail=detail,
                         type=problem_type(slug or default_slug), headers=dict(headers or {}))
        self.slug = slug or default_slug
        self.errors = list(errors or [])

    def to_problem(self) -> ConnexionResponse:
        return problem_response(self.status, self.detail, title=self.title, slug=self.slug,
                                headers=self.headers, errors=self.errors)


class BadRequest(Problem):
    status_code_default = 400


class NotFound(Problem):
    status_code_default = 404

    def __init__(self, detail: str = "No resource with this id exists for your account.",
                 **kwargs: Any):
        super().__init__(detail, **kwargs)


class Conflict(Problem):
    status_code_default = 409


class Gone(Problem):
    status_code_default = 410


class PreconditionFailed(Problem):
    status_code_default = 412

    def __init__(self, detail: str = "The resource has changed: If-Match does not match its "
                                     "current ETag.", **kwargs: Any):
        super().__init__(detail, **kwargs)


class PreconditionRequired(Problem):
    status_code_default = 428

    def __init__(self, detail: str = "This operation requires an If-Match header with the "
                                     "resource's ETag.", **kwargs: Any):
        super().__init__(detail, **kwargs)


class Unprocessable(Problem):
    status_code_default = 422


class TooManyRequests(Problem):
    status_code_default = 429


class ServiceUnavailable(Problem):
    status_code_default = 503
