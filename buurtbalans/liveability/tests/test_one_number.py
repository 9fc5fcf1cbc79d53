"""One number everywhere (issue 14 item 3): the overview, the complex page and the PDF report show the same figures
for the same complex, rounded once, half up.

The complex is the only one of its municipality, so the report's figures for the municipality are the complex's.
Its figures sit just above a half, where cutting and rounding differ: a vitality score of 59.7 (cut: 59), 3 of
200 dwellings vacant (1.5 %, cut: 1 %), 1 in renovation (0.5 %, cut: 0 %), 5 of 52 households with an unknown
income (9.6 %, cut: 9 %).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from buurtbalans.core.formatting import format_ratio, format_score
from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import Household, Tenancy
from buurtbalans.households.selectors import INCOME_BAND_LABELS
from buurtbalans.liveability.models import AreaVitality, ComplexVitality
from buurtbalans.liveability.report_pdf import liveability_report_data, liveability_report_pdf, liveability_story
from buurtbalans.portfolio.composition import composition_by_complex
from buurtbalans.portfolio.models import Dwelling, DwellingStatus
from buurtbalans.testing import make_stock

SCORE = 59.7
DWELLINGS = 200
VACANT, RENOVATION = 3, 1
HOUSEHOLDS, UNKNOWN_INCOME = 52, 5


@pytest.fixture
def one_complex(corporation_a):
    """The one complex of GM0193: 200 dwellings, 52 households (5 with no known income), a score of 59.7."""
    stock = make_stock(corporation_a, "A", "BU01930001")  # 3 dwellings (1 vacant), 2 households with an income
    template = stock.dwellings[0]
    extra = []
    for number in range(4, DWELLINGS + 1):
        status = "occupied"
        if number in (4, 5):
            status = "vacant"
        elif number == 6:
            status = "renovation"
        extra.append(Dwelling(
            corporation=corporation_a, complex=stock.complex, external_id=f"A-D{number}", street="Astraat",
            house_number=number, postcode="8011AA", city="Zwolle", dwelling_type="apartment", rooms=3,
            floor_area=template.floor_area, build_year=1975, energy_label="C", base_rent=template.base_rent,
            service_charges=template.service_charges, wws_points=template.wws_points, is_daeb=True, status=status,
        ))
    Dwelling.objects.bulk_create(extra)
    occupied = list(Dwelling.objects.filter(complex=stock.complex, status="occupied")
                    .exclude(pk__in=[t.dwelling_id for t in stock.tenancies]).order_by("house_number"))
    for index in range(HOUSEHOLDS - len(stock.households)):
        household = Household.objects.create(
            corporation=corporation_a, external_id=f"A-HX{index}", size=1, adults=1, children=0,
            assessed_income=None if index < UNKNOWN_INCOME else Decimal("21000"),
            income_year=None if index < UNKNOWN_INCOME else 2025,
            income_source="" if index < UNKNOWN_INCOME else "tax_authority",
        )
        Tenancy.objects.create(
            corporation=corporation_a, external_id=f"A-TX{index}", dwelling=occupied[index], household=household,
            start_date=date(2020, 1, 1), income_at_start=household.assessed_income, rent_at_start=Decimal("600.00"),
        )
    today = timezone.localdate()
    ComplexVitality.objects.create(
        corporation=corporation_a, complex=stock.complex, reference_date=today, is_latest=True,
        dwelling_count=DWELLINGS, household_count=HOUSEHOLDS, values={}, score=SCORE,
        warnings=[{"kind": "low_score", "value": SCORE, "threshold": 60.0}], warning_count=1,
        computed=timezone.now(),
    )
    for area_code in ("", "GM0193", "BU01930001"):
        AreaVitality.objects.create(
            corporation=corporation_a, area_code=area_code, reference_date=today, is_latest=True, complex_count=1,
            dwelling_count=DWELLINGS, values={}, score=SCORE, warning_count=1,
        )
    return stock


def row_cells(html: str, label: str) -> list[str]:
    """The cells of the table row headed `label` (a swatch before the label allowed)."""
    match = re.search(
        rf'<th scope="row"[^>]*>(?:<span[^>]*></span>)?{re.escape(label)}</th>((?:\s*<td[^>]*>.*?</td>)+)', html,
        re.S)
    assert match, label
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def report_text(story: list) -> str:
    """The report's text as the report tests read it (`privacy/tests/test_small_cells_screens.py`): paragraphs,
    and tables of paragraphs, a row's cells joined with " | "."""
    texts = []
    for flowable in story:
        texts.append(getattr(flowable, "text", ""))
        texts += [" | ".join(cell.text for cell in row) for row in getattr(flowable, "_cellvalues", [])]
    return unescape("\n".join(texts))


def stock_overview_url() -> str:
    try:
        return reverse("stock_overview")
    except NoReverseMatch:  # before the work list took the home page (issue 14 item 1)
        return reverse("overview")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_overview_the_complex_page_and_the_pdf_report_show_the_same_figures(client, one_complex, language):
    stock = one_complex
    manager = make_user("maud", stock.corporation, Role.NEIGHBOURHOOD_MANAGER, Role.ALLOCATION_OFFICER)
    client.force_login(manager)
    client.cookies["django_language"] = language
    composition = composition_by_complex(stock.corporation.pk, timezone.localdate(),
                                         complex_ids=[stock.complex.pk])[stock.complex.pk].as_counts()
    assert (composition["household_count"], composition["unknown_count"]) == (HOUSEHOLDS, UNKNOWN_INCOME)

    with translation.override(language):
        vacant_label, renovation_label = (str(DwellingStatus(s).label) for s in ("vacant", "renovation"))
        unknown_label = str(INCOME_BAND_LABELS["unknown"])
        expected = {
            "score": format_score(SCORE),
            "vacant": format_ratio(VACANT, DWELLINGS),
            "renovation": format_ratio(RENOVATION, DWELLINGS),
            "unknown": format_ratio(UNKNOWN_INCOME, HOUSEHOLDS),
        }
        # Cutting would show other figures: this complex tells rounding from cutting.
        assert expected == {"score": "60", "vacant": "2%", "renovation": "1%", "unknown": "10%"}

        overview = client.get(stock_overview_url()).content.decode()
        complex_page = client.get(reverse("complex_detail", args=[stock.complex.pk])).content.decode()
        monitor = client.get(reverse("monitor_overview")).content.decode()
        monitor_complex = client.get(reverse("monitor_complex", args=[stock.complex.pk])).content.decode()

        data = liveability_report_data(corporation=stock.corporation, municipality_code="GM0193",
                                       year=timezone.localdate().year, protected=False)
        pdf = report_text(liveability_story(data, generated=timezone.now()))
        assert liveability_report_pdf(data, generated=timezone.now()).startswith(b"%PDF")

    # Vitality score: the monitor's table, the complex's card in the monitor and on the complex page, the report.
    score_cell = re.search(rf'{re.escape(stock.complex.name)}</a>.*?<span class="bb-score[^"]*">([^<]*)</span>',
                           monitor, re.S)
    assert score_cell and score_cell.group(1) == expected["score"]
    card = re.search(r'<span class="bb-score[^"]*">([^<]*)</span>', monitor_complex)
    assert card and card.group(1) == expected["score"]
    assert re.search(rf"\b{expected['score']}\b[^<]*100", complex_page), "the complex page's vitality card"
    report_score = re.search(r"(\d+) (?:of|van) 100", pdf)
    assert report_score and report_score.group(1) == expected["score"]

    # Dwelling shares: the overview's and the complex page's status tables, the report's.
    for label, key in ((vacant_label, "vacant"), (renovation_label, "renovation")):
        assert row_cells(overview, label)[1] == expected[key], label
        assert row_cells(complex_page, label)[1] == expected[key], label
        assert re.search(rf"^{re.escape(label)} \| [^|]+ \| {re.escape(expected[key])}$", pdf, re.M), (label, pdf)

    # Unknown income: the income tables of the overview and the complex page, the overview's complex table, the
    # report's income table.
    assert row_cells(overview, unknown_label)[1] == expected["unknown"]
    assert row_cells(complex_page, unknown_label)[1] == expected["unknown"]
    assert re.search(rf"^{re.escape(unknown_label)} \| [^|]+ \| {re.escape(expected['unknown'])}$", pdf, re.M), pdf

    # The report's list of complexes that need attention has the same score as the screens.
    assert f"{stock.complex.name} ({stock.complex.external_id})" in pdf
    assert re.search(rf"^{re.escape(stock.complex.name)} \({re.escape(stock.complex.external_id)}\) \| [^|]+ \| "
                     rf"{expected['score']} \| ", pdf, re.M), pdf


def test_a_score_just_below_the_warning_level_is_not_written_as_the_level():
    """59.7 shows as 60 on every screen; the warning's reason says why it warns, so it gives the decimal."""
    from buurtbalans.liveability.texts import warning_line

    with translation.override("nl"):
        line = warning_line({"kind": "low_score", "value": 59.7, "threshold": 60.0})
        assert "59,7" in line and "60" in line
        assert "58" in warning_line({"kind": "low_score", "value": 58.2, "threshold": 60.0})
        assert "59,96" in warning_line({"kind": "low_score", "value": 59.96, "threshold": 60.0})
