"""The handler convention: which module, function and parameters every operation gets.

An operation goes to module `module_name(first tag)` and function
`function_name(operationId, method, path)` (made unique inside its module, in document order).
Its parameters are what Connexion 3 passes with `pythonic_params=True`: every path parameter of
the route, the query parameters, then the request body (`body`, or its `x-body-name`), each
renamed by Connexion's `pythonic()`; `user` and `token_info` are added, keyword-only, where
security applies. Header and cookie parameters are not passed.
"""

from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass
from typing import Any

from specfirst.generator.loader import HTTP_METHODS, Spec, escape_pointer
from specfirst.generator.naming import function_name, module_name, unique_name

__all__ = [
    "CONTEXT_PARAMETERS",
    "HTTP_METHODS",
    "HandlerPlan",
    "OperationView",
    "ParameterView",
    "plan_handlers",
    "pythonic",
]

# Passed by Connexion when the handler asks for them; never part of the drift comparison.
CONTEXT_PARAMETERS = frozenset({"user", "token_info", "context_"})

_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z\d])([A-Z])")
_TEMPLATE = re.compile(r"{([^{}]+)}")


def _underscore(word: str) -> str:
    """`inflection.underscore`, which Connexion uses (reproduced to keep `generator` standalone)."""
    word = _CAMEL_1.sub(r"\1_\2", word)
    word = _CAMEL_2.sub(r"\1_\2", word)
    return word.replace("-", "_").lower()


def _sanitized(name: str) -> str:
    return name and re.sub(
        "^[^a-zA-Z_]+", "", re.sub("[^0-9a-zA-Z_]", "", re.sub(r"\[(?!])", "_", name))
    )


def pythonic(name: str) -> str:
    """The argument name Connexion's `pythonic_params=True` gives a parameter (`id` → `id_`)."""
    if name:
        snake = _underscore(name)
        name = f"{snake}_" if snake in builtins.__dict__ or keyword.iskeyword(snake) else snake
    return _sanitized(name)


@dataclass(frozen=True)
class ParameterView:
    """One handler argument: its Python name, where it comes from, its schema, and whether
    Connexion always passes it (required) or the handler needs a default."""

    name: str
    source: str  # "path", "query" or "body"
    spec_name: str
    required: bool
    schema: Any
    description: str = ""


@dataclass(frozen=True)
class OperationView:
    """One operation as the handler convention sees it."""

    method: str
    path: str
    pointer: str
    operation_id: str | None
    module: str
    function: str
    summary: str
    description: str
    parameters: tuple[ParameterView, ...]
    secured: bool
    needs_kwargs: bool  # some argument Connexion passes cannot be a Python parameter name

    @property
    def key(self) -> str:
        """`GET /pets/{id}`: how people and the wiring table name the operation."""
        return f"{self.method.upper()} {self.path}"

    @property
    def handler(self) -> str:
        return f"{self.module}.{self.function}"

    @property
    def parameter_names(self) -> frozenset[str]:
        """The set of argument names the drift check compares (without user/token_info)."""
        return frozenset(p.name for p in self.parameters)


@dataclass(frozen=True)
class HandlerPlan:
    """Every operation of a spec, grouped by handler module, in document order."""

    title: str
    operations: tuple[OperationView, ...]

    @property
    def modules(self) -> dict[str, list[OperationView]]:
        grouped: dict[str, list[OperationView]] = {}
        for op in self.operations:
            grouped.setdefault(op.module, []).append(op)
        return grouped

    def find(self, module: str, function: str) -> OperationView | None:
        for op in self.operations:
            if op.module == module and op.function == function:
                return op
        return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _merged_parameters(spec: Spec, path_item: dict[str, Any],
                       operation: dict[str, Any]) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in list(path_item.get("parameters") or []) + list(operation.get("parameters") or []):
        param = spec.resolve(raw)
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            merged[(param["name"], str(param.get("in")))] = param
    return list(merged.values())


def _is_secured(spec: Spec, operation: dict[str, Any]) -> bool:
    security = operation.get("security", spec.document.get("security"))
    if not isinstance(security, list):
        return False
    return any(isinstance(req, dict) and req for req in security)


def _body_parameter(spec: Spec, operation: dict[str, Any]) -> ParameterView | None:
    body = spec.resolve(operation.get("requestBody"))
    if not isinstance(body, dict):
        return None
    raw_name = body.get("x-body-name", "body")
    name = pythonic(raw_name if isinstance(raw_name, str) else "body")
    content = body.get("content")
    if not isinstance(content, dict):
        content = {}
    schema: Any = {}
    for media_type, media in content.items():
        if isinstance(media, dict) and "schema" in media:
            schema = media["schema"]
            if "json" in media_type:
                break
    return ParameterView(name=name, source="body", spec_name=str(raw_name),
                         required=body.get("required") is True, schema=schema,
                         description=_text(body.get("description")))


def _operation_parameters(spec: Spec, path: str, path_item: dict[str, Any],
                          operation: dict[str, Any],
                          method: str) -> tuple[list[ParameterView], bool]:
    declared = _merged_parameters(spec, path_item, operation)
    by_path_name = {p["name"]: p for p in declared if p.get("in") == "path"}
    params: list[ParameterView] = []
    seen: set[str] = set()
    needs_kwargs = False

    def add(view: ParameterView) -> None:
        nonlocal needs_kwargs
        if not view.name.isidentifier() or keyword.iskeyword(view.name):
            needs_kwargs = True
            return
        if view.name in seen or view.name in CONTEXT_PARAMETERS:
            return
        seen.add(view.name)
        params.append(view)

    # Connexion passes every variable of the route, declared or not.
    for template_name in _TEMPLATE.findall(path):
        param = by_path_name.get(template_name, {})
        add(ParameterView(pythonic(template_name), "path", template_name, True,
                          param.get("schema", {}), _text(param.get("description"))))
    for param in declared:
        if param.get("in") == "query":
            add(ParameterView(pythonic(param["name"]), "query", param["name"],
                              param.get("required") is True, param.get("schema", {}),
                              _text(param.get("description"))))
    if method != "trace":
        body = _body_parameter(spec, operation)
        if body is not None:
            add(body)
    return params, needs_kwargs


def plan_handlers(spec: Spec) -> HandlerPlan:
    """Apply the handler convention to every operation of `spec`, in document order."""
    paths = spec.document.get("paths")
    operations: list[OperationView] = []
    taken: dict[str, set[str]] = {}
    for path, raw_item in (paths.items() if isinstance(paths, dict) else ()):
        path_item = spec.resolve(raw_item)
        if not isinstance(path_item, dict):
            continue
        for method, operation in path_item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            tags = operation.get("tags")
            first_tag = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) \
                else None
            module = module_name(first_tag)
            op_id = operation.get("operationId")
            op_id = op_id if isinstance(op_id, str) and op_id else None
            function = unique_name(function_name(op_id, method, path),
                                   taken.setdefault(module, set()))
            params, needs_kwargs = _operation_parameters(spec, path, path_item, operation, method)
            operations.append(OperationView(
                method=method, path=path,
                pointer=f"/paths/{escape_pointer(path)}/{method}",
                operation_id=op_id, module=module, function=function,
                summary=_text(operation.get("summary")),
                description=_text(operation.get("description")),
                parameters=tuple(params), secured=_is_secured(spec, operation),
                needs_kwargs=needs_kwargs,
            ))
    info = spec.document.get("info")
    title = _text(info.get("title")) if isinstance(info, dict) else ""
    return HandlerPlan(title=title or spec.path.name, operations=tuple(operations))
