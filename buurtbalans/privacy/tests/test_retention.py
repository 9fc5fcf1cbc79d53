"""Retention: what expired is removed per kind, counted in one audit event, and nothing else is touched."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from buurtbalans.core.jobs import RUNNERS, periodic_jobs_enqueue, run_pending_jobs
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.liveability.models import Signal, SupportNeed
from buurtbalans.privacy.jobs import RETENTION_PURGE_KIND
from buurtbalans.privacy.retention import expired_uploads_purge, retention_purge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """The purge also removes expired uploads: never in the checkout's own var/uploads."""
    settings.UPLOAD_DIR = tmp_path / "uploads"

@pytest.fixture
def now():
    return timezone.make_aware(datetime(2026, 6, 1, 3, 0))


def former_tenant(stock, code: str, ended: date, *, waiting: bool = False) -> Household:
    """A household whose only tenancy ended on `ended`, with a vulnerability marker (and optionally registered)."""
    household = Household.objects.create(corporation=stock.corporation, external_id=code, size=1, adults=1,
                                         assessed_income=Decimal("20000"))
    Tenancy.objects.create(corporation=stock.corporation, external_id=f"{code}-T", dwelling=stock.dwellings[2],
                           household=household, start_date=date(2015, 1, 1), end_date=ended)
    kind = VulnerabilityKind.objects.get(corporation=None, code="shelter_outflow")
    VulnerabilityMarker.objects.create(corporation=stock.corporation, household=household, kind=kind, source="t",
                                       valid_from=date(2016, 1, 1))
    if waiting:
        Applicant.objects.create(corporation=stock.corporation, external_id=f"{code}-R", household=household,
                                 registration_date=date(2024, 1, 1))
    return household


def marker_households(corporation) -> set[str]:
    return set(VulnerabilityMarker.objects.filter(corporation=corporation)
               .values_list("household__external_id", flat=True))


def test_markers_go_a_year_after_the_last_tenancy_ended_or_after_their_own_end(stock_a, stock_b, now):
    former_tenant(stock_a, "A-GONE", date(2024, 5, 1))
    former_tenant(stock_a, "A-RECENT", date(2025, 9, 1))
    former_tenant(stock_a, "A-SEEKER", date(2024, 5, 1), waiting=True)
    ended = VulnerabilityMarker.objects.create(
        corporation=stock_a.corporation, household=stock_a.households[1], kind=stock_a.markers[0].kind,
        source="t", valid_from=date(2020, 1, 1), valid_until=date(2025, 1, 1),
    )
    before_b = marker_households(stock_b.corporation)

    counts = retention_purge(corporation=stock_a.corporation, now=now)

    assert counts["markers"] == 2
    assert marker_households(stock_a.corporation) == {"A-H1", "A-RECENT", "A-SEEKER"}
    assert not VulnerabilityMarker.objects.filter(pk=ended.pk).exists()
    assert marker_households(stock_b.corporation) == before_b


def test_support_needs_go_after_resolution_or_long_after_an_unresolved_report(stock_a, now):
    def need(reported, resolved=None):
        return SupportNeed.objects.create(corporation=stock_a.corporation, complex=stock_a.complex,
                                          reported_on=reported, resolved_on=resolved, note="n", recorded_by_name="t")

    old_resolved = need(date(2024, 1, 1), date(2025, 1, 10))
    recent_resolved = need(date(2025, 1, 1), date(2026, 3, 1))
    stale_open = need(date(2024, 3, 1))
    open_ = need(date(2025, 3, 1))

    counts = retention_purge(corporation=stock_a.corporation, now=now)

    assert counts["support_needs"] == 2
    assert set(SupportNeed.objects.values_list("pk", flat=True)) == {recent_resolved.pk, open_.pk}
    assert not SupportNeed.objects.filter(pk__in=[old_resolved.pk, stale_open.pk]).exists()


def test_old_notes_are_emptied_but_the_records_and_their_counts_stay(stock_a, now):
    old = Signal.objects.create(corporation=stock_a.corporation, complex=stock_a.complex, kind="nuisance",
                                reported_on=date(2023, 1, 1), note="Mevrouw X op 3 hoog", recorded_by_name="t")
    recent = Signal.objects.create(corporation=stock_a.corporation, complex=stock_a.complex, kind="nuisance",
                                   reported_on=date(2026, 1, 1), note="recent", recorded_by_name="t")

    assert retention_purge(corporation=stock_a.corporation, now=now)["social_notes"] == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.note, old.kind, old.reported_on) == ("", "nuisance", date(2023, 1, 1))
    assert recent.note == "recent"


def test_finished_tasks_lose_their_log_and_result_but_a_report_keeps_its_download(stock_a, now, alice):
    long_ago = now - timedelta(days=120)
    imported = Job.objects.create(kind="portfolio_import", corporation=stock_a.corporation, user=alice,
                                  status=Job.Status.SUCCEEDED, finished=long_ago, log="row 4: Jansen",
                                  result={"errors": [{"message": "Jansen"}], "is_valid": False})
    report = Job.objects.create(kind="compliance_report", corporation=stock_a.corporation, user=alice,
                                status=Job.Status.SUCCEEDED, finished=long_ago,
                                result={"file": {"name": "r.pdf", "url": "/r/"}, "lettings": 12})
    recent = Job.objects.create(kind="portfolio_import", corporation=stock_a.corporation, user=alice,
                                status=Job.Status.SUCCEEDED, finished=now - timedelta(days=5), log="keep",
                                result={"is_valid": True})
    running = Job.objects.create(kind="portfolio_import", corporation=stock_a.corporation,
                                 status=Job.Status.RUNNING, log="busy")

    assert retention_purge(corporation=stock_a.corporation, now=now)["job_results"] == 2
    imported.refresh_from_db()
    report.refresh_from_db()
    assert (imported.log, imported.result, imported.status) == ("", {"expired": True}, Job.Status.SUCCEEDED)
    assert report.result == {"file": {"name": "r.pdf", "url": "/r/"}, "expired": True}
    assert Job.objects.get(pk=recent.pk).log == "keep"
    assert Job.objects.get(pk=running.pk).log == "busy"
    # A second run the same night finds nothing more.
    assert retention_purge(corporation=stock_a.corporation, now=now)["job_results"] == 0


def test_a_purge_is_audited_with_counts_only_and_a_dry_run_removes_and_records_nothing(stock_a, now):
    former_tenant(stock_a, "A-GONE", date(2024, 5, 1))

    assert retention_purge(corporation=stock_a.corporation, now=now, dry_run=True)["markers"] == 1
    assert "A-GONE" in marker_households(stock_a.corporation)
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.RETENTION_PURGED).exists()

    retention_purge(corporation=stock_a.corporation, now=now)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.RETENTION_PURGED)
    assert event.subject_ids == []
    assert event.corporation == stock_a.corporation
    assert event.data["counts"]["markers"] == 1
    assert "A-GONE" not in str(event.data) and "A-GONE" not in event.subject_label
    assert event.actor_name == "system:retention"


def test_the_audit_log_is_counted_past_its_term_but_never_removed(stock_a, alice):
    AuditEvent.objects.create(actor_name="alice", corporation=stock_a.corporation, subject_type="household",
                              event_type=AuditEvent.Type.HOUSEHOLD_READ, subject_ids=["A-H1"], purpose="t")
    before = AuditEvent.objects.count()
    eight_years_on = timezone.now() + timedelta(days=8 * 365)

    counts = retention_purge(corporation=stock_a.corporation, now=eight_years_on)

    assert counts["audit_log"] == before
    assert AuditEvent.objects.count() == before + 1  # the purge's own event
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.HOUSEHOLD_READ).exists()


def test_the_nightly_job_runs_every_day_and_purges_its_own_corporation(stock_a, stock_b):
    assert RUNNERS[RETENTION_PURGE_KIND].every == timedelta(days=1)
    former_tenant(stock_a, "A-GONE", date(2020, 5, 1))
    former_tenant(stock_b, "B-GONE", date(2020, 5, 1))

    # The worker enqueues it per corporation when it is due; a second look the same day adds nothing.
    queued = [job for job in periodic_jobs_enqueue() if job.kind == RETENTION_PURGE_KIND]
    assert {job.corporation_id for job in queued} == {stock_a.corporation.pk, stock_b.corporation.pk}
    Job.objects.filter(pk=queued[1].pk).delete()  # run corporation A's only
    run_pending_jobs("test-worker")

    job = Job.objects.get(pk=queued[0].pk)
    assert job.corporation == stock_a.corporation
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert job.result["counts"]["markers"] == 1
    assert "A-GONE" not in marker_households(stock_a.corporation)
    assert "B-GONE" in marker_households(stock_b.corporation)


def test_the_command_purges_one_corporation_or_all_and_refuses_an_unknown_code(stock_a, stock_b, capsys):
    former_tenant(stock_a, "A-GONE", date(2020, 5, 1))
    former_tenant(stock_b, "B-GONE", date(2020, 5, 1))

    with translation.override("en"):
        call_command("purge_expired", "--corporation", "corp-a", "--dry-run")
        assert "corp-a: would remove markers 1" in capsys.readouterr().out
        assert "A-GONE" in marker_households(stock_a.corporation)

        call_command("purge_expired", "--corporation", "corp-a")
        assert "corp-a: removed markers 1" in capsys.readouterr().out
        assert "B-GONE" in marker_households(stock_b.corporation)

        call_command("purge_expired")
        out = capsys.readouterr().out
        assert "corp-a: removed markers 0" in out and "corp-b: removed markers 1" in out

    with pytest.raises(CommandError) as refused:
        call_command("purge_expired", "--corporation", "nope")
    assert refused.value.returncode == 2


def test_expired_uploads_are_removed_through_core_uploads_and_counted(stock_a, settings):
    from buurtbalans.core.models import Upload

    settings.UPLOAD_DIR.mkdir(parents=True)
    stored = "portfolio-" + "a" * 32 + ".xlsx"
    (settings.UPLOAD_DIR / stored).write_bytes(b"PK")
    Upload.objects.create(kind="portfolio", corporation=stock_a.corporation, uploaded_by_name="ada",
                          file_name="huishoudens.xlsx", stored_name=stored, expires=timezone.now() - timedelta(hours=1))

    assert expired_uploads_purge(now=timezone.now(), dry_run=True) is None
    assert (settings.UPLOAD_DIR / stored).exists()
    assert expired_uploads_purge(now=timezone.now()) == 1

    assert not (settings.UPLOAD_DIR / stored).exists() and not Upload.objects.exists()
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.RETENTION_PURGED)
    assert (event.data["counts"], event.subject_ids) == ({"uploads": 1}, [])
