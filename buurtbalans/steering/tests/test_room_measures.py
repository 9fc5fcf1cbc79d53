"""Steering that steers (issue 14 item 8): the room check weighs every limit of the complex profile and names the
one that decides; the monitor warns at the same limits; the analyst sees a small share rounded, not "< 5"."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.core.figures import Cell, rounding_step
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.liveability.models import ComplexVitality
from buurtbalans.liveability.services import vitality_refresh
from buurtbalans.steering.mix import (
    Counts,
    Inflow,
    Measure,
    MixRow,
    Profile,
    RoomAnswer,
    complex_mix_rows,
    room_for_vulnerable,
)
from buurtbalans.steering.reasons import room_headline
from buurtbalans.steering.testing import make_mix_complex, residents
from buurtbalans.steering.tests.conftest import REFERENCE_DATE
from buurtbalans.steering.tests.test_plans import request_plan


def row(households, vulnerable, primary, *, max_vulnerable="0.35", max_primary="0.75", inflow=None) -> MixRow:
    profile = Profile({}, Decimal(max_vulnerable), Decimal(max_primary), "complex")
    counts = Counts(households=households, vulnerable=vulnerable, primary=primary)
    return MixRow(1, "C", "Complex", "", "", counts, inflow or Inflow(), 1, profile)


def headline(room) -> str:
    with translation.override("en"):
        return room_headline(room, protected=False)


@pytest.mark.parametrize(
    ("households", "vulnerable", "primary", "max_primary", "answer", "binding", "says"),
    [
        # 40% marked against 35%: the vulnerable share decides.
        (40, 16, 10, "0.75", RoomAnswer.NO, ("vulnerable",),
         "the share with a vulnerability marker is 40.0%, the profile allows 35.0%"),
        # Meidoornflat: few markers, 95% lowest incomes against a profile of 60%.
        (40, 2, 38, "0.60", RoomAnswer.NO, ("primary",),
         "the share of the lowest incomes is 95.0%, the profile allows 60.0%"),
        # Within both limits, also after one more.
        (40, 2, 10, "0.75", RoomAnswer.YES, (), "stays within every limit"),
        # Both over: the one furthest over (lowest incomes, +35 points; markers +15) is named first.
        (40, 20, 38, "0.60", RoomAnswer.NO, ("primary", "vulnerable"),
         "the share of the lowest incomes is 95.0%, the profile allows 60.0%; the share with a vulnerability "
         "marker is 50.0%, the profile allows 35.0%"),
        # One more placement takes the lowest incomes over their maximum: borderline, naming them.
        (40, 2, 29, "0.75", RoomAnswer.BORDERLINE, ("primary",),
         "with one more, the share of the lowest incomes would be 73.2%, close to the 75.0% the profile allows"),
    ],
)  # fmt: skip
def test_the_room_check_names_the_measure_that_decides(
    households, vulnerable, primary, max_primary, answer, binding, says
):
    room = room_for_vulnerable(row(households, vulnerable, primary, max_primary=max_primary))
    assert room.answer == answer
    assert room.binding == binding
    assert says in headline(room)


def test_a_complex_far_out_of_balance_has_no_room_even_without_markers():
    # Before issue 14 only markers counted: 95% lowest incomes with none marked answered "Ja, er is ruimte".
    room = room_for_vulnerable(row(40, 0, 38, max_primary="0.75"))
    assert room.answer == RoomAnswer.NO and room.binding == (Measure.PRIMARY,)
    with translation.override("nl"):
        assert room_headline(room, protected=True).startswith("Nee")


shares = st.integers(min_value=0, max_value=100).map(lambda p: Decimal(p) / 100)


@settings(max_examples=400, deadline=None)
@given(
    households=st.integers(min_value=0, max_value=200),
    data=st.data(),
    max_vulnerable=shares,
    max_primary=shares,
)
def test_room_yes_never_when_a_measure_reaches_its_limit_after_one_more(households, data, max_vulnerable, max_primary):
    vulnerable = data.draw(st.integers(min_value=0, max_value=households))
    primary = data.draw(st.integers(min_value=0, max_value=households))
    lettings = data.draw(st.integers(min_value=0, max_value=20))
    inflow = Inflow(
        lettings,
        data.draw(st.integers(min_value=0, max_value=lettings)),
        data.draw(st.integers(min_value=0, max_value=lettings)),
    )
    room = room_for_vulnerable(
        row(households, vulnerable, primary, max_vulnerable=str(max_vulnerable), max_primary=str(max_primary),
            inflow=inflow)
    )  # fmt: skip
    for count, maximum in ((vulnerable, max_vulnerable), (primary, max_primary)):
        after = Decimal(count + 1) / Decimal(households + 1)
        now_at_limit = households > 0 and Decimal(count) / Decimal(households) >= maximum
        if after >= maximum or now_at_limit:
            assert room.answer != RoomAnswer.YES
        if now_at_limit or maximum == 0:
            assert room.answer == RoomAnswer.NO
    if room.answer != RoomAnswer.YES:
        assert room.binding  # a "no" or "borderline" always names what decides it
    else:
        assert room.binding == ()


# --- the monitor warns where steering says no -------------------------------------------------------------------


@pytest.fixture
def thirty_percent(town):
    """A complex at 30% marked (12 of 40): within steering's 35%, which the monitor warned about at 25%."""
    corporation, buurt = town["stock"].corporation, town["stock"].neighbourhood
    return make_mix_complex(
        corporation, "A-THIRTY", neighbourhood=buurt,
        residents=[*residents(12, income="20000", marker=True), *residents(28, income="50000")],
    )  # fmt: skip


@pytest.mark.django_db
def test_the_monitor_warning_and_the_steering_answer_agree(town, thirty_percent):
    corporation = town["stock"].corporation
    vitality_refresh(corporation=corporation, reference_date=REFERENCE_DATE)
    rooms = {r.code: room_for_vulnerable(r) for r in complex_mix_rows(corporation.pk, REFERENCE_DATE)}
    vitality = {
        v.complex.external_id: v
        for v in ComplexVitality.objects.filter(corporation=corporation, is_latest=True).select_related("complex")
    }
    keys = {Measure.VULNERABLE: "vulnerable_share", Measure.PRIMARY: "primary_share"}
    for code, room in rooms.items():
        warned = {w["key"]: w for w in vitality[code].warnings if w["kind"] == "past_warning_level"}
        for measure, key in keys.items():
            check = room.check(measure)
            # One limit: the monitor's warning level is the profile's maximum.
            assert vitality[code].parts[key]["warning"] == pytest.approx(float(check.maximum))
            if key in warned:  # past the limit: steering says no, naming that measure
                assert room.answer == RoomAnswer.NO and measure in room.binding
            if room.answer == RoomAnswer.YES:
                assert key not in warned
    assert "vulnerable_share" in {w["key"] for w in vitality["A-HOT"].warnings}  # 40% > 35%
    assert rooms["A-HOT"].answer == RoomAnswer.NO
    assert "vulnerable_share" not in {w["key"] for w in vitality["A-THIRTY"].warnings}  # 30% <= 35%
    assert rooms["A-THIRTY"].answer != RoomAnswer.NO


# --- the analyst sees a rounded share -----------------------------------------------------------------------------


@pytest.fixture
def three_of_forty(town):
    """40 households, 3 with a marker (7.5%) and 3 with one of the lowest incomes; one vacancy."""
    corporation, buurt = town["stock"].corporation, town["stock"].neighbourhood
    from buurtbalans.steering.testing import Vacancy

    return make_mix_complex(
        corporation, "A-FORTY", neighbourhood=buurt,
        residents=[*residents(3, income="20000", marker=True), *residents(37, income="50000")],
        vacancies=[Vacancy(base_rent="650.00", wws_points="140")],
    )  # fmt: skip


def export_rows(client, url, code: str) -> dict:
    """The row of complex `code` in the Excel download, by header (the cells as numbers, not as text)."""
    response = client.get(url, {"format": "xlsx", "sort": "code"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [[cell.value for cell in r] for r in sheet.iter_rows()]
    return dict(zip(rows[0], next(r for r in rows if r[0] == code), strict=False))


def test_a_share_of_fewer_than_5_households_is_rounded_to_5_points_where_that_hides_the_count():
    assert rounding_step(40) == 5 and rounding_step(100) == 5
    assert rounding_step(2) is None and rounding_step(10) is None  # even 10 points would tell: "< 5"
    with translation.override("en"):
        assert Cell(3, 40, True).share_text == "≈\u00a010%"
        assert Cell(3, 40, True).count_text == "< 5"
        assert Cell(3, 40, False).share_text == "7.5%"
        assert Cell(1, 2, True).share_text == "< 5"
    # Every rounded value stands for at least two of the counts 1-4 it could come from.
    for total in range(1, 400):
        step = rounding_step(total)
        if step is None:
            continue
        shown = {}
        for count in range(min(4, total) + 1):
            shown.setdefault(Cell(count, total, True).export_share, []).append(count)
        assert all(len(counts) >= 2 for counts in shown.values() if counts != [0]), (total, shown)


@pytest.mark.django_db
def test_the_analyst_sees_a_rounded_share_on_the_page_in_the_export_and_in_the_plan(
    english, town, three_of_forty, bob, alice, monkeypatch
):
    monkeypatch.setattr("buurtbalans.steering.views.timezone.localdate", lambda: REFERENCE_DATE)
    english.force_login(bob)
    page = english.get(reverse("steering_concentration"), {"sort": "code"})
    rows = {v["row"].code: v for v in page.context["page"].object_list}
    assert rows["A-FORTY"]["vulnerable"].share_text == "≈\u00a010%"
    assert rows["A-FORTY"]["vulnerable"].count_text == "< 5"
    assert "≈\u00a010%" in page.content.decode()
    by_name = export_rows(english, reverse("steering_concentration"), "A-FORTY")
    assert by_name["Share with a vulnerability marker"] == 0.1
    assert by_name["Households with a vulnerability marker"] == "< 5"

    plan = request_plan(town["stock"].corporation, bob)
    run_pending_jobs()
    plan.refresh_from_db()
    assert plan.is_done
    result = json.loads(english.get(reverse("steering_plan_result", args=[plan.pk])).content)
    forty = next(c for c in result["complexes"] if c["id"] == "A-FORTY")
    assert forty["vulnerable_share"] == "0.10"
    plan_page = english.get(reverse("steering_plan_complexes", args=[plan.pk]), {"sort": "code"})
    pc = next(pc for pc in plan_page.context["page"].object_list if pc.complex_code == "A-FORTY")
    assert pc.vulnerable_cell.share_text == "≈\u00a010%"

    # The allocation officer, who may read markers, sees the exact figure everywhere.
    english.force_login(alice)
    rows = {v["row"].code: v for v in english.get(reverse("steering_concentration")).context["page"].object_list}
    assert rows["A-FORTY"]["vulnerable"].share_text == "7.5%"
    by_name = export_rows(english, reverse("steering_concentration"), "A-FORTY")
    assert by_name["Share with a vulnerability marker"] == 0.075
    result = json.loads(english.get(reverse("steering_plan_result", args=[plan.pk])).content)
    exact = next(c for c in plan.result_document["complexes"] if c["id"] == "A-FORTY")
    assert next(c for c in result["complexes"] if c["id"] == "A-FORTY") == exact
    assert exact["vulnerable_share"] != "0.10"  # 3 of 41 with the vacancy: 7.3%, shown to the analyst as 10%


