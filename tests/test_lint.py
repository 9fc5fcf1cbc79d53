"""ruff holds the code to the project's rules: complexity (C901, at most 12) and Google-style docstrings (D) on the
engine and the services, and the usual checks everywhere (pyproject.toml, [tool.ruff]). A lint error fails the suite
so that it cannot land unseen (issue 12 item 6)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.smoke
def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is installed with the test dependencies (make install-test)"
    result = subprocess.run([ruff, "check", "--no-cache", "buurtbalans", "benchmarks", "scripts", "tests"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
