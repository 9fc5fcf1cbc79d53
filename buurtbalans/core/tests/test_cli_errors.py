"""A command on a machine that is not set up yet says what is wrong in one line, without a traceback."""

import os
import subprocess
from pathlib import Path

BUURTBALANS = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "buurtbalans"


def _run(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL"}}
    return subprocess.run(
        [BUURTBALANS, "migrate", "--noinput"],
        env={**base, "BUURTBALANS_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )


def test_a_missing_secret_key_is_named_without_a_traceback(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_named_without_a_traceback(tmp_path):
    result = _run(tmp_path, SECRET_KEY="test", DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 2
    assert "De database is niet bereikbaar" in result.stderr
    assert "Traceback" not in result.stderr
