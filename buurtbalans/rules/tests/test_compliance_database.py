"""Compliance from the lettings in the database (see conftest.py for the year and its hand-computed figures)."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from buurtbalans.rules.compliance import compliance_for_corporation
from buurtbalans.rules.services import performance_agreement_save

pytestmark = pytest.mark.django_db

D = Decimal


def figures(f):
    return {
        "lettings": f.lettings, "low": f.low_income_lettings, "fit": f.fit, "fit_norm_met": f.fit_norm_met,
        "budget_left": f.exception_budget_left, "daeb": f.daeb_lettings, "target": f.daeb_target_group_lettings,
        "daeb_norm": f.daeb_norm, "daeb_norm_met": f.daeb_norm_met, "free_used": f.free_room_used,
        "free_allowed": f.free_room_allowed, "free_left": f.free_room_left,
    }  # fmt: skip


EXPECTED = {
    "GM0193": {"lettings": 40, "low": 32, "fit": 30, "fit_norm_met": False, "budget_left": -1, "daeb": 40,
               "target": 38, "daeb_norm": D("0.925"), "daeb_norm_met": True, "free_used": 2, "free_allowed": 3,
               "free_left": 1},
    "GM0200": {"lettings": 20, "low": 10, "fit": 10, "fit_norm_met": True, "budget_left": 0, "daeb": 18,
               "target": 16, "daeb_norm": D("0.925"), "daeb_norm_met": False, "free_used": 2, "free_allowed": 1,
               "free_left": -1},
    "unknown": {"lettings": 1, "low": 1, "fit": 1, "fit_norm_met": True, "budget_left": 0, "daeb": 1,
                "target": 1, "daeb_norm": D("0.925"), "daeb_norm_met": True, "free_used": 0, "free_allowed": 0,
                "free_left": 0},
}  # fmt: skip
EXPECTED_TOTAL = {"lettings": 61, "low": 43, "fit": 41, "fit_norm_met": True, "budget_left": 0, "daeb": 59,
                  "target": 55, "daeb_norm": D("0.925"), "daeb_norm_met": True, "free_used": 4, "free_allowed": 4,
                  "free_left": 0}  # fmt: skip


@pytest.mark.smoke
def test_a_year_of_lettings_in_the_database_gives_the_hand_computed_figures(year_a):
    outcome = compliance_for_corporation(year_a.stock.corporation, 2025)
    report = outcome.report
    assert {code: figures(f) for code, f in report.municipalities.items()} == EXPECTED
    assert figures(report.total) == EXPECTED_TOTAL
    assert report.total.fit_share == D(41) / D(43)
    assert [(n.letting_id, n.exception_reason) for n in report.total.non_fitting] == [
        ("Z-NOFIT-1", "rehousing"),
        ("Z-NOFIT-2", ""),
    ]
    assert outcome.municipality_name("GM0200") == "Apeldoorn"
    assert report.parameter_versions == ("parameters:2025-01-01:bbb913cd",)


def test_facts_at_start_win_and_missing_ones_fall_back_to_the_current_values(year_a):
    facts = compliance_for_corporation(year_a.stock.corporation, 2025).facts
    assert facts.fallbacks == {
        "rent_at_start": 1,
        "household_size_at_start": 10,
        "income_at_start": 0,
        "is_pension_age_at_start": 10,
    }
    assert facts.fallback_lettings == 11
    assert [(i.letting_id, i.municipality, i.missing) for i in facts.incomplete] == [
        ("X-NOINCOME-1", "unknown", ("income",))
    ]
    by_id = {letting.letting_id: letting for letting in facts.lettings}
    # Four persons now, two at the start: the low cap applied, so the letting did not fit.
    assert by_id["Z-NOFIT-1"].household.household_size == 2
    assert by_id["P-FIT-1"].household.household_size == 3
    assert by_id["X-FIT-1"].base_rent == D("600.00")


def test_a_performance_agreement_raises_the_free_share_only_in_its_municipality(year_a, ada):
    corporation = year_a.stock.corporation
    performance_agreement_save(
        actor=ada, corporation=corporation, municipality=year_a.apeldoorn, valid_from=date(2024, 1, 1),
        valid_until=date(2027, 12, 31), free_allocation_share=D("0.15"),
    )  # fmt: skip
    outcome = compliance_for_corporation(corporation, 2025)
    municipalities = {code: figures(f) for code, f in outcome.report.municipalities.items()}
    assert municipalities["GM0193"] == EXPECTED["GM0193"]
    assert municipalities["unknown"] == EXPECTED["unknown"]
    assert municipalities["GM0200"] == {
        **EXPECTED["GM0200"], "daeb_norm": D("0.85"), "daeb_norm_met": True, "free_allowed": 2, "free_left": 0,
    }  # fmt: skip
    total = figures(outcome.report.total)
    assert (total["daeb_norm_met"], total["free_allowed"], total["free_left"]) == (True, 5, 1)
    assert outcome.agreements_applied == {"GM0200": D("0.15")}
    # The agreement covers 2024-2027 only.
    assert compliance_for_corporation(corporation, 2027).agreements_applied == {"GM0200": D("0.15")}
    assert compliance_for_corporation(corporation, 2028).agreements_applied == {}


def test_an_agreement_counts_in_its_own_years_with_the_share_it_agreed(year_a, ada):
    corporation = year_a.stock.corporation
    performance_agreement_save(
        actor=ada, corporation=corporation, municipality=year_a.apeldoorn, valid_from=date(2026, 1, 1),
        valid_until=None, free_allocation_share=D("0.15"),
    )  # fmt: skip
    assert compliance_for_corporation(corporation, 2025).agreements_applied == {}
    performance_agreement_save(
        actor=ada, corporation=corporation, municipality=year_a.stock.municipality, valid_from=date(2025, 1, 1),
        valid_until=date(2025, 12, 31), free_allocation_share=D("0.10"),
    )  # fmt: skip
    outcome = compliance_for_corporation(corporation, 2025)
    assert outcome.agreements_applied == {"GM0193": D("0.10")}
    # 10% free instead of 7.5%: the norm falls to 90% and the room grows to floor(0.10 x 40) = 4 lettings.
    expected = {**EXPECTED["GM0193"], "daeb_norm": D("0.90"), "free_allowed": 4, "free_left": 2}
    assert figures(outcome.report.municipalities["GM0193"]) == expected
    # Elsewhere the standard share still applies.
    assert figures(outcome.report.municipalities["GM0200"]) == EXPECTED["GM0200"]


def test_another_corporations_lettings_do_not_count(year_a, stock_b):
    make_b = compliance_for_corporation(stock_b.corporation, 2025)
    assert make_b.report.total.lettings == 0
    assert make_b.report.municipalities == {}


def test_the_command_reads_the_database_with_the_contract_keys(year_a):
    out = StringIO()
    call_command("compliance", "--year", "2025", "--corporation", "corp-a", stdout=out)
    document = json.loads(out.getvalue())
    total = document["total"]
    assert (total["lettings"], total["low_income_lettings"], total["fit"], total["fit_share"]) == (61, 43, 41, "0.9534")
    assert total["non_fitting"] == [
        {"letting_id": "Z-NOFIT-1", "reason": "rehousing"},
        {"letting_id": "Z-NOFIT-2", "reason": None},
    ]
    assert set(document["municipalities"]) == {"GM0193", "GM0200", "unknown"}
    assert document["fallbacks"]["household_size_at_start"] == 10
    assert document["incomplete_lettings"] == [
        {"letting_id": "X-NOINCOME-1", "municipality": "unknown", "missing": ["income"]}
    ]
    out = StringIO()
    call_command("compliance", "--year", "2025", "--corporation", "corp-a", "--municipality", "GM0200", stdout=out)
    document = json.loads(out.getvalue())
    assert list(document["municipalities"]) == ["GM0200"]
    assert document["total"]["lettings"] == 20
    assert document["fallbacks"]["rent_at_start"] == 0
