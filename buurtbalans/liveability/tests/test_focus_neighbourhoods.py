"""Focus buurten: the ranking rules on small cases, and the command on the real Zwolle files.

The real folder (BUURTBALANS_OPEN_DATA_DIR) is imported once for the module inside a transaction that is rolled back
afterwards, as in neighbourhoods/tests/test_open_data_zwolle.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from buurtbalans.core.testing import require_environment
from buurtbalans.liveability.focus import Candidate, rank_focus, worst_quarter_threshold
from buurtbalans.neighbourhoods.services import open_data_import

# The buurten the data folder's README names as combining a high low-income share with a low Leefbaarometer score.
README_FOCUS = {
    "BU01933020": "Holtenbroek II",
    "BU01933030": "Holtenbroek III",
    "BU01933000": "Holtenbroek IV",
    "BU01931160": "Indischebuurt",
    "BU01931100": "Het Noorden",
    "BU01931120": "Bollebieste",
    "BU01931170": "Meppelerstraatweg-Zuid",
    "BU01931150": "Hogenkamp",
}
# Also in the worst quarter on both, by the documented definition (docs/monitor.md explains why no rule on these
# two values can leave them out while keeping the eight above): Geren (17% low incomes, lbm 4.023) is worse on both
# than the threshold buurten Hogenkamp (14%) and Bollebieste (lbm 4.033); Kamperpoort (15%, 4.099) and
# Schildersbuurt (12%, 4.090) are at or just inside both thresholds (12%, 4.112).
ALSO_FOCUS = {"BU01935130": "Geren", "BU01931400": "Kamperpoort", "BU01931110": "Schildersbuurt"}


def candidate(code, low, lbm, inhabitants=1000, dimensions=None):
    return Candidate(code, code, "WK", inhabitants, 2024, low, 2021, lbm, 2020, dimensions or {})


def test_the_worst_quarter_includes_ties_at_the_threshold():
    assert worst_quarter_threshold([10, 20, 30, 40, 50, 60, 70, 80], higher_is_worse=True) == 70
    # Nine values: ceil(9 / 4) = 3, the third worst.
    assert worst_quarter_threshold([1, 2, 3, 4, 5, 6, 7, 8, 9], higher_is_worse=False) == 3
    rows = rank_focus(
        [candidate("A", 30, 3.9), candidate("B", 30, 3.9), candidate("C", 10, 4.2), candidate("D", 5, 4.3),
         candidate("E", 4, 4.4)],
        low_income_key="k",
    )
    # n = 5, k = 2: the two tied worst buurten are in; nothing is cut through equal values.
    assert [(r.bu_code, r.focus) for r in rows[:2]] == [("A", True), ("B", True)]
    assert not any(r.focus for r in rows[2:])
    assert rows[0].low_income_rank == rows[1].low_income_rank == 1


def test_small_buurten_and_missing_values_are_not_ranked():
    rows = rank_focus(
        [candidate("A", 30, 3.9), candidate("small", 40, 3.8, inhabitants=150), candidate("nolbm", 40, None),
         candidate("nolow", None, 3.7), candidate("C", 10, 4.2)],
        low_income_key="k", include_excluded=True,
    )
    excluded = {r.bu_code: r.excluded for r in rows if r.excluded}
    assert excluded == {"small": "fewer than 200 inhabitants", "nolbm": "Leefbaarometer score unknown",
                        "nolow": "low-income share unknown"}
    assert [r.bu_code for r in rows if not r.excluded] == ["A", "C"]
    assert not any(r.focus for r in rows if r.excluded)


def test_the_weakest_dimension_is_the_lowest_one():
    rows = rank_focus(
        [candidate("A", 30, 3.9, dimensions={"lbm_won": 0.01, "lbm_soc": -0.07, "lbm_onv": -0.09})],
        low_income_key="k",
    )
    assert (rows[0].weakest_dimension, rows[0].weakest_dimension_value) == ("lbm_onv", -0.09)


def open_data_dir() -> Path:
    directory = os.environ.get("BUURTBALANS_OPEN_DATA_DIR") or ""
    require_environment(bool(directory) and Path(directory, "zwolle").is_dir(),
                        "BUURTBALANS_OPEN_DATA_DIR does not point at the open-data folder (with zwolle/)")
    return Path(directory)


@pytest.fixture(scope="module")
def zwolle(django_db_setup, django_db_blocker):
    """The Zwolle boundaries, tables and Leefbaarometer files, imported once and rolled back after the module."""
    directory = open_data_dir()
    with django_db_blocker.unblock(), transaction.atomic():
        with translation.override("en"):
            report = open_data_import(directory=directory / "zwolle", municipality_code="GM0193")
        assert report.ok, report.errors
        yield report
        transaction.set_rollback(True)


def run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("focus_neighbourhoods", *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.mark.django_db
def test_zwolle_focus_buurten_are_the_ones_the_readme_names(zwolle):
    rows = json.loads(run("--municipality", "GM0193"))

    focus = {r["bu_code"]: r["bu_naam"] for r in rows if r["focus"]}
    assert README_FOCUS.items() <= focus.items()
    assert focus == {**README_FOCUS, **ALSO_FOCUS}
    # 61 buurten have at least 200 inhabitants (2024) and both values; the quarter is 16 of them.
    assert len(rows) == 61
    holtenbroek_2 = next(r for r in rows if r["bu_code"] == "BU01933020")
    assert holtenbroek_2["low_income_share"] == 19 and holtenbroek_2["low_income_year"] == 2021
    assert holtenbroek_2["lbm_year"] == 2020 and holtenbroek_2["lbm"] == pytest.approx(3.904, abs=1e-3)
    assert holtenbroek_2["low_income_key"] == "pct_hh_onder_105_sociaal_minimum"
    assert holtenbroek_2["weakest_dimension"] in {"lbm_won", "lbm_fys", "lbm_vrz", "lbm_soc", "lbm_onv"}
    assert holtenbroek_2["inhabitants_year"] == 2024
    # Ordered by the sum of both ranks: the focus buurten come first.
    assert all(r["focus"] for r in rows[: len(focus)])


@pytest.mark.django_db
def test_zwolle_with_an_earlier_year_takes_each_value_up_to_that_year(zwolle):
    rows = json.loads(run("--municipality", "gm193", "--year", "2021"))
    # The README's count: 60 buurten with at least 200 inhabitants in 2021 and both values.
    assert len(rows) == 60
    assert {r["bu_code"] for r in rows if r["focus"]} == set(README_FOCUS) | set(ALSO_FOCUS)
    assert {r["inhabitants_year"] for r in rows} == {2021}

    older = json.loads(run("--municipality", "GM0193", "--year", "2018"))
    assert {r["lbm_year"] for r in older} == {2018} and {r["low_income_year"] for r in older} == {2018}


@pytest.mark.django_db
def test_zwolle_as_csv_lists_the_same_buurten(zwolle):
    text = run("--municipality", "GM0193", "--format", "csv", "--all")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"bu_code", "bu_naam", "focus", "low_income_share", "lbm", "weakest_dimension"} <= set(rows[0])
    assert {r["bu_code"] for r in rows if r["focus"] == "True"} == set(README_FOCUS) | set(ALSO_FOCUS)
    # --all adds the 17 buurten that were not ranked, each with its reason.
    assert len(rows) == 78
    assert all(r["excluded"] for r in rows[61:])
