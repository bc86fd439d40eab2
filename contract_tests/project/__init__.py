"""`specfirst init`: a new API project that passes `specfirst check` from its first commit."""

from specfirst.contract_tests.project.scaffold import (
    HANDLERS_PACKAGE,
    SPEC_PATH,
    InitResult,
    create_project,
)

__all__ = ["HANDLERS_PACKAGE", "InitResult", "SPEC_PATH", "create_project"]
