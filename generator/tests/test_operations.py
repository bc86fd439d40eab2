"""`Spec.operations` and `Spec.deref`: every operation, wherever it is declared, and where."""

from __future__ import annotations

from pathlib import Path

from specfirst.generator.loader import Spec, deref

SPEC = """\
openapi: 3.1.0
info: {title: Hooks, version: "1"}
paths:
  /subscriptions:
    $ref: '#/components/pathItems/Subscriptions'
  /health:
    get:
      responses: {"200": {description: ok}}
    parameters: []
webhooks:
  orderShipped:
    post:
      operationId: order_shipped
      responses: {"200": {description: ok}}
components:
  callbacks:
    Events:
      '{$request.body#/url}':
        post:
          operationId: deliver_event
          responses: {"204": {description: received}}
          callbacks:
            receipt:
              '{$request.body#/receipt}':
                put:
                  responses: {"200": {description: ok}}
      x-note: not an expression
  pathItems:
    Subscriptions:
      post:
        operationId: subscribe
        callbacks:
          events:
            $ref: '#/components/callbacks/Events'
        responses: {"201": {description: created}}
"""


def load(tmp_path: Path) -> Spec:
    path = tmp_path / "api.yaml"
    path.write_text(SPEC)
    return Spec.from_path(path)


def test_paths_only_by_default_in_document_order(tmp_path: Path) -> None:
    ops = load(tmp_path).operations()
    assert [(op.kind, op.method, op.path) for op in ops] == [
        ("path", "post", "/subscriptions"), ("path", "get", "/health")]
    subscribe = ops[0]
    # a path item reached through $ref is reported where it is written
    assert subscribe.pointer == "/components/pathItems/Subscriptions/post"
    assert subscribe.item_pointer == "/components/pathItems/Subscriptions"
    assert subscribe.operation_id == "subscribe"
    assert ops[1].operation_id is None


def test_webhooks_and_nested_callbacks(tmp_path: Path) -> None:
    ops = load(tmp_path).operations(webhooks=True, callbacks=True)
    assert [op.label() for op in ops] == [
        "POST /subscriptions",
        "POST /subscriptions callback events POST {$request.body#/url}",
        "POST /subscriptions callback events POST {$request.body#/url} callback receipt "
        "PUT {$request.body#/receipt}",
        "GET /health",
        "webhook orderShipped: POST",
    ]
    deliver = ops[1]
    assert deliver.kind == "callback" and deliver.callback == "events"
    assert deliver.parent is ops[0]
    assert deliver.pointer == "/components/callbacks/Events/{$request.body#~1url}/post"
    assert ops[-1].kind == "webhook" and ops[-1].pointer == "/webhooks/orderShipped/post"


def test_deref_follows_chains_and_stops_where_told() -> None:
    document = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/c"}, "c": {"type": "string"},
                "loop": {"$ref": "#/loop"}, "annotated": {"$ref": "#/c", "minLength": 1}}
    assert deref(document, {"$ref": "#/a"}, "/x") == ({"type": "string"}, "/c")
    assert deref(document, {"$ref": "#/missing"}, "/x") == ({"$ref": "#/missing"}, "/x")
    assert deref(document, {"$ref": "other.yaml"}, "/x") == ({"$ref": "other.yaml"}, "/x")
    node, pointer = deref(document, document["loop"], "/loop", depth=5)
    assert node == {"$ref": "#/loop"} and pointer == "/loop"
    bare_only = deref(document, document["annotated"], "/annotated",
                      when=lambda n: set(n) == {"$ref"})
    assert bare_only == (document["annotated"], "/annotated")
