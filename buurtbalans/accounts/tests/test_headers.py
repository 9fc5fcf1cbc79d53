"""Security headers, no inline script or style in any template, no /admin/, and a clean `check --deploy`."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_page_sends_a_strict_content_security_policy_and_the_other_headers(client, bob):
    for response in (client.get(reverse("login")), client.get("/no-such-page/")):
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        assert "unsafe" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_template_has_inline_script_or_style():
    """style-src 'self' and script-src 'self' block them: a template that has one breaks in the browser."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"\sstyle=", text) or re.search(r"<style[\s>]", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(str(path))
        # A data block (type="application/json") is never executed, so the CSP has nothing to block there.
        offenders += [str(path) for tag in re.findall(r"<script\b[^>]*>", text)
                      if "src=" not in tag and 'type="application/json"' not in tag]
    assert offenders == []


def test_django_admin_is_not_mounted(client):
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


README = Path(__file__).resolve().parents[3] / "README.md"


def readme_production_env(tmp_path) -> dict[str, str]:
    """The variables of README.md's "Production settings" block; secret files are made up in tmp_path."""
    text = README.read_text()
    block = text[text.index("### Production settings") :]
    block = block[block.index("```sh") + 5 : block.index("```", block.index("```sh") + 5)]
    env = {}
    for line in block.strip().splitlines():
        name, _, value = line.split("#")[0].strip().partition("=")
        env[name] = value.strip().strip('"')
    for name in env:
        if name.endswith("_FILE"):
            secret = tmp_path / name.lower()
            secret.write_text("k3y-" + "x9Q!a" * 12)
            env[name] = str(secret)
    return env


def test_check_deploy_is_clean_with_the_production_settings_of_the_readme(tmp_path):
    production = readme_production_env(tmp_path)
    assert production["USE_HTTPS"] == "1" and production["DEBUG"] == "0"
    # Only the README's variables: nothing of the test run (e.g. the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **production}
    env["BUURTBALANS_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "buurtbalans", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_https_settings_check_deploy_names_what_is_missing(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k3y-" + "x9Q!a" * 12)
    env = {"PATH": os.environ["PATH"], "SECRET_KEY_FILE": str(key_file), "BUURTBALANS_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "buurtbalans", "check", "--deploy"], env=env, capture_output=True, text=True, timeout=120
    )
    assert "security.W004" in result.stderr + result.stdout
