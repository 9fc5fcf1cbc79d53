"""The monitor is always current (issue 14 item 2): every write that changes what it counts queues one recount of the
complexes concerned, writes in a row share one waiting job, the nightly count runs like the retention run, and the
finished job's page leads back to the monitor."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtbalans.core.audit import audit_record
from buurtbalans.core.formatting import format_score
from buurtbalans.core.jobs import job_claim_next, periodic_jobs_enqueue, run_pending_jobs
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.liveability import services
from buurtbalans.liveability.models import AreaVitality, ComplexVitality, MeetingPlace
from buurtbalans.liveability.services import VITALITY_NIGHTLY_KIND, VITALITY_REFRESH_KIND, vitality_refresh
from buurtbalans.liveability.services_recount import vitality_recount, vitality_recount_request
from buurtbalans.portfolio.models import Complex
from buurtbalans.portfolio.services import portfolio_import
from buurtbalans.portfolio.tests.test_import_support import write_csv

pytestmark = pytest.mark.django_db


def recounts(status=Job.Status.QUEUED):
    return list(Job.objects.filter(kind=VITALITY_REFRESH_KIND, status=status).order_by("pk"))


@pytest.fixture
def other_complex(stock_a):
    """A second complex of A in the same buurt, with no dwellings: it must never be counted for A's first one."""
    return Complex.objects.create(corporation=stock_a.corporation, external_id="A-C2", name="Complex A2",
                                  neighbourhood=stock_a.complex.neighbourhood)


@pytest.fixture
def place(stock_a):
    return MeetingPlace.objects.create(corporation=stock_a.corporation, complex=stock_a.complex, name="Buurtkamer",
                                       recorded_by_name="nina")


def write_one(kind: str, nina, stock_a, place):
    """One record of `kind` through its service, as the screens write it."""
    complex_, today = stock_a.complex, timezone.localdate()
    if kind == "signal":
        services.signal_create(actor=nina, complex_=complex_, kind="nuisance", reported_on=today)
    elif kind == "support_need":
        services.support_need_create(actor=nina, complex_=complex_, reported_on=today)
    elif kind == "visit":
        services.visit_create(actor=nina, complex_=complex_, kind="home_visit", visited_on=today)
    elif kind == "meeting_place":
        services.meeting_place_create(actor=nina, name="Huiskamer", complex_=complex_)
    elif kind == "meeting_place_use":
        services.meeting_place_use_record(actor=nina, meeting_place=place, month=today, dayparts_open=4, visitors=30)
    elif kind == "activity":
        services.activity_create(actor=nina, held_on=today, title="Koffie", kind="meeting", meeting_place=place)
    else:
        raise AssertionError(kind)


WRITE_KINDS = ["signal", "support_need", "visit", "meeting_place", "meeting_place_use", "activity"]


@pytest.mark.parametrize("kind", WRITE_KINDS)
def test_each_record_written_queues_one_recount_of_its_complex_only(kind, nina, stock_a, other_complex, place,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write_one(kind, nina, stock_a, place)
    [job] = recounts()
    assert job.corporation == stock_a.corporation and job.user == nina
    assert job.params["complexes"] == [stock_a.complex.pk]
    assert job.params["reasons"] == [kind] and job.params["requests"] == 1


def test_a_write_that_is_rolled_back_queues_nothing(nina, stock_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017, PT011
        services.signal_create(actor=nina, complex_=stock_a.complex, kind="nuisance",
                               reported_on=date(2025, 5, 2), resolved_on=date(2025, 5, 1))
    assert recounts() == []


def test_writes_in_a_row_share_one_waiting_job_and_a_started_one_is_left_alone(
        nina, stock_a, other_complex, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_create(actor=nina, complex_=stock_a.complex, kind="nuisance", reported_on=today)
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_create(actor=nina, complex_=other_complex, kind="home_visit", visited_on=today)
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_create(actor=nina, complex_=stock_a.complex, kind="neglect", reported_on=today)
    [job] = recounts()
    assert job.params["complexes"] == sorted([stock_a.complex.pk, other_complex.pk])
    assert job.params["reasons"] == ["signal", "visit"] and job.params["requests"] == 3

    # Once a worker has started it, the next write gets a job of its own: the running one read its complexes.
    assert job_claim_next("test-worker").pk == job.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_create(actor=nina, complex_=other_complex, kind="neglect", reported_on=today)
    [second] = recounts()
    assert second.pk != job.pk and second.params["complexes"] == [other_complex.pk]


def test_a_request_for_every_complex_takes_in_the_waiting_ones(nina, stock_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vitality_recount_request(corporation=stock_a.corporation, complex_ids=[stock_a.complex.pk], reason="signal")
        vitality_recount_request(corporation=stock_a.corporation, reason="portfolio_import")
        vitality_recount_request(corporation=stock_a.corporation, complex_ids=[stock_a.complex.pk], reason="visit")
    [job] = recounts()
    assert "complexes" not in job.params  # every complex
    assert job.params["reasons"] == ["signal", "portfolio_import", "visit"]


def test_a_recorded_signal_changes_the_complex_score_end_to_end(client, nina, stock_a,
                                                                django_capture_on_commit_callbacks):
    today = timezone.localdate()
    vitality_refresh(corporation=stock_a.corporation, reference_date=today)
    before = ComplexVitality.objects.get(complex=stock_a.complex, is_latest=True)
    client.force_login(nina)
    page = reverse("monitor_complex", args=[stock_a.complex.pk])
    assert f">{format_score(before.score)}</span>" in client.get(page).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitor_record_new", args=["signal"]),
                               {"complex": stock_a.complex.pk, "kind": "nuisance", "reported_on": today.isoformat()})
    assert response.status_code == 302
    [job] = recounts()
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert job.result["scope"] == "some" and job.result["complexes"] == 1

    after = ComplexVitality.objects.get(complex=stock_a.complex, is_latest=True)
    # Three dwellings, two lettable: one signal is 50 per 100 dwellings, far past the norm.
    assert after.values["signals_per_100"] > (before.values["signals_per_100"] or 0)
    assert after.score < before.score
    html = client.get(page).content.decode()
    assert f">{format_score(after.score)}</span>" in html
    assert f">{format_score(before.score)}</span>" not in html


def test_a_recount_of_some_complexes_leaves_the_others_and_renews_the_areas(stock_a, other_complex):
    today = timezone.localdate()
    vitality_refresh(corporation=stock_a.corporation, reference_date=today)
    other_before = ComplexVitality.objects.get(complex=other_complex, is_latest=True)
    result = vitality_recount(corporation=stock_a.corporation, reference_date=today,
                              complex_ids=[stock_a.complex.pk])
    assert result["scope"] == "some" and result["complexes"] == 1 and result["measurements"] == 5
    assert ComplexVitality.objects.get(complex=other_complex, is_latest=True).computed == other_before.computed
    assert ComplexVitality.objects.filter(corporation=stock_a.corporation).count() == 10
    assert AreaVitality.objects.filter(corporation=stock_a.corporation, area_code="", is_latest=True).get(
        ).complex_count == 2

    # Another day than the stored one: every complex is counted on the new day (the areas must not mix days).
    result = vitality_recount(corporation=stock_a.corporation, reference_date=today + timedelta(days=1),
                              complex_ids=[stock_a.complex.pk])
    assert result["scope"] == "all" and result["complexes"] == 2
    assert set(ComplexVitality.objects.filter(is_latest=True).values_list("reference_date", flat=True)) == {
        today + timedelta(days=1)}


def test_a_recount_asked_for_before_a_full_count_is_skipped(nina, stock_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_create(actor=nina, complex_=stock_a.complex, kind="nuisance",
                               reported_on=timezone.localdate())
    vitality_refresh(corporation=stock_a.corporation, reference_date=timezone.localdate())
    assert run_pending_jobs() == 1
    [job] = recounts(Job.Status.SUCCEEDED)
    assert job.result["skipped"] is True


def test_a_records_import_queues_the_complexes_its_rows_name(tmp_path, nina, stock_a, stock_b, other_complex,
                                                             django_capture_on_commit_callbacks):
    path = tmp_path / "signalen.csv"
    path.write_text("code;complexcode;soort;datum\nS1;A-C1;overlast;03-02-2025\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.social_records_import(source=path, corporation=stock_a.corporation, actor=nina,
                                                dry_run=True)
    assert report.is_valid and recounts() == []  # a check writes nothing and asks for nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.social_records_import(source=path, corporation=stock_a.corporation, actor=nina, dry_run=False)
    [job] = recounts()
    assert job.params["complexes"] == [stock_a.complex.pk] and job.params["reasons"] == ["records_import"]


def test_arrears_imported_queue_their_complex(tmp_path, stock_a, other_complex, django_capture_on_commit_callbacks):
    path = tmp_path / "huurachterstanden.csv"
    path.write_text("complex;peildatum;bedrag;households_in_arrears\nA-C1;2025-03-31;350,00;1\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.social_records_import(source=path, corporation=stock_a.corporation, dry_run=False)
    assert report.written, report.errors
    [job] = recounts()
    assert job.params["complexes"] == [stock_a.complex.pk]


def test_a_portfolio_import_queues_every_complex_of_its_corporation_only(tmp_path, stock_a, stock_b,
                                                                         django_capture_on_commit_callbacks):
    folder = tmp_path / "erp"
    write_csv(folder / "households.csv", ["external_id", "size", "adults", "children"], ["A-H9", 1, 1, 0])
    with django_capture_on_commit_callbacks(execute=True):
        report = portfolio_import(source=folder, corporation=stock_a.corporation, dry_run=False)
    assert report.written, report.errors
    [job] = recounts()
    assert job.corporation == stock_a.corporation and "complexes" not in job.params
    assert job.params["reasons"] == ["portfolio_import"]


def test_an_open_data_import_queues_the_complexes_in_its_municipality_per_corporation(
        stock_a, stock_b, django_capture_on_commit_callbacks):
    elsewhere = Complex.objects.create(corporation=stock_a.corporation, external_id="A-X", name="Elders")
    with django_capture_on_commit_callbacks(execute=True):
        # What `neighbourhoods.services.open_data_import` writes when its files are in.
        audit_record(actor=None, event=AuditEvent.Type.OPEN_DATA_IMPORTED, corporation=None,
                     subject_type="open_data_import", purpose="import", data={"municipality": "GM0193"})
    jobs = {job.corporation_id: job for job in recounts()}
    assert jobs[stock_a.corporation.pk].params["complexes"] == [stock_a.complex.pk]  # not the one elsewhere
    assert jobs[stock_b.corporation.pk].params["complexes"] == [stock_b.complex.pk]
    assert elsewhere.pk not in jobs[stock_a.corporation.pk].params["complexes"]


def test_new_settings_queue_one_rescoring_of_every_complex(bob, stock_a, other_complex,
                                                           django_capture_on_commit_callbacks):
    vitality_refresh(corporation=stock_a.corporation, reference_date=timezone.localdate())
    before = ComplexVitality.objects.get(complex=stock_a.complex, is_latest=True)
    indicators = {key: {"weight": 0, "norm": 0, "tolerance": 1, "warning": None} for key in before.values}
    indicators["turnover_rate"] = {"weight": 1, "norm": 0.5, "tolerance": 0.1, "warning": None}
    policy = {"min_score": 50, "score_drop": 10, "worsening_count": 0, "stable_share": 0.25}
    with django_capture_on_commit_callbacks(execute=True):
        services.monitor_settings_update(actor=bob, policy=policy, indicators=indicators)
        services.monitor_settings_update(actor=bob, policy=policy, indicators=indicators)
    [job] = recounts()
    assert job.params["complexes"] == [] and job.params["rescore"] is True and job.params["requests"] == 2
    assert ComplexVitality.objects.get(pk=before.pk).score == before.score  # not until the job ran
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.result["rescored"] == 2 and job.result["complexes"] == 0
    after = ComplexVitality.objects.get(complex=stock_a.complex, is_latest=True)
    assert after.values == before.values and after.computed == before.computed  # scored again, not counted
    assert after.score == 100 and not [w for w in after.warnings if w["key"] == "turnover_rate"]


def test_the_vitality_is_counted_every_night_like_the_retention_run(stock_a, stock_b):
    now = timezone.now()
    queued = [job for job in periodic_jobs_enqueue(now) if job.kind == VITALITY_NIGHTLY_KIND]
    assert {job.corporation_id for job in queued} == {stock_a.corporation.pk, stock_b.corporation.pk}
    assert run_pending_jobs() >= 2
    assert ComplexVitality.objects.filter(complex=stock_a.complex, is_latest=True,
                                          reference_date=timezone.localdate()).exists()
    assert not [j for j in periodic_jobs_enqueue(now + timedelta(hours=23)) if j.kind == VITALITY_NIGHTLY_KIND]
    again = [j for j in periodic_jobs_enqueue(now + timedelta(days=1, minutes=1)) if j.kind == VITALITY_NIGHTLY_KIND]
    assert len(again) == 2


def test_the_finished_count_leads_back_to_the_monitor_and_names_its_complex(client, nina, charlie, stock_a,
                                                                            django_capture_on_commit_callbacks):
    vitality_refresh(corporation=stock_a.corporation, reference_date=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_create(actor=nina, complex_=stock_a.complex, kind="nuisance",
                               reported_on=timezone.localdate())
    run_pending_jobs()
    [job] = recounts(Job.Status.SUCCEEDED)
    client.force_login(nina)
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    back = re.search(r'<a [^>]*href="([^"]+)"[^>]*id="back-to-monitor"', html)
    assert back and back.group(1) == reverse("monitor_overview")
    assert f'href="{reverse("monitor_complex", args=[stock_a.complex.pk])}"' in html
    assert "a signal was recorded" in html and "Complexes counted again: 1. The others stay" in html
    client.force_login(charlie)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404


def test_a_finished_job_without_a_page_part_of_its_own_links_to_its_result(client, bob, stock_a):
    job = Job.objects.create(kind=VITALITY_NIGHTLY_KIND, corporation=stock_a.corporation,
                             status=Job.Status.SUCCEEDED, result={"complexes": 1, "url": reverse("monitor_overview")})
    client.force_login(bob)
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'id="back-to-monitor"' in html
    # A kind with only a result address (a round, a plan) gets the general link.
    job = Job.objects.create(kind="liveability_report", corporation=stock_a.corporation,
                             status=Job.Status.SUCCEEDED, result={"url": "/monitor/"})
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert re.search(r'id="job-result-link"><a [^>]*href="/monitor/"', html)
