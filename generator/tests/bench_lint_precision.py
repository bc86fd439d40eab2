"""Precision of `specfirst lint` on public specs, from labelled findings; with Redocly's and
Spectral's error counts on the same specs.

    python -m specfirst.generator.tests.bench_lint_precision \
        [--redocly PATH/TO/redocly --spectral PATH/TO/spectral]

The labels (generator/tests/lint_precision_labels.json) name each judged finding by spec, rule
and JSON pointer, with the verdict and the reason; the specs themselves are installed from npm
(the cache of the test suite) or, for Stripe's, read from a local file (`$SPECFIRST_STRIPE_SPEC`
or the path in the labels file). The linter runs with the recommended ruleset; a labelled
finding it no longer reports is listed apart and does not count.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.loader import Spec

HERE = Path(__file__).parent
LABELS = HERE / "lint_precision_labels.json"


def spec_path(name: str, entry: dict[str, str], scratch: Path) -> Path | None:
    """Where a labelled spec is on this machine (installed from npm when needed)."""
    if "npm" in entry:
        sys.path.insert(0, str(HERE.parents[1]))
        from conftest import npm_install  # the test suite's cached npm installer

        return npm_install(entry["npm"]) / entry["path"]
    path = Path(os.environ.get(entry.get("env", ""), entry["file"]))
    if not path.exists():
        return None
    if path.suffix == ".gz":
        plain = scratch / f"{name}{Path(path.stem).suffix}"
        plain.write_bytes(gzip.decompress(path.read_bytes()))
        return plain
    return path


def precision_table(labels: list[dict[str, Any]], findings: dict[str, list[Finding]]
                    ) -> tuple[str, list[dict[str, Any]]]:
    reported = {(spec, f.rule, f.pointer) for spec, fs in findings.items() for f in fs}
    per_rule: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    gone = []
    for label in labels:
        if label["spec"] not in findings:
            continue
        key = (label["spec"], label["rule"], label["pointer"])
        if key not in reported:
            gone.append(label)
            continue
        per_rule[label["rule"]]["true" if label["true"] else "false"] += 1
    lines = ["| rule | judged | true | false | precision |", "|---|---|---|---|---|"]
    total: collections.Counter[str] = collections.Counter()
    for rule in sorted(per_rule):
        counts = per_rule[rule]
        judged = counts["true"] + counts["false"]
        total.update(counts)
        lines.append(f"| {rule} | {judged} | {counts['true']} | {counts['false']} | "
                     f"{100 * counts['true'] / judged:.0f}% |")
    judged = total["true"] + total["false"]
    if judged:
        lines.append(f"| all | {judged} | {total['true']} | {total['false']} | "
                     f"{100 * total['true'] / judged:.1f}% |")
    return "\n".join(lines), gone


def _count_redocly(binary: str, path: Path) -> int | None:
    # Redocly's report stops at 100 problems unless told otherwise.
    result = subprocess.run([binary, "lint", str(path), "--format", "json",
                             "--max-problems", "1000000"],
                            capture_output=True, text=True, timeout=900, check=False)
    try:
        problems = json.loads(result.stdout)["problems"]
    except (ValueError, KeyError):
        return None
    return sum(1 for p in problems if p.get("severity") == "error")


def _count_spectral(binary: str, path: Path, scratch: Path) -> int | None:
    ruleset = scratch / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    out = scratch / "spectral.json"
    subprocess.run([binary, "lint", str(path), "-r", str(ruleset), "-f", "json", "-o", str(out)],
                   capture_output=True, text=True, timeout=1800, check=False)
    try:
        results = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return sum(1 for r in results if r.get("severity") == 0)


def emit(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--redocly", help="path of the redocly executable (@redocly/cli)")
    parser.add_argument("--spectral", help="path of the spectral executable "
                        "(@stoplight/spectral-cli)")
    parser.add_argument("--unlabelled", metavar="RULES", default="",
                        help="comma-separated rule ids: list their findings that carry no label "
                             "(a fresh sample to judge)")
    args = parser.parse_args(argv)
    data = json.loads(LABELS.read_text(encoding="utf-8"))
    findings: dict[str, list[Finding]] = {}
    counts: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for name, entry in data["specs"].items():
            path = spec_path(name, entry, scratch)
            if path is None:
                sys.stderr.write(f"skipped {name}: not found\n")
                continue
            found = lint_spec(Spec.from_path(path, strict_refs=False))
            findings[name] = found
            ours = sum(1 for f in found if f.severity == Severity.ERROR)
            row = f"| {name} | {len(found)} | {ours} |"
            if args.redocly:
                row += f" {_count_redocly(args.redocly, path)} |"
            if args.spectral:
                row += f" {_count_spectral(args.spectral, path, scratch)} |"
            counts.append(row)
    table, gone = precision_table(data["labels"], findings)
    emit(f"Precision on {len(data['labels'])} labelled findings over {len(findings)} specs:\n")
    emit(table)
    if gone:
        emit(f"\n{len(gone)} labelled finding(s) no longer reported:")
        for label in gone:
            verdict = "true" if label["true"] else "false"
            emit(f"- {label['spec']} {label['rule']} #{label['pointer']} ({verdict}: "
                  f"{label['note']})")
    wanted = {rule.strip() for rule in args.unlabelled.split(",") if rule.strip()}
    if wanted:
        labelled = {(label["spec"], label["rule"], label["pointer"]) for label in data["labels"]}
        fresh = [(name, f) for name, found in findings.items() for f in found
                 if f.rule in wanted and (name, f.rule, f.pointer) not in labelled]
        emit(f"\n{len(fresh)} unlabelled finding(s) of {', '.join(sorted(wanted))}:")
        for name, f in fresh:
            emit(f"- {name} {f.rule} #{f.pointer}: {f.message}")
    head = "| spec | specfirst findings | specfirst errors |"
    rule = "|---|---|---|"
    if args.redocly:
        head, rule = head + " Redocly errors |", rule + "---|"
    if args.spectral:
        head, rule = head + " Spectral errors |", rule + "---|"
    emit("\n" + "\n".join([head, rule, *counts]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
