"""The home page is a work list per role (issue 14 item 1): what waits, with counts and links; urgent work first;
only the user's own corporation and rights; the stock overview one click away."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from buurtbalans.accountability import services as accountability
from buurtbalans.accountability.tests.support import let_three_homes
from buurtbalans.allocation import services
from buurtbalans.allocation.tests.support import scene, solve
from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, key: str) -> str:
    """The work item `key` as drawn on the page ('' when absent)."""
    found = re.search(rf'<li class="bb-work__item[^"]*" id="work-{key}">(.*?)</li>', html, re.S)
    return found.group(1) if found else ""


def count_of(html: str, key: str) -> int | None:
    found = re.search(r'<span class="bb-work__count">([\d.]+)</span>', card(html, key))
    return int(found.group(1).replace(".", "")) if found else None


def test_the_officer_sees_the_offers_waiting_and_the_round_to_review(client, stock_a, alice):
    s = scene(stock_a, alice)
    solve(s.round, alice)  # the round waits for review
    html = home(client, alice)
    assert count_of(html, "rounds") == 1 and count_of(html, "offers") is None  # no offer made yet
    assert f'href="{reverse("allocation_round_list")}"' in card(html, "rounds")
    services.allocation_round_approve(allocation_round=s.round, actor=alice)
    html = home(client, alice)
    assert count_of(html, "offers") >= 1 and count_of(html, "rounds") is None
    assert 'id="work-rounds"' in html  # now under "nothing to do"
    assert f'href="{reverse("stock_overview")}"' in html  # the stock overview one click away


def test_an_overdue_objection_comes_first_and_says_it_is_urgent(client, stock_a, alice):
    lettings = let_three_homes(stock_a, alice)
    accountability.objection_register(actor=alice, listing=lettings.motivation, received_on=date(2020, 1, 6),
                                      summary="Ik vind de keuze niet eerlijk.", objector_reference="brief 2020-1")
    html = home(client, alice)
    assert count_of(html, "objections") == 1
    assert "bb-work__item--urgent" in html.split('id="work-objections"')[0][-80:]
    assert "Dringend:" in card(html, "objections") or "Urgent:" in card(html, "objections")
    first = re.search(r'id="work-(\w+)"', html.split('id="work-waiting"')[1]).group(1)
    assert first == "objections"


def test_each_role_sees_only_its_own_work(client, stock_a, alice, bob, nina):
    s = scene(stock_a, alice)
    solve(s.round, alice)
    analyst, manager = home(client, bob), home(client, nina)
    for html in (analyst, manager):
        assert 'id="work-rounds"' not in html and 'id="work-offers"' not in html
    assert 'id="work-warnings"' in analyst and 'id="work-labels"' not in analyst  # analysts plan, not decide
    assert 'id="work-reviews"' in manager


def test_another_corporation_counts_only_its_own(client, stock_a, alice, corporation_b):
    s = scene(stock_a, alice)
    solve(s.round, alice)
    officer_b = make_user("officer-b", corporation_b, Role.ALLOCATION_OFFICER)
    html = home(client, officer_b)
    assert count_of(html, "rounds") is None and "A-C1" not in html


def test_a_role_with_nothing_to_count_gets_its_places(client, corporation_a):
    auditor = make_user("otto-home", corporation_a, Role.AUDITOR)
    html = home(client, auditor)
    assert 'id="work-nothing"' in html and f'href="{reverse("audit_log")}"' in html
