"""The one entry point for reading a spec: safe, multi-file, located.

`Spec.from_path` reads the root document and every file it reaches through relative `$ref`s,
refusing any reference that leaves the spec's folder (remote URLs, `file:`, absolute paths, `../`
escapes, symlinks pointing out) before that file is opened. The files are then bundled into one
document that holds only local `#/...` references, so openapi-spec-validator, Connexion and our
generators never resolve a reference themselves. Every node of the bundled document can be traced
back to the file, line and column it came from (`Spec.locate`).
"""

from __future__ import annotations

import copy
import difflib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from specfirst.generator.document import Limits, ParsedDocument, escape_pointer, parse_document
from specfirst.generator.errors import Location, SpecLoadError
from specfirst.generator.operations import HTTP_METHODS, OperationRef, walk_operations

__all__ = ["HTTP_METHODS", "OperationRef", "Spec", "deref", "escape_pointer", "iter_refs",
           "load_spec", "resolve_pointer", "unescape_pointer"]

log = logging.getLogger(__name__)

DEFAULT_LIMITS = Limits()

# Values under these keys are data, where "$ref" is an ordinary property name.
_DATA_KEYS = frozenset({"example", "default", "enum", "const"})
# Mappings under these keys are keyed by names (a property's, a status code, a media type), so a
# key there is never a keyword: "$ref" is a property's name, `default` a response or a schema.
_NAME_KEYS = frozenset({"properties", "patternProperties", "dependentSchemas", "dependentRequired",
                        "$defs", "definitions", "paths", "webhooks", "callbacks", "responses",
                        "content", "headers", "links", "encoding", "schemas", "parameters",
                        "examples", "requestBodies", "securitySchemes", "pathItems"})


_MISSING = object()


def _is_data(key: str, value: Any, pointer: str) -> bool:
    """Whether the value under `key` (in a mapping that is not keyed by names) is data: an
    example, default, enum or const value, the `value` of an Example Object, or a 3.1 schema's
    `examples` list. A "$ref" inside data is an ordinary property name, not a reference."""
    if key in _DATA_KEYS:
        return True
    if key == "value" and "/examples/" in pointer:
        return True
    return key == "examples" and isinstance(value, list)


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """(pointer of the referring object, `$ref` value) for every reference under `node`.

    Reads the document by OpenAPI's semantics: a key "$ref" under `properties` (and the other
    name-keyed mappings) is a property's name, and example/default/enum/const values are data,
    so neither is a reference; a schema property that is *named* `default` or `examples` is a
    schema like any other and its references count.
    """
    stack: list[tuple[Any, str, bool]] = [(node, pointer, False)]
    while stack:
        current, where, names = stack.pop()
        if isinstance(current, list):
            stack.extend((item, f"{where}/{i}", False) for i, item in enumerate(current)
                         if isinstance(item, (dict, list)))
            continue
        if not isinstance(current, dict):
            continue
        if not names and "$ref" in current:
            yield where, current["$ref"]
        for key, value in current.items():
            if not isinstance(value, (dict, list)) or (not names and key == "$ref"):
                continue
            token = escape_pointer(str(key))
            if not names and _is_data(str(key), value, where):
                continue
            stack.append((value, f"{where}/{token}", not names and key in _NAME_KEYS))


def unescape_pointer(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def resolve_pointer(data: Any, pointer: str) -> Any:
    """The node at a JSON pointer (without the leading '#'); KeyError when absent."""
    node = data
    if not pointer:
        return node
    for token in pointer.lstrip("/").split("/"):
        key = unescape_pointer(token)
        if isinstance(node, dict):
            node = node[key]
        elif isinstance(node, list):
            try:
                node = node[int(key)]
            except (ValueError, IndexError):
                raise KeyError(pointer) from None
        else:
            raise KeyError(pointer)
    return node


def deref(document: Any, node: Any, pointer: str = "", *, depth: int = 64,
          when: Callable[[dict[str, Any]], bool] | None = None) -> tuple[Any, str]:
    """Follow local `$ref`s from `node` (found at `pointer`): the target and its pointer.

    Stops at a node that is not a local reference, at a dangling one, after `depth` hops
    (cycles), or at a reference for which `when` (if given) is false.
    """
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth > 0:
        ref = node["$ref"]
        if not ref.startswith("#") or (when is not None and not when(node)):
            break
        try:
            node = resolve_pointer(document, ref[1:])
        except KeyError:
            break
        pointer = ref[1:]
        depth -= 1
    return node, pointer


@dataclass
class Spec:
    """A spec read safely: the bundled document and a map back to its source files."""

    path: Path
    root_dir: Path
    document: dict[str, Any]
    files: dict[Path, ParsedDocument]
    origins: dict[str, tuple[Path, str]] = field(default_factory=dict)
    # References that resolve to nothing, when read with `strict_refs=False` (for lint).
    problems: list[SpecLoadError] = field(default_factory=list)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS, *,
                  strict_refs: bool = True) -> Spec:
        """Read and bundle a spec. A `$ref` that resolves to nothing is a `SpecLoadError` at
        its file:line:col; with `strict_refs=False` every such reference is collected in
        `problems` instead (left in place, unresolved), so a linter can report them with its
        other findings."""
        return _SpecReader(Path(path), limits, strict_refs=strict_refs).read()

    @property
    def version(self) -> str:
        return str(self.document.get("openapi") or self.document.get("swagger") or "")

    @property
    def is_v31(self) -> bool:
        return self.version.startswith("3.1")

    @property
    def root(self) -> ParsedDocument:
        return self.files[self.path]

    def display_path(self, path: Path) -> str:
        """A file's path as the user should see it: relative to the working directory if inside."""
        try:
            return os.path.relpath(path)
        except ValueError:
            return str(path)

    def origin(self, pointer: str) -> tuple[Path, str]:
        """The file and in-file pointer that a bundled pointer came from."""
        tokens = pointer.split("/") if pointer else [""]
        for cut in range(len(tokens), 0, -1):
            prefix = "/".join(tokens[:cut])
            if prefix in self.origins:
                file, base = self.origins[prefix]
                rest = "/".join(tokens[cut:])
                return file, f"{base}/{rest}" if rest else base
        return self.path, pointer

    def locate(self, pointer: str, *, key: bool = False) -> Location:
        """Where the node at a bundled pointer is written: file, line, column (nearest ancestor)."""
        file, file_pointer = self.origin(pointer)
        parsed = self.files[file]
        _, (line, column) = parsed.position(file_pointer, key=key)
        return Location(self.display_path(file), line, column, pointer)

    def deref(self, node: Any, pointer: str = "", *, depth: int = 64,
              when: Callable[[dict[str, Any]], bool] | None = None) -> tuple[Any, str]:
        """Follow local `$ref`s within this spec's document (see the module function `deref`)."""
        return deref(self.document, node, pointer, depth=depth, when=when)

    def resolve(self, node: Any, *, depth: int = 64) -> Any:
        """Follow local `$ref`s until a node that is not a reference (see `deref`)."""
        return self.deref(node, depth=depth)[0]

    def operations(self, *, webhooks: bool = False,
                   callbacks: bool = False) -> list[OperationRef]:
        """Every operation under `paths`; with the flags, 3.1 webhooks and callbacks as well."""
        return walk_operations(self.document, self.deref, webhooks=webhooks, callbacks=callbacks)


def load_spec(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> Spec:
    """Read a spec for any command: see `Spec.from_path`."""
    return Spec.from_path(path, limits)


class _SpecReader:
    def __init__(self, path: Path, limits: Limits, *, strict_refs: bool = True):
        self.limits = limits
        self.strict_refs = strict_refs
        self.problems: list[SpecLoadError] = []
        self.given = path
        self.files: dict[Path, ParsedDocument] = {}
        self.origins: dict[str, tuple[Path, str]] = {}
        self.placed: dict[tuple[Path, str], str] = {}
        self.components: dict[tuple[Path, str], str] = {}

    def read(self) -> Spec:
        path = self.given
        if not path.exists():
            raise SpecLoadError("no such file", Location(str(path)))
        if not path.is_file():
            raise SpecLoadError("not a file", Location(str(path)))
        root_file = path.resolve()
        self.root_dir = root_file.parent
        self.root_file = root_file
        root = self.parse(root_file, Location(str(path)))
        self.check_root(root)
        self.origins[""] = (root_file, "")
        self.register_components(root)
        bundled = self.bundle(root_file, "", root.data, "")
        spec = Spec(path=root_file, root_dir=self.root_dir, document=bundled, files=self.files,
                    origins=self.origins)
        self.check_local_refs(spec)
        self.problems.sort(key=lambda p: (p.location.file, p.location.line, p.location.column)
                           if p.location else ("", 0, 0))
        spec.problems = self.problems
        if self.problems and self.strict_refs:
            first = self.problems[0]
            more = len(self.problems) - 1
            if more:
                first.message += f" (and {more} more unresolved $ref{'s' if more > 1 else ''}:" \
                    " `specfirst lint` lists them all)"
            raise first
        return spec

    def dangling(self, ref: str, where: Location, document: Any) -> SpecLoadError:
        hint = None
        prefix, _, fragment = ref.partition("#")
        head, _, name = fragment.rpartition("/")
        try:
            siblings = resolve_pointer(document, unquote(head))
        except KeyError:
            siblings = None
        if isinstance(siblings, dict):
            close = difflib.get_close_matches(unescape_pointer(name), [str(k) for k in siblings],
                                              n=1)
            if close:
                hint = f"did you mean '{prefix}#{head}/{escape_pointer(close[0])}'?"
        return SpecLoadError(f"$ref {ref!r} points at nothing", where, hint=hint)

    def check_local_refs(self, spec: Spec) -> None:
        """Every local reference of the bundled document must resolve."""
        for pointer, ref in iter_refs(spec.document):
            if not isinstance(ref, str) or not ref.startswith("#"):
                continue
            try:
                resolve_pointer(spec.document, unquote(ref[1:]))
            except KeyError:
                where = spec.locate(pointer + "/$ref", key=False)
                self.problems.append(self.dangling(ref, where, spec.document))

    def display(self, file: Path) -> str:
        try:
            return os.path.relpath(file)
        except ValueError:
            return str(file)

    def parse(self, file: Path, referrer: Location) -> ParsedDocument:
        if file in self.files:
            return self.files[file]
        if len(self.files) >= self.limits.max_files:
            raise SpecLoadError(f"the spec spans more than {self.limits.max_files} files", referrer)
        try:
            size = file.stat().st_size
            if size > self.limits.max_bytes:
                raise SpecLoadError(
                    f"the file is {size:,} bytes, over the {self.limits.max_bytes:,}-byte limit",
                    Location(self.display(file)),
                    hint="raise max-spec-size in [tool.specfirst] if this spec is genuine",
                )
            raw = file.read_bytes()
        except OSError as exc:
            raise SpecLoadError(f"cannot read {self.display(file)}: {exc.strerror}",
                                referrer) from None
        log.debug("read %s (%d bytes)", file, len(raw))
        parsed = parse_document(self.display(file), raw, self.limits)
        self.files[file] = parsed
        return parsed

    def check_root(self, root: ParsedDocument) -> None:
        data = root.data
        where = Location(root.path, 1, 1, "")
        if not isinstance(data, dict):
            raise SpecLoadError("the document is not a mapping; an OpenAPI document is an object",
                                where)
        if "swagger" in data:
            _, (line, column) = root.position("/swagger")
            raise SpecLoadError(
                f"this is a Swagger {data['swagger']} document; "
                "specfirst reads OpenAPI 3.0 and 3.1",
                Location(root.path, line, column, "/swagger"),
                hint="convert it first, e.g. `npx swagger2openapi spec.yaml -o openapi.yaml`",
            )
        version = data.get("openapi")
        if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
            pointer = "/openapi" if "openapi" in data else ""
            _, (line, column) = root.position(pointer)
            raise SpecLoadError(
                f"unsupported or missing 'openapi' version: {version!r}",
                Location(root.path, line, column, pointer),
                hint="start the document with `openapi: 3.0.3` or `openapi: 3.1.0`",
            )

    def ref_location(self, file: Path, pointer: str) -> Location:
        parsed = self.files[file]
        _, (line, column) = parsed.position(pointer + "/$ref")
        return Location(parsed.path, line, column, pointer + "/$ref")

    def target(self, ref: Any, file: Path, pointer: str) -> tuple[Path, str]:
        """Where a `$ref` points, checked: a file inside the root folder and a pointer in it."""
        if isinstance(ref, str) and ref.startswith("#"):
            return file, unquote(ref[1:])  # (located only if it points at nothing)
        where = self.ref_location(file, pointer)
        if not isinstance(ref, str):
            raise SpecLoadError("$ref must be a string", where)
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or ref.startswith(("//", "\\\\")):
            raise SpecLoadError(
                f"$ref {ref!r} points outside the spec: only local references are followed",
                where,
                hint="copy the referenced document into the spec's folder and refer to it "
                "by a relative path",
            )
        relative = unquote(parts.path)
        if os.path.isabs(relative) or relative.startswith(("/", "\\")):
            raise SpecLoadError(
                f"$ref {ref!r} is an absolute path: only paths relative to the file are followed",
                where, hint="use a path relative to the referring file",
            )
        candidate = (file.parent / relative).resolve()
        if not candidate.is_relative_to(self.root_dir):
            raise SpecLoadError(
                f"$ref {ref!r} leaves the spec's folder {self.display(self.root_dir)}",
                where, hint="keep every referenced file inside the root document's folder",
            )
        if not candidate.is_file():
            raise SpecLoadError(f"$ref {ref!r}: no such file", where)
        fragment = unquote(parts.fragment)
        if fragment and not fragment.startswith("/"):
            raise SpecLoadError(f"$ref {ref!r}: the fragment must be a JSON pointer", where)
        self.parse(candidate, where)
        return candidate, fragment

    def node_at(self, file: Path, pointer: str, referrer: tuple[Path, str], ref: str) -> Any:
        """The node a reference into another file points at; _MISSING (recorded) when absent."""
        try:
            return resolve_pointer(self.files[file].data, pointer)
        except KeyError:
            problem = self.dangling(ref, self.ref_location(*referrer), self.files[file].data)
            if self.strict_refs:
                raise problem from None
            self.problems.append(problem)
            return _MISSING

    def register_components(self, root: ParsedDocument) -> None:
        """Files referenced from the root's `components/<kind>/<name>` keep that name."""
        components = root.data.get("components")
        if not isinstance(components, dict):
            return
        for kind, entries in components.items():
            if not isinstance(entries, dict):
                continue
            for name, entry in entries.items():
                if isinstance(entry, dict) and isinstance(entry.get("$ref"), str) \
                        and not entry["$ref"].startswith("#"):
                    pointer = f"/components/{escape_pointer(kind)}/{escape_pointer(name)}"
                    key = self.target(entry["$ref"], self.root_file, pointer)
                    self.components.setdefault(key, "#" + pointer)

    def bundle(self, file: Path, pointer: str, node: Any, out: str, names: bool = False) -> Any:
        """Copy `node` with every reference made local to the bundled document.

        `names` is true for a mapping whose keys are names (`properties`), where "$ref" is the
        name of a property rather than a reference.
        """
        if isinstance(node, list):
            return [self.bundle(file, f"{pointer}/{i}", item, f"{out}/{i}")
                    for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and not names:
            return self.bundle_ref(file, pointer, node, out)
        result: dict[str, Any] = {}
        for key, value in node.items():
            token = escape_pointer(key)
            if not names and _is_data(key, value, pointer):
                result[key] = copy.deepcopy(value)
            else:
                result[key] = self.bundle(file, f"{pointer}/{token}", value, f"{out}/{token}",
                                          names=not names and key in _NAME_KEYS)
        return result

    def bundle_ref(self, file: Path, pointer: str, node: dict[str, Any], out: str) -> Any:
        ref = node["$ref"]
        key = self.target(ref, file, pointer)
        siblings = {k: self.bundle(file, f"{pointer}/{escape_pointer(k)}", v,
                                   f"{out}/{escape_pointer(k)}")
                    for k, v in node.items() if k != "$ref"}
        if key[0] == self.root_file:
            return {"$ref": "#" + key[1], **siblings}
        named = self.components.get(key)
        if named is not None and named != "#" + out:
            return {"$ref": named, **siblings}
        if key in self.placed:
            return {"$ref": "#" + self.placed[key], **siblings}
        target = self.node_at(key[0], key[1], (file, pointer), ref)
        if target is _MISSING:
            return {"$ref": ref, **siblings}
        self.placed[key] = out
        self.origins[out] = key
        inlined = self.bundle(key[0], key[1], target, out)
        if siblings and isinstance(inlined, dict):
            return {**inlined, **siblings}
        return inlined
