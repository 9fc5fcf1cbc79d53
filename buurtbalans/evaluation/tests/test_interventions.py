"""The interventions register: who may enter, change, end and read it; the import with every problem on its row;
the interventions the product records itself from decided labels, lettings on motivation and meeting places."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buurtbalans.core.models import AuditEvent
from buurtbalans.evaluation import services
from buurtbalans.evaluation.importing import interventions_import
from buurtbalans.evaluation.models import Intervention, InterventionKind, InterventionSource
from buurtbalans.households.models import Household, SelectionMethod, Tenancy
from buurtbalans.liveability.models import MeetingPlace
from buurtbalans.steering.models import Label, LabelDecision

pytestmark = pytest.mark.django_db


def enter(user, complex_, **extra):
    values = {"kind": InterventionKind.SOCIAL_MANAGEMENT, "started_on": date(2023, 3, 1)} | extra
    return services.intervention_create(actor=user, complex_=complex_, **values)


# --- services ----------------------------------------------------------------------------------------------------


def test_an_analyst_and_a_neighbourhood_manager_enter_an_intervention_and_it_is_audited(stock_a, bob, nina):
    first = enter(bob, stock_a.complex, description="Portiekgesprekken")
    second = enter(nina, stock_a.complex, kind=InterventionKind.RENOVATION)
    assert (first.source, first.created_by_name) == (InterventionSource.ENTERED, "bob")
    assert second.created_by == nina
    events = AuditEvent.objects.filter(event_type=AuditEvent.Type.INTERVENTION_ENTERED, subject_type="complex")
    assert events.count() == 2
    # The interventions' own codes: the audit log does not show them as social management records.
    assert not AuditEvent.objects.filter(event_type__in=[AuditEvent.Type.SOCIAL_RECORDS_WRITTEN,
                                                         AuditEvent.Type.SOCIAL_RECORDS_IMPORTED]).exists()
    assert events.first().get_event_type_display() == str(AuditEvent.Type.INTERVENTION_ENTERED.label)
    assert events.first().subject_ids == [stock_a.complex.external_id]


def test_an_allocation_officer_or_an_administrator_may_not_enter_one(stock_a, alice, ada):
    for user in (alice, ada):
        with pytest.raises(PermissionDenied):
            enter(user, stock_a.complex)


def test_charlie_cannot_enter_one_in_a_complex_of_another_corporation(stock_a, corporation_b):
    from buurtbalans.core.models import Role
    from buurtbalans.core.testing import make_user

    analyst_b = make_user("charlie-analyst", corporation_b, Role.POLICY_ANALYST)
    with pytest.raises(PermissionDenied):
        enter(analyst_b, stock_a.complex)


def test_the_same_complex_kind_and_start_twice_is_refused_and_an_end_before_the_start_too(stock_a, bob):
    enter(bob, stock_a.complex)
    with pytest.raises(ValidationError) as error:
        enter(bob, stock_a.complex)
    assert "started_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        enter(bob, stock_a.complex, started_on=date(2024, 1, 1), ended_on=date(2023, 1, 1))
    assert "ended_on" in error.value.message_dict


def test_changing_and_ending_keep_the_old_values_in_the_audit_log(stock_a, bob):
    intervention = enter(bob, stock_a.complex)
    services.intervention_update(actor=bob, intervention=intervention, kind=InterventionKind.MEETING_PLACE,
                                 started_on=date(2023, 4, 1), description="Buurtkamer open")
    services.intervention_end(actor=bob, intervention=intervention, ended_on=date(2024, 12, 31))
    intervention.refresh_from_db()
    assert (intervention.kind, intervention.started_on, intervention.ended_on) == (
        InterventionKind.MEETING_PLACE, date(2023, 4, 1), date(2024, 12, 31))
    changed = AuditEvent.objects.filter(subject_label__contains="changed").get()
    assert changed.event_type == AuditEvent.Type.INTERVENTION_CHANGED
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.INTERVENTION_ENDED).count() == 1
    assert changed.data["old"]["kind"] == InterventionKind.SOCIAL_MANAGEMENT
    with pytest.raises(ValidationError):
        services.intervention_end(actor=bob, intervention=intervention, ended_on=date(2020, 1, 1))


# --- recorded by the product ---------------------------------------------------------------------------------------


def letting(stock, code: str, start: date, method: str):
    household = Household.objects.create(corporation=stock.corporation, external_id=f"H-{code}", size=1, adults=1,
                                         children=0, assessed_income=Decimal("20000"), income_year=2024,
                                         income_source="tax_authority")
    return Tenancy.objects.create(corporation=stock.corporation, external_id=f"T-{code}", dwelling=stock.dwellings[2],
                                  household=household, start_date=start, selection_method=method)


def test_lettings_on_motivation_become_one_intervention_per_complex_from_the_first_letting(stock_a):
    letting(stock_a, "1", date(2023, 5, 1), SelectionMethod.MOTIVATION)
    letting(stock_a, "2", date(2023, 9, 1), SelectionMethod.MOTIVATION)
    letting(stock_a, "3", date(2024, 2, 1), SelectionMethod.INTAKE)
    recorded = services.interventions_record_from_facts(corporation=stock_a.corporation)
    assert recorded == {InterventionKind.MOTIVATION_LETTINGS: 1, InterventionKind.PLACEMENTS: 1}
    motivation = Intervention.objects.get(kind=InterventionKind.MOTIVATION_LETTINGS)
    assert (motivation.complex, motivation.started_on, motivation.ended_on) == (stock_a.complex, date(2023, 5, 1),
                                                                                None)
    assert motivation.source == InterventionSource.RECORDED
    # Idempotent: the nightly job adds nothing the second time, and a later letting falls inside the running one.
    letting(stock_a, "4", date(2025, 1, 1), SelectionMethod.MOTIVATION)
    assert services.interventions_record_from_facts(corporation=stock_a.corporation) == {}
    assert Intervention.objects.count() == 2


def test_a_letting_after_an_ended_intervention_starts_a_new_one(stock_a, bob):
    ended = enter(bob, stock_a.complex, kind=InterventionKind.MOTIVATION_LETTINGS, started_on=date(2022, 1, 1),
                  ended_on=date(2022, 12, 31))
    letting(stock_a, "1", date(2022, 6, 1), SelectionMethod.MOTIVATION)  # inside the entered one
    letting(stock_a, "2", date(2024, 3, 1), SelectionMethod.MOTIVATION)
    services.interventions_record_from_facts(corporation=stock_a.corporation)
    starts = sorted(Intervention.objects.filter(kind=InterventionKind.MOTIVATION_LETTINGS)
                    .values_list("started_on", flat=True))
    assert starts == [ended.started_on, date(2024, 3, 1)]


def test_a_decided_label_above_the_cap_and_an_opened_meeting_place_are_recorded(stock_a):
    LabelDecision.objects.create(corporation=stock_a.corporation, dwelling=stock_a.dwellings[2],
                                 proposed_label=Label.ABOVE_CAP, label=Label.ABOVE_CAP, base_rent=Decimal("800"),
                                 decided_by_name="alice")
    MeetingPlace.objects.create(corporation=stock_a.corporation, name="Buurtkamer", complex=stock_a.complex,
                                opened_on=date(2023, 10, 1), recorded_by_name="nina")
    recorded = services.interventions_record_from_facts(corporation=stock_a.corporation)
    assert recorded == {InterventionKind.ABOVE_CAP_LABELS: 1, InterventionKind.MEETING_PLACE: 1}
    assert Intervention.objects.get(kind=InterventionKind.MEETING_PLACE).started_on == date(2023, 10, 1)
    assert AuditEvent.objects.filter(actor_name="Buurtbalans", subject_type="complex",
                                     event_type=AuditEvent.Type.INTERVENTIONS_RECORDED).count() == 1


def test_the_nightly_job_records_for_each_corporation(stock_a, stock_b):
    from buurtbalans.core.jobs import RUNNERS

    letting(stock_a, "1", date(2023, 5, 1), SelectionMethod.MOTIVATION)
    runner = RUNNERS["interventions_record"]
    assert runner.every is not None
    from buurtbalans.core.models import Job

    job = Job.objects.create(kind="interventions_record", corporation=stock_a.corporation)
    assert runner(job).run() == {"recorded": {InterventionKind.MOTIVATION_LETTINGS: 1}}
    job_b = Job.objects.create(kind="interventions_record", corporation=stock_b.corporation)
    assert runner(job_b).run() == {"recorded": {}}


# --- import --------------------------------------------------------------------------------------------------------


def write_csv(tmp_path, text: str, name: str = "interventies.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_import_with_errors_names_file_row_and_field_and_writes_nothing(tmp_path, stock_a, bob):
    path = write_csv(tmp_path, (
        "complexcode;soort;startdatum;einddatum;omschrijving\n"
        "A-C1;sociaal beheer;2023-03-01;;Portiekgesprekken\n"
        "X-9;renovatie;2023-03-01;;\n"
        "A-C1;toverij;01-02-2023;;\n"
        "A-C1;renovatie;2024-01-01;2023-01-01;\n"
        "A-C1;sociaal beheer;01-03-2023;;dubbel\n"
    ))
    report = interventions_import(path=path, corporation=stock_a.corporation, actor=bob)
    assert not report.is_valid and not report.written
    found = [(e.file, e.row, e.column) for e in report.errors]
    assert found == [
        ("interventies.csv", 3, "complexcode"),
        ("interventies.csv", 4, "soort"),
        ("interventies.csv", 5, "einddatum"),
        ("interventies.csv", 6, "startdatum"),
    ]
    assert Intervention.objects.count() == 0


def test_a_good_import_adds_then_updates_by_code(tmp_path, stock_a, bob):
    path = write_csv(tmp_path, "complex,kind,started_on,ended_on,description,code\n"
                               "A-C1,social_management,2023-03-01,,Portiekgesprekken,INT-1\n"
                               "A-C1,verkoop,2024-06-01,2024-06-30,,INT-2\n")
    checked = interventions_import(path=path, corporation=stock_a.corporation, actor=bob, dry_run=True)
    assert checked.is_valid and not checked.written and Intervention.objects.count() == 0
    assert checked.counts["interventions"] == {"new": 2, "updated": 0, "unchanged": 0}
    report = interventions_import(path=path, corporation=stock_a.corporation, actor=bob)
    assert report.written and report.counts["interventions"] == {"new": 2, "updated": 0, "unchanged": 0}
    sale = Intervention.objects.get(external_id="INT-2")
    assert (sale.kind, sale.source, sale.ended_on) == (InterventionKind.SALE, InterventionSource.IMPORTED,
                                                      date(2024, 6, 30))
    again = write_csv(tmp_path, "complex,kind,started_on,ended_on,description,code\n"
                                "A-C1,social_management,2023-03-01,2024-12-31,Portiekgesprekken,INT-1\n"
                                "A-C1,verkoop,2024-06-01,2024-06-30,,INT-2\n", "again.csv")
    report = interventions_import(path=again, corporation=stock_a.corporation, actor=bob)
    assert report.counts["interventions"] == {"new": 0, "updated": 1, "unchanged": 1}
    assert Intervention.objects.get(external_id="INT-1").ended_on == date(2024, 12, 31)
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.INTERVENTIONS_IMPORTED).count() == 2


# --- screens -------------------------------------------------------------------------------------------------------


def test_the_register_is_read_by_officers_managers_analysts_and_administrators(client, stock_a, alice, bob, nina,
                                                                                 ada, otto):
    enter(bob, stock_a.complex, description="Portiekgesprekken")
    for user in (alice, bob, nina, ada):
        client.force_login(user)
        page = client.get(reverse("evaluation_interventions"))
        assert page.status_code == 200
        assert "Portiekgesprekken" in page.content.decode()
    client.force_login(otto)
    assert client.get(reverse("evaluation_interventions")).status_code == 403


def test_charlie_sees_nothing_of_corporation_a(client, stock_a, bob, charlie, corporation_b):
    from buurtbalans.core.models import Role
    from buurtbalans.core.testing import make_user

    intervention = enter(bob, stock_a.complex, description="Portiekgesprekken")
    client.force_login(charlie)
    assert "Portiekgesprekken" not in client.get(reverse("evaluation_interventions")).content.decode()
    assert client.get(reverse("evaluation_intervention_edit", args=[intervention.pk])).status_code == 403
    client.force_login(make_user("charlie-analyst", corporation_b, Role.POLICY_ANALYST))
    assert client.get(reverse("evaluation_intervention_edit", args=[intervention.pk])).status_code == 404
    assert client.post(reverse("evaluation_intervention_end", args=[intervention.pk]),
                       {"ended_on": "2024-01-01"}).status_code == 404
    assert client.get(reverse("evaluation_evaluate"), {"intervention": intervention.pk}).status_code == 404


def test_the_register_filters_per_kind_and_exports_dutch_csv(client, stock_a, bob):
    enter(bob, stock_a.complex, description="Portiekgesprekken")
    enter(bob, stock_a.complex, kind=InterventionKind.RENOVATION, description="Nieuwe kozijnen")
    client.force_login(bob)
    page = client.get(reverse("evaluation_interventions"), {"kind": "renovation"}).content.decode()
    assert "Nieuwe kozijnen" in page and "Portiekgesprekken" not in page
    response = client.get(reverse("evaluation_interventions"), {"format": "csv-nl"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 3
    assert "Renovatie" in text
    xlsx = client.get(reverse("evaluation_interventions"), {"format": "xlsx"})
    assert xlsx.status_code == 200


def test_entering_changing_and_ending_on_screen(client, stock_a, nina):
    client.force_login(nina)
    response = client.post(reverse("evaluation_intervention_new"), {
        "complex": stock_a.complex.pk, "kind": "meeting_place", "started_on": "2023-10-01",
        "description": "Buurtkamer"})
    assert response.status_code == 302
    intervention = Intervention.objects.get()
    response = client.post(reverse("evaluation_intervention_new"), {
        "complex": stock_a.complex.pk, "kind": "meeting_place", "started_on": "2023-10-01"})
    assert response.status_code == 200 and "al een interventie" in response.content.decode()
    response = client.post(reverse("evaluation_intervention_edit", args=[intervention.pk]), {
        "kind": "meeting_place", "started_on": "2023-10-02", "description": "Buurtkamer open"})
    assert response.status_code == 302
    response = client.post(reverse("evaluation_intervention_end", args=[intervention.pk]), {"ended_on": "2025-01-31"})
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert (intervention.started_on, intervention.ended_on) == (date(2023, 10, 2), date(2025, 1, 31))


def test_the_import_screen_lists_every_error_and_an_officer_may_not_use_it(client, stock_a, bob, alice):
    client.force_login(bob)
    upload = SimpleUploadedFile("interventies.csv", b"complex;kind;started_on\nX-1;renovatie;2023-01-01\n")
    page = client.post(reverse("evaluation_interventions_import"), {"file": upload}).content.decode()
    assert "interventies.csv" in page and "X-1" in page
    assert Intervention.objects.count() == 0
    client.force_login(alice)
    assert client.get(reverse("evaluation_interventions_import")).status_code == 403


def test_the_register_says_the_demo_in_words_not_its_code(client, stock_a, bob):
    services.intervention_record(corporation=stock_a.corporation, complex_=stock_a.complex,
                                 kind=InterventionKind.SOCIAL_MANAGEMENT, started_on=date(2023, 3, 1),
                                 source=InterventionSource.ENTERED, actor_name="seed_demo")
    client.force_login(bob)
    page = client.get(reverse("evaluation_interventions")).content.decode()
    assert "seed_demo" not in page and "de demo van Buurtbalans" in page
