"""The hand-written eval set must stay consistent with the seed corpus (titles, facts, counts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_seed_questions_pass_their_checker() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "check_seed_questions.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK: all checks passed" in proc.stdout
