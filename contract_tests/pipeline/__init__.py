"""`specfirst check`: the CI pipeline on one spec, from lint to a contract test of its server."""

from specfirst.contract_tests.pipeline.check import CheckOptions, CheckPipeline, serve_command
from specfirst.contract_tests.pipeline.server_process import (
    ServerProcess,
    ServerStartError,
    free_port,
)
from specfirst.contract_tests.pipeline.steps import StepOutcome, StepResult
from specfirst.contract_tests.pipeline.tokens import CheckIdentities, create_identities, spec_scopes

__all__ = [
    "CheckIdentities",
    "CheckOptions",
    "CheckPipeline",
    "ServerProcess",
    "ServerStartError",
    "StepOutcome",
    "StepResult",
    "create_identities",
    "free_port",
    "serve_command",
    "spec_scopes",
]
