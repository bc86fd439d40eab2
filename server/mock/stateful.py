"""The responder the mock app uses: plain answers, plus the store when `--stateful` is on."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from specfirst.generator.loader import deref, resolve_pointer
from specfirst.server.mock.catalog import MockOperation, is_json
from specfirst.server.mock.responder import MockAnswer, Preferences, Responder, problem
from specfirst.server.mock.store import CollectionRoute, ResourceStore, collection_routes, id_field

__all__ = ["StatefulResponder"]

log = logging.getLogger(__name__)


class StatefulResponder(Responder):
    def __init__(self, document: dict[str, Any], validator: Any, *, is_v31: bool,
                 seed: int | None, operations: list[MockOperation], base_path: str,
                 enabled: bool):
        super().__init__(document, validator, is_v31=is_v31, seed=seed)
        self.base_path = base_path
        self.store = ResourceStore()
        self.routes = collection_routes([(op.method, op.path) for op in operations]) \
            if enabled else {}

    def trial(self, op: MockOperation) -> str | None:
        """Answer once (as at start-up); the reason the operation cannot be mocked, if any.
        The answer is drawn for a copy of the operation, so the answers to requests (which
        may come meanwhile) go on as `--seed` says."""
        answer = self.answer(dataclasses.replace(op), Preferences(), None)
        if answer.problem and answer.status >= 500:
            return str(answer.body.get("detail", "")) if isinstance(answer.body, dict) else ""
        return None

    def respond(self, op: MockOperation, prefs: Preferences, accept: str | None,
                url_path: str, body: Any) -> MockAnswer:
        route = self.routes.get((op.method, op.path))
        if route is None or prefs.code is not None or prefs.example is not None:
            return self.answer(op, prefs, accept)
        path = url_path[len(self.base_path):] if url_path.startswith(self.base_path) \
            else url_path
        if route.role in ("create", "list"):
            collection, key = path.rstrip("/") or "/", None
        else:
            collection, _, key = path.rstrip("/").rpartition("/")
        handler = getattr(self, f"on_{route.role}")
        answer: MockAnswer = handler(op, route, prefs, accept, collection, key, body)
        return answer

    def _valid(self, op: MockOperation, answer: MockAnswer, value: Any) -> bool:
        response = op.response_for(answer.status)
        media = next((m for m in (response.media if response else ())
                      if m.media_type == answer.media_type), None)
        if media is None or media.schema_pointer is None or not is_json(media.media_type):
            return media is not None
        reason = self.validator.error(media.schema_pointer, value)
        if reason:
            log.debug("stateful %s: stored value does not fit the response: %s", op.key, reason)
        return reason is None

    def _with_body(self, op: MockOperation, prefs: Preferences, accept: str | None,
                   value: Any) -> MockAnswer:
        answer = self.answer(op, prefs, accept)
        if answer.problem or answer.body is None:
            return answer
        if self._valid(op, answer, value):
            return MockAnswer(answer.status, answer.media_type, value, answer.headers)
        return answer

    def _missing(self, op: MockOperation, key: str | None) -> MockAnswer:
        documented = op.responses.get("404") or op.responses.get("4XX")
        if documented is not None:
            answer = self.build(op, documented, 404, Preferences(), None)
            if not (answer.problem and answer.status >= 500):
                return answer
        return problem(404, "Not Found", f"No resource {key} is stored here.")

    def on_create(self, op: MockOperation, route: CollectionRoute, prefs: Preferences,
                  accept: str | None, collection: str, key: str | None,
                  body: Any) -> MockAnswer:
        # generated, not the spec's example: every created resource gets its own id
        answer = self.answer(op, Preferences(dynamic=True), accept)
        if answer.problem or not isinstance(answer.body, dict):
            return answer
        resource = dict(answer.body)
        if isinstance(body, dict):
            candidate = {**resource, **{k: v for k, v in body.items() if k in resource
                                        or self._declares(op, answer, k)}}
            if self._valid(op, answer, candidate):
                resource = candidate
        field = id_field(resource, route.param)
        if field is None:
            return answer
        self.store.add(collection, str(resource[field]), resource)
        headers = dict(answer.headers)
        if "Location" in headers or answer.status == 201:
            headers["Location"] = f"{self.base_path}{collection}/{resource[field]}"
        return MockAnswer(answer.status, answer.media_type, resource, headers)

    def _declares(self, op: MockOperation, answer: MockAnswer, name: str) -> bool:
        response = op.response_for(answer.status)
        for media in (response.media if response else ()):
            if media.schema_pointer and media.media_type == answer.media_type:
                schema = resolve_pointer(self.document, media.schema_pointer)
                schema = self._deref(schema)
                props = schema.get("properties") if isinstance(schema, dict) else None
                return isinstance(props, dict) and name in props
        return False

    def _deref(self, schema: Any) -> Any:
        return deref(self.document, schema)[0]

    def on_list(self, op: MockOperation, route: CollectionRoute, prefs: Preferences,
                accept: str | None, collection: str, key: str | None, body: Any) -> MockAnswer:
        answer = self.answer(op, prefs, accept)
        if answer.problem or not self.store.knows(collection):
            return answer
        items = self.store.all(collection)
        if isinstance(answer.body, list):
            return self._with_body(op, prefs, accept, items) if self._valid(
                op, answer, items) else answer
        if isinstance(answer.body, dict):
            arrays = [k for k, v in answer.body.items() if isinstance(v, list)]
            if len(arrays) == 1:
                envelope = {**answer.body, arrays[0]: items}
                if self._valid(op, answer, envelope):
                    return MockAnswer(answer.status, answer.media_type, envelope,
                                      answer.headers)
        return answer

    def on_read(self, op: MockOperation, route: CollectionRoute, prefs: Preferences,
                accept: str | None, collection: str, key: str | None, body: Any) -> MockAnswer:
        if not self.store.knows(collection):
            return self.answer(op, prefs, accept)
        found = self.store.get(collection, key or "")
        if found is None:
            return self._missing(op, key)
        return self._with_body(op, prefs, accept, found)

    def on_update(self, op: MockOperation, route: CollectionRoute, prefs: Preferences,
                  accept: str | None, collection: str, key: str | None,
                  body: Any, replace: bool = False) -> MockAnswer:
        if not self.store.knows(collection):
            return self.answer(op, prefs, accept)
        changes = body if isinstance(body, dict) else {}
        current = self.store.get(collection, key or "")
        if current is None:
            return self._missing(op, key)
        field = id_field(current, route.param)
        changes = {k: v for k, v in changes.items() if k != field}
        updated = self.store.update(collection, key or "", changes, replace=replace)
        return self._with_body(op, prefs, accept, updated)

    def on_replace(self, op: MockOperation, route: CollectionRoute, prefs: Preferences,
                   accept: str | None, collection: str, key: str | None,
                   body: Any) -> MockAnswer:
        return self.on_update(op, route, prefs, accept, collection, key, body, replace=True)

    def on_delete(self, op: MockOperation, route: CollectionRoute, prefs: Preferences,
                  accept: str | None, collection: str, key: str | None,
                  body: Any) -> MockAnswer:
        if not self.store.knows(collection):
            return self.answer(op, prefs, accept)
        if not self.store.delete(collection, key or ""):
            return self._missing(op, key)
        return self.answer(op, prefs, accept)
