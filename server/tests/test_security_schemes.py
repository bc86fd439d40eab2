"""Every OpenAPI security scheme type of a spec served with `specfirst serve SPEC --handlers PKG`
works with the tokens of `specfirst admin token create`, against a real server process."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from specfirst.server.routes import RouteTable
from specfirst.server.security import lookup_token
from specfirst.server.security_schemes import OperationChallenges, challenge_for
from specfirst.server.tests.live import LiveServer, drop_database, fresh_database_url

PROBLEM = "application/problem+json"

# A third-party-style spec (OpenAPI 3.1 lets every scheme type list required roles/scopes).
SPEC = """\
openapi: 3.1.0
info: {title: Vault, version: '1'}
servers: [{url: /vault}]
components:
  securitySchemes:
    headerKey: {type: apiKey, in: header, name: X-API-Key}
    queryKey: {type: apiKey, in: query, name: api_key}
    cookieKey: {type: apiKey, in: cookie, name: session}
    basic: {type: http, scheme: basic}
    bearer: {type: http, scheme: bearer}
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.example.com/token
          scopes: {'vault:read': Read the vault, 'vault:write': Write to the vault}
    oidc:
      type: openIdConnect
      openIdConnectUrl: https://auth.example.com/.well-known/openid-configuration
    custom:
      type: apiKey
      in: header
      name: X-Custom
      x-apikeyInfoFunc: vault_handlers.auth.check_custom
  responses:
    ok:
      description: Who called.
      content:
        application/json:
          schema: {type: object}
paths:
  /health:
    get:
      operationId: health
      tags: [vault]
      security: []
      responses: {'200': {$ref: '#/components/responses/ok'}}
%(operations)s
"""

# operation -> (scheme, required scopes)
OPERATIONS: dict[str, tuple[str, list[str]]] = {
    "header_key": ("headerKey", []),
    "header_key_write": ("headerKey", ["vault:write"]),
    "query_key": ("queryKey", []),
    "query_key_write": ("queryKey", ["vault:write"]),
    "cookie_key": ("cookieKey", []),
    "cookie_key_write": ("cookieKey", ["vault:write"]),
    "basic": ("basic", []),
    "basic_write": ("basic", ["vault:write"]),
    "bearer": ("bearer", []),
    "bearer_write": ("bearer", ["vault:write"]),
    "oauth": ("oauth", ["vault:read"]),
    "oauth_write": ("oauth", ["vault:write"]),
    "oidc": ("oidc", ["vault:read"]),
    "oidc_write": ("oidc", ["vault:write"]),
    "custom": ("custom", []),
}


def _spec() -> str:
    lines: list[str] = []
    for name, (scheme, scopes) in OPERATIONS.items():
        lines += [f"  /{name.replace('_', '-')}:", "    get:", f"      operationId: {name}",
                  "      tags: [vault]", f"      security: [{{{scheme}: {scopes}}}]",
                  "      responses: {'200': {$ref: '#/components/responses/ok'}}"]
    lines += ["  /either:", "    get:", "      operationId: either", "      tags: [vault]",
              "      security: [{headerKey: []}, {bearer: []}]",
              "      responses: {'200': {$ref: '#/components/responses/ok'}}"]
    return SPEC % {"operations": "\n".join(lines)}


HANDLER = '''
def {name}(token_info=None):
    return {{"tenant": token_info.get("tenant_id"), "sub": token_info.get("sub")}}
'''

AUTH = '''
def check_custom(key, required_scopes=None):
    return {"sub": "custom"} if key == "letmein-letmein-letmein" else None
'''


@dataclass(frozen=True)
class Vault:
    server: LiveServer
    tenant_id: str
    token: str  # every scope
    reader: str  # only vault:read


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    root = tmp_path_factory.mktemp("vault")
    (root / "vault.yaml").write_text(_spec())
    package = root / "vault_handlers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "auth.py").write_text(AUTH)
    (package / "vault.py").write_text(
        'def health():\n    return {"ok": True}\n'
        + "".join(HANDLER.format(name=name) for name in [*OPERATIONS, "either"]))
    url = fresh_database_url("sqlite", root)
    try:
        with LiveServer.start(url, args=[str(root / "vault.yaml"), "--handlers",
                                         "vault_handlers"],
                              env={"PYTHONPATH": str(root)}, ready_path="/vault/health") as srv:
            token = srv.token("vault-tenant", ["vault:read", "vault:write"])
            reader = srv.token("vault-tenant", ["vault:read"])
            info = lookup_token(srv.db, token)
            assert info is not None
            yield Vault(srv, info.tenant_id, token, reader)
    finally:
        drop_database(url)


def _basic(password: str, user: str = "anyone") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _send(http: httpx.Client, operation: str, token: str | None) -> httpx.Response:
    """Call `operation` with `token` placed where its scheme says (no credential when None)."""
    path = "/vault/" + operation.replace("_", "-")
    kind = operation.removesuffix("_write")
    if token is None:
        return http.get(path)
    if kind == "header_key":
        return http.get(path, headers={"X-API-Key": token})
    if kind == "query_key":
        return http.get(path, params={"api_key": token})
    if kind == "cookie_key":
        return http.get(path, headers={"Cookie": f"theme=dark; session={token}"})
    if kind == "basic":
        return http.get(path, headers=_basic(token))
    return http.get(path, headers={"Authorization": f"Bearer {token}"})


CHALLENGES = {
    "header_key": 'ApiKey realm="api", in="header", name="X-API-Key"',
    "query_key": 'ApiKey realm="api", in="query", name="api_key"',
    "cookie_key": 'ApiKey realm="api", in="cookie", name="session"',
    "basic": 'Basic realm="api", charset="UTF-8"',
    "bearer": 'Bearer realm="api"',
    "oauth": 'Bearer realm="api"',
    "oidc": 'Bearer realm="api"',
}
SCHEMES = list(CHALLENGES)


def _problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    return dict(body)


@pytest.mark.parametrize("kind", SCHEMES)
def test_a_good_token_is_accepted(vault: Vault, kind: str) -> None:
    with vault.server.client() as http:
        for operation in (kind, f"{kind}_write"):
            response = _send(http, operation, vault.token)
            assert response.status_code == 200, (operation, response.text)
            assert response.json()["tenant"] == vault.tenant_id


@pytest.mark.parametrize("kind", SCHEMES)
def test_an_unknown_token_is_401_with_the_schemes_challenge(vault: Vault, kind: str) -> None:
    with vault.server.client() as http:
        for bad in ("sf_" + "x" * 40, "not a token"):
            response = _send(http, kind, bad)
            _problem(response, 401)
            assert response.headers["www-authenticate"].startswith(
                CHALLENGES[kind].split(",")[0]), response.headers["www-authenticate"]
            assert vault.token not in response.text


@pytest.mark.parametrize("kind", SCHEMES)
def test_no_token_is_401_with_the_schemes_challenge(vault: Vault, kind: str) -> None:
    with vault.server.client() as http:
        response = _send(http, kind, None)
        body = _problem(response, 401)
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith(CHALLENGES[kind]), challenge
        assert "requires" in str(body["detail"])
        if kind in ("oauth", "oidc"):
            assert 'scope="vault:read"' in challenge


@pytest.mark.parametrize("kind", SCHEMES)
def test_a_token_lacking_the_scope_is_403(vault: Vault, kind: str) -> None:
    with vault.server.client() as http:
        assert _send(http, kind, vault.reader).status_code == 200
        response = _send(http, f"{kind}_write", vault.reader)
        body = _problem(response, 403)
        assert "vault:write" in str(body["detail"])
        if kind in ("bearer", "oauth", "oidc"):
            assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


def test_a_revoked_token_is_refused_by_every_scheme(vault: Vault) -> None:
    from specfirst.server.security import revoke_token

    token = vault.server.token("vault-tenant", ["vault:read", "vault:write"])
    with vault.server.client() as http:
        assert all(_send(http, kind, token).status_code == 200 for kind in SCHEMES)
        assert revoke_token(vault.server.db, token=token) == 1
        assert all(_send(http, kind, token).status_code == 401 for kind in SCHEMES)


def test_basic_ignores_the_user_name_and_refuses_garbage(vault: Vault) -> None:
    with vault.server.client() as http:
        for user in ("", "someone-else", "vault-tenant"):
            assert http.get("/vault/basic", headers=_basic(vault.token, user)).status_code == 200
        for header in ("Basic !!!not-base64", "Basic " + base64.b64encode(b"no-colon").decode()):
            response = http.get("/vault/basic", headers={"Authorization": header})
            _problem(response, 401)
            assert response.headers["www-authenticate"].startswith("Basic")
        # the token in the user name, not the password, is not a credential
        _problem(http.get("/vault/basic", headers=_basic("", vault.token)), 401)


def test_a_credential_for_another_scheme_is_not_accepted(vault: Vault) -> None:
    with vault.server.client() as http:
        wrong = {"Authorization": f"Bearer {vault.token}"}
        for operation in ("header_key", "query_key", "cookie_key", "basic"):
            _problem(http.get("/vault/" + operation.replace("_", "-"), headers=wrong), 401)
        _problem(http.get("/vault/bearer", headers=_basic(vault.token)), 401)
        _problem(http.get("/vault/oauth", headers={"X-API-Key": vault.token}), 401)


def test_alternative_requirements_accept_either(vault: Vault) -> None:
    with vault.server.client() as http:
        by_key = http.get("/vault/either", headers={"X-API-Key": vault.token})
        by_bearer = http.get("/vault/either", headers={"Authorization": f"Bearer {vault.token}"})
        assert by_key.status_code == by_bearer.status_code == 200
        assert by_key.json()["tenant"] == by_bearer.json()["tenant"] == vault.tenant_id
        # a bad credential for one alternative does not spoil a good one for the other
        mixed = http.get("/vault/either", headers={"X-API-Key": "sf_" + "y" * 40,
                                                   "Authorization": f"Bearer {vault.token}"})
        assert mixed.status_code == 200
        none = http.get("/vault/either")
        body = _problem(none, 401)
        challenge = none.headers["www-authenticate"]
        assert challenge == ('ApiKey realm="api", in="header", name="X-API-Key", '
                             'Bearer realm="api"')
        assert "'X-API-Key'" in str(body["detail"]) and "Bearer" in str(body["detail"])
        bad = http.get("/vault/either", headers={"X-API-Key": "sf_" + "y" * 40})
        _problem(bad, 401)
        assert bad.headers["www-authenticate"].startswith("ApiKey")


def test_a_scheme_with_its_own_info_func_keeps_connexions_behaviour(vault: Vault) -> None:
    with vault.server.client() as http:
        accepted = http.get("/vault/custom", headers={"X-Custom": "letmein-letmein-letmein"})
        assert accepted.status_code == 200 and accepted.json()["sub"] == "custom"
        _problem(http.get("/vault/custom", headers={"X-Custom": vault.token}), 401)
        missing = http.get("/vault/custom")
        _problem(missing, 401)
        assert missing.headers["www-authenticate"].startswith('ApiKey realm="api", in="header"')


def test_challenges_of_an_operation(tmp_path: Path) -> None:
    document = {
        "paths": {"/a/{id}": {"get": {"responses": {}, "security": [
            {"k": [], "o": ["x"]}, {"b": []}, {}]}}, "/open": {"get": {"responses": {}}}},
        "security": [{"o": ["y", "z"]}],
        "components": {"securitySchemes": {
            "k": {"type": "apiKey", "in": "header", "name": 'X-"Q"'},
            "o": {"type": "oauth2", "flows": {}},
            "b": {"$ref": "#/components/securitySchemes/basic"},
            "basic": {"type": "http", "scheme": "Basic"},
        }},
    }
    challenges = OperationChallenges(document, RouteTable(document, "/v1"))
    found = challenges.for_request(f"/v1/a/{uuid.uuid4()}", "get")
    assert found is not None
    challenge, detail = found
    assert challenge == ('ApiKey realm="api", in="header", name="X-\\"Q\\"", '
                         'Bearer realm="api", scope="x", Basic realm="api", charset="UTF-8"')
    assert detail.startswith("This operation requires an API key in the header ")
    assert " and a bearer token" in detail and " or HTTP Basic credentials" in detail
    assert challenges.for_request("/v1/open", "GET") == (
        'Bearer realm="api", scope="y z"', "This operation requires a bearer token "
                                           "(Authorization: Bearer <token>).")
    assert challenges.for_request("/elsewhere", "GET") is None
    assert challenge_for({"type": "http", "scheme": "digest"}) is None
    assert challenge_for({"type": "http", "scheme": "bearer"}, ["a"]) == 'Bearer realm="api"'
