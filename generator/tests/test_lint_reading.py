"""SF106, SF107 and SF109 read what a spec says of itself: which lists are bounded or are
reference data, which parameters page, whether the API is versioned, what a path segment is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.rule import Rule
from specfirst.generator.lint.rules import PaginationParameters, PathIdNames, VersionedBasePath
from specfirst.generator.loader import Spec

PAGE = {"description": "a page", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"data": {"type": "array", "items": {"type": "object"}}}}}}}
ONE = {"description": "one", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"id": {"type": "integer"}}}}}}
CREATED = {"201": {"description": "created"}}


def query(name: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema or {"type": "string"}}


def paged(*extra: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """A GET that pages with `page` and `per_page` (and takes the extra parameters)."""
    get: dict[str, Any] = {
        "parameters": [query("page", type="integer"), query("per_page", type="integer"),
                       *extra],
        "responses": {"200": PAGE}}
    if description is not None:
        get["description"] = description
    return {"get": get}


def unpaged(*params: dict[str, Any], **texts: str) -> dict[str, Any]:
    return {"get": {**texts, "parameters": list(params), "responses": {"200": PAGE}}}


def lint(tmp_path: Path, rule: type[Rule], paths: dict[str, Any],
         **top: Any) -> dict[str, str]:
    """The rule's findings on a spec of these paths: {pointer: message}."""
    document = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, **top,
                "paths": paths}
    file = tmp_path / "api.yaml"
    file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return {f.pointer: f.message for f in lint_spec(Spec.from_path(file), rules=[rule()])
            if f.rule == rule.id}


def pointer(path: str) -> str:
    return "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get"


# A spec whose lists page with `page` and `per_page`, and that clients write.
BASE: dict[str, Any] = {
    "/orders": {**paged(), "post": {"responses": CREATED}},
    "/customers": {**paged(), "post": {"responses": CREATED}},
}


def item(*names: str) -> dict[str, Any]:
    """A write at an item path below a list (its parameters named)."""
    return {"delete": {"parameters": [{"name": n, "in": "path", "required": True,
                                       "schema": {"type": "string"}} for n in names],
                       "responses": {"204": {"description": "deleted"}}}}


def test_a_list_no_client_writes_is_not_asked_to_page(tmp_path: Path) -> None:
    found = lint(tmp_path, PaginationParameters, {
        **BASE,
        # Reference data, a report, the parts of an immutable record: the provider fills them.
        "/codes_of_conduct": unpaged(),
        "/codes_of_conduct/{key}": {"get": {
            "parameters": [{"name": "key", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": ONE}}},
        "/txs/{hash}/withdrawals": unpaged({"name": "hash", "in": "path", "required": True,
                                            "schema": {"type": "string"}}),
        # Clients add tags, or remove an item below the list: collections that grow.
        "/tags": {**unpaged(), "post": {"responses": CREATED}},
        "/autolinks": unpaged(),
        "/autolinks/{autolink_id}": item("autolink_id"),
    })
    assert set(found) == {pointer("/tags"), pointer("/autolinks")}


def test_a_number_in_the_operation_s_words_bounds_the_list(tmp_path: Path) -> None:
    def written(**texts: str) -> dict[str, Any]:
        return {**unpaged(**texts), "post": {"responses": CREATED}}

    found = lint(tmp_path, PaginationParameters, {
        **BASE,
        "/pins": written(description="The pinned repositories: a profile shows at most 6."),
        "/referrers": written(summary="Get the top 10 referrers"),
        # "A full list" says the list is whole, not how long it is.
        "/report_types": written(description="Returns a full list of report types."),
    })
    assert set(found) == {pointer("/report_types")}


def test_since_pages_when_it_is_a_position_and_filters_when_it_is_a_time(
        tmp_path: Path) -> None:
    found = lint(tmp_path, PaginationParameters, {
        **BASE,
        # `since=<id>`: a keyset cursor, another scheme than page/per_page.
        "/repositories": {**unpaged(query("since", type="integer")),
                          "post": {"responses": CREATED}},
        # `since=<timestamp>` and `before=<date-time>` filter; the list pages like the others.
        "/notifications": {**paged(query("since", type="string"),
                                   query("before", type="string", format="date-time")),
                           "put": {"responses": {"205": {"description": "read"}}}},
    })
    # The notifications page with page and per_page: three lists do.
    assert found == {pointer("/repositories"):
                     "GET /repositories pages with since; 3 other list operations use "
                     "page, per_page"}


def test_a_list_that_takes_the_common_parameters_too_is_consistent(tmp_path: Path) -> None:
    found = lint(tmp_path, PaginationParameters, {
        **BASE,
        "/alerts": paged(query("before"), query("after")),
        "/advisories": {**unpaged(query("before"), query("after"), query("per_page")),
                        "post": {"responses": CREATED}},
    })
    assert set(found) == {pointer("/advisories")}


def test_an_api_that_lists_its_versions_is_versioned(tmp_path: Path) -> None:
    servers = [{"url": "https://api.example.com"}]
    dates = {"description": "the versions", "content": {"application/json": {"schema": {
        "type": "array", "items": {"type": "string", "format": "date"}}}}}
    paths: dict[str, Any] = {"/orders": paged()}
    assert lint(tmp_path, VersionedBasePath, paths, servers=servers) == {
        "/servers/0/url": "neither the server URLs nor the paths carry a version segment"}
    listed = {**paths, "/versions": {"get": {"summary": "Get all API versions",
                                             "responses": {"200": dates}}}}
    assert lint(tmp_path, VersionedBasePath, listed, servers=servers) == {}
    # The versions of one package are no versions of the API.
    nested = {**paths, "/packages/{name}/versions": {"get": {
        "parameters": [{"name": "name", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": dates}}}}
    assert set(lint(tmp_path, VersionedBasePath, nested, servers=servers)) == {"/servers/0/url"}


def test_an_id_named_after_a_thing_is_not_judged_for_which_thing(tmp_path: Path) -> None:
    def get(*names: str) -> dict[str, Any]:
        return {"get": {"parameters": [{"name": n, "in": "path", "required": True,
                                        "schema": {"type": "string"}} for n in names],
                        "responses": {"200": ONE}}}

    found = lint(tmp_path, PathIdNames, {
        "/refunds/{refund_id}": get("refund_id"),
        # A user's id is its account id; a pool's id filters an epoch's stakes; GitHub calls
        # OAuth applications `clients` too: which thing a `<noun>_id` names takes more than
        # the spec's words to tell, so none of these is reported.
        "/user/{account_id}": get("account_id"),
        "/epochs/{number}/stakes/{pool_id}": get("number", "pool_id"),
        "/applications/{client_id}/token": get("client_id"),
        "/payments/{refund_id}/lines": get("refund_id"),
        # A name that says nothing of what it identifies, and one in another style, are.
        "/pullrequests/{pid}": get("pid"),
        "/orders/{orderId}": get("orderId"),
    })
    assert set(found) == {"/paths/~1pullrequests~1{pid}", "/paths/~1orders~1{orderId}"}


def test_an_id_may_be_called_by_its_format(tmp_path: Path) -> None:
    found = lint(tmp_path, PathIdNames, {
        "/refunds/{refund_id}": {}, "/registry/{uuid}": {},
        "/dialogs/{dialog_uuid}/activities": {}, "/payments/{pid}/lines": {},
    })
    assert set(found) == {"/paths/~1payments~1{pid}~1lines"}


def test_a_version_in_a_few_paths_is_theirs_not_the_api_s(tmp_path: Path) -> None:
    servers = [{"url": "https://api.example.com"}]
    paths: dict[str, Any] = {"/orders": {}, "/customers": {}, "/invoices": {},
                             "/scim/v2/Users": {}}
    assert lint(tmp_path, VersionedBasePath, paths, servers=servers) == {
        "/servers/0/url": "neither the server URLs nor 3 of the 4 paths carry a version segment"}
    listed = {**paths, "/versions": {"get": {"responses": {"200": PAGE}}}}
    assert lint(tmp_path, VersionedBasePath, listed, servers=servers) == {}
    # Most paths carry one: those that do not are the odd ones out.
    mostly: dict[str, Any] = {"/v1/orders": {}, "/v1/customers": {}, "/invoices": {}}
    assert set(lint(tmp_path, VersionedBasePath, mostly, servers=servers)) == {
        "/paths/~1invoices"}
