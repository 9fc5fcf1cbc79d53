"""'As on date D' answers equal what the imports said at D, over a series of dated imports (issue 16 'Must show').

The files go through the real import (`history_import_series` -> `portfolio_import`); the selectors are then asked
for every date of the series and for days between them.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.core.models import HousingCorporation
from buurtbalans.history.models import DwellingStatusPeriod, HistoryImport, HouseholdIncomeBand
from buurtbalans.history.selectors import dwelling_status_on, income_bands_on, ownership_on
from buurtbalans.history.services import history_import_series
from buurtbalans.history.tests.series import STATUSES, State, write_state
from buurtbalans.households.models import Household
from buurtbalans.portfolio.models import Complex, Dwelling
from buurtbalans.portfolio.tests.test_import_support import make_buurt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def assert_as_on(corporation, states: list[State]) -> None:
    """For each state's date (and the day before the next one) the selectors give what that state's file said."""
    dwellings = dict(Dwelling.objects.filter(corporation=corporation).values_list("external_id", "pk"))
    households = dict(Household.objects.filter(corporation=corporation).values_list("external_id", "pk"))
    complexes = dict(Complex.objects.filter(corporation=corporation).values_list("external_id", "pk"))
    assert dwelling_status_on(corporation, states[0].day - timedelta(days=1)) == {}
    for index, state in enumerate(states):
        following = states[index + 1].day if index + 1 < len(states) else state.day + timedelta(days=400)
        expected = {dwellings[code]: status for code, (_c, status) in state.dwellings.items()}
        for day in {state.day, following - timedelta(days=1)}:
            assert dwelling_status_on(corporation, day) == expected, (state.day, day)
        last_of_year = index + 1 == len(states) or states[index + 1].day.year != state.day.year
        if last_of_year:
            # A year's income bands and ownership are what its last import said.
            assert income_bands_on(corporation, state.income_year) == {
                households[code]: state.band(code) for code in state.households
            }
            stored = ownership_on(corporation, state.day.year)
            assert {
                code: (row.dwelling_count, row.owned_count, row.sold_count, row.has_owners_association)
                for code, row in ((c, stored[complexes[c]]) for c in state.complexes)
            } == state.ownership()


def make_series() -> list[State]:
    complexes = {"C-1": None, "C-2": False}
    tenancies = {"T-1": ("D-1", "H-1"), "T-2": ("D-2", "H-2"), "T-3": ("D-4", "H-3")}

    def state(day, statuses, incomes, vve):
        dwellings = {f"D-{i + 1}": ("C-1" if i < 3 else "C-2", s) for i, s in enumerate(statuses)}
        households = {f"H-{i + 1}": (size, income) for i, (size, income) in enumerate(incomes)}
        return State(day, {**complexes, **vve}, dwellings, households, tenancies)

    return [
        state(date(2021, 3, 1), ["occupied", "occupied", "vacant", "occupied", "occupied"],
              [(1, 21000), (4, 48000), (2, 31000)], {}),
        # D-3 let, D-5 sold; H-1's income rises above the primary band; the VvE of C-2 appears.
        state(date(2022, 3, 1), ["occupied", "occupied", "occupied", "occupied", "sold"],
              [(1, 39000), (4, 48000), (2, 31000)], {"C-2": True}),
        # D-2 in renovation, D-4 sold too: C-2 is now all sold. H-3's income unknown.
        state(date(2023, 6, 30), ["occupied", "renovation", "occupied", "sold", "sold"],
              [(1, 39000), (4, 52000), (2, None)], {"C-2": True}),
        # Same year: D-2 back; the year's last import speaks for 2023.
        state(date(2023, 11, 1), ["occupied", "occupied", "occupied", "sold", "sold"],
              [(1, 20000), (4, 52000), (2, 28000)], {"C-2": True}),
        # D-3 demolished: it leaves the count of C-1's dwellings.
        state(date(2024, 1, 1), ["occupied", "occupied", "demolished", "sold", "sold"],
              [(1, 20000), (4, 52000), (2, 28000)], {"C-1": True, "C-2": True}),
    ]


def test_as_on_date_answers_what_the_dated_imports_said(corporation_a, tmp_path):
    make_buurt()
    states = make_series()
    folder = tmp_path / "series"
    for state in reversed(states):  # the order on disk does not matter: the dates in the names do
        write_state(folder, state)
    report = history_import_series(sources=[folder], corporation=corporation_a)
    assert report.is_valid, [str(e) for f in report.files if f.report for e in f.report.errors] + report.problems
    assert [f.as_of for f in report.files] == [s.day for s in states]
    assert_as_on(corporation_a, states)
    # No change, no new period: D-1 was let throughout and has one period.
    d1 = Dwelling.objects.get(corporation=corporation_a, external_id="D-1")
    assert list(DwellingStatusPeriod.objects.filter(dwelling=d1).values_list("valid_from", "valid_to")) == [
        (date(2021, 3, 1), None)]
    d2 = Dwelling.objects.get(corporation=corporation_a, external_id="D-2")
    assert list(DwellingStatusPeriod.objects.filter(dwelling=d2).values_list("status", "valid_from", "valid_to")) == [
        ("occupied", date(2021, 3, 1), date(2023, 6, 30)),
        ("renovation", date(2023, 6, 30), date(2023, 11, 1)),
        ("occupied", date(2023, 11, 1), None),
    ]


def test_running_the_series_again_changes_nothing(corporation_a, tmp_path):
    make_buurt()
    states = make_series()
    for state in states:
        write_state(tmp_path, state)
    assert history_import_series(sources=[tmp_path], corporation=corporation_a).is_valid
    periods = list(DwellingStatusPeriod.objects.order_by("pk").values_list("dwelling_id", "status", "valid_from",
                                                                            "valid_to"))
    again = history_import_series(sources=[tmp_path], corporation=corporation_a)
    assert again.is_valid
    # Files before the last imported date are skipped; the last one again is no change.
    assert [f.skipped for f in again.files] == [True, True, True, True, False]
    assert list(DwellingStatusPeriod.objects.order_by("pk").values_list("dwelling_id", "status", "valid_from",
                                                                         "valid_to")) == periods
    assert_as_on(corporation_a, states)


def test_a_bad_file_stops_the_series_and_leaves_nothing_of_itself(corporation_a, tmp_path):
    make_buurt()
    states = make_series()[:3]
    for state in states:
        write_state(tmp_path, state)
    bad = tmp_path / f"voorraad-{states[2].day.isoformat()}" / "dwellings.csv"
    bad.write_text(bad.read_text().replace("renovation", "verbouwd"))
    report = history_import_series(sources=[tmp_path], corporation=corporation_a)
    assert not report.is_valid
    assert report.stopped_at.as_of == states[2].day
    error = str(report.stopped_at.report.errors[0])
    assert "dwellings.csv" in error and "row 3" in error and "status" in error
    # The first two files stay; of the third nothing is written, history included.
    assert list(HistoryImport.objects.values_list("as_of", flat=True)) == [states[0].day, states[1].day]
    assert not DwellingStatusPeriod.objects.filter(valid_from=states[2].day).exists()
    assert not HouseholdIncomeBand.objects.filter(year=states[2].day.year).exists()
    assert_as_on(corporation_a, states[:2])


def test_file_names_without_a_date_are_named_before_anything_is_imported(corporation_a, tmp_path):
    make_buurt()
    state = make_series()[0]
    write_state(tmp_path, state)
    (tmp_path / "voorraad.xlsx").write_bytes(b"")
    (tmp_path / "eenheden-2023-02-30.csv").write_text("x")
    report = history_import_series(sources=[tmp_path], corporation=corporation_a)
    assert report.problems == [
        "eenheden-2023-02-30.csv: the date in the name is no date (write it as YYYY-MM-DD)",
        "voorraad.xlsx: no date in the name (write it as YYYY-MM-DD, e.g. voorraad-2023-01-01.xlsx)",
    ]
    assert not Dwelling.objects.exists() and not HistoryImport.objects.exists()


def test_another_corporations_history_never_appears(corporation_a, corporation_b, tmp_path):
    make_buurt()
    states = make_series()
    for state in states:
        write_state(tmp_path / "a", state)
    other = [State(s.day, s.complexes, {code: (c, "vacant") for code, (c, _s) in s.dwellings.items()},
                   {code: (size, 90000) for code, (size, _i) in s.households.items()}, s.tenancies)
             for s in states]
    for state in other:
        write_state(tmp_path / "b", state)
    assert history_import_series(sources=[tmp_path / "a"], corporation=corporation_a).is_valid
    assert history_import_series(sources=[tmp_path / "b"], corporation=corporation_b).is_valid
    assert_as_on(corporation_a, states)
    assert_as_on(corporation_b, other)
    own = set(Dwelling.objects.filter(corporation=corporation_a).values_list("pk", flat=True))
    for state in states:
        assert set(dwelling_status_on(corporation_a, state.day)) <= own
        assert set(dwelling_status_on(corporation_a.pk, state.day)) <= own


# --- random series -----------------------------------------------------------------------------------------------

DWELLINGS = [f"D-{i}" for i in range(1, 7)]
HOUSEHOLDS = [f"H-{i}" for i in range(1, 4)]


@st.composite
def random_series(draw):
    count = draw(st.integers(min_value=2, max_value=5))
    offsets = sorted(draw(st.sets(st.integers(min_value=0, max_value=5 * 365), min_size=count, max_size=count)))
    states = []
    for offset in offsets:
        day = date(2021, 1, 1) + timedelta(days=offset)
        statuses = draw(st.lists(st.sampled_from(STATUSES), min_size=len(DWELLINGS), max_size=len(DWELLINGS)))
        incomes = draw(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=120_000)),
                                min_size=len(HOUSEHOLDS), max_size=len(HOUSEHOLDS)))
        vve = draw(st.sampled_from([None, True, False]))
        states.append(State(
            day, {"C-1": vve, "C-2": None},
            {code: ("C-1" if i < 4 else "C-2", status) for i, (code, status) in enumerate(zip(DWELLINGS, statuses,
                                                                                              strict=True))},
            {code: (1 + i, income) for i, (code, income) in enumerate(zip(HOUSEHOLDS, incomes, strict=True))},
            {f"T-{i}": (DWELLINGS[i], HOUSEHOLDS[i]) for i in range(len(HOUSEHOLDS))},
        ))
    return states


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states=random_series())
def test_as_on_date_over_random_series(tmp_path_factory, states):
    make_buurt()
    corporation = HousingCorporation.objects.create(code=f"rnd-{HousingCorporation.objects.count()}", name="R")
    folder = tmp_path_factory.mktemp("series")
    for state in states:
        write_state(folder, state)
    report = history_import_series(sources=[folder], corporation=corporation)
    assert report.is_valid, [str(e) for f in report.files if f.report for e in f.report.errors]
    assert_as_on(corporation, states)
