"""SF108 plural-collections: a collection segment (the one before an id) is a plural noun."""

from __future__ import annotations

import re
from collections.abc import Iterator

from specfirst.generator.lint.casing import split_words
from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule
from specfirst.generator.lint.walk import path_pointer

__all__ = ["PluralCollections", "identifies_item", "is_mass_noun", "is_plural", "is_sub_resource",
           "singular", "singulars"]

_PARAM = re.compile(r"^\{[^}]*\}$")
_IRREGULAR = {"people": "person", "children": "child", "men": "man", "women": "woman",
              "data": "datum", "media": "medium", "criteria": "criterion", "indices": "index",
              "feet": "foot", "teeth": "tooth", "mice": "mouse", "geese": "goose"}
_UNCOUNTABLE = frozenset({"metadata", "information", "info", "equipment", "news", "series",
                          "species", "analytics", "feedback", "staff", "software", "hardware",
                          "firmware", "health", "traffic", "billing", "settings",
                          # mass nouns and section names: the natural name of their collection
                          "history", "reference", "documentation", "content", "inventory",
                          "usage", "compare", "search"})


def is_mass_noun(word: str) -> bool:
    """An uncountable noun or section name (`history`, `inventory`): it has no item word."""
    return word.lower() in _UNCOUNTABLE


def is_plural(word: str) -> bool:
    word = word.lower()
    if word in _IRREGULAR or word in _UNCOUNTABLE:
        return True
    if word.endswith("is"):  # `apis`, `emojis`, `taxis`; but `analysis`, `axis`, `iris`
        return not word.endswith(("sis", "xis", "nis", "ris"))
    return word.endswith("s") and not word.endswith(("ss", "us"))


def is_sub_resource(before: str) -> bool:
    """Whether a segment that follows `before` names a part of the collection `before` names
    rather than a collection of its own: in `/properties/schema/{name}` the `schema` of the
    `properties` is one thing, and `{name}` keys into it; a plural would be wrong."""
    if _PARAM.match(before):
        return False
    words = split_words(before)
    return bool(words) and is_plural(words[-1]) and words[-1].lower() not in _UNCOUNTABLE


_ID_WORDS = frozenset({"id", "uuid", "guid", "key", "slug", "number", "no", "code"})


def identifies_item(parameter: str, segment: str) -> bool:
    """Whether a path parameter identifies an item of the segment before it, so that the
    segment names a collection: an id (`{id}`, `{account_id}`, `{orderId}`, `{slug}`) or a
    name built on the segment's word (`{username}` under `user`, `{team_slug}` under `team`).
    `/tarball/{ref}`, `/readme/{dir}` or `/following/{username}` name a representation or a
    relation of what the parameter names, not a collection of it."""
    words = [w.lower() for w in split_words(parameter.strip("{}"))]
    if words and words[-1] in _ID_WORDS:
        return True
    name = "".join(words)
    head = [w.lower() for w in split_words(segment)]
    return bool(head) and head[-1] in name


def singulars(word: str) -> list[str]:
    """The singular of an English plural, with the alternatives English spelling leaves open
    (`caches` -> `cache` beside `branches` -> `branch`, `analyses` -> `analysis`,
    `statuses` -> `status`)."""
    found = [singular(word)]
    lower = word.lower()
    if lower.endswith("es"):
        found += [word[:-1]]
    if lower.endswith("ses"):
        found += [word[:-2] + "is", word[:-2]]
    return list(dict.fromkeys(found))


def singular(word: str) -> str:
    """A best-effort singular of an English plural (`companies` -> `company`)."""
    lower = word.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + "y"
    if lower.endswith(("ches", "shes", "sses", "xes", "zzes")):
        return word[:-2]
    if lower.endswith("is") and not lower.endswith(("sis", "xis", "nis", "ris")):
        return word[:-1]  # `apis` -> `api`
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


class PluralCollections(Rule):
    id = "SF108"
    name = "plural-collections"
    summary = "Collections are named with plural nouns: /customers/{id}, not /customer/{id}."
    category = "consistency"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        paths = ctx.document.get("paths")
        if not isinstance(paths, dict):
            return
        for path in paths:
            segments = str(path).strip("/").split("/")
            for index, (segment, after) in enumerate(zip(segments, segments[1:], strict=False)):
                if _PARAM.match(segment) or not _PARAM.match(after):
                    continue
                if index and is_sub_resource(segments[index - 1]):
                    continue
                if not identifies_item(after, segment):
                    continue
                words = split_words(segment)
                if not words or any(is_plural(word) for word in words):
                    continue
                suggestion = segment[: len(segment) - len(words[-1])] + _plural(words[-1])
                yield self.finding(
                    ctx, path_pointer(path),
                    f"collection {segment!r} in {path!r} is not a plural noun",
                    f"name the collection {suggestion!r}", key=True)
                break
