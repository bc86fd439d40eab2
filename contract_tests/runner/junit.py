"""The run as JUnit XML: one test suite, one test case per operation of the spec."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence

from specfirst.contract_tests.runner.results import OperationResult, RunResult

__all__ = ["contract_suite", "render_junit", "render_suites", "xml_safe"]

SUITE_NAME = "specfirst contract tests"
# Characters XML 1.0 cannot hold at all (fuzzed payloads often contain them).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """`text` with characters XML cannot carry shown as `\\xNN` escapes."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _testcase(operation: OperationResult, seconds: float) -> ET.Element:
    case = ET.Element("testcase", {
        "classname": f"specfirst.contract.{operation.method.upper()}",
        "name": operation.label,
        "time": f"{seconds:.3f}",
    })
    if operation.failures:
        checks = Counter(failure.check for failure in operation.failures)
        summary = ", ".join(f"{check} ({count})" for check, count in sorted(checks.items()))
        failure = ET.SubElement(case, "failure", {
            "message": f"{len(operation.failures)} contract failure(s): {summary}",
            "type": "ContractFailure",
        })
        failure.text = "\n\n".join(
            f"[{item.check}] {item.title} (status {item.status}, {item.phase} phase)\n"
            f"{item.message.strip()}\n\nReproduce with:\n    {item.curl}"
            for item in operation.failures
        )
    if operation.errors:
        error = ET.SubElement(case, "error", {
            "message": (operation.errors[0].splitlines() or ["error"])[0][:200],
            "type": "EngineError",
        })
        error.text = "\n\n".join(operation.errors)
    if not operation.cases and not operation.failed:
        reason = "; ".join(sorted(operation.skip_reasons)) or "no test case reached this operation"
        ET.SubElement(case, "skipped", {"message": reason})
    return case


def contract_suite(result: RunResult) -> ET.Element:
    """The `<testsuite>` of a contract run: one test case per operation of the spec."""
    operations = list(result.operations.values())
    total_cases = max(result.cases, 1)
    suite = ET.Element("testsuite", {
        "name": SUITE_NAME,
        "tests": str(len(operations)),
        "failures": str(sum(1 for op in operations if op.failures)),
        "errors": str(sum(1 for op in operations if op.errors and not op.failures)
                      + (1 if result.errors else 0)),
        "skipped": str(sum(1 for op in operations if not op.cases and not op.failed)),
        "time": f"{result.duration:.3f}",
    })
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "seed", "value": str(result.seed)})
    ET.SubElement(properties, "property", {"name": "base_url", "value": result.base_url})
    for operation in operations:
        suite.append(_testcase(operation, result.duration * operation.cases / total_cases))
    if result.errors:
        case = ET.SubElement(suite, "testcase", {"classname": "specfirst.contract",
                                                 "name": "run", "time": "0.000"})
        error = ET.SubElement(case, "error", {"message": result.errors[0][:200],
                                              "type": "RunError"})
        error.text = "\n\n".join(result.errors)
        suite.set("tests", str(len(operations) + 1))
    return suite


def render_suites(suites: Sequence[ET.Element], name: str = SUITE_NAME) -> str:
    """A JUnit XML document (the Jenkins/Ant schema CI systems read) holding `suites`."""
    root = ET.Element("testsuites", {"name": name})
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in suites)))
    root.set("time", f"{sum(float(suite.get('time', '0')) for suite in suites):.3f}")
    root.extend(suites)
    for element in root.iter():
        if element.text:
            element.text = xml_safe(element.text)
        for key, value in element.attrib.items():
            element.set(key, xml_safe(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_junit(result: RunResult) -> str:
    """The contract run as a JUnit XML document."""
    return render_suites([contract_suite(result)])
