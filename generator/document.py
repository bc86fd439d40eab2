"""One spec file read safely into plain data, with the position of every node (the source map).

YAML and JSON are both read through libyaml's event stream, and the data is built here from the
events, so that nothing unsafe can happen on the way:

- only the core schema's tags are accepted (a `!!python/...` tag is refused, nothing runs);
- aliases are never expanded while reading: they share the anchored object, and the size the
  document would have once walked is budgeted, so an alias bomb is refused in microseconds;
- nesting depth is checked as the events arrive, before any recursive code sees the data;
- mapping keys are kept as the text that was written (`200:` is the string "200").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from specfirst.generator.errors import Location, SpecLoadError
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

__all__ = ["Limits", "ParsedDocument", "SourceMap", "escape_pointer", "parse_document"]

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _CORE + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
}
_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)


@dataclass(frozen=True)
class Limits:
    """Caps applied to every spec file before and while it is read."""

    max_bytes: int = 50 * 1024 * 1024
    max_depth: int = 256
    max_nodes: int = 20_000_000
    max_files: int = 2_000


@dataclass
class SourceMap:
    """Where each node of a file is: `positions` maps a JSON pointer to `(line, column)` of the
    value, `keys` to the position of the mapping key that introduced it (both 1-based)."""

    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)
    duplicate_keys: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass
class ParsedDocument:
    """A file's data and where each node of it is (`positions`, `keys`, `duplicate_keys`: see
    `SourceMap`).

    A JSON file's data is read by the `json` module, and its source map only when first asked
    for (most commands never locate a node; serving a 3 MB spec reads it in a third of the
    time); a YAML file's source map is built with its data.
    """

    path: str
    data: Any
    text: str
    is_json: bool = False
    source_map: SourceMap | None = field(default=None, repr=False, compare=False)
    limits: Limits = field(default_factory=Limits, repr=False, compare=False)

    def _map(self) -> SourceMap:
        if self.source_map is None:
            try:
                self.source_map = _read_events(self.path, self.text, self.limits,
                                               self.is_json).source_map
            except SpecLoadError:  # JSON the YAML reader cannot place: every node at 1:1
                self.source_map = None
            self.source_map = self.source_map or SourceMap()
        return self.source_map

    @property
    def positions(self) -> dict[str, tuple[int, int]]:
        return self._map().positions

    @property
    def keys(self) -> dict[str, tuple[int, int]]:
        return self._map().keys

    @property
    def duplicate_keys(self) -> list[tuple[str, int, int]]:
        return self._map().duplicate_keys

    def position(self, pointer: str, *, key: bool = False) -> tuple[str, tuple[int, int]]:
        """The nearest known position for `pointer`: itself, else its closest ancestor."""
        current = pointer
        while True:
            table = self.keys if key and current in self.keys else self.positions
            if current in table:
                return current, table[current]
            if not current:
                return "", (1, 1)
            current = current.rsplit("/", 1)[0]

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""


def escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class _Frame:
    __slots__ = ("container", "pointer", "key", "key_mark", "anchor", "size", "merges")

    def __init__(self, container: Any, pointer: str, anchor: str | None):
        self.container = container
        self.pointer = pointer
        self.key: str | None = None
        self.key_mark: tuple[int, int] | None = None
        self.anchor = anchor
        self.size = 1
        self.merges: list[Any] = []


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecLoadError(
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            Location(path, line, column),
            hint="save the file as UTF-8",
        ) from None


class _Builder:
    def __init__(self, path: str, text: str, limits: Limits, loader: Any):
        self.map = SourceMap()
        self.doc = ParsedDocument(path=path, data=None, text=text, source_map=self.map,
                                  limits=limits)
        self.limits = limits
        self.loader = loader
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total = 0
        self.root: Any = None
        self.done = False

    def fail(self, message: str, mark: Any, hint: str | None = None) -> SpecLoadError:
        line, column = _mark(mark)
        return SpecLoadError(message, Location(self.doc.path, line, column), hint=hint)

    def count(self, size: int, mark: Any) -> None:
        self.total += size
        if self.total > self.limits.max_nodes:
            raise self.fail(
                f"the document would expand to more than {self.limits.max_nodes:,} nodes "
                "(an alias bomb, or a spec far larger than any real one)",
                mark,
                hint="remove the YAML anchors and aliases that repeat large parts of the document",
            )

    def check_tag(self, tag: str | None, mark: Any) -> None:
        if tag is None or tag in ("!", "?") or tag in _ALLOWED_TAGS:
            return
        shown = tag.replace(_CORE, "!!")
        raise self.fail(
            f"YAML tag {shown!r} is not allowed in a spec",
            mark,
            hint="OpenAPI documents are plain data: remove the tag",
        )

    def place(self, value: Any, pointer_hint: Any, mark: Any, size: int) -> None:
        """Attach a finished value to the current container (or make it the root)."""
        if not self.stack:
            self.root = value
            self.done = True
            return
        frame = self.stack[-1]
        frame.size += size
        if isinstance(frame.container, list):
            frame.container.append(value)
            return
        key = frame.key
        assert key is not None
        if key == "<<" and isinstance(pointer_hint, str) and pointer_hint == "merge":
            frame.merges.append(value)
        else:
            if key in frame.container:
                line, column = frame.key_mark or (0, 0)
                self.map.duplicate_keys.append((_child(frame.pointer, key), line, column))
            frame.container[key] = value
        frame.key = None

    def child_pointer(self) -> str:
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return _child(frame.pointer, str(len(frame.container)))
        assert frame.key is not None
        return _child(frame.pointer, frame.key)

    def record(self, pointer: str, mark: Any) -> None:
        self.map.positions[pointer] = _mark(mark)
        if self.stack and isinstance(self.stack[-1].container, dict) and self.stack[-1].key_mark:
            self.map.keys[pointer] = self.stack[-1].key_mark

    def scalar(self, event: Any) -> None:
        self.check_tag(event.tag, event.start_mark)
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.key is None:
            frame.key = event.value
            frame.key_mark = _mark(event.start_mark)
            if event.anchor:
                self.anchors[event.anchor] = (event.value, 1)
            return
        pointer = self.child_pointer() if self.stack else ""
        self.record(pointer, event.start_mark)
        value = self.construct(event)
        self.count(1, event.start_mark)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self.place(value, None, event.start_mark, 1)

    def construct(self, event: Any) -> Any:
        tag = event.tag
        if tag in (None, "!"):
            tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
        if tag == _CORE + "str" or tag == _CORE + "timestamp":
            return event.value
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            if tag == _CORE + "null":
                return None
            if tag == _CORE + "bool":
                return SafeConstructor.construct_yaml_bool(self.loader, node)
            if tag == _CORE + "int":
                return SafeConstructor.construct_yaml_int(self.loader, node)
            if tag == _CORE + "float":
                return SafeConstructor.construct_yaml_float(self.loader, node)
        except (ValueError, yaml.YAMLError):
            raise self.fail(f"{event.value!r} is not a valid {tag.replace(_CORE, '')}",
                            event.start_mark) from None
        return event.value

    def start(self, event: Any, container: Any) -> None:
        self.check_tag(event.tag, event.start_mark)
        if len(self.stack) >= self.limits.max_depth:
            raise self.fail(
                f"the document is nested more than {self.limits.max_depth} levels deep",
                event.start_mark,
                hint="flatten the structure, or raise max-depth in [tool.specfirst]",
            )
        frame_parent = self.stack[-1] if self.stack else None
        if frame_parent is not None and isinstance(frame_parent.container, dict) \
                and frame_parent.key is None:
            raise self.fail("a mapping or sequence cannot be used as a mapping key",
                            event.start_mark)
        pointer = self.child_pointer() if self.stack else ""
        self.record(pointer, event.start_mark)
        self.count(1, event.start_mark)
        self.stack.append(_Frame(container, pointer, event.anchor))

    def end(self, event: Any) -> None:
        frame = self.stack.pop()
        container = frame.container
        if frame.merges:
            for merged in reversed(frame.merges):
                sources = merged if isinstance(merged, list) else [merged]
                for source in sources:
                    if not isinstance(source, dict):
                        raise self.fail("a '<<' merge key needs a mapping", event.start_mark)
                    for key, value in source.items():
                        container.setdefault(key, value)
        if frame.anchor:
            self.anchors[frame.anchor] = (container, frame.size)
        self.place(container, None, event.start_mark, frame.size)

    def alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            raise self.fail(f"alias *{event.anchor} refers to an unknown anchor",
                            event.start_mark)
        value, size = self.anchors[event.anchor]
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.key is None:
            if not isinstance(value, str):
                raise self.fail("an alias used as a mapping key must name a scalar",
                                event.start_mark)
            frame.key = value
            frame.key_mark = _mark(event.start_mark)
            return
        if self.stack:
            pointer = self.child_pointer()
            self.record(pointer, event.start_mark)
        self.count(size, event.start_mark)
        merge = "merge" if frame is not None and frame.key == "<<" else None
        self.place(value, merge, event.start_mark, size)


def _child(pointer: str, token: str) -> str:
    return f"{pointer}/{escape_pointer(token)}"


def _explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str | None]:
    problem = exc.problem or str(exc)
    hint = None
    if "'\\t'" in problem or "\\t" in problem:
        problem = "a tab character is used where YAML allows only spaces"
        hint = "indent with spaces; tabs are not allowed for indentation in YAML"
    elif "expected <document start>" in problem or "found unexpected ':'" in problem:
        hint = "check the indentation of this line and the one before it"
    elif "could not find expected ':'" in problem:
        hint = "a key is missing its ':' or a string needs quotes"
    elif "mapping values are not allowed here" in problem:
        hint = "quote the value if it contains ': '"
    return problem, hint


_SURROGATE_PAIR = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
)


def _json_for_yaml(text: str) -> str:
    """JSON text the YAML parser reads the same way: tabs as spaces (JSON has no raw tabs in
    strings), UTF-16 surrogate-pair escapes as one `\\U` escape (YAML has no surrogates)."""
    text = text.replace("\t", " ")
    if "\\u" not in text:
        return text

    def join(match: re.Match[str]) -> str:
        high, low = int(match.group(2), 16), int(match.group(3), 16)
        return match.group(1) + f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"

    return _SURROGATE_PAIR.sub(join, text)


class _NotPlainJson(Exception):
    """The JSON text uses a constant JSON does not define (`NaN`, `Infinity`)."""


def _refuse_constant(name: str) -> Any:
    raise _NotPlainJson(name)


def _check_json(path: str, text: str) -> Any:
    """JSON's data as the `json` module reads it (its syntax strict); `_NOT_READ` when the text
    uses `NaN` or `Infinity`, which the YAML reader reads as text."""
    try:
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except _NotPlainJson:
            json.loads(text)
            return _NOT_READ
    except json.JSONDecodeError as exc:
        raise SpecLoadError(f"invalid JSON: {exc.msg}", Location(path, exc.lineno, exc.colno),
                            hint="check for a missing value, comma or quote here") from None
    except RecursionError:
        raise SpecLoadError("the document is nested too deeply", Location(path, 1, 1)) from None


_NOT_READ: Any = object()


def _within_limits(data: Any, limits: Limits) -> bool:
    """Whether JSON data is no deeper than `limits.max_depth` containers and holds at most
    `limits.max_nodes` nodes (checked without recursion)."""
    nodes = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if isinstance(node, dict):
            if depth >= limits.max_depth:
                return False
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            if depth >= limits.max_depth:
                return False
            stack.extend((value, depth + 1) for value in node)
    return nodes <= limits.max_nodes


def parse_document(path: str, raw: bytes, limits: Limits = Limits()) -> ParsedDocument:
    """Parse one file's bytes into a `ParsedDocument`, refusing anything unsafe."""
    if len(raw) > limits.max_bytes:
        raise SpecLoadError(
            f"the file is {len(raw):,} bytes, over the {limits.max_bytes:,}-byte limit",
            Location(path),
            hint="raise max-spec-size in [tool.specfirst] if this spec is genuine",
        )
    text = _decode(raw, path)
    stripped = text.lstrip()
    is_json = path.endswith(".json") or stripped.startswith(("{", "["))
    if is_json:
        data = _check_json(path, text)
        if data is not _NOT_READ and _within_limits(data, limits):
            # plain JSON holds no tags or aliases; its source map is read when first asked for
            return ParsedDocument(path=path, data=data, text=text, is_json=True, limits=limits)
    else:
        match = _TAB_INDENT.search(text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            column = match.end() - match.start()
            raise SpecLoadError(
                "a tab character is used for indentation",
                Location(path, line, column),
                hint="YAML allows only spaces for indentation: replace the tabs with spaces",
            )
    return _read_events(path, text, limits, is_json)


def _read_events(path: str, text: str, limits: Limits, is_json: bool) -> ParsedDocument:
    """The data and source map of a file, built from libyaml's event stream."""
    source = _json_for_yaml(text) if is_json else text
    loader = _Loader(source)
    builder = _Builder(path, text, limits, loader)
    builder.doc.is_json = is_json
    documents = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                builder.scalar(event)
            elif kind is yaml.MappingStartEvent:
                builder.start(event, {})
            elif kind is yaml.SequenceStartEvent:
                builder.start(event, [])
            elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                builder.end(event)
            elif kind is yaml.AliasEvent:
                builder.alias(event)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise builder.fail(
                        "the file holds more than one YAML document", event.start_mark,
                        hint="a spec is one document: remove the extra '---'",
                    )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message, hint = _explain(exc, text)
        line, column = _mark(mark) if mark else (0, 0)
        kind_name = "JSON" if is_json else "YAML"
        raise SpecLoadError(f"invalid {kind_name}: {message}", Location(path, line, column),
                            hint=hint) from None
    except yaml.YAMLError as exc:
        raise SpecLoadError(f"invalid YAML: {exc}", Location(path)) from None
    finally:
        loader.dispose()
    builder.doc.data = builder.root
    return builder.doc
