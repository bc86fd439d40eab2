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
)
from specfirst.generator.lint.rules.sf108_plural_collections import (
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


def _names_its_item(name: str) -> bool:
    """Whether a name other than `id` or `<resource>_id` still says that it is an id of some
    named thing (`org_id`, `ghsa_id`, `client_id`, `package_version_id`, `bypass_response_id`):
    the spec then names its item by another word — an abbreviation, the kind of identifier, a
    qualified or a higher collection, a synonym — and reading which is meant takes more than
    the spec's words, so it is not judged. `{pid}` says nothing of the kind."""
    words = split_words(name)
    return len(words) >= 2 and words[-1].lower() in _ID_WORDS


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
            for collection, segment in zip(segments, segments[1:], strict=False):
                match = _PARAM.match(segment)
                if not match or _PARAM.match(collection) or not _ID_LIKE.search(match.group(1)):
                    continue
                words = split_words(collection)
                resources = (["_".join(words[:-1] + [one]) for one in singulars(words[-1])]
                             if words else [collection])
                entries.append((path, match.group(1), resources[0],
                                _form(match.group(1), resources)))
        prefixed = Counter(form for *_, form in entries if form not in (None, "id"))
        style = prefixed.most_common(1)[0][0] if prefixed else "snake"
        for path, name, resource, form in entries:
            if form == "id" or form == style or (form is None and _names_its_item(name)):
                continue
            expected = _FORMS[style].format(
                r=convert(resource, "camel" if style.startswith("camel") else style))
            why = ("does not say what it identifies" if form is None
                   else "is written in a different style than the other id parameters")
            yield self.finding(ctx, path_pointer(path),
                               f"path parameter {{{name}}} in {path!r} {why}",
                               f"name it {{id}} or {{{expected}}}", key=True)
