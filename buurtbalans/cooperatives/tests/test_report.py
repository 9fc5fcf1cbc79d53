"""`buurtbalans cooperative_report`: per cooperative and commitment the target, the realised figure from the log and
the review status. The realised figures equal the activity log, counted here independently in the database."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.db.models.functions import ExtractIsoYear, ExtractWeek
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.cooperatives.models import Activity, Commitment

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("cooperative_report", *args, stdout=out)
    return out.getvalue()


def log_counts(commitment: Commitment, year: int) -> int:
    """The realised figure of a commitment in a year, counted in the database (not with cooperatives.measure)."""
    rows = Activity.objects.filter(commitment=commitment, day__gte=date(year, 1, 1), day__lte=date(year, 12, 31))
    # Entries outside the commitment's own period do not count for it.
    rows = rows.filter(day__gte=commitment.valid_from)
    if commitment.valid_until is not None:
        rows = rows.filter(day__lte=commitment.valid_until)
    if commitment.target_kind == "activities":
        return rows.count()
    if commitment.target_kind == "participants":
        return rows.aggregate(n=Sum("participants"))["n"] or 0
    if commitment.target_kind == "buurt_participants":
        return rows.aggregate(n=Sum("buurt_participants"))["n"] or 0
    return rows.annotate(y=ExtractIsoYear("day"), w=ExtractWeek("day")).values("y", "w").distinct().count()


def test_the_report_gives_target_realised_and_review_status_per_commitment(coop1, coop2):
    report = json.loads(run("--year", "2025"))
    assert report["year"] == 2025
    names = [c["cooperative"] for c in report["cooperatives"]]
    assert names == ["Cooperative ONE", "Cooperative TWO"]
    one = {c["description"]: c for c in report["cooperatives"][0]["commitments"]}
    cafe, shop = one["Language cafe ONE"], one["Give-away shop ONE"]
    assert (cafe["target"], cafe["realised"], cafe["review_status"]) == (10, 1, "not_reviewed")
    assert (shop["target"], shop["realised"], shop["review_status"]) == (40, 0, "partly_reviewed")
    assert shop["periods"][0] == {"period": "2025-Q1", "target": 10, "realised": 0, "verdict": "partly"}


def test_the_csv_has_the_same_rows_and_the_corporation_filter_narrows(coop1, coop2, stock_b):
    from buurtbalans.cooperatives.testing import make_cooperative

    make_cooperative(stock_b.corporation, stock_b.complex, marker="BEE", kvk="33333333")
    rows = list(csv.DictReader(io.StringIO(run("--year", "2025", "--format", "csv"))))
    assert len(rows) == 6
    only_a = list(csv.DictReader(io.StringIO(run("--year", "2025", "--format", "csv", "--corporation", "corp-a"))))
    assert {r["cooperative"] for r in only_a} == {"Cooperative ONE", "Cooperative TWO"}
    cafe = next(r for r in only_a if r["description"] == "Language cafe ONE")
    assert (cafe["target"], cafe["realised"], cafe["review_status"]) == ("10", "1", "not_reviewed")
    shop = next(r for r in only_a if r["description"] == "Give-away shop ONE")
    assert shop["reviews"].startswith("2025-Q1=partly; 2025-Q2=not_reviewed")


def test_an_unknown_corporation_or_year_is_bad_input(db):
    with pytest.raises(CommandError) as error:
        run("--year", "2025", "--corporation", "nope")
    assert error.value.returncode == 2
    with pytest.raises(CommandError):
        run("--year", "25")


entries = st.lists(
    st.tuples(
        st.integers(0, 3),  # which commitment
        st.dates(date(2024, 12, 20), date(2026, 1, 10)),
        st.integers(0, 40),
        st.integers(0, 40),
    ),
    max_size=40,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(log=entries)
def test_the_realised_figures_equal_the_activity_log_for_any_log(coop1, log):
    cooperative = coop1.cooperative
    agreement = coop1.agreement
    commitments = [coop1.commitment, coop1.weekly]
    # Two more kinds, one of which starts in the middle of the year (its target is a part of the yearly one).
    for kind, start in (("participants", date(2020, 1, 1)), ("buurt_participants", date(2025, 7, 1))):
        commitment, _created = Commitment.objects.get_or_create(
            agreement=agreement, target_kind=kind,
            defaults={"theme": "culture", "description": f"{kind} commitment", "target_per_year": 100,
                      "valid_from": start, "review_rhythm": "half_yearly"},
        )
        commitments.append(commitment)
    Activity.objects.filter(cooperative=cooperative).delete()
    Activity.objects.bulk_create([
        Activity(cooperative=cooperative, commitment=commitments[which], day=day, description="random",
                 participants=max(a, b), buurt_participants=min(a, b), recorded_by_name="hypothesis")
        for which, day, a, b in log
    ])
    report = json.loads(run("--year", "2025", "--corporation", "corp-a"))
    rows = {c["id"]: c for c in report["cooperatives"][0]["commitments"]}
    for commitment in commitments:
        assert rows[commitment.pk]["realised"] == log_counts(commitment, 2025), commitment.target_kind
        # The periods' figures add up for the additive kinds.
        if commitment.target_kind != "open_weeks":
            assert sum(p["realised"] for p in rows[commitment.pk]["periods"]) == rows[commitment.pk]["realised"]
    late = rows[commitments[3].pk]
    assert late["target"] == 51  # 100 x 184/365, rounded up
    assert [p["period"] for p in late["periods"]] == ["2025-H2"]
