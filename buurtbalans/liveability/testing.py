"""Test helpers: corporation A's liveability records and the monitor's URLs, for the access walks.

`core/tests/test_access_views.py` (charlie sees nothing of A) and this app's own access tests use them.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

FIXTURE = "liveability-a"
# Strings that occur only in A's liveability data.
A_MARKERS = ("signal-note-a", "support-note-a", "Buurtkamer A", "Koffie A", "leefbaarheid-corp-a", "secret-social-a")


def make_liveability_records(stock, user) -> dict:
    """A signal, a support need, a visit, a meeting place with use, an activity, arrears, a counted vitality, a
    finished report job and a records import job, all of corporation A (`stock`)."""
    from django.utils import timezone

    from buurtbalans.core.models import Job
    from buurtbalans.liveability.models import (
        Activity,
        ArrearsRecord,
        LiveabilityReportFile,
        MeetingPlace,
        MeetingPlaceUse,
        Signal,
        SupportNeed,
        Visit,
    )
    from buurtbalans.liveability.services import vitality_refresh

    corporation, complex_ = stock.corporation, stock.complex
    today = timezone.localdate()
    Signal.objects.create(corporation=corporation, complex=complex_, kind="nuisance", reported_on=today,
                          note="signal-note-a", recorded_by_name="nina")
    SupportNeed.objects.create(corporation=corporation, complex=complex_, reported_on=today, note="support-note-a",
                               recorded_by_name="nina")
    Visit.objects.create(corporation=corporation, complex=complex_, kind="home_visit", visited_on=today,
                         recorded_by_name="nina")
    place = MeetingPlace.objects.create(corporation=corporation, complex=complex_, name="Buurtkamer A",
                                        recorded_by_name="nina")
    MeetingPlaceUse.objects.create(corporation=corporation, meeting_place=place, month=today.replace(day=1),
                                   dayparts_open=4, visitors=40, recorded_by_name="nina")
    Activity.objects.create(corporation=corporation, complex=complex_, meeting_place=place, title="Koffie A",
                            held_on=today - timedelta(days=3), recorded_by_name="nina")
    ArrearsRecord.objects.create(corporation=corporation, complex=complex_, tenancy=stock.tenancies[0],
                                 reference_date=today, amount=120, households_in_arrears=1, recorded_by_name="x")
    vitality_refresh(corporation=corporation, reference_date=today)
    report_job = Job.objects.create(
        kind="liveability_report", corporation=corporation, user=user, status=Job.Status.SUCCEEDED,
        params={"municipality": "GM0193", "year": today.year, "fixture": FIXTURE},
        result={"file": {"name": "leefbaarheid-corp-a-GM0193.pdf", "url": "/"}},
    )
    LiveabilityReportFile.objects.create(job=report_job, corporation=corporation, municipality_code="GM0193",
                                         year=today.year, file_name="leefbaarheid-corp-a-GM0193.pdf",
                                         content=b"%PDF-1.4 signal-note-a")
    import_job = Job.objects.create(
        kind="social_records_import", corporation=corporation, user=user, status=Job.Status.SUCCEEDED,
        params={"path": "/nonexistent/secret-social-a.xlsx", "dry_run": True, "file_name": "secret-social-a.xlsx",
                "fixture": FIXTURE},
        result={"is_valid": True, "error_count": 0, "errors": [], "counts": {"signals": {"new": 1, "updated": 0,
                                                                                          "unchanged": 0}}},
    )
    return {"place": place, "report_job": report_job, "import_job": import_job, "today": today}


def fixture_records(stock) -> dict:
    """The objects `make_liveability_records` made for this stock's corporation (found again in the database)."""
    from buurtbalans.core.models import Job
    from buurtbalans.liveability.models import MeetingPlace

    jobs = Job.objects.filter(corporation=stock.corporation, params__fixture=FIXTURE)
    return {
        "place": MeetingPlace.objects.get(corporation=stock.corporation, name="Buurtkamer A"),
        "report_job": jobs.get(kind="liveability_report"),
        "import_job": jobs.get(kind="social_records_import"),
    }


def liveability_job_ids(stock) -> list[int]:
    """The jobs `make_liveability_records` made (the charlie walk checks no other job of A appeared)."""
    records = fixture_records(stock)
    return [records["report_job"].pk, records["import_job"].pk]


def liveability_urls(stock, records: dict | None = None) -> list[tuple[str, str, dict]]:
    """(method, url, data) for every monitor page, export and endpoint that could show A's objects."""
    records = records or fixture_records(stock)
    complex_ = stock.complex
    buurt = stock.neighbourhood.cbs_code
    urls = [
        ("get", reverse("monitor_overview"), {}),
        ("get", reverse("monitor_warnings"), {}),
        ("get", reverse("monitor_map"), {"municipality": "GM0193", "indicator": "vitality"}),
        ("get", reverse("monitor_map_data"), {"municipality": "GM0193", "indicator": "vitality"}),
        ("get", reverse("monitor_focus"), {"municipality": "GM0193"}),
        ("get", reverse("monitor_complex", args=[complex_.pk]), {}),
        ("get", reverse("monitor_complex_chart", args=[complex_.pk]), {}),
        ("get", reverse("monitor_support_needs", args=[complex_.pk]), {}),
        ("post", reverse("monitor_support_needs", args=[complex_.pk]), {"purpose": "allocation"}),
        ("get", reverse("monitor_buurt", args=[buurt]), {"indicator": "vitality"}),
        ("get", reverse("monitor_records"), {}),
        ("get", reverse("monitor_records"), {"complex": str(complex_.pk)}),
        ("get", reverse("monitor_records"), {"show": "meeting_places"}),
        ("get", reverse("monitor_record_new", args=["signal"]), {"complex": str(complex_.pk)}),
        ("post", reverse("monitor_record_new", args=["signal"]),
         {"complex": str(complex_.pk), "kind": "nuisance", "reported_on": "2025-01-01"}),
        ("get", reverse("monitor_meeting_place_use", args=[records["place"].pk]), {}),
        ("post", reverse("monitor_meeting_place_use", args=[records["place"].pk]),
         {"month": "2025-01", "dayparts_open": "dayparts-x", "visitors": "visitors-x"}),
        ("get", reverse("monitor_records_import"), {}),
        ("get", reverse("monitor_records_import_result", args=[records["import_job"].pk]), {}),
        ("post", reverse("monitor_records_import_confirm", args=[records["import_job"].pk]), {}),
        ("get", reverse("monitor_settings"), {}),
        ("get", reverse("monitor_report"), {}),
        ("get", reverse("monitor_report_download", args=[records["report_job"].pk]), {}),
        ("get", reverse("job_detail", args=[records["report_job"].pk]), {}),
    ]
    exports = [
        (reverse("monitor_overview"), {}),
        (reverse("monitor_warnings"), {}),
        (reverse("monitor_map"), {"municipality": "GM0193", "indicator": "vitality", "table": "complexes"}),
        (reverse("monitor_focus"), {"municipality": "GM0193"}),
        (reverse("monitor_complex", args=[complex_.pk]), {"table": "indicators"}),
        (reverse("monitor_complex", args=[complex_.pk]), {"table": "trend"}),
        (reverse("monitor_buurt", args=[buurt]), {"indicator": "vitality"}),
        (reverse("monitor_records"), {"table": "signals"}),
        (reverse("monitor_records"), {"table": "activities"}),
        (reverse("monitor_records"), {"table": "meeting_places"}),
        (reverse("monitor_records_import_result", args=[records["import_job"].pk]), {}),
    ]
    for url, data in exports:
        for export_format in ("csv", "xlsx"):
            urls.append(("get", url, {**data, "format": export_format}))
    return urls


__all__ = ["A_MARKERS", "liveability_job_ids", "liveability_urls", "make_liveability_records"]
