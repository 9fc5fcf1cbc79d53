"""Every app's part of the complex page has one shape: `selectors.complex_panel(user, complex_, *, reference_date)`
returns a Panel (a template that exists, and its context) or None for a role that may not see it."""

from __future__ import annotations

import inspect
from datetime import date

import pytest
from django.template.loader import get_template
from django.urls import reverse

from buurtbalans.core.panels import Panel
from buurtbalans.core.testing import PASSWORD
from buurtbalans.screens.complex_page import PANEL_SOURCES

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


@pytest.mark.smoke
def test_every_panel_has_the_same_signature():
    signatures = {source.__name__: inspect.signature(source.complex_panel) for source in PANEL_SOURCES}
    for name, signature in signatures.items():
        assert list(signature.parameters) == ["user", "complex_", "reference_date"], name
        assert signature.parameters["reference_date"].kind is inspect.Parameter.KEYWORD_ONLY, name


def test_a_role_sees_the_panels_of_its_rights_and_no_others(alice, otto, stock_a):
    # The allocation officer sees vacancies and listings; the auditor sees no app's section of the page.
    officer = {s.__name__: s.complex_panel(alice, stock_a.complex, reference_date=TODAY) for s in PANEL_SOURCES}
    assert isinstance(officer["buurtbalans.allocation.selectors"], Panel)
    for source in PANEL_SOURCES:
        assert source.complex_panel(otto, stock_a.complex, reference_date=TODAY) is None, source.__name__
    for panel in officer.values():
        if panel is not None:
            get_template(panel.template)  # raises when an app names a template that is not there


def test_the_complex_page_shows_the_sections_of_the_role(client, alice, nina, stock_a):
    url = reverse("complex_detail", args=[stock_a.complex.pk])
    client.login(username=nina.username, password=PASSWORD)
    html = client.get(url).content.decode()
    assert 'id="liveability"' in html and 'id="steering-mix"' in html and 'id="listings"' not in html
    client.login(username=alice.username, password=PASSWORD)
    html = client.get(url).content.decode()
    assert 'id="listings"' in html  # the officer also has the monitor and the mix: VIEW_MONITOR, VIEW_AGGREGATES
