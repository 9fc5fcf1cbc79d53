"""The yearly account as Excel and PDF, the tables as CSV, and the comparison with comparable complexes."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from buurtbalans.cooperatives.account import AccountContent, account_story
from buurtbalans.cooperatives.models import Activity
from buurtbalans.households.models import Household, Tenancy
from buurtbalans.portfolio.models import Complex, Dwelling

pytestmark = pytest.mark.django_db


def test_the_excel_account_has_the_account_the_commitments_the_reviews_and_the_log(client, coop1, bea):
    Activity.objects.create(cooperative=coop1.cooperative, commitment=coop1.commitment, day=date(2025, 5, 2),
                            description="=HYPERLINK(\"http://evil\")", participants=3, recorded_by_name="bea")
    client.force_login(bea)
    response = client.get(reverse("cooperative_account", args=[coop1.cooperative.pk, 2025]), {"format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.sheetnames) == 4  # account, commitments, reviews, activity log
    assert "Cooperative ONE" in [r[1] for r in workbook.worksheets[0].iter_rows(values_only=True)]
    commitments = list(workbook.worksheets[1].iter_rows(values_only=True))
    cafe = next(r for r in commitments if r[1] == "Language cafe ONE")
    assert cafe[3:6] == (2025, 10, 2)  # year, target, realised
    log = list(workbook.worksheets[3].iter_rows(values_only=True))
    assert len(log) == 3  # header and two activities
    formula_cell = next(c for row in workbook.worksheets[3].iter_rows() for c in row
                        if c.value and str(c.value).startswith("=HYPERLINK"))
    assert formula_cell.data_type == "s"


def test_the_pdf_account_has_the_same_figures(client, coop1, bob):
    client.force_login(bob)
    response = client.get(reverse("cooperative_account_pdf", args=[coop1.cooperative.pk, 2024]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    from buurtbalans.cooperatives.selectors import account_get, activity_list, cooperative_year_figures

    content = AccountContent(
        cooperative=coop1.cooperative, year=2025, account=account_get(bob, coop1.cooperative, 2025),
        figures=cooperative_year_figures(bob, coop1.cooperative, 2025, today=timezone.localdate()),
        reviews=[coop1.review], activities=list(activity_list(bob, coop1.cooperative, year=2025)),
    )
    text = " ".join(getattr(f, "text", "") for f in account_story(content, generated=timezone.now()))
    tables = [f for f in account_story(content, generated=timezone.now()) if hasattr(f, "_cellvalues")]
    cells = " ".join(p.text for table in tables for row in table._cellvalues for p in row)
    assert "Cooperative ONE" in text
    assert "Language cafe ONE" in cells and "Evening ONE" in cells and "review-note" not in cells


def test_the_commitments_table_downloads_as_csv(client, coop1, bob):
    client.force_login(bob)
    response = client.get(reverse("cooperative_detail", args=[coop1.cooperative.pk]),
                          {"format": "csv", "table": "commitments", "year": "2025"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Language cafe ONE" in text and ",10,1," in text


def _tenancies(complex_, *, ended_in: dict[int, int], prefix: str):
    """Ended tenancies per year in the complex's first dwelling."""
    dwelling = Dwelling.objects.filter(complex=complex_).first()
    household = Household.objects.create(corporation=complex_.corporation, external_id=f"{prefix}-HH", size=1,
                                         adults=1, assessed_income=Decimal("18000"))
    n = 0
    for year, count in ended_in.items():
        for i in range(count):
            n += 1
            Tenancy.objects.create(
                corporation=complex_.corporation, external_id=f"{prefix}-X{n}", dwelling=dwelling, household=household,
                start_date=date(year, 1, 1 + i), end_date=date(year, 6, 1 + i), income_at_start=Decimal("18000"),
            )


def test_the_comparison_counts_turnover_against_complexes_without_a_cooperative(client, bob, coop1, stock_a):
    year = timezone.localdate().year - 1
    others = []
    for number in range(3):
        complex_ = Complex.objects.create(corporation=stock_a.corporation, external_id=f"A-K{number}",
                                          name=f"Other {number}", neighbourhood=stock_a.neighbourhood)
        for d in range(3):
            Dwelling.objects.create(corporation=stock_a.corporation, complex=complex_, external_id=f"A-K{number}-{d}",
                                    street="Anderestraat", house_number=d + 1, postcode="8011AC")
        others.append(complex_)
    _tenancies(stock_a.complex, ended_in={year: 1}, prefix="coop")
    _tenancies(others[0], ended_in={year: 3}, prefix="other")
    client.force_login(bob)
    response = client.get(reverse("cooperative_comparison", args=[coop1.cooperative.pk]))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.rule == "neighbourhood"
    assert {c.external_id for c in result.comparable_complexes} == {"A-K0", "A-K1", "A-K2"}
    last_coop, last_other = result.rows[-1]
    assert last_coop.year == year
    # 1 ended tenancy over 3 dwellings; 3 over 9 dwellings.
    assert round(last_coop.turnover_per_100, 1) == 33.3 and round(last_other.turnover_per_100, 1) == 33.3
    assert last_coop.lettings == 1 and last_coop.lowest_income_lettings == 1
    csv_text = b"".join(client.get(response.request["PATH_INFO"], {"format": "csv"}).streaming_content)
    assert str(year).encode() in csv_text
    # Counts only: no household code on the page.
    assert "coop-HH" not in response.text and "other-HH" not in response.text


def test_the_comparison_is_for_staff_with_aggregates_only(client, coop1, bea):
    client.force_login(bea)
    assert client.get(reverse("cooperative_comparison", args=[coop1.cooperative.pk])).status_code == 403


def _vitality(complex_, reference_date, score, dwellings=3, latest=False):
    from buurtbalans.liveability.models import ComplexVitality

    return ComplexVitality.objects.create(
        corporation=complex_.corporation, complex=complex_, reference_date=reference_date, is_latest=latest,
        dwelling_count=dwellings, score=score, computed=timezone.now(),
    )


def test_the_comparison_adds_the_monitors_vitality_score_when_there_is_one(client, bob, coop1, stock_a):
    year = timezone.localdate().year - 1
    others = []
    for number in range(3):
        complex_ = Complex.objects.create(corporation=stock_a.corporation, external_id=f"A-V{number}",
                                          name=f"Other {number}", neighbourhood=stock_a.neighbourhood)
        Dwelling.objects.create(corporation=stock_a.corporation, complex=complex_, external_id=f"A-V{number}-1",
                                street="Anderestraat", house_number=1, postcode="8011AC")
        others.append(complex_)
    _vitality(stock_a.complex, date(year, 12, 31), 72.0)
    _vitality(others[0], date(year, 12, 31), 50.0, dwellings=1)
    _vitality(others[1], date(year, 12, 31), 60.0, dwellings=3)
    client.force_login(bob)
    result = client.get(reverse("cooperative_comparison", args=[coop1.cooperative.pk])).context["result"]
    assert result.has_vitality
    coop_last, other_last = result.rows[-1]
    assert coop_last.vitality_score == 72.0
    assert other_last.vitality_score == pytest.approx((50 * 1 + 60 * 3) / 4)
    assert result.rows[0][0].vitality_score is None


def test_the_cooperatives_map_marks_their_complexes_on_the_monitors_map(client, bob, bea, charlie, coop1, stock_a):
    from buurtbalans.liveability import selectors as monitor

    monitor._PROJECTED.clear()  # the monitor caches projected boundaries per process
    buurt = stock_a.neighbourhood
    buurt.geometry = {"type": "Polygon", "coordinates": [[[6.08, 52.50], [6.10, 52.50], [6.10, 52.52],
                                                         [6.08, 52.52], [6.08, 52.50]]]}
    buurt.centroid_lon, buurt.centroid_lat = 6.09, 52.51
    buurt.save()
    _vitality(stock_a.complex, timezone.localdate(), 65.0, latest=True)
    client.force_login(bob)
    response = client.get(reverse("cooperative_map"))
    assert response.status_code == 200
    assert [m["complex_code"] for m in response.context["markers"]] == ["A-C1"]
    assert "<circle" in response.text and "Cooperative ONE" in response.text
    assert "Cooperative ONE" in b"".join(client.get(reverse("cooperative_map"), {"format": "csv"})
                                         .streaming_content).decode("utf-8-sig")
    client.force_login(bea)
    assert client.get(reverse("cooperative_map")).status_code == 403
    client.force_login(charlie)
    response = client.get(reverse("cooperative_map"))
    assert response.status_code == 200 and "Cooperative ONE" not in response.text
    assert client.get(reverse("cooperative_map"), {"municipality": "GM0193"}).status_code == 404
