"""The API's docs page (/api/v1/docs, issue 17) in a real browser: Swagger UI loads from our own static files, under
the site's Content-Security-Policy, without asking the internet for anything, and lists the API's operations."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest

from tests.browser.test_screens import browser, page  # noqa: F401 - fixtures

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_docs_page_works_offline_under_the_csp(page, live_server):  # noqa: F811
    problems, hosts = [], set()
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Buurtbalans API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/complexes" in p for p in paths) and any("/api/v1/portfolio/imports" in p for p in paths)
    assert hosts <= {urlparse(live_server.url).netloc}, hosts
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
