"""The steps of `specfirst check` and how one is run, timed and reported."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from specfirst.generator.errors import SpecfirstError

__all__ = ["StepFailed", "StepOutcome", "StepResult", "StepSkipped", "run_step"]


class StepOutcome(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


class StepFailed(Exception):
    """A step found a problem; `detail` says why in one line, `report` may hold more."""

    def __init__(self, detail: str, report: str = ""):
        super().__init__(detail)
        self.detail = detail
        self.report = report


class StepSkipped(Exception):
    """A step that does not apply here; the message says why."""


@dataclass
class StepResult:
    name: str
    outcome: StepOutcome
    duration: float
    detail: str
    report: str = field(default="", repr=False)

    @property
    def failed(self) -> bool:
        return self.outcome is StepOutcome.FAILED


def run_step(name: str, action: Callable[[], str]) -> StepResult:
    """Run one step; its return value is the detail of success. Errors become failed steps."""
    start = time.monotonic()
    try:
        detail = action()
        outcome, report = StepOutcome.OK, ""
    except StepSkipped as exc:
        outcome, detail, report = StepOutcome.SKIPPED, str(exc), ""
    except StepFailed as exc:
        outcome, detail, report = StepOutcome.FAILED, exc.detail, exc.report
    except SpecfirstError as exc:
        outcome, detail, report = StepOutcome.FAILED, str(exc), exc.hint or ""
    return StepResult(name, outcome, time.monotonic() - start, detail, report)
