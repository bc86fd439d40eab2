"""Every change id the diff can report, with its level and what it means to a client.

Ids are stable: tools and CI configurations may match on them. Schema changes are reported per
side (`request`: read by the API, `response`: read by its client) and per subject (`parameter`,
`header`, `body`, `property`), so their ids are built from the three parts:
`request-property-enum-value-removed`, `response-body-type-changed`, ...
"""

from __future__ import annotations

from typing import NamedTuple

from specfirst.generator.diff.change import Level

__all__ = ["CATALOGUE", "Entry", "catalogue_markdown", "level_of", "schema_change_id"]

B, W, N = Level.BREAKING, Level.WARNING, Level.INFO  # N: news, no action needed


class Entry(NamedTuple):
    level: Level
    meaning: str


# event -> (level on the request side, level on the response side, meaning)
SCHEMA_EVENTS: dict[str, tuple[Level, Level, str]] = {
    "type-changed": (B, B, "the type changed to an unrelated one"),
    "type-widened": (N, B, "more types are allowed (e.g. integer to number, a type added)"),
    "type-narrowed": (B, N, "fewer types are allowed (e.g. number to integer, a type removed)"),
    "format-changed": (B, B, "the format changed (e.g. date to date-time)"),
    "format-widened": (N, B, "the format holds more values (int32 to int64, float to double)"),
    "format-narrowed": (B, N, "the format holds fewer values (int64 to int32, double to float)"),
    "format-added": (W, N, "a format was added"),
    "format-removed": (N, W, "the format was removed"),
    "became-nullable": (N, B, "null became a valid value"),
    "became-not-nullable": (B, N, "null is no longer a valid value"),
    "enum-value-added": (N, B, "a value was added to the enum"),
    "enum-value-removed": (B, N, "a value was removed from the enum"),
    "became-enum": (B, N, "an enum now restricts the values"),
    "enum-removed": (N, B, "the enum was removed: any value of the type is allowed"),
    "max-length-decreased": (B, N, "maxLength was lowered or added"),
    "max-length-increased": (N, W, "maxLength was raised or removed"),
    "min-length-increased": (B, N, "minLength was raised or added"),
    "min-length-decreased": (N, W, "minLength was lowered or removed"),
    "max-decreased": (B, N, "maximum was lowered, added or made exclusive"),
    "max-increased": (N, W, "maximum was raised, removed or made inclusive"),
    "min-increased": (B, N, "minimum was raised, added or made exclusive"),
    "min-decreased": (N, W, "minimum was lowered, removed or made inclusive"),
    "max-items-decreased": (B, N, "maxItems was lowered or added"),
    "max-items-increased": (N, W, "maxItems was raised or removed"),
    "min-items-increased": (B, N, "minItems was raised or added"),
    "min-items-decreased": (N, W, "minItems was lowered or removed"),
    "max-properties-decreased": (B, N, "maxProperties was lowered or added"),
    "max-properties-increased": (N, W, "maxProperties was raised or removed"),
    "min-properties-increased": (B, N, "minProperties was raised or added"),
    "min-properties-decreased": (N, W, "minProperties was lowered or removed"),
    "multiple-of-changed": (B, W, "multipleOf was added or changed"),
    "pattern-added": (B, N, "a pattern now restricts the value"),
    "pattern-changed": (W, W, "the pattern changed"),
    "pattern-removed": (N, W, "the pattern was removed"),
    "unique-items-added": (B, N, "the items must now be unique"),
    "unique-items-removed": (N, W, "the items may now repeat"),
    "prefix-items-added": (B, N, "prefixItems constrains more positions of the array"),
    "prefix-items-removed": (N, W, "prefixItems constrains fewer positions of the array"),
    "pattern-property-added": (
        B, N, "a patternProperties pattern was added: properties it matches must match its schema"),
    "pattern-property-removed": (N, W, "a patternProperties pattern was removed"),
    "dependent-required-added": (
        B, N, "dependentRequired: a property now requires another one to be present"),
    "dependent-required-removed": (
        N, B, "dependentRequired: a property no longer requires another one to be present"),
    "dependent-schema-added": (
        B, N, "dependentSchemas: a property's presence now requires the object to match a schema"),
    "dependent-schema-removed": (
        N, W, "dependentSchemas: a property's presence no longer requires a schema to match"),
    "dependent-schema-changed": (
        W, W, "dependentSchemas: the schema a property's presence requires changed"),
    "property-names-added": (B, N, "propertyNames now constrains the names of properties"),
    "property-names-removed": (N, W, "propertyNames no longer constrains the names of properties"),
    "contains-added": (B, N, "the array must now contain an item matching a `contains` schema"),
    "contains-removed": (
        N, W, "the array no longer needs to contain an item matching a `contains` schema"),
    "min-contains-increased": (B, N, "minContains was raised: more matching items are needed"),
    "min-contains-decreased": (N, W, "minContains was lowered: fewer matching items are needed"),
    "max-contains-decreased": (B, N, "maxContains was lowered or added"),
    "max-contains-increased": (N, W, "maxContains was raised or removed"),
    "unevaluated-properties-closed": (
        B, N, "unevaluatedProperties now refuses, or constrains, properties no keyword evaluates"),
    "unevaluated-properties-opened": (
        N, N, "unevaluatedProperties now allows properties no keyword evaluates"),
    "unevaluated-items-closed": (
        B, N, "unevaluatedItems now refuses, or constrains, items no keyword evaluates"),
    "unevaluated-items-opened": (
        N, W, "unevaluatedItems now allows items no keyword evaluates"),
    "not-added": (B, N, "a `not` schema now excludes values"),
    "not-removed": (N, W, "the `not` schema was removed: values it excluded are allowed"),
    "not-changed": (W, W, "the `not` schema changed"),
    "if-then-else-added": (B, N, "an if/then/else condition now constrains the value"),
    "if-then-else-removed": (N, W, "the if/then/else condition was removed"),
    "if-then-else-changed": (W, W, "the if/then/else condition changed"),
    "content-encoding-changed": (
        B, B, "contentEncoding changed (e.g. base64): the string is decoded differently"),
    "content-media-type-changed": (B, B, "contentMediaType changed: the string holds another type"),
    "default-changed": (W, N, "the default value changed (what the server assumes when omitted)"),
    "additional-properties-closed": (B, N, "properties not listed are no longer allowed"),
    "additional-properties-opened": (N, N, "properties not listed are now allowed"),
    "additional-properties-constrained": (
        B, N, "properties not listed must now match a schema (additionalProperties)"),
    "additional-properties-unconstrained": (
        N, W, "properties not listed no longer have to match a schema (additionalProperties)"),
    "became-read-only": (W, N, "became readOnly: sent only by the server"),
    "became-write-only": (N, B, "became writeOnly: no longer returned by the server"),
    "discriminator-property-changed": (B, B, "the discriminator is another property"),
    "discriminator-mapping-removed": (B, N, "a discriminator value is no longer mapped"),
    "discriminator-mapping-added": (N, W, "a discriminator value was mapped"),
    "discriminator-mapping-changed": (B, B, "a discriminator value maps to another schema"),
    "one-of-added": (N, W, "a oneOf alternative was added"),
    "one-of-removed": (B, N, "a oneOf alternative was removed"),
    "any-of-added": (N, W, "an anyOf alternative was added"),
    "any-of-removed": (B, N, "an anyOf alternative was removed"),
    "deprecated": (N, N, "marked deprecated"),
    "description-changed": (N, N, "the description changed (reported with --include-descriptions)"),
}

# `request` is what the API reads, `response` what its client reads; in webhooks and callbacks
# the API sends the request, so their request is on the response side and their responses on
# the request side (hence `request-header` and `response-parameter`).
SUBJECTS = {"request": ("parameter", "header", "body", "property"),
            "response": ("parameter", "header", "body", "property")}

PROPERTY_EVENTS: dict[str, Entry] = {
    "new-required-request-property": Entry(B, "a new required property must be sent"),
    "new-optional-request-property": Entry(N, "a new optional property may be sent"),
    "request-property-removed": Entry(
        W, "a property is no longer part of the request; the server may ignore it"),
    "request-property-no-longer-accepted": Entry(
        B, "a property was removed and unknown properties are rejected: requests sending it fail"),
    "request-property-became-required": Entry(B, "a property that was optional must now be sent"),
    "request-property-became-optional": Entry(N, "a required property may now be omitted"),
    "response-required-property-added": Entry(N, "the response has a new property, always present"),
    "response-optional-property-added": Entry(N, "the response has a new optional property"),
    "response-required-property-removed": Entry(
        B, "a property that was always returned is gone"),
    "response-optional-property-removed": Entry(W, "an optional property is no longer returned"),
    "response-property-became-optional": Entry(
        B, "a property that was always returned may now be missing"),
    "response-property-became-required": Entry(N, "a property is now always returned"),
}

OTHER_EVENTS: dict[str, Entry] = {
    # operations
    "endpoint-added": Entry(N, "a new operation"),
    "api-removed-without-deprecation": Entry(
        B, "an operation was removed without being marked deprecated first"),
    "api-removed-before-sunset": Entry(
        B, "a deprecated operation was removed before its Sunset date"),
    "api-removed-after-deprecation": Entry(
        W, "a deprecated operation with no Sunset date was removed"),
    "api-removed-after-sunset": Entry(
        N, "a deprecated operation was removed after its Sunset date"),
    "api-path-changed": Entry(
        B, "an operation moved to another path (same operationId and method): clients calling "
        "the old URL fail"),
    "endpoint-deprecated": Entry(N, "an operation was marked deprecated"),
    "endpoint-reactivated": Entry(N, "an operation is no longer deprecated"),
    "api-operation-id-changed": Entry(
        W, "the operationId changed: generated client method names change"),
    "api-operation-id-added": Entry(N, "an operationId was added"),
    "api-operation-id-removed": Entry(
        W, "the operationId was removed: generated client method names change"),
    "api-tag-added": Entry(N, "a tag was added to an operation"),
    "api-tag-removed": Entry(N, "a tag was removed from an operation"),
    "api-summary-changed": Entry(N, "the summary changed (reported with --include-descriptions)"),
    "api-description-changed": Entry(
        N, "the description changed (reported with --include-descriptions)"),
    # parameters
    "new-required-request-parameter": Entry(B, "a new required parameter must be sent"),
    "new-optional-request-parameter": Entry(N, "a new optional parameter may be sent"),
    "request-parameter-removed": Entry(W, "a parameter was removed; the server may ignore it"),
    "request-parameter-became-required": Entry(B, "an optional parameter must now be sent"),
    "request-parameter-became-optional": Entry(N, "a required parameter may now be omitted"),
    "request-parameter-location-changed": Entry(
        B, "a parameter moved (e.g. from query to header)"),
    "request-parameter-style-changed": Entry(B, "a parameter is serialised differently (style)"),
    "request-parameter-explode-changed": Entry(
        B, "a parameter is serialised differently (explode)"),
    "request-parameter-media-type-changed": Entry(
        B, "a parameter's `content` media type changed: its value is serialised differently"),
    "request-path-parameter-renamed": Entry(
        N, "a path parameter was renamed; the URL is the same"),
    # request bodies
    "request-body-added-required": Entry(B, "a request body is now required"),
    "request-body-added-optional": Entry(N, "an optional request body was added"),
    "request-body-removed": Entry(W, "the request body was removed; the server may ignore it"),
    "request-body-became-required": Entry(B, "the request body must now be sent"),
    "request-body-became-optional": Entry(N, "the request body may now be omitted"),
    "request-body-media-type-added": Entry(N, "a request media type is now accepted"),
    "request-body-media-type-removed": Entry(
        B, "a request media type is no longer accepted (and no wildcard covers it)"),
    "request-body-media-type-parameters-changed": Entry(
        N, "a request media type's parameters changed (e.g. `charset`); the type is the same"),
    "request-body-part-content-type-changed": Entry(
        B, "a part of a form or multipart body no longer accepts a content type it accepted"),
    "request-body-part-content-type-widened": Entry(
        N, "a part of a form or multipart body accepts more content types"),
    "request-body-part-style-changed": Entry(
        B, "a part of a form body is serialised differently (style)"),
    "request-body-part-explode-changed": Entry(
        B, "a part of a form body is serialised differently (explode)"),
    "request-body-part-header-added-required": Entry(
        B, "a part of a multipart body must now carry a header"),
    "request-body-part-header-added-optional": Entry(
        N, "a part of a multipart body may carry a new header"),
    "request-body-part-header-removed": Entry(
        W, "a header of a multipart part was removed; the server may ignore it"),
    "request-body-part-header-became-required": Entry(
        B, "a header of a multipart part must now be sent"),
    "request-body-part-header-became-optional": Entry(
        N, "a header of a multipart part may now be omitted"),
    # responses
    "response-success-status-added": Entry(N, "a new success status code"),
    "response-non-success-status-added": Entry(N, "a new error or redirect status code"),
    "response-success-status-removed": Entry(B, "a success status code is no longer returned"),
    "response-non-success-status-removed": Entry(
        W, "an error or redirect status code is no longer documented"),
    "response-media-type-added": Entry(N, "a response media type was added"),
    "response-media-type-removed": Entry(
        B, "a response media type is no longer returned (and no wildcard covers it)"),
    "response-media-type-parameters-changed": Entry(
        N, "a response media type's parameters changed (e.g. `charset`); the type is the same"),
    "response-header-added": Entry(N, "a response header was added"),
    "required-response-header-removed": Entry(B, "a response header that was always sent is gone"),
    "optional-response-header-removed": Entry(W, "an optional response header is gone"),
    "response-header-became-optional": Entry(
        B, "a response header that was always sent may be missing"),
    "response-header-became-required": Entry(N, "a response header is now always sent"),
    "response-link-added": Entry(N, "a response link was added"),
    "response-link-removed": Entry(W, "a response link was removed: clients following it break"),
    "response-link-target-changed": Entry(
        W, "a response link points to another operation (operationId or operationRef)"),
    "response-link-parameters-changed": Entry(
        W, "a response link passes other parameters or another request body"),
    # webhooks and callbacks: requests the API sends
    "api-webhook-added": Entry(N, "a new webhook"),
    "api-webhook-removed": Entry(
        B, "a webhook was removed without being deprecated first: receivers no longer get its "
        "requests"),
    "api-webhook-removed-before-sunset": Entry(
        B, "a deprecated webhook was removed before its Sunset date"),
    "api-webhook-removed-after-deprecation": Entry(
        W, "a deprecated webhook with no Sunset date was removed"),
    "api-webhook-removed-after-sunset": Entry(
        N, "a deprecated webhook was removed after its Sunset date"),
    "api-webhook-operation-added": Entry(N, "a webhook sends a request with a new method"),
    "api-webhook-operation-removed": Entry(
        B, "a webhook no longer sends requests with this method, which was not deprecated first"),
    "api-webhook-operation-removed-before-sunset": Entry(
        B, "a webhook's deprecated method was removed before its Sunset date"),
    "api-webhook-operation-removed-after-deprecation": Entry(
        W, "a webhook's deprecated method with no Sunset date was removed"),
    "api-webhook-operation-removed-after-sunset": Entry(
        N, "a webhook's deprecated method was removed after its Sunset date"),
    "api-callback-added": Entry(N, "an operation has a new callback"),
    "api-callback-removed": Entry(
        B, "a callback was removed without being deprecated first: receivers no longer get its "
        "requests"),
    "api-callback-removed-before-sunset": Entry(
        B, "a deprecated callback was removed before its Sunset date"),
    "api-callback-removed-after-deprecation": Entry(
        W, "a deprecated callback with no Sunset date was removed"),
    "api-callback-removed-after-sunset": Entry(
        N, "a deprecated callback was removed after its Sunset date"),
    "api-callback-operation-added": Entry(N, "a callback sends a new request (URL or method)"),
    "api-callback-operation-removed": Entry(
        B, "a callback no longer sends a request (URL expression or method) that was not "
        "deprecated first"),
    "api-callback-operation-removed-before-sunset": Entry(
        B, "a callback's deprecated request was removed before its Sunset date"),
    "api-callback-operation-removed-after-deprecation": Entry(
        W, "a callback's deprecated request with no Sunset date was removed"),
    "api-callback-operation-removed-after-sunset": Entry(
        N, "a callback's deprecated request was removed after its Sunset date"),
    "callback-request-parameter-added": Entry(N, "the API sends a new parameter"),
    "callback-required-request-parameter-removed": Entry(
        B, "the API no longer sends a parameter it always sent"),
    "callback-optional-request-parameter-removed": Entry(
        W, "the API no longer sends an optional parameter"),
    "callback-request-parameter-became-optional": Entry(
        B, "a parameter the API always sent may now be missing"),
    "callback-request-parameter-became-required": Entry(
        N, "the API now always sends a parameter"),
    "callback-request-body-added": Entry(N, "the API now sends a request body"),
    "callback-request-body-removed": Entry(B, "the API no longer sends the request body"),
    "callback-request-body-became-optional": Entry(
        B, "the request body the API always sent may now be missing"),
    "callback-request-body-became-required": Entry(N, "the API now always sends a request body"),
    "callback-request-media-type-added": Entry(
        B, "the API may send a media type receivers did not get before (no wildcard covered it)"),
    "callback-request-media-type-removed": Entry(N, "the API no longer sends a media type"),
    "callback-response-header-added-required": Entry(
        B, "receivers must now send a header in their response"),
    "callback-response-header-added-optional": Entry(
        N, "receivers may send a new header in their response"),
    "callback-response-header-removed": Entry(
        N, "the API no longer reads a header of the receivers' response"),
    "callback-response-header-became-required": Entry(
        B, "receivers must now send a header that was optional"),
    "callback-response-header-became-optional": Entry(
        N, "receivers may now omit a header"),
    "callback-request-body-part-content-type-changed": Entry(
        B, "a part of a form or multipart body the API sends may have a content type receivers "
        "did not get before"),
    "callback-request-body-part-content-type-narrowed": Entry(
        N, "a part of a form or multipart body the API sends has fewer possible content types"),
    "callback-request-body-part-header-added": Entry(
        N, "the API sends a new header in a part of a multipart body"),
    "callback-required-request-body-part-header-removed": Entry(
        B, "the API no longer sends a header it always sent in a part of a multipart body"),
    "callback-optional-request-body-part-header-removed": Entry(
        W, "the API no longer sends an optional header in a part of a multipart body"),
    "callback-request-body-part-header-became-optional": Entry(
        B, "a header the API always sent in a part of a multipart body may now be missing"),
    "callback-request-body-part-header-became-required": Entry(
        N, "the API now always sends a header in a part of a multipart body"),
    "callback-security-added": Entry(
        N, "the API now authenticates its webhook or callback requests (it sent no credentials)"),
    "callback-security-removed": Entry(
        B, "the API may send a webhook or callback request without credentials: receivers "
        "checking them refuse it"),
    "callback-security-requirement-changed": Entry(
        B, "the API authenticates a webhook or callback request in a way the old requirements "
        "do not cover: receivers checking the old way refuse it"),
    "callback-security-alternative-added": Entry(
        B, "the API may authenticate a webhook or callback request a new way, which receivers "
        "must now also accept"),
    "callback-security-alternative-removed": Entry(
        N, "the API no longer uses one of the ways it authenticated a webhook or callback "
        "request"),
    "callback-security-scope-added": Entry(
        N, "the token the API sends with a webhook or callback request carries an additional "
        "scope"),
    "callback-security-scope-removed": Entry(
        B, "the token the API sends with a webhook or callback request no longer carries a scope "
        "receivers required"),
    "callback-server-added": Entry(
        N, "a webhook or callback operation lists a new server URL the API may send it to"),
    "callback-server-removed": Entry(
        B, "the API no longer sends a webhook or callback request to a server URL: receivers "
        "there stop getting it"),
    # security
    "api-security-added": Entry(B, "an operation that needed no credentials now requires them"),
    "api-security-removed": Entry(N, "an operation no longer requires credentials"),
    "api-security-requirement-changed": Entry(
        B, "a way of authenticating that worked is no longer accepted"),
    "api-security-alternative-added": Entry(N, "a new way of authenticating is accepted"),
    "api-security-scope-added": Entry(B, "a token now needs an additional scope"),
    "api-security-scope-removed": Entry(N, "a token needs fewer scopes"),
    "security-scheme-changed": Entry(
        B, "a security scheme's type, location, name or OAuth flows changed"),
    # the whole API
    "api-server-added": Entry(N, "a server URL was added"),
    "api-server-removed": Entry(W, "a server URL was removed"),
    "api-base-path-changed": Entry(B, "the base path of every operation changed"),
    "api-operation-server-added": Entry(
        N, "a server URL was added to an operation (operation- or path-level `servers`)"),
    "api-operation-server-removed": Entry(W, "a server URL of an operation was removed"),
    "api-operation-base-path-changed": Entry(B, "the base path of an operation changed"),
    "api-server-variable-enum-value-added": Entry(N, "a server variable accepts a new value"),
    "api-server-variable-enum-value-removed": Entry(
        B, "a server variable no longer accepts a value: URLs built with it stop working"),
    "api-server-variable-default-changed": Entry(
        W, "a server variable's default changed: clients using the default reach another URL"),
    "api-version-changed": Entry(N, "info.version changed"),
    "api-openapi-version-changed": Entry(N, "the OpenAPI version of the document changed"),
}


def schema_change_id(side: str, subject: str, event: str) -> str:
    return f"{side}-{subject}-{event}"


def _build() -> dict[str, Entry]:
    table: dict[str, Entry] = {}
    for side, subjects in SUBJECTS.items():
        for subject in subjects:
            for event, (request_level, response_level, meaning) in SCHEMA_EVENTS.items():
                level = request_level if side == "request" else response_level
                table[schema_change_id(side, subject, event)] = Entry(level, meaning)
    for table_part in (PROPERTY_EVENTS, OTHER_EVENTS):
        for change_id, entry in table_part.items():
            assert change_id not in table, change_id
            table[change_id] = entry
    return dict(sorted(table.items()))


CATALOGUE: dict[str, Entry] = _build()


def level_of(change_id: str) -> Level:
    """The level of a change id; KeyError for an id that is not in the catalogue."""
    return CATALOGUE[change_id].level


def catalogue_markdown() -> str:
    """The catalogue as Markdown tables: every schema event per side, then every other id."""
    lines = [
        "### Schema changes",
        "",
        "Reported as `<side>-<subject>-<event>`: side `request` (what the API reads) or",
        "`response` (what the API's client reads), subject `parameter`, `header`, `body` or",
        "`property`. In webhooks and callbacks the API sends the request: its parameters and body",
        "are on the `response` side, the receivers' responses on the `request` side.",
        "",
        "| event | request level | response level | meaning |",
        "|---|---|---|---|",
    ]
    for event, (request_level, response_level, meaning) in SCHEMA_EVENTS.items():
        lines.append(f"| `{event}` | {request_level} | {response_level} | {meaning} |")
    lines += ["", "### Properties, operations, parameters, bodies, responses, links, webhooks, "
              "callbacks, security, servers",
              "", "| id | level | meaning |", "|---|---|---|"]
    for table_part in (PROPERTY_EVENTS, OTHER_EVENTS):
        for change_id, entry in table_part.items():
            lines.append(f"| `{change_id}` | {entry.level} | {entry.meaning} |")
    return "\n".join(lines) + "\n"
