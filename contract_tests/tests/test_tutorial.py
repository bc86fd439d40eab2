"""docs/tutorial.md runs: its `sh` blocks, in order, in an empty folder, then the CI steps."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"
_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def shell_blocks(markdown: str) -> list[str]:
    """The `sh` blocks of a Markdown page, in order (`text` blocks are shown, not run)."""
    return [match.group(1) for match in _BLOCK.finditer(markdown)]


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "NO_COLOR": "1"}


def test_the_tutorial_blocks_are_found() -> None:
    blocks = shell_blocks(TUTORIAL.read_text(encoding="utf-8"))
    assert blocks[0].startswith("specfirst init bookshop\n")
    assert any("specfirst check" in block for block in blocks)
    assert not any("git push" in block or "git remote" in block for block in blocks)


@pytest.mark.slow
def test_the_tutorial_runs_from_an_empty_folder_to_a_green_ci_run(tmp_path: Path) -> None:
    script = "set -euo pipefail\n" + "\n".join(
        shell_blocks(TUTORIAL.read_text(encoding="utf-8")))
    completed = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=_env(),
                               capture_output=True, text=True, timeout=900, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    project = tmp_path / "bookshop"
    assert "3 operations (3 reached a 2xx)" in output
    assert not (project / "api" / "handlers" / "notes.py").exists()
    assert (project / ".git").is_dir()
    # What CI runs after installing specfirst, in the committed project.
    workflow = yaml.safe_load((project / ".github/workflows/api.yml").read_text(encoding="utf-8"))
    steps = [step["run"] for step in workflow["jobs"]["check"]["steps"]
             if "run" in step and "pip install" not in step["run"]]
    assert steps and steps[0].startswith("specfirst check")
    for command in steps:
        ci = subprocess.run(["bash", "-c", f"set -euo pipefail\n{command}"], cwd=project,
                            env=_env(), capture_output=True, text=True, timeout=900,
                            check=False)
        assert ci.returncode == 0, (command, (ci.stdout + ci.stderr)[-6000:])
    assert (project / "contract-report" / "index.html").is_file()
