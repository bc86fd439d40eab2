"""The factory `specfirst serve` runs in its server process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import gc
from specfirst.server.app import create_app_from_env
before = gc.get_freeze_count()
app = create_app_from_env()
print(before, gc.get_freeze_count())
"""


def test_start_up_objects_are_frozen_out_of_the_cyclic_collector(tmp_path: Path) -> None:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{(tmp_path / 'crm.db').as_posix()}")
    env.pop("SPECFIRST_SERVER_SPEC", None)
    env.pop("SPECFIRST_SERVER_HANDLERS", None)
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    before, after = (int(n) for n in done.stdout.split())
    assert before == 0
    assert after > 10_000  # the resolved CRM spec, routes and compiled validators
