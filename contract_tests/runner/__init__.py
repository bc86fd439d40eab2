"""Contract testing with Schemathesis: every phase and check, failures collected, reports."""

from specfirst.contract_tests.runner.checks import CUSTOM_CHECKS, CheckTokens
from specfirst.contract_tests.runner.engine import available_checks, run_contract_tests
from specfirst.contract_tests.runner.options import (
    DEFAULT_MAX_EXAMPLES,
    PHASES,
    RunOptions,
    parse_list,
)
from specfirst.contract_tests.runner.report import write_junit, write_report_dir
from specfirst.contract_tests.runner.results import FailureRecord, OperationResult, RunResult
from specfirst.contract_tests.runner.target import load_app

__all__ = [
    "CUSTOM_CHECKS",
    "CheckTokens",
    "DEFAULT_MAX_EXAMPLES",
    "FailureRecord",
    "OperationResult",
    "PHASES",
    "RunOptions",
    "RunResult",
    "available_checks",
    "load_app",
    "parse_list",
    "run_contract_tests",
    "write_junit",
    "write_report_dir",
]
