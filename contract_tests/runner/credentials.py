"""One token, presented the way each operation's security scheme asks for it.

| scheme | the token is sent as |
|---|---|
| `http` / `bearer`, `oauth2`, `openIdConnect` | `Authorization: Bearer <token>` |
| `http` / `basic` | the password of `Authorization: Basic` (user `basic_user`) |
| `apiKey` | the value of the header, query parameter or cookie the scheme names |

The main token goes through Schemathesis' OpenAPI-aware authentication (`auth.openapi` of its
configuration), which picks, per operation, the first security requirement it can satisfy. The
checks that replay a request with another identity (`scope_enforcement`, `tenant_isolation`)
use `present` to put that identity where the operation's scheme expects it.

`sensitive_names` are the names whose values reproductions mask: exactly those the spec's
schemes use, plus `Authorization`, `Cookie`, `Proxy-Authorization` and `Set-Cookie` — not
every field whose name merely contains "auth" (an `author` stays readable).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from specfirst.generator.loader import deref

__all__ = [
    "ALWAYS_SENSITIVE",
    "Placement",
    "auth_config",
    "placements_for",
    "present",
    "security_schemes",
    "sensitive_names",
]

ALWAYS_SENSITIVE = ("authorization", "cookie", "proxy-authorization", "set-cookie")
_BEARER_TYPES = ("oauth2", "openIdConnect")


@dataclass(frozen=True)
class Placement:
    """Where one scheme's credential goes: `location` is header, query or cookie."""

    location: str
    name: str
    kind: str  # "bearer", "basic" or "apiKey"

    def value(self, token: str, basic_user: str) -> str:
        if self.kind == "bearer":
            return f"Bearer {token}"
        if self.kind == "basic":
            pair = f"{basic_user}:{token}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return token


def security_schemes(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """`components.securitySchemes` with `$ref`s followed."""
    raw = deref(document, (document.get("components") or {}).get("securitySchemes") or {})[0]
    schemes: dict[str, Mapping[str, Any]] = {}
    for name, node in (raw.items() if isinstance(raw, Mapping) else ()):
        scheme = deref(document, node)[0]
        if isinstance(scheme, Mapping):
            schemes[str(name)] = scheme
    return schemes


def _placement(scheme: Mapping[str, Any]) -> Placement | None:
    kind = str(scheme.get("type", ""))
    if kind == "http":
        http = str(scheme.get("scheme", "")).lower()
        if http in ("bearer", "basic"):
            return Placement("header", "Authorization", http)
        return None
    if kind in _BEARER_TYPES:
        return Placement("header", "Authorization", "bearer")
    if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
        return Placement(str(scheme["in"]), str(scheme.get("name", "")), "apiKey")
    return None


def auth_config(document: Mapping[str, Any], token: str, basic_user: str = "specfirst"
                ) -> dict[str, dict[str, str]]:
    """Schemathesis' `auth.openapi` table: the token for every scheme we can present it in."""
    table: dict[str, dict[str, str]] = {}
    for name, scheme in security_schemes(document).items():
        placement = _placement(scheme)
        if placement is None:
            continue
        if placement.kind == "bearer":
            table[name] = {"bearer": token}
        elif placement.kind == "basic":
            table[name] = {"username": basic_user, "password": token}
        else:
            table[name] = {"api_key": token}
    return table


def placements_for(operation: Mapping[str, Any], document: Mapping[str, Any]
                   ) -> list[Placement]:
    """The placements of the first security requirement of the operation we can satisfy."""
    schemes = security_schemes(document)
    for requirement in operation.get("security", document.get("security", [])) or []:
        if not isinstance(requirement, Mapping) or not requirement:
            continue
        found = [_placement(schemes[name]) if name in schemes else None for name in requirement]
        if all(placement is not None for placement in found):
            return [placement for placement in found if placement is not None]
    return []


def present(placements: list[Placement], token: str, headers: MutableMapping[str, Any],
            query: MutableMapping[str, Any], cookies: MutableMapping[str, Any],
            basic_user: str = "specfirst") -> None:
    """Replace whatever credential the request carries with `token`, where each scheme says."""
    for placement in placements:
        target = {"header": headers, "query": query, "cookie": cookies}[placement.location]
        for key in [key for key in target if key.lower() == placement.name.lower()]:
            del target[key]
        target[placement.name] = placement.value(token, basic_user)


def sensitive_names(document: Mapping[str, Any]) -> tuple[str, ...]:
    """The lower-cased header, query and cookie names whose values are credentials."""
    names = list(ALWAYS_SENSITIVE)
    for scheme in security_schemes(document).values():
        placement = _placement(scheme)
        if placement is not None and placement.name.lower() not in names:
            names.append(placement.name.lower())
    return tuple(names)
