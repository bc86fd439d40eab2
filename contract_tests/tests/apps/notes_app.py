"""The Notes API (notes.yaml) on Connexion, correct by default, with bugs planted on request.

Tokens: `good-token` (tenant a, notes:read + notes:write), `read-token` (tenant a, notes:read),
`other-token` (tenant b, both scopes). Each planted bug is one name in `BUGS`.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from pathlib import Path
from typing import Any

import connexion
from connexion.exceptions import OAuthProblem, OAuthScopeProblem
from connexion.lifecycle import ConnexionResponse
from connexion.resolver import Resolver
from connexion.security import BearerSecurityHandler
from specfirst.generator.loader import Spec

SPEC_PATH = Path(__file__).with_name("notes.yaml")

TOKENS: dict[str, tuple[str, frozenset[str]]] = {
    "good-token": ("a", frozenset({"notes:read", "notes:write"})),
    "read-token": ("a", frozenset({"notes:read"})),
    "other-token": ("b", frozenset({"notes:read", "notes:write"})),
}

BUGS = frozenset({
    "undocumented_status",  # DELETE answers 200 where the spec documents 204
    "schema_violation",  # GET /notes/{id} returns the title as a number
    "missing_auth",  # GET /notes is served without checking the token
    "server_error",  # POST /notes crashes on titles longer than 10 characters
    "plain_json_error",  # 404 answered as application/json instead of problem+json
    "no_location",  # 201 without a Location header
    "scope_leak",  # POST /notes accepts a token without notes:write
    "tenant_leak",  # GET /notes/{id} does not filter by tenant
})

_PROBLEM = "application/problem+json"
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _problem(status: int, title: str, detail: str, *, plain: bool = False) -> ConnexionResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return ConnexionResponse(status_code=status, body=body,
                             content_type="application/json" if plain else _PROBLEM)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(status_code=status, body=body, headers=headers,
                             content_type="application/json")


class NotesService:
    """Handlers for one app instance, with its own storage and planted bugs."""

    def __init__(self, bugs: frozenset[str]):
        unknown = bugs - BUGS
        if unknown:
            raise ValueError(f"unknown bugs: {sorted(unknown)}")
        self.bugs = bugs
        self.notes: dict[str, dict[str, Any]] = {}

    def token_info(self, token: str, required_scopes: list[str] | None = None) -> dict[str, Any]:
        entry = TOKENS.get(token)
        if entry is None:
            raise OAuthProblem(detail="unknown token")
        tenant, scopes = entry
        missing = set(required_scopes or []) - scopes
        if missing and "scope_leak" not in self.bugs:
            raise OAuthScopeProblem(required_scopes=required_scopes, token_scopes=sorted(scopes))
        return {"sub": tenant, "scope": sorted(scopes)}

    def get_health(self) -> ConnexionResponse:
        return _json({"status": "ok"})

    def list_notes(self, limit: int = 25, user: str | None = None) -> ConnexionResponse:
        data = [self._public(n) for n in self.notes.values() if n["tenant"] == user]
        return _json({"data": data[:limit]})

    def create_note(self, body: dict[str, Any], user: str | None = None) -> Any:
        if "server_error" in self.bugs and len(body["title"]) > 10:
            raise RuntimeError("title too long for the planted bug")
        note = {"id": str(uuid.uuid4()), "title": body["title"], "tenant": user}
        self.notes[note["id"]] = note
        headers = {} if "no_location" in self.bugs else {"Location": f"/notes/{note['id']}"}
        return _json(self._public(note), 201, headers)

    def get_note(self, id_: str, user: str | None = None) -> Any:
        note = self._find(id_, user, check_tenant="tenant_leak" not in self.bugs)
        if note is None:
            return _problem(404, "Not Found", "no such note",
                            plain="plain_json_error" in self.bugs)
        public = self._public(note)
        if "schema_violation" in self.bugs:
            public["title"] = len(note["title"])
        return _json(public)

    def delete_note(self, id_: str, user: str | None = None) -> Any:
        note = self._find(id_, user, check_tenant=True)
        if note is None:
            return _problem(404, "Not Found", "no such note",
                            plain="plain_json_error" in self.bugs)
        del self.notes[note["id"]]
        if "undocumented_status" in self.bugs:
            return _json({"deleted": note["id"]}, 200)
        return ConnexionResponse(status_code=204)

    def _find(self, note_id: str, tenant: str | None, *,
              check_tenant: bool) -> dict[str, Any] | None:
        note = self.notes.get(note_id)
        if note is None or (check_tenant and note["tenant"] != tenant):
            return None
        return note

    @staticmethod
    def _public(note: dict[str, Any]) -> dict[str, Any]:
        return {"id": note["id"], "title": note["title"]}


class Guard:
    """What Connexion lacks on its own: 400 for bodies that are not UTF-8, and 405 with the
    methods the spec declares for the path (Connexion lists only one route's)."""

    def __init__(self, app: Any, paths: dict[str, Any]):
        self.app = app
        self.routes = [
            (re.compile("^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(path)) + "$"),
             ", ".join(sorted(m.upper() for m in item if m in _METHODS)))
            for path, item in paths.items()
        ]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            await _send_problem(send, 400, "the request body is not UTF-8")
            return
        path = scope["path"]
        allow = next((methods for regex, methods in self.routes if regex.match(path)), None)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send_with_allow(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405 and allow:
                headers = [(k, v) for k, v in message["headers"] if k.lower() != b"allow"]
                message = {**message, "headers": [*headers, (b"allow", allow.encode())]}
            await send(message)

        await self.app(scope, replay, send_with_allow)


async def _send_problem(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"type": "about:blank", "title": "Bad Request", "status": status,
                       "detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", _PROBLEM.encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(bugs: frozenset[str] | set[str] = frozenset()) -> Any:
    """The Notes API with the given bugs planted."""
    service = NotesService(frozenset(bugs))
    document = copy.deepcopy(Spec.from_path(SPEC_PATH).document)
    if "missing_auth" in service.bugs:
        document["paths"]["/notes"]["get"]["security"] = []
    app = connexion.AsyncApp(__name__)
    functions = {name: getattr(service, name) for name in dir(service) if not name.startswith("_")}

    class ServiceBearer(BearerSecurityHandler):  # type: ignore[misc]
        """Bearer tokens checked by the service, with the operation's required scopes."""

        def get_fn(self, security_scheme: dict[str, Any], required_scopes: list[str]) -> Any:
            def token_info(token: str) -> dict[str, Any]:
                return service.token_info(token, required_scopes)

            return self._get_verify_func(token_info)

    app.add_api(document, resolver=Resolver(function_resolver=functions.__getitem__),
                pythonic_params=True, validate_responses=False,
                security_map={"bearer": ServiceBearer})
    return Guard(app, document["paths"])


app = create_app()
