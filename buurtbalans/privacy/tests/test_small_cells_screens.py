"""The small-cell rule (`steering.reasons.Cell`) on the screens its downloads already followed, and in the liveability
report (issue 11): the overview's and a buurt's complex table, the composition of the stock complex page, and the
early-warning reasons of the PDF per municipality.

stock_a's complex has 2 households: A-H1 with a vulnerability marker and the lowest income, A-H2 without. Every
such figure stands for fewer than 5 households: the analyst (bob) and the administrator (ada) see "< 5", the
allocation officer (alice, who reads markers for her work) the exact figure.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from buurtbalans.liveability.services import vitality_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield client


def complex_row(html: str, code: str) -> str:
    """The table row of the complex with this code in the complex table."""
    table = html.split('id="complex-table"', 1)[1].split("</table>", 1)[0]
    (row,) = [r for r in table.split("<tr") if code in r]
    return row


def cells(row: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


@pytest.mark.parametrize("user", ["bob", "ada"])
def test_the_overview_table_shows_a_marker_share_of_fewer_than_5_households_as_less_than_5(client, user, stock_a,
                                                                                            request):
    client.force_login(request.getfixturevalue(user))
    html = client.get(reverse("stock_overview")).content.decode()
    row = complex_row(html, "A-C1")
    shown = cells(row)
    assert shown[-1] == "< 5"  # the last column: with a marker
    assert "50%" not in row and 'title="1"' not in row  # nor the count in the tooltip
    # The same figures as the download (privacy/tests/test_small_cells.py): the bands too.
    assert shown[-5:] == ["< 5"] * 5
    # The corporation's own figure is 1 household of 2 as well.
    figures = html.split('class="bb-figures"', 1)[1].split("</dl>", 1)[0]
    assert "&lt; 5" in figures and "50%" not in figures


def test_the_buurt_table_follows_the_same_rule(client, ada, stock_a):
    client.force_login(ada)
    html = client.get(reverse("neighbourhood_detail", args=[stock_a.neighbourhood.cbs_code])).content.decode()
    row = complex_row(html, "A-C1")
    assert cells(row)[-1] == "< 5" and "50%" not in row


def test_the_allocation_officer_sees_the_exact_share_on_the_overview_and_the_buurt(client, alice, stock_a):
    client.force_login(alice)
    row = complex_row(client.get(reverse("stock_overview")).content.decode(), "A-C1")
    assert cells(row)[-1] == "50%" and "< 5" not in row
    html = client.get(reverse("neighbourhood_detail", args=[stock_a.neighbourhood.cbs_code])).content.decode()
    assert cells(complex_row(html, "A-C1"))[-1] == "50%"


def composition_section(html: str) -> str:
    return html.split("Who lives here: income", 1)[1].split("</table>", 1)[0]


@pytest.mark.parametrize("user", ["bob", "ada"])
def test_the_stock_complex_page_shows_its_composition_under_the_rule(client, user, stock_a, request):
    client.force_login(request.getfixturevalue(user))
    page = client.get(reverse("complex_detail", args=[stock_a.complex.pk]))
    section = composition_section(page.content.decode())
    assert "Share with a vulnerability marker: &lt; 5." in section
    assert "50%" not in section
    # The income bands' table: counts and shares of 1 household are "< 5"; the chart, whose bar widths would give
    # the shares away, is left out.
    assert "&lt; 5" in section.split("<tbody", 1)[1]
    assert "<svg" not in section
    assert "2 households live here now." in section  # the total is not a count of a few with a marker


def test_the_allocation_officer_sees_the_exact_composition_of_the_complex(client, alice, stock_a):
    client.force_login(alice)
    section = composition_section(client.get(reverse("complex_detail", args=[stock_a.complex.pk])).content.decode())
    assert "Share with a vulnerability marker: 50%." in section
    assert "&lt; 5" not in section and "<svg" in section


def report_text(user, corporation) -> str:
    from buurtbalans.core.figures import is_protected
    from buurtbalans.liveability.report_pdf import liveability_report_data, liveability_story

    today = timezone.localdate()
    vitality_refresh(corporation=corporation, reference_date=today)
    with translation.override("en"):
        data = liveability_report_data(corporation=corporation, municipality_code="GM0193", year=today.year,
                                       protected=is_protected(user))
        story = liveability_story(data, generated=timezone.now())
    texts = []
    for flowable in story:  # paragraphs, and tables of paragraphs
        texts.append(getattr(flowable, "text", ""))
        texts += [cell.text for row in getattr(flowable, "_cellvalues", []) for cell in row]
    return unescape(" ".join(texts))


def warning_table_text(story_text: str) -> str:
    return story_text.split("Complexes that need attention", 1)[1].split("Focus neighbourhoods", 1)[0]


@pytest.mark.parametrize("user", ["bob", "ada"])
def test_the_liveability_report_gives_no_exact_share_of_fewer_than_5_households(user, stock_a, request):
    text = report_text(request.getfixturevalue(user), stock_a.corporation)
    warnings = warning_table_text(text)
    # The reason still says the complex is past the warning level, without the share of 1 household in 2.
    assert "Households with a vulnerability marker is past the warning level of 35%." in warnings
    assert "50%" not in text
    assert "< 5" in text.split("Who lives there", 1)[1].split("Vitality of our complexes", 1)[0]


def test_the_liveability_report_for_the_allocation_officer_has_the_exact_share(alice, stock_a):
    text = report_text(alice, stock_a.corporation)
    assert "Households with a vulnerability marker is 50%, past the warning level of 35%." in warning_table_text(text)


def test_the_report_job_follows_the_rule_of_who_started_it_and_only_they_may_read_an_exact_one(
        client, bob, alice, stock_a, settings):
    from buurtbalans.core.jobs import run_pending_jobs
    from buurtbalans.core.models import Job

    vitality_refresh(corporation=stock_a.corporation, reference_date=timezone.localdate())
    year = timezone.localdate().year
    client.force_login(alice)
    client.post(reverse("monitor_report"), {"municipality": "GM0193", "year": year})
    run_pending_jobs()
    exact = Job.objects.get(kind="liveability_report", user=alice)
    assert exact.status == Job.Status.SUCCEEDED, exact.result
    assert exact.params["small_cells"] is False
    assert client.get(exact.result["file"]["url"]).status_code == 200

    client.force_login(bob)
    client.post(reverse("monitor_report"), {"municipality": "GM0193", "year": year})
    run_pending_jobs()
    coarse = Job.objects.get(kind="liveability_report", user=bob)
    assert coarse.params["small_cells"] is True
    assert client.get(coarse.result["file"]["url"]).status_code == 200
    # alice's report holds exact small counts: not for an analyst, though he may read the monitor.
    assert client.get(exact.result["file"]["url"]).status_code == 404
