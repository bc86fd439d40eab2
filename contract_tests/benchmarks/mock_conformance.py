"""Mock conformance against Prism: plain Schemathesis 4 on public specs, both mocks side by side.

For each spec, `specfirst mock` and Prism 5 (`@stoplight/prism-cli`, installed from npm into
the test cache) are started in turn on a free loopback port; start-up is the time from the
process start to its first HTTP answer. Schemathesis then runs against it with its default
checks and phases (examples, coverage, fuzzing; positive and negative data), a fixed seed and
the credentials of a client holding a token: `-H "Authorization: Bearer <token>"` (or
`Basic` with the token as user and password, when HTTP Basic is the only scheme the spec sends
in `Authorization`) and the same token in every API-key header the spec defines (the mock is
told, with `--credential`, that these are the valid ones, so Schemathesis' probes with made-up
credentials are refused; Prism has no such option and accepts any). An operation conforms
when Schemathesis reports no failure for it; operations Schemathesis cannot test (errors,
skips) and operations that document no response at all are counted apart, the same for both
mocks. A second count keeps only the response checks (failure codes ST1xx: status code,
content type, headers, schema), the measure of the three conformance checks alone.

Some operations no server can pass, the real API included: Schemathesis demands a status from
a fixed list for some requests and, from every answer, a documented status and a body its
schema admits. `unconformable` names them from the spec alone, by six rules (`RULES`), the same
for both mocks:

- *no documented rejection*: the operation takes input (a parameter, a body or credentials),
  so negative data is sent and `negative_data_rejection` demands one of Schemathesis' expected
  rejection statuses (400, 401, 403, 404, 405, 406, 409, 415, 422, 428, 429, or a 5xx, which
  `not_a_server_error` refuses) — and it documents none of these 4xx, no `4XX` and no `default`;
- *no documented acceptance*: `positive_data_acceptance` demands 2xx, 3xx, 401, 403, 404, 409,
  429 or 5xx for valid data, and the operation documents none of these (nor `2XX`, `3XX`,
  `4XX`, `default`) outside 5xx;
- *ambiguous form body*: the operation takes an `application/x-www-form-urlencoded` or
  `multipart/form-data` body with a member that may be an array, or an object member with
  required fields. Schemathesis sends the one-item array `["a"]` and the string `"a"` alike
  (`name=a`), and an object without fields not at all, then judges the bytes by the value it
  meant: the same request must be accepted as valid data and refused as invalid data;
- *no documented 401 for a missing `Authorization`*: every security requirement of the
  operation sends an `Authorization` header (HTTP, OAuth 2, OpenID Connect, or an API key of
  that name), `missing_required_header` demands exactly 401 when it is left out, and the
  operation documents no 401, `4XX` or `default` — or only a 401 whose schema admits no value
  (`admits_no_value`: a `oneOf` two of whose branches are one schema but for annotations);
- *no documented refusal of a missing key*: every security requirement sends an API key in a
  header other than `Authorization`, whose absence `missing_required_header` demands be
  answered 400, 401, 403, 406, 415 or 422 (a 404 passes only on a path with variables), and
  the operation documents none of these, no `4XX` and no `default`;
- *no valid success*: every documented success (2xx, `2XX`) is JSON whose schema admits no
  value as Schemathesis reads a response (`admits_no_value`: most often a closed object,
  `additionalProperties: false`, beside an `allOf` that requires members it does not list —
  JSON Schema's `additionalProperties` does not see into `allOf`). The real API's answers
  fail `response_schema_conformance`; a server could pass only by refusing every valid
  request, which is no answer an API gives.

Both figures are reported: over every tested operation (raw), and over the conformable ones.

Specs: ten files of `@readme/oas-examples` (npm), taken whole; GitHub's from
`@octokit/openapi`, Stripe's from `/work/shared/data/stripe` (or `--stripe PATH`), and seven
public APIs from the npm packages that publish them (Blockfrost, Figma, Directus, Decentraland
Catalyst, ShipEngine, Ideal Postcodes, rclone). These are cut to their first `--sample` paths
(sorted), the same cut for both mocks, so a run ends in reasonable time; `--sample 0` keeps
them whole.

    python -m specfirst.contract_tests.benchmarks.mock_conformance [--only NAME] [-n 5]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml
from specfirst.contract_tests.pipeline import free_port
from specfirst.server.mock.app import base_path

__all__ = ["Outcome", "SPECS", "main", "run_one"]

REPO = Path(__file__).resolve().parents[2]
PRISM = "@stoplight/prism-cli@5"
TOKEN = "benchmark-token"
STRIPE = Path("/work/shared/data/stripe/spec3-63a6746.yaml.gz")
SPECS = [
    ("petstore-3.0", "oas", "3.0/json/petstore.json"),
    ("petstore-3.1", "oas", "3.1/json/petstore.json"),
    ("train-travel-3.1", "oas", "3.1/json/train-travel.json"),
    ("star-trek", "oas", "3.0/json/star-trek.json"),
    ("uspto", "oas", "3.0/json/uspto.json"),
    ("readme-3.1", "oas", "3.1/json/readme.json"),
    ("parameters-style", "oas", "3.0/json/parameters-style.json"),
    ("readme-legacy", "oas", "3.0/json/readme-legacy.json"),
    ("security", "oas", "3.0/json/security.json"),
    ("polymorphism", "oas", "3.0/json/polymorphism.json"),
    ("github", "github", "generated/api.github.com.json"),
    ("stripe", "stripe", ""),
    ("blockfrost", "@blockfrost/openapi@0.1", "openapi.yaml"),
    ("figma", "@figma/rest-api-spec@0.43", "openapi/openapi.yaml"),
    ("directus", "@directus/specs@15", "dist/openapi.json"),
    ("catalyst", "@dcl/catalyst-api-specs@3", "lib/api.yaml"),
    ("shipengine", "shipengine-openapi@1", "openapi.json"),
    ("ideal-postcodes", "@ideal-postcodes/openapi@4", "dist/openapi.json"),
    ("rclone", "rclone-openapi@1", "openapi.json"),
]


@dataclass
class Outcome:
    spec: str
    server: str
    operations: int = 0  # tested by Schemathesis
    conforming: int = 0  # no failure of any default check
    answers_conforming: int = 0  # no failure of the response checks (ST1xx: status code,
    # content type, headers, schema), the measure of the three conformance checks alone
    untestable: int = 0  # Schemathesis errors and skips; operations documenting no response
    conformable: int = 0  # tested operations that no rule of `unconformable` excludes
    conformable_conforming: int = 0  # ... with no failure of any default check
    excluded: dict[str, str] = field(default_factory=dict)  # tested operation -> rule
    startup_seconds: float | None = None
    seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)  # operation -> first failure

    @property
    def rate(self) -> float:
        return self.conforming / self.operations if self.operations else 0.0

    @property
    def conformable_rate(self) -> float:
        return self.conformable_conforming / self.conformable if self.conformable else 0.0


def _conftest() -> Any:
    """The root conftest: its cached npm install and the package names the tests use."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import conftest

    return conftest


def _npm(package: str) -> Path:
    return Path(_conftest().npm_install(package))


def _spec_file(name: str, kind: str, relative: str, folder: Path, sample: int,
               stripe: Path) -> Path:
    """The spec file of `name`: an `@readme/oas-examples` file as installed; any other spec
    (from its npm package, or Stripe's) written as JSON, cut to its first `sample` paths."""
    if kind == "oas":
        return _npm(_conftest().OAS_EXAMPLES) / relative
    if kind == "stripe":
        document = yaml.safe_load(gzip.decompress(stripe.read_bytes()))
    else:
        source = _npm(_conftest().OCTOKIT_OPENAPI if kind == "github" else kind) / relative
        document = yaml.safe_load(source.read_text()) if source.suffix in (".yaml", ".yml") \
            else json.loads(source.read_text())
    if sample:
        kept = sorted(document.get("paths") or {})[:sample]
        document["paths"] = {path: document["paths"][path] for path in kept}
    target = folder / f"{name}.json"
    target.write_text(json.dumps(document, default=str))  # YAML dates as their text
    return target


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer means it is serving
        except OSError:
            time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _server(server: str, spec: Path, port: int, prism: Path) -> list[str]:
    if server == "prism":
        return [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)]
    specfirst = Path(sys.executable).with_name("specfirst")
    return [str(specfirst), "mock", str(spec), "--host", "127.0.0.1", "--port", str(port),
            "--seed", "1", "--callbacks", "off", "--credential", TOKEN, "--credential", BASIC]


def _schemes(document: dict[str, Any]) -> list[dict[str, Any]]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    return [s for s in schemes.values() if isinstance(s, dict)] \
        if isinstance(schemes, dict) else []


def basic_only(document: dict[str, Any]) -> bool:
    """Whether HTTP Basic is the only scheme the spec sends in `Authorization`: a client of
    such an API holds a user and password, not a bearer token."""
    kinds = {"basic" if s.get("type") == "http" and str(s.get("scheme", "")).lower() == "basic"
             else "token" for s in _schemes(document)
             if s.get("type") in ("http", "oauth2", "openIdConnect")}
    return kinds == {"basic"}


BASIC = f"{TOKEN}:{TOKEN}"


def credential_headers(document: dict[str, Any]) -> list[str]:
    """`-H` options carrying the token: `Authorization` (`Bearer`, or `Basic` with the token as
    user and password when Basic is the spec's only scheme there), and every API key header."""
    if basic_only(document):
        headers = [f"Authorization: Basic {base64.b64encode(BASIC.encode()).decode()}"]
    else:
        headers = [f"Authorization: Bearer {TOKEN}"]
    for scheme in _schemes(document):
        if scheme.get("type") == "apiKey" \
                and scheme.get("in") == "header" and isinstance(scheme.get("name"), str) \
                and scheme["name"].lower() != "authorization":
            headers.append(f"{scheme['name']}: {TOKEN}")
    return list(dict.fromkeys(headers))


def undocumented(document: dict[str, Any]) -> set[str]:
    """Operations that document no response at all: nothing can conform to them."""
    found = set()
    for path, item in (document.get("paths") or {}).items():
        for method, operation in item.items() if isinstance(item, dict) else ():
            if isinstance(operation, dict) and method in (
                    "get", "put", "post", "delete", "patch", "head", "options", "trace") \
                    and not operation.get("responses"):
                found.add(f"{method.upper()} {path}")
    return found


_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Schemathesis' defaults (schemathesis.config._checks), outside 5xx (`not_a_server_error`)
REJECTIONS = frozenset({400, 401, 403, 404, 405, 406, 409, 415, 422, 428, 429})
ACCEPTANCES = frozenset({401, 403, 404, 409, 429})  # with every 2xx and 3xx
# `missing_required_header`'s statuses for a header other than Authorization (which is 401)
MISSING_KEY = frozenset({400, 401, 403, 406, 415, 422})
RULES = {
    "no documented rejection": "takes input but documents none of Schemathesis' rejection "
                               "statuses (400, 401, 403, 404, 405, 406, 409, 415, 422, 428, "
                               "429), no 4XX and no default",
    "no documented acceptance": "documents none of Schemathesis' statuses for valid data "
                                "(2xx, 3xx, 401, 403, 404, 409, 429), no 2XX/3XX/4XX and no "
                                "default",
    "ambiguous form body": "a form body with a member that may be an array, or an object "
                           "member with required fields: Schemathesis sends a one-item array "
                           "exactly as the item alone and an object without fields as "
                           "nothing, and judges the same bytes valid as one value and "
                           "invalid as the other",
    "no valid success": "every documented success answer is JSON whose schema admits no "
                        "value as JSON Schema reads it (a closed object beside an allOf that "
                        "requires members it does not list): the real API's answers fail "
                        "response_schema_conformance, and a server passes only by refusing "
                        "every valid request",
    "no documented refusal of a missing key": "every security requirement sends an API key "
                                              "in a header other than Authorization, whose "
                                              "absence must be answered 400, 401, 403, 406, "
                                              "415 or 422 (or 404 on a path with "
                                              "variables), and it documents none of these, "
                                              "no 4XX and no default",
    "no documented 401": "every security requirement sends an Authorization header, whose "
                         "absence must be answered 401, and it documents no 401 (or one whose "
                         "schema admits no value: a oneOf with two branches alike but for "
                         "annotations), no 4XX and no default",
}


def _key_header(document: dict[str, Any], name: str) -> bool:
    """Whether the security scheme `name` is an API key sent in a header other than
    `Authorization`."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    scheme = schemes.get(name) if isinstance(schemes, dict) else None
    return isinstance(scheme, dict) and scheme.get("type") == "apiKey" \
        and scheme.get("in") == "header" and isinstance(scheme.get("name"), str) \
        and scheme["name"].lower() != "authorization"


def _scheme_header(document: dict[str, Any], name: str) -> bool:
    """Whether the security scheme `name` sends its credentials in `Authorization`."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    scheme = schemes.get(name) if isinstance(schemes, dict) else None
    if not isinstance(scheme, dict):
        return False
    if scheme.get("type") in ("http", "oauth2", "openIdConnect"):
        return True
    return scheme.get("type") == "apiKey" and scheme.get("in") == "header" \
        and str(scheme.get("name", "")).lower() == "authorization"


_ANNOTATIONS = frozenset({"description", "default", "example", "examples", "title",
                          "deprecated", "externalDocs", "xml"})


def _plain(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """A schema with `$ref`s expanded and annotations dropped (for comparing branches)."""
    if depth > 30:
        return None
    if isinstance(node, list):
        return [_plain(document, item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = document
        for token in node["$ref"][2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            target = target.get(token) if isinstance(target, dict) else None
        return _plain(document, target, depth + 1)
    return {k: _plain(document, v, depth + 1) for k, v in node.items()
            if k not in _ANNOTATIONS}


def admits_no_value(document: dict[str, Any], schema: Any) -> bool:
    """Whether no value is valid for `schema` as Schemathesis judges a response (JSON Schema,
    with the names a closed object requires itself added to its `properties`), found by two
    patterns:

    - a `oneOf` two of whose branches are one schema but for annotations, or admit nothing
      but the empty object: whatever matches one matches both;
    - a closed object that must hold a member it does not list: the value must be an object
      (some `allOf` conjunct has `type: object`, not `nullable`), a conjunct (the schema, or
      one of its `allOf` branches, at any depth) has `additionalProperties: false` and no
      `patternProperties`, and a name some conjunct requires is neither among that
      conjunct's `properties` nor required by it — JSON Schema's `additionalProperties` does
      not see into `allOf`, so `additionalProperties: false` beside an `allOf` that requires
      the members is such a schema;

    or a required member, an `allOf` branch, or every `anyOf`/`oneOf` branch, of that kind."""
    return _Judge(document).unsatisfiable(schema, 0)


class _Judge:
    """`admits_no_value` over the document as written: `$ref`s followed only as far as the
    question needs (a response schema of a large spec, expanded whole, can be enormous), and
    branches compared within a budget of nodes."""

    def __init__(self, document: dict[str, Any]):
        self.document = document

    def resolve(self, node: Any) -> Any:
        for _ in range(16):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)
                    and node["$ref"].startswith("#/")):
                return node
            target: Any = self.document
            for token in node["$ref"][2:].split("/"):
                token = token.replace("~1", "/").replace("~0", "~")
                target = target.get(token) if isinstance(target, dict) else None
            node = target
        return node

    def conjuncts(self, node: Any, depth: int = 0) -> list[dict[str, Any]]:
        """`node` and its `allOf` branches, at any depth: every schema a value must satisfy."""
        node = self.resolve(node)
        if not isinstance(node, dict):
            return []
        found = [node]
        for branch in node.get("allOf") or [] if depth < 16 else []:
            found += self.conjuncts(branch, depth + 1)
        return found

    def same(self, a: Any, b: Any, budget: list[int], depth: int = 0) -> bool:
        """Whether two schemas are one but for annotations (False when the budget runs out)."""
        budget[0] -= 1
        if budget[0] < 0 or depth > 30:
            return False
        a, b = self.resolve(a), self.resolve(b)
        if a is b:
            return True
        if isinstance(a, dict) and isinstance(b, dict):
            keys = {k for k in a if k not in _ANNOTATIONS}
            return keys == {k for k in b if k not in _ANNOTATIONS} \
                and all(self.same(a[k], b[k], budget, depth + 1) for k in keys)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) \
                and all(self.same(x, y, budget, depth + 1) for x, y in zip(a, b, strict=True))
        return type(a) is type(b) and a == b

    def only_empty(self, node: Any) -> bool:
        """Whether a schema admits no value but the empty object: it must be an object, and
        some conjunct is closed and allows no member (no `properties`, `patternProperties` or
        `required`)."""
        conjuncts = self.conjuncts(node)
        return any(c.get("type") == "object" and c.get("nullable") is not True
                   for c in conjuncts) \
            and any(c.get("additionalProperties") is False and not c.get("properties")
                    and not c.get("patternProperties") and not c.get("required")
                    for c in conjuncts)

    def unsatisfiable(self, node: Any, depth: int) -> bool:
        node = self.resolve(node)
        if node is False:
            return True
        if not isinstance(node, dict) or depth > 16:
            return False
        branches = node.get("oneOf")
        if isinstance(branches, list):
            budget = [5000]
            if any(self.same(x, y, budget) for i, x in enumerate(branches)
                   for y in branches[i + 1:]):
                return True
            if sum(self.only_empty(b) for b in branches) >= 2:
                return True  # the empty object, which both such branches admit, matches both
        conjuncts = self.conjuncts(node)
        if any(self.resolve(b) is False for c in conjuncts for b in c.get("allOf") or []):
            return True
        for conjunct in conjuncts:
            for key in ("anyOf", "oneOf"):
                options = conjunct.get(key)
                if isinstance(options, list) and options \
                        and all(self.unsatisfiable(o, depth + 1) for o in options):
                    return True
        required = {str(name) for c in conjuncts for name in c.get("required") or []}
        for name in required:
            for conjunct in conjuncts:
                members = conjunct.get("properties")
                if isinstance(members, dict) and name in members \
                        and self.unsatisfiable(members[name], depth + 1):
                    return True
        if not any(c.get("type") == "object" and c.get("nullable") is not True
                   for c in conjuncts):
            return False
        for conjunct in conjuncts:
            if conjunct.get("additionalProperties") is False \
                    and not conjunct.get("patternProperties"):
                members = conjunct.get("properties")
                allowed = set(members if isinstance(members, dict) else ()) \
                    | {str(name) for name in conjunct.get("required") or []}
                if required - allowed:
                    return True
        return False


def _no_success(document: dict[str, Any], operation: dict[str, Any]) -> bool:
    """Whether the operation documents a success (2xx, `2XX`) and every one is JSON whose every
    schema admits no value (`admits_no_value`): a valid request cannot be answered with a
    success that conforms."""
    responses = operation.get("responses") or {}
    successes = [v for k, v in responses.items()
                 if str(k).upper() == "2XX" or str(k).isdigit() and 200 <= int(k) < 300]
    if not successes:
        return False
    judge = _Judge(document)
    for response in successes:
        plain = judge.resolve(response)
        content = plain.get("content") if isinstance(plain, dict) else None
        if not isinstance(content, dict) or not content:
            return False
        for media, value in content.items():
            base = str(media).split(";")[0].strip().lower()
            value = judge.resolve(value)
            if not (base == "application/json" or base.endswith("+json")) \
                    or not isinstance(value, dict) or "schema" not in value \
                    or not judge.unsatisfiable(value["schema"], 0):
                return False
    return True


def _satisfiable(document: dict[str, Any], response: Any) -> bool:
    """Whether some body is valid for a documented response (one media type is enough)."""
    judge = _Judge(document)
    plain = judge.resolve(response)
    content = plain.get("content") if isinstance(plain, dict) else None
    if not isinstance(content, dict) or not content:
        return True
    media = [judge.resolve(m) for m in content.values()]
    return any(not judge.unsatisfiable(m.get("schema"), 0) for m in media
               if isinstance(m, dict)) \
        or any(not isinstance(m, dict) or "schema" not in m for m in media)


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _ambiguous_member(node: Any, depth: int = 0) -> bool:
    """Whether a (plain) form schema has, below its top level, a member that may be an array,
    or an object member with required fields."""
    if depth > 12 or not isinstance(node, dict):
        return False
    branches = [node, *[b for key in ("allOf", "anyOf", "oneOf")
                        for b in node.get(key) or [] if isinstance(b, dict)]]
    for branch in branches:
        for member in (branch.get("properties") or {}).values():
            if not isinstance(member, dict):
                continue
            kinds = [member, *[b for key in ("allOf", "anyOf", "oneOf")
                               for b in member.get(key) or [] if isinstance(b, dict)]]
            if any(k.get("type") == "array" or "items" in k for k in kinds):
                return True
            if any(k.get("required") for k in kinds) or _ambiguous_member(member, depth + 1):
                return True
    return False


def _ambiguous_form(document: dict[str, Any], operation: dict[str, Any]) -> bool:
    body = _plain(document, operation.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    return isinstance(content, dict) and any(
        str(media).split(";")[0].strip().lower() in _FORMS and isinstance(value, dict)
        and _ambiguous_member(value.get("schema")) for media, value in content.items())


def unconformable(document: dict[str, Any]) -> dict[str, str]:
    """Operations no server can pass on Schemathesis' default checks, each with its rule."""
    found: dict[str, str] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method not in _METHODS or not isinstance(operation, dict):
                continue
            keys = [str(k).upper() for k in (operation.get("responses") or {})]
            if not keys:
                continue  # documents no response: counted apart (`undocumented`)
            codes = {int(k) for k in keys if k.isdigit()}
            ranges = {k for k in keys if len(k) == 3 and k.endswith("XX")}
            default = "DEFAULT" in keys
            security = operation.get("security", document.get("security")) or []
            secured = isinstance(security, list) and bool(security) \
                and all(isinstance(r, dict) and r for r in security)
            takes_input = bool(operation.get("parameters") or item.get("parameters")
                               or operation.get("requestBody") or secured)
            rejects = default or "4XX" in ranges or bool(codes & REJECTIONS)
            accepts = default or bool(ranges & {"2XX", "3XX", "4XX"}) \
                or bool(codes & ACCEPTANCES) or any(200 <= c < 400 for c in codes)
            label = f"{method.upper()} {path}"
            if takes_input and not rejects:
                found[label] = "no documented rejection"
            elif not accepts:
                found[label] = "no documented acceptance"
            elif _ambiguous_form(document, operation):
                found[label] = "ambiguous form body"
            elif _no_success(document, operation):
                found[label] = "no valid success"
            elif secured and all(any(_scheme_header(document, name) for name in r)
                                 for r in security) \
                    and not (default or "4XX" in ranges or 401 in codes and _satisfiable(
                        document, (operation.get("responses") or {}).get("401"))):
                found[label] = "no documented 401"
            elif secured and all(any(_key_header(document, name) for name in r)
                                 for r in security) \
                    and not (default or "4XX" in ranges or codes & MISSING_KEY
                             or 404 in codes and "{" in str(path)):
                found[label] = "no documented refusal of a missing key"
    return found


def _junit(path: Path, outcome: Outcome, skip: set[str],
           excluded: dict[str, str] | None = None) -> None:
    if not path.exists():
        return
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name") or "?"
        failure = case.find("failure")
        if case.find("error") is not None or case.find("skipped") is not None \
                or name in skip:
            outcome.untestable += 1
            continue
        outcome.operations += 1
        rule = (excluded or {}).get(name)
        if rule is not None:
            outcome.excluded[name] = rule
        else:
            outcome.conformable += 1
        if failure is None:
            outcome.conforming += 1
            outcome.answers_conforming += 1
            if rule is None:
                outcome.conformable_conforming += 1
        else:
            text = f"{failure.get('message') or ''} {failure.text or ''}".strip()
            if not any(code.startswith("1") for code in re.findall(r"\bST(\d{3})\b", text)):
                outcome.answers_conforming += 1
            outcome.failures[name] = " ".join(text.split())[:300]


@contextlib.contextmanager
def _launched(spec: Path, server: str, prism: Path,
              log: IO[bytes]) -> Iterator[tuple[str | None, float, dict[str, Any]]]:
    """Start `server` on `spec`; yield its base URL (None when it gave no HTTP answer within
    600 s), the seconds from launch to its first answer, and the spec; stop it on exit."""
    document = json.loads(spec.read_text()) if spec.suffix == ".json" \
        else yaml.safe_load(spec.read_text())
    prefix = base_path(document) if server == "mock" else ""
    port = free_port()
    url = f"http://127.0.0.1:{port}{prefix}"
    started = time.monotonic()
    process = subprocess.Popen(_server(server, spec, port, prism), stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        up = _wait_http(f"{url}/", process, 600)
        yield (url if up else None), time.monotonic() - started, document
    finally:
        _stop(process)


def startup(spec: Path, server: str, prism: Path, folder: Path) -> float | None:
    """Seconds from launching `server` on `spec` to its first HTTP answer (None: no answer)."""
    with open(folder / f"startup-{server}.log", "ab") as log, \
            _launched(spec, server, prism, log) as (url, seconds, _):
        return seconds if url is not None else None


def startups(name: str, spec: Path, servers: list[str], rounds: int, prism: Path,
             folder: Path) -> dict[str, float | None]:
    """The median start-up of each server over `rounds` launches, the servers alternating so
    that both see the same machine load."""
    times: dict[str, list[float]] = {server: [] for server in servers}
    for _ in range(rounds):
        for server in servers:
            seconds = startup(spec, server, prism, folder)
            if seconds is not None:
                times[server].append(seconds)
    return {server: round(statistics.median(found), 2) if found else None
            for server, found in times.items()}


def run_one(name: str, spec: Path, server: str, *, examples: int, seed: int,
            prism: Path, folder: Path, workers: int) -> Outcome:
    outcome = Outcome(name, server)
    with open(folder / f"{name}-{server}.log", "wb") as log, \
            _launched(spec, server, prism, log) as (url, seconds, document):
        if url is None:
            outcome.failures["start-up"] = "did not start"
            return outcome
        outcome.startup_seconds = round(seconds, 2)
        report = folder / f"{name}-{server}.xml"
        command = [str(Path(sys.executable).with_name("schemathesis")), "run", str(spec),
                   "--url", url, "--phases", "examples,coverage,fuzzing",
                   "-n", str(examples), "--seed", str(seed), "--workers", str(workers),
                   *[option for header in credential_headers(document)
                     for option in ("-H", header)],
                   "--request-timeout", "20", "--report", "junit",
                   "--report-junit-path", str(report)]
        began = time.monotonic()
        subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False,
                       env={**os.environ, "NO_COLOR": "1"})
        outcome.seconds = round(time.monotonic() - began, 1)
        _junit(report, outcome, undocumented(document), unconformable(document))
    return outcome


def _say(text: str, *, err: bool = True) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def table(outcomes: list[Outcome]) -> str:
    """Per spec: tested operations, how many are conformable (the rest excluded by a rule of
    `unconformable`), and each mock's figure over all of them and over the conformable ones."""
    by_spec: dict[str, dict[str, Outcome]] = {}
    for outcome in outcomes:
        by_spec.setdefault(outcome.spec, {})[outcome.server] = outcome
    lines = ["| spec | tested | conformable | mock: all checks, all / conformable | "
             "Prism 5: all checks, all / conformable | mock: response checks | "
             "Prism 5: response checks | start-up mock / Prism (s) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]

    def share(count: int, total: int) -> str:
        return f"{count}/{total} ({count / total:.0%})" if total else "0/0"

    for spec, found in by_spec.items():
        mock, prism = found.get("mock"), found.get("prism")

        def cell(o: Outcome | None) -> str:
            if o is None or not o.operations:
                return "—"
            return f"{share(o.conforming, o.operations)} / " \
                   f"{share(o.conformable_conforming, o.conformable)}"

        def answers(o: Outcome | None) -> str:
            if o is None or not o.operations:
                return "—"
            return share(o.answers_conforming, o.operations)

        tested = max((o.operations for o in found.values()), default=0)
        conformable = max((o.conformable for o in found.values()), default=0)
        starts = " / ".join("—" if o is None or o.startup_seconds is None
                            else f"{o.startup_seconds:.2f}" for o in (mock, prism))
        lines.append(f"| {spec} | {tested} | {conformable} | {cell(mock)} | {cell(prism)} | "
                     f"{answers(mock)} | {answers(prism)} | {starts} |")
    return "\n".join(lines)


def exclusions(outcomes: list[Outcome]) -> str:
    """Every excluded operation, by spec and rule (the same for both mocks)."""
    lines: list[str] = []
    done: set[str] = set()
    for outcome in outcomes:
        if outcome.spec in done or not outcome.operations:
            continue
        done.add(outcome.spec)
        by_rule: dict[str, list[str]] = {}
        for operation, rule in outcome.excluded.items():
            by_rule.setdefault(rule, []).append(operation)
        for rule, operations in by_rule.items():
            lines.append(f"- {outcome.spec}, {rule} ({len(operations)}): "
                         + ", ".join(f"`{o}`" for o in sorted(operations)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m specfirst.contract_tests.benchmarks.mock_conformance",
        description="Schemathesis conformance of `specfirst mock` and Prism 5 on public specs.")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only this spec (repeatable): "
                             + ", ".join(name for name, _, _ in SPECS))
    parser.add_argument("--servers", default="mock,prism", help="mock, prism or both")
    parser.add_argument("-n", "--max-examples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=40,
                        help="paths kept of the specs other than @readme/oas-examples "
                             "(0: all)")
    parser.add_argument("--stripe", type=Path, default=STRIPE)
    parser.add_argument("--json", type=Path, help="write every outcome here")
    parser.add_argument("--startup-rounds", type=int, default=0, metavar="N",
                        help="only measure start-up: N launches of each server per spec, "
                             "alternating, and print the medians")
    parser.add_argument("--keep", action="store_true",
                        help="keep the logs and JUnit reports (their folder is printed)")
    args = parser.parse_args(argv)
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    prism = Path("prism")
    if "prism" in servers:
        installed = _npm(PRISM)
        modules = next(p for p in installed.parents if p.name == "node_modules")
        prism = modules / ".bin" / "prism"
    folder = Path(tempfile.mkdtemp(prefix="specfirst-mock-conformance-"))
    outcomes: list[Outcome] = []
    try:
        for name, kind, relative in SPECS:
            if args.only and name not in args.only:
                continue
            if kind == "stripe" and not args.stripe.exists():
                _say(f"{name}: {args.stripe} not found; skipped")
                continue
            spec = _spec_file(name, kind, relative, folder, args.sample, args.stripe)
            if args.startup_rounds:
                medians = startups(name, spec, servers, args.startup_rounds, prism, folder)
                _say(f"| {name} | " + " | ".join(
                    "—" if medians[s] is None else f"{medians[s]:.2f}" for s in servers)
                    + " |", err=False)
                continue
            for server in servers:
                outcome = run_one(name, spec, server, examples=args.max_examples,
                                  seed=args.seed, prism=prism, folder=folder,
                                  workers=args.workers)
                outcomes.append(outcome)
                _say(f"{name} {server}: {outcome.conforming}/{outcome.operations} conform, "
                     f"{outcome.conformable_conforming}/{outcome.conformable} of the "
                     f"conformable ({outcome.untestable} untestable), start-up "
                     f"{outcome.startup_seconds}s, run {outcome.seconds}s")
                kept = [(o, f) for o, f in outcome.failures.items() if o not in outcome.excluded]
                for operation, failure in kept[:8]:
                    _say(f"  {operation}: {failure}")
        if not outcomes:
            return 0
        _say(table(outcomes), err=False)
        _say("\nExcluded (" + "; ".join(f"{k}: {v}" for k, v in RULES.items()) + "):",
             err=False)
        _say(exclusions(outcomes), err=False)
        if args.json:
            args.json.write_text(json.dumps(
                [{**asdict(o), "rate": o.rate, "conformable_rate": o.conformable_rate}
                 for o in outcomes], indent=2))
    finally:
        if args.keep:
            _say(f"logs and reports: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
