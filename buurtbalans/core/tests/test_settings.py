"""Settings come from the environment and refuse an unsafe production start."""

import os
import subprocess
import sys

import pytest


def load_settings(tmp_path, **env):
    inherited = {"SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "DATABASE_URL"}
    environment = {k: v for k, v in os.environ.items() if k not in inherited}
    environment.update({"BUURTBALANS_VAR_DIR": str(tmp_path), **env})
    code = "import buurtbalans.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.SECRET_KEY[:6])"
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True)


@pytest.mark.smoke
def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = load_settings(tmp_path)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_it_reads_the_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("filekey-123\n")
    result = load_settings(tmp_path, SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3", "fileke"]


def test_it_uses_the_local_key_written_by_make(tmp_path):
    (tmp_path / "secret_key").write_text("localkey-abc")
    result = load_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2] == "localk"


def test_database_url_switches_to_postgresql_and_a_bad_boolean_is_an_error(tmp_path):
    result = load_settings(tmp_path, SECRET_KEY="x" * 40, DATABASE_URL="postgres://u@db:5432/bb")
    assert result.stdout.split()[1] == "django.db.backends.postgresql"
    result = load_settings(tmp_path, SECRET_KEY="x" * 40, DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG='maybe' is not a boolean" in result.stderr


def test_earlier_secret_keys_come_from_the_environment(tmp_path):
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    env = {"DJANGO_SETTINGS_MODULE": "buurtbalans.settings", "SECRET_KEY": "new-key", "PATH": "/usr/bin:/bin",
           "BUURTBALANS_VAR_DIR": str(tmp_path), "SECRET_KEY_FALLBACKS": "old-key-1, old-key-2"}
    shown = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=env,
                           capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "['old-key-1', 'old-key-2']"
