"""The main menu leads to the interventions for the roles that may see them (VIEW_INTERVENTIONS or
EVALUATE_INTERVENTIONS), and not for the others."""

from __future__ import annotations

import pytest
from django.urls import reverse

from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user

pytestmark = pytest.mark.django_db


def test_the_menu_has_the_interventions_for_the_roles_that_hold_the_right(client, corporation_a, alice, nina, bob):
    for user in (alice, nina, bob):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert 'id="interventions-link"' in page and f'href="{reverse("evaluation_interventions")}"' in page, user
    client.force_login(bob)
    page = client.get(reverse("evaluation_interventions")).content.decode()
    assert 'id="interventions-link" aria-current="page"' in page
    client.force_login(make_user("auditor-a", corporation_a, Role.AUDITOR))
    assert 'id="interventions-link"' not in client.get(reverse("home")).content.decode()
