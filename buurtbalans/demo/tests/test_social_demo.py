"""Synthetic social management records for the demo: deterministic, more where the buurt scores low, all or none."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from buurtbalans.demo.social import ComplexFacts, generate
from buurtbalans.liveability.models import ArrearsRecord, ComplexVitality, MeetingPlaceUse, Signal


def test_the_same_seed_gives_the_same_records_and_low_scores_get_more_signals():
    complexes = [ComplexFacts(1, 400, 380, 0.0, "Goed"), ComplexFacts(2, 400, 380, 0.2, "Zwak")]
    first, again = generate(complexes, date(2025, 6, 30), seed=7), generate(complexes, date(2025, 6, 30), seed=7)
    assert first == again
    per_complex = {1: 0, 2: 0}
    for complex_id, _kind, reported, resolved in first.signals:
        per_complex[complex_id] += 1
        assert date(2020, 6, 30) <= reported <= date(2025, 6, 30)
        assert resolved is None or reported < resolved <= date(2025, 6, 30)
    assert per_complex[2] > 2 * per_complex[1]


@pytest.mark.django_db
def test_the_command_writes_records_once_and_counts_the_vitality(stock_a):
    out = io.StringIO()
    call_command("seed_social_demo", corporation="corp-a", refresh=True, stdout=out)
    assert "vitality: 1 complexes" in out.getvalue()
    assert ComplexVitality.objects.filter(complex=stock_a.complex, is_latest=True).exists()
    counts = (Signal.objects.count(), ArrearsRecord.objects.count(), MeetingPlaceUse.objects.count())
    assert counts[1] == 8  # a complex total each quarter of two years
    second = io.StringIO()
    call_command("seed_social_demo", corporation="corp-a", stdout=second)
    assert "exist already" in second.getvalue()
    call_command("seed_social_demo", corporation="corp-a", reset=True, seed=2, dry_run=True, stdout=io.StringIO())
    assert (Signal.objects.count(), ArrearsRecord.objects.count(), MeetingPlaceUse.objects.count()) == counts


@pytest.mark.django_db
def test_refresh_vitality_counts_every_corporation_or_one(stock_a, stock_b):
    out = io.StringIO()
    call_command("refresh_vitality", stdout=out)
    assert "corp-a: 1 complexes" in out.getvalue() and "corp-b: 1 complexes" in out.getvalue()
    out = io.StringIO()
    call_command("refresh_vitality", corporation="corp-b", reference_date=date(2025, 12, 31), stdout=out)
    assert out.getvalue().startswith("corp-b: 1 complexes")
    assert ComplexVitality.objects.filter(complex=stock_b.complex, reference_date=date(2025, 12, 31)).exists()


def test_a_small_generation_still_has_a_meeting_place_in_the_lowest_scoring_buurt():
    complexes = [ComplexFacts(1, 20, 19, 0.0, "Goed"), ComplexFacts(2, 20, 19, 0.1, "Zwak")]
    records = generate(complexes, date(2025, 6, 30), seed=3, years=1)
    assert [place[0] for place in records.meeting_places] == [2] or len(records.meeting_places) > 1
    assert records.uses and records.activities


@pytest.mark.django_db
def test_seed_demo_ends_with_a_monitor_that_shows_scores_records_and_meeting_places(settings):
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from buurtbalans.core.models import Job
    from buurtbalans.demo.writer import DEMO_CODE, DEMO_PASSWORD, OTHER_CODE
    from buurtbalans.liveability.models import Activity, MeetingPlace, Visit
    from buurtbalans.portfolio.models import Complex

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        call_command("seed_demo", "--dwellings", "600", "--reference-date", "2025-06-01", stdout=io.StringIO())
    for code in (DEMO_CODE, OTHER_CODE):
        complexes = set(Complex.objects.filter(corporation__code=code).values_list("pk", flat=True))
        scored = set(ComplexVitality.objects.filter(corporation__code=code, is_latest=True, score__isnull=False)
                     .values_list("complex_id", flat=True))
        assert complexes and scored == complexes
    demo = {"corporation__code": DEMO_CODE}
    assert Signal.objects.filter(**demo).exists() and Visit.objects.filter(**demo).exists()
    assert Activity.objects.filter(**demo).exists() and ArrearsRecord.objects.filter(**demo).exists()
    place = MeetingPlace.objects.filter(**demo).first()
    assert place is not None and MeetingPlaceUse.objects.filter(meeting_place=place).exists()
    assert not Job.objects.filter(kind="vitality_refresh", status=Job.Status.QUEUED).exists()

    # What the neighbourhood manager sees without any further action.
    client = Client()
    assert client.login(username="wijk", password=DEMO_PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    overview = client.get(reverse("monitor_overview")).content.decode()
    assert 'class="bb-score' in overview
    records = client.get(reverse("monitor_records") + "?show=meeting_places").content.decode()
    assert place.name in records
