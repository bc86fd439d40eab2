"""SF109 path-id-names: path parameters that identify items are named alike across the spec."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from specfirst.generator.lint.casing import convert, split_words
from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import (
    PATH_OPERATIONS,
    RECOMMENDED,
    LintContext,
    Rule,
    is_json,
)
from specfirst.generator.lint.rules.sf106_pagination_parameters import (
    is_list_operation,
    paging_names,
    returned_array,
)
from specfirst.generator.lint.rules.sf108_plural_collections import (
    is_mass_noun,
    is_plural,
    singulars,
)
from specfirst.generator.lint.walk import path_pointer

__all__ = ["PathIdNames"]

_PARAM = re.compile(r"^\{([^}]*)\}$")
_ID_LIKE = re.compile(r"(^|[_\-.])id$|Id$|ID$|^id$", re.IGNORECASE)
_FORMS = {"snake": "{r}_id", "camel": "{r}Id", "kebab": "{r}-id", "camel-upper": "{r}ID"}
# An identifier is called `id` or by its format: `{uuid}`, `{order_uuid}`.
_ID_WORDS = frozenset({"id", "uuid", "guid", "ulid"})


def _form(name: str, resources: list[str]) -> str | None:
    """How an id parameter is named relative to its collection: 'id', a prefixed form, or None."""
    if name.lower() in _ID_WORDS:
        return "id"
    for resource in resources:
        for form, template in _FORMS.items():
            base = convert(resource, "camel" if form.startswith("camel") else form.split("-")[0])
            if name == template.format(r=base):
                return form
    return None


def _names_no_other_item(name: str, established: set[str]) -> bool:
    """Whether a `<prefix>_id` is not the id of another collection's items: the spec does not
    name any collection's items so (`/refunds/{refund_id}`). It then names its own item by
    some other word: an abbreviation (`org_id` for `organizations`), the kind of identifier
    (`ghsa_id` for an advisory, `client_id` for an OAuth application), or a collection higher
    in the path (`/bypass-responses/secret-scanning/{bypass_response_id}`)."""
    words = split_words(name)
    return len(words) >= 2 and words[-1].lower() in _ID_WORDS and name not in established


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _related(name: str, resource: str) -> bool:
    """Whether an id parameter named otherwise still names its collection's item: the same
    words run together (`api_key_id` for `apikeys`), the item's kind qualified
    (`package_version_id` for `versions`), or the item's id spelled out
    (`subscription_exposed_id` for `subscriptions`, `user_id` for `user-stats`)."""
    words = split_words(name)
    if len(words) < 2 or words[-1].lower() not in _ID_WORDS:
        return False
    parts = split_words(resource)
    head = _compact("".join(words[:-1]))
    if head == _compact(resource):
        return True
    return bool(parts) and (head.endswith(_compact(parts[-1]))
                            or words[0].lower() == parts[0].lower())


def _names_mass_item(name: str, resource: str) -> bool:
    """A collection named by a mass noun (`history`) has no word for its items: whatever
    `<noun>_id` it takes (`version_id` for the entries of a history) names them."""
    words, parts = split_words(name), split_words(resource)
    return (len(words) >= 2 and words[-1].lower() in _ID_WORDS and bool(parts)
            and is_mass_noun(parts[-1]))


def _single_resource(ctx: LintContext, path: str) -> bool:
    """Whether a path whose last segment is a singular noun is one resource, not a collection:
    the spec serves it as one thing (its GET answers JSON that is no list), as GitHub's `/user`
    (the signed-in user). A parameter after it (`/user/{account_id}`) identifies no item of
    it, and is named after what it identifies."""
    words = split_words(path.rstrip("/").rsplit("/", 1)[-1])
    if not words or is_plural(words[-1].lower()):
        return False
    for op in ctx.operation_list(PATH_OPERATIONS):
        if op.path.rstrip("/") == path.rstrip("/") and op.method == "get":
            answers_json = any(status.startswith("2") and is_json(media)
                               for status, media, _, _ in ctx.response_media(op))
            return answers_json and not is_list_operation(ctx, op)
    return False


def _selects_a_list(ctx: LintContext, path: str) -> bool:
    """Whether the path that a parameter ends answers a list (its body is an array, or it
    takes paging parameters): the parameter then picks which items of the collection to list
    (`/epochs/{number}/stakes/{pool_id}`, the stakes delegated to a pool), it identifies no
    item of it, and is named after what it does identify."""
    return any(op.path.rstrip("/") == path and op.method == "get"
               and (returned_array(ctx, op) is not None or bool(paging_names(ctx, op)))
               for op in ctx.operation_list(PATH_OPERATIONS))


class PathIdNames(Rule):
    id = "SF109"
    name = "path-id-names"
    summary = "Item id parameters are named `id` or `<resource>_id`, in one style, everywhere."
    category = "consistency"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        paths = ctx.document.get("paths")
        if not isinstance(paths, dict):
            return
        entries: list[tuple[str, str, str, str | None]] = []
        for path in paths:
            segments = str(path).strip("/").split("/")
            for index, (collection, segment) in enumerate(zip(segments, segments[1:],
                                                                 strict=False)):
                match = _PARAM.match(segment)
                if not match or _PARAM.match(collection) or not _ID_LIKE.search(match.group(1)):
                    continue
                if _single_resource(ctx, "/" + "/".join(segments[:index + 1])) or \
                        _selects_a_list(ctx, "/" + "/".join(segments[:index + 2])):
                    continue
                words = split_words(collection)
                resources = (["_".join(words[:-1] + [one]) for one in singulars(words[-1])]
                             if words else [collection])
                entries.append((path, match.group(1), resources[0],
                                _form(match.group(1), resources)))
        prefixed = Counter(form for *_, form in entries if form not in (None, "id"))
        style = prefixed.most_common(1)[0][0] if prefixed else "snake"
        # The names that identify the items of their own collection somewhere (`refund_id`
        # after `refunds`): elsewhere, such a name is a mix-up of resources.
        established = {name for _, name, _, form in entries if form not in (None, "id")}
        for path, name, resource, form in entries:
            if form == "id" or form == style or (form is None and (
                    _related(name, resource) or _names_no_other_item(name, established)
                    or _names_mass_item(name, resource))):
                continue
            expected = _FORMS[style].format(
                r=convert(resource, "camel" if style.startswith("camel") else style))
            why = ("names a different resource than its collection" if form is None
                   else "is written in a different style than the other id parameters")
            yield self.finding(ctx, path_pointer(path),
                               f"path parameter {{{name}}} in {path!r} {why}",
                               f"name it {{id}} or {{{expected}}}", key=True)
