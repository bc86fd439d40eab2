"""Handler stubs for Connexion: scaffold, extend without touching people's code, check drift."""

from specfirst.generator.stubs.plan import (
    HandlerPlan,
    OperationView,
    ParameterView,
    plan_handlers,
    pythonic,
)
from specfirst.generator.stubs.writer import Drift, StubsResult, check_stubs, generate_stubs

__all__ = [
    "Drift",
    "HandlerPlan",
    "OperationView",
    "ParameterView",
    "StubsResult",
    "check_stubs",
    "generate_stubs",
    "plan_handlers",
    "pythonic",
]
