"""Importing a portfolio: what lands in the database, re-imports, dry runs, audit, and corporations kept apart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from buurtbalans.core.jobs import job_enqueue, run_pending_jobs
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.portfolio.importing import write
from buurtbalans.portfolio.models import Complex, Dwelling
from buurtbalans.portfolio.services import portfolio_import
from buurtbalans.portfolio.tests.test_import_support import DATA, copy_data, csv_folder_to_xlsx, make_buurt, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in their English source text; the Dutch catalogue is tested with the screens."""
    with translation.override("en"):
        yield


@pytest.fixture
def buurt(db):
    return make_buurt()


def run(source, corporation, **kwargs):
    kwargs.setdefault("dry_run", False)
    return portfolio_import(source=source, corporation=corporation, **kwargs)


def counts_of(corporation) -> dict[str, int]:
    return {
        "complexes": Complex.objects.filter(corporation=corporation).count(),
        "dwellings": Dwelling.objects.filter(corporation=corporation).count(),
        "households": Household.objects.filter(corporation=corporation).count(),
        "tenancies": Tenancy.objects.filter(corporation=corporation).count(),
        "markers": VulnerabilityMarker.objects.filter(corporation=corporation).count(),
        "applicants": Applicant.objects.filter(corporation=corporation).count(),
    }


def assert_good_portfolio_stored(corporation, buurt):
    """What tests/data/good holds, as stored: Dutch numbers, labels and dates understood."""
    assert counts_of(corporation) == {
        "complexes": 2, "dwellings": 4, "households": 3, "tenancies": 3, "markers": 2, "applicants": 2,
    }
    flats = Complex.objects.get(corporation=corporation, external_id="C-100")
    assert (flats.name, flats.neighbourhood) == ("Rivierenflats", buurt)
    d1, d2, d3, d4 = Dwelling.objects.filter(corporation=corporation).order_by("external_id")
    assert (d1.complex, d1.postcode, d1.dwelling_type, d1.floor_area, d1.base_rent, d1.service_charges) == (
        flats, "8011AA", "apartment", Decimal("65.5"), Decimal("612.50"), Decimal("35.00"),
    )
    assert (d1.is_daeb, d1.status, d1.energy_label, d1.vera_unit) == (True, "occupied", "C", None)
    assert (d2.house_number_suffix, d2.base_rent, d2.wws_points, d2.is_daeb, d2.energy_label) == (
        "a", Decimal("1050.00"), Decimal("151.25"), False, "B",
    )
    assert d2.vera_unit == {"code": "D-2", "bouwjaar": 1975}
    assert (d3.dwelling_type, d3.energy_label, d3.status, d3.accessibility_label, d3.service_charges) == (
        "senior", "A+", "vacant", "rolstoel", None,
    )
    assert (d4.complex, d4.dwelling_type, d4.base_rent, d4.is_daeb, d4.status) == (
        None, "single_family", Decimal("1234.56"), False, "renovation",
    )
    h1, h2, h3 = Household.objects.filter(corporation=corporation).order_by("external_id")
    assert (h1.assessed_income, h1.income_source, h1.is_pension_age_household) == (
        Decimal("21500.00"), "tax_authority", False,
    )
    assert (h2.size, h2.adults, h2.children, h2.assessed_income, h2.income_source) == (
        4, 2, 2, Decimal("48250"), "declared",
    )
    # Only the size given: everyone counts as an adult.
    assert (h3.size, h3.adults, h3.children, h3.is_pension_age_household) == (2, 2, 0, True)
    t1, t2, t3 = Tenancy.objects.filter(corporation=corporation).order_by("external_id")
    assert (t1.dwelling, t1.household, t1.start_date, t1.end_date, t1.income_at_start) == (
        d1, h1, date(2020, 3, 1), None, Decimal("20000"),
    )
    assert (t2.contract_type, t2.exception_reason, t2.rent_at_start) == (
        "temporary", "special_family_situation", Decimal("1000.00"),
    )
    assert (t3.start_date, t3.end_date) == (date(2010, 1, 15), date(2019, 12, 31))
    markers = VulnerabilityMarker.objects.filter(corporation=corporation).order_by("valid_from")
    assert [(m.household.external_id, m.kind.code, m.valid_until) for m in markers] == [
        ("H-2", "medical_urgency", date(2025, 5, 31)),
        ("H-1", "shelter_outflow", None),
    ]
    assert list(
        Applicant.objects.filter(corporation=corporation).values_list("external_id", "household__external_id",
                                                                       "registration_date")
    ) == [("R-1", "H-3", date(2019, 6, 1)), ("R-2", "H-1", date(2021, 2, 15))]


@pytest.mark.smoke
def test_a_folder_of_csv_files_with_dutch_numbers_and_labels_is_imported(corporation_a, buurt):
    report = run(DATA / "good", corporation_a)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    assert report.counts["dwellings"] == {"new": 4, "updated": 0, "unchanged": 0}
    assert_good_portfolio_stored(corporation_a, buurt)


def test_the_same_portfolio_as_an_excel_workbook_gives_the_same_rows(corporation_a, buurt, tmp_path):
    workbook = csv_folder_to_xlsx(DATA / "good", tmp_path / "stock.xlsx")
    report = run(workbook, corporation_a)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    assert_good_portfolio_stored(corporation_a, buurt)


def test_excel_cells_holding_numbers_dates_and_booleans_are_understood(corporation_a, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Eenheden"
    sheet.append(
        ["Eenheid.code", "straatnaam", "huisnummer", "postcode", "kaleHuur", "daeb", "bouwjaar", "oppervlakte"]
    )
    sheet.append([1001, "Kade", 4.0, "8011AA", 612.4999999999, True, 1975, 65])
    sheet.append(["E-2", "Kade", 6, "8011AA", None, False, None, 70.25])
    households = workbook.create_sheet("huishoudens")
    households.append(["huishoudcode", "huishoudgrootte", "rekeninkomen"])
    households.append(["H-1", 1, 23500])
    applicants = workbook.create_sheet("inschrijvingen")
    applicants.append(["inschrijfnummer", "huishoudcode", "inschrijfdatum"])
    applicants.append(["R-1", "H-1", date(2019, 5, 1)])
    workbook.save(tmp_path / "eenheden.xlsx")

    report = run(tmp_path / "eenheden.xlsx", corporation_a)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    first = Dwelling.objects.get(corporation=corporation_a, external_id="1001")
    assert (first.house_number, first.base_rent, first.is_daeb, first.build_year, first.floor_area) == (
        4, Decimal("612.50"), True, 1975, Decimal("65"),
    )
    second = Dwelling.objects.get(corporation=corporation_a, external_id="E-2")
    assert (second.base_rent, second.is_daeb, second.floor_area) == (None, False, Decimal("70.25"))
    assert Applicant.objects.get(corporation=corporation_a).registration_date == date(2019, 5, 1)


def test_vera_column_names_are_understood(corporation_a, buurt):
    report = run(DATA / "vera", corporation_a)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    assert report.columns["dwellings"]["kaleHuur"] == "base_rent"
    assert report.columns["dwellings"]["Eenheid.code"] == "external_id"
    assert report.columns["dwellings"]["Cluster.code"] == "complex"
    dwelling = Dwelling.objects.get(corporation=corporation_a, external_id="VE-1")
    assert (dwelling.complex.external_id, dwelling.street, dwelling.postcode, dwelling.rooms) == (
        "VC-1", "Vechtstraat", "8021AB", 4,
    )
    assert (dwelling.base_rent, dwelling.service_charges, dwelling.wws_points, dwelling.vera_unit) == (
        Decimal("701.25"), Decimal("12.50"), Decimal("162"), {"code": "VE-1"},
    )
    assert Dwelling.objects.get(corporation=corporation_a, external_id="VE-2").status == "vacant"
    household = Household.objects.get(corporation=corporation_a, external_id="VH-1")
    assert (household.size, household.adults, household.children, household.assessed_income) == (
        3, 1, 2, Decimal("28750.00"),
    )
    tenancy = Tenancy.objects.get(corporation=corporation_a, external_id="VT-1")
    assert (tenancy.start_date, tenancy.rent_at_start) == (date(2021, 9, 1), Decimal("680.00"))
    assert Applicant.objects.get(corporation=corporation_a).registration_date == date(2018, 4, 3)


@pytest.mark.parametrize("use_copy", [True, False], ids=["fast-path", "portable-path"])
def test_a_re_import_updates_by_external_id_and_never_duplicates(corporation_a, buurt, tmp_path, monkeypatch,
                                                                  use_copy):
    monkeypatch.setattr(write, "USE_POSTGRES_COPY", use_copy)
    run(DATA / "good", corporation_a)
    ids_before = dict(Dwelling.objects.filter(corporation=corporation_a).values_list("external_id", "id"))

    changed = copy_data("good", tmp_path)
    dwellings = (changed / "dwellings.csv").read_text()
    (changed / "dwellings.csv").write_text(dwellings.replace("612,50", "640,00").replace("Hofweg;12", "Hofweg;14"))
    households = (changed / "households.csv").read_text()
    (changed / "households.csv").write_text(households.replace("H-3;2;;;ja;31000", "H-3;3;2;1;ja;33000"))
    (changed / "markers.csv").write_text(
        (changed / "markers.csv").read_text().replace("H-1;shelter_outflow;wijkteam;2024-01-01;",
                                                      "H-1;shelter_outflow;wijkteam;2024-01-01;2024-12-31")
    )
    report = run(changed, corporation_a)
    assert report.is_valid and report.written
    assert report.counts["dwellings"] == {"new": 0, "updated": 2, "unchanged": 2}
    assert report.counts["households"] == {"new": 0, "updated": 1, "unchanged": 2}
    assert report.counts["markers"] == {"new": 0, "updated": 1, "unchanged": 1}
    assert report.counts["tenancies"] == {"new": 0, "updated": 0, "unchanged": 3}
    assert counts_of(corporation_a)["dwellings"] == 4 and counts_of(corporation_a)["markers"] == 2
    assert dict(Dwelling.objects.filter(corporation=corporation_a).values_list("external_id", "id")) == ids_before
    assert Dwelling.objects.get(corporation=corporation_a, external_id="D-1").base_rent == Decimal("640.00")
    assert Dwelling.objects.get(corporation=corporation_a, external_id="D-3").house_number == 14
    h3 = Household.objects.get(corporation=corporation_a, external_id="H-3")
    assert (h3.size, h3.adults, h3.children, h3.assessed_income) == (3, 2, 1, Decimal("33000"))
    marker = VulnerabilityMarker.objects.get(corporation=corporation_a, household__external_id="H-1")
    assert marker.valid_until == date(2024, 12, 31)


def test_a_re_import_with_fewer_columns_keeps_the_other_values(corporation_a, buurt, tmp_path):
    run(DATA / "good", corporation_a)
    rents = write_csv(tmp_path / "rents" / "dwellings.csv", ["eenheidcode", "straat", "huisnummer", "postcode",
                                                              "kale huur"],
                      ["D-1", "Rivierstraat", "1", "8011AA", "650,00"],
                      ["D-9", "Nieuwbouw", "1", "8019ZZ", "700"])
    report = run(rents.parent, corporation_a)
    assert report.is_valid, [str(e) for e in report.errors]
    assert report.counts == {"dwellings": {"new": 1, "updated": 1, "unchanged": 0}}
    d1 = Dwelling.objects.get(corporation=corporation_a, external_id="D-1")
    # Columns absent from the file keep their value; a new row gets the defaults.
    assert (d1.base_rent, d1.energy_label, d1.status, d1.complex.external_id, d1.is_daeb) == (
        Decimal("650.00"), "C", "occupied", "C-100", True,
    )
    d9 = Dwelling.objects.get(corporation=corporation_a, external_id="D-9")
    assert (d9.status, d9.dwelling_type, d9.complex, d9.is_daeb, d9.energy_label) == (
        "occupied", "other", None, True, "",
    )


def test_references_resolve_against_rows_already_in_the_database(corporation_a, stock_a, tmp_path):
    folder = tmp_path / "moves"
    write_csv(folder / "tenancies.csv", ["external_id", "dwelling", "household", "start_date"],
              ["A-T9", "A-D3", "A-H2", "01-05-2025"])
    write_csv(folder / "applicants.csv", ["external_id", "household", "registration_date"],
              ["A-R1", "A-H1", "2024-02-02"])
    report = run(folder, corporation_a)
    assert report.is_valid, [str(e) for e in report.errors]
    tenancy = Tenancy.objects.get(corporation=corporation_a, external_id="A-T9")
    assert (tenancy.dwelling, tenancy.household) == (stock_a.dwellings[2], stock_a.households[1])
    assert Applicant.objects.get(external_id="A-R1").household == stock_a.households[0]


def test_a_dry_run_counts_but_writes_nothing(corporation_a, stock_a, buurt):
    before = counts_of(corporation_a)
    events = AuditEvent.objects.count()
    report = run(DATA / "good", corporation_a, dry_run=True)
    assert report.is_valid and not report.written and report.dry_run
    assert report.counts["dwellings"] == {"new": 4, "updated": 0, "unchanged": 0}
    assert counts_of(corporation_a) == before
    assert AuditEvent.objects.count() == events


def test_an_import_records_whose_data_was_written_and_why(corporation_a, buurt, ada):
    report = run(DATA / "good", corporation_a, actor=ada)
    assert report.written
    events = {e.event_type: e for e in AuditEvent.objects.filter(corporation=corporation_a)}
    assert set(events) == {
        AuditEvent.Type.HOUSEHOLDS_WRITTEN, AuditEvent.Type.TENANCIES_WRITTEN, AuditEvent.Type.MARKERS_WRITTEN,
        AuditEvent.Type.APPLICANTS_WRITTEN, AuditEvent.Type.PORTFOLIO_IMPORTED,
    }
    assert all(e.purpose == "import" and e.actor == ada and e.actor_name == "ada" for e in events.values())
    assert events[AuditEvent.Type.HOUSEHOLDS_WRITTEN].subject_ids == ["H-1", "H-2", "H-3"]
    assert events[AuditEvent.Type.TENANCIES_WRITTEN].subject_ids == ["H-1", "H-2", "H-3"]
    assert events[AuditEvent.Type.MARKERS_WRITTEN].subject_ids == ["H-1", "H-2"]
    assert events[AuditEvent.Type.APPLICANTS_WRITTEN].subject_ids == ["H-1", "H-3"]
    summary = events[AuditEvent.Type.PORTFOLIO_IMPORTED]
    assert summary.data["counts"]["dwellings"] == {"new": 4, "updated": 0, "unchanged": 0}

    # Unchanged rows are not written again, so they are not in a new record.
    run(DATA / "good", corporation_a, actor=ada)
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.HOUSEHOLDS_WRITTEN).count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PORTFOLIO_IMPORTED).count() == 2


def test_corporation_b_importing_the_same_codes_never_touches_corporation_a(corporation_a, corporation_b, stock_a,
                                                                           charlie, tmp_path):
    folder = tmp_path / "b"
    write_csv(folder / "dwellings.csv", ["external_id", "street", "house_number", "postcode", "base_rent"],
              ["A-D1", "Bstraat", "9", "9999ZZ", "1,00"])
    write_csv(folder / "households.csv", ["external_id", "size"], ["A-H1", "5"])
    write_csv(folder / "tenancies.csv", ["external_id", "dwelling", "household", "start_date"],
              ["A-T1", "A-D1", "A-H1", "2025-01-01"])
    write_csv(folder / "markers.csv", ["household", "kind", "source", "valid_from"],
              ["A-H1", "shelter_outflow", "test", "2024-01-01"])
    a_dwelling = Dwelling.objects.get(corporation=corporation_a, external_id="A-D1")
    a_before = counts_of(corporation_a)

    report = run(folder, corporation_b, actor=charlie)
    assert report.is_valid and report.written
    # Codes shared with A are new rows for B: A's rows are neither matched nor changed.
    assert report.counts["dwellings"] == {"new": 1, "updated": 0, "unchanged": 0}
    assert counts_of(corporation_a) == a_before
    a_dwelling.refresh_from_db()
    assert (a_dwelling.street, a_dwelling.base_rent) == ("Astraat", Decimal("650.00"))
    assert Household.objects.get(corporation=corporation_a, external_id="A-H1").size == 1
    b_tenancy = Tenancy.objects.get(corporation=corporation_b)
    assert b_tenancy.dwelling.corporation == corporation_b and b_tenancy.household.corporation == corporation_b


def test_a_reference_to_another_corporations_row_is_unknown(corporation_b, stock_a, tmp_path):
    folder = tmp_path / "b"
    write_csv(folder / "tenancies.csv", ["external_id", "dwelling", "household", "start_date"],
              ["B-T1", "A-D1", "A-H1", "2025-01-01"])
    report = run(folder, corporation_b)
    assert [str(e) for e in report.errors] == [
        'tenancies.csv row 2, dwelling: "A-D1" is not a dwelling in this file or in Buurtbalans',
        'tenancies.csv row 2, household: "A-H1" is not a household in this file or in Buurtbalans',
    ]


def test_a_user_imports_only_into_their_own_corporation_and_only_with_the_right(corporation_a, ada, alice, charlie):
    with pytest.raises(PermissionDenied):
        run(DATA / "good", corporation_a, actor=charlie)
    with pytest.raises(PermissionDenied):
        run(DATA / "good", corporation_a, actor=alice)  # allocation officers do not manage the portfolio


def test_marker_kinds_of_the_corporation_itself_are_accepted(corporation_a, corporation_b, stock_a, tmp_path):
    own = VulnerabilityKind.objects.create(corporation=corporation_a, code="debt_support", label="Schuldhulp")
    VulnerabilityKind.objects.create(corporation=corporation_b, code="b_only", label="Alleen B")
    folder = tmp_path / "m"
    write_csv(folder / "markers.csv", ["household", "soort", "bron", "geldig_vanaf"],
              ["A-H2", "schuldhulp", "wijkteam", "2025-01-01"], ["A-H2", "b_only", "wijkteam", "2025-01-01"])
    report = run(folder, corporation_a)
    assert [str(e) for e in report.errors] == [
        'markers.csv row 3, soort: "b_only" is not a known kind of marker (known: care_indication, debt_support, '
        "medical_urgency, shelter_outflow, social_urgency, status_holder)"
    ]
    (folder / "markers.csv").write_text("household;soort;bron;geldig_vanaf\nA-H2;schuldhulp;wijkteam;2025-01-01\n")
    assert run(folder, corporation_a).written
    assert VulnerabilityMarker.objects.get(household=stock_a.households[1]).kind == own


def test_the_import_job_stores_the_report_and_its_progress(corporation_a, buurt, ada):
    job = job_enqueue(kind="portfolio_import", corporation=corporation_a, user=ada,
                      params={"path": str(DATA / "good"), "dry_run": False})
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["written"] is True and job.result["is_valid"] is True
    assert job.result["counts"]["tenancies"] == {"new": 3, "updated": 0, "unchanged": 0}
    assert job.progress_total > 0 and job.progress_done == job.progress_total
    assert "imported" in job.log
    assert counts_of(corporation_a)["dwellings"] == 4


def test_the_import_job_reports_a_bad_file_without_failing(corporation_a, stock_a, ada):
    job = job_enqueue(kind="portfolio_import", corporation=corporation_a, user=ada,
                      params={"path": str(DATA / "bad"), "dry_run": True})
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["is_valid"] is False and job.result["written"] is False
    assert job.result["error_count"] == len(job.result["errors"]) > 10
    first = job.result["errors"][0]
    assert set(first) >= {"file", "row", "column", "message", "text"}
    assert 'dwellings.csv row 4, base_rent: "6l2,50" is not an amount' in [e["text"] for e in job.result["errors"]]


def test_a_zip_of_csv_files_a_single_csv_and_a_windows_encoded_csv_are_read(corporation_a, buurt, tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "upload.zip", "w") as archive:
        for name in ("complexes.csv", "dwellings.csv"):
            archive.write(DATA / "good" / name, f"export/{name}")
    report = run(tmp_path / "upload.zip", corporation_a)
    assert report.is_valid and report.counts["dwellings"]["new"] == 4, [str(e) for e in report.errors]

    single = tmp_path / "huishoudens.csv"
    single.write_bytes("huishoudcode;huishoudgrootte;inkomensbron\nH-9;1;Belastingdienst\n".encode("cp1252"))
    report = run(single, corporation_a)
    assert report.counts == {"households": {"new": 1, "updated": 0, "unchanged": 0}}

    windows = tmp_path / "win" / "dwellings.csv"
    windows.parent.mkdir()
    windows.write_bytes("eenheidcode;straat;huisnummer;postcode;kaleHuur\r\nD-1;Café-erf;1;8011AA;€ 640,00\r\n"
                        .encode("cp1252"))
    report = run(windows.parent, corporation_a)
    assert report.is_valid, [str(e) for e in report.errors]
    dwelling = Dwelling.objects.get(corporation=corporation_a, external_id="D-1")
    assert (dwelling.street, dwelling.base_rent) == ("Café-erf", Decimal("640.00"))


def test_a_database_failure_halfway_leaves_nothing_written(corporation_a, buurt, monkeypatch):
    from django.db import IntegrityError

    def fail_after_the_complexes(model, corporation):
        # Called once the complexes are written, to look up their new ids: fail there.
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(write, "_ids", fail_after_the_complexes)
    report = run(DATA / "good", corporation_a)
    assert not report.written
    assert [str(e) for e in report.errors] == ["good: the database refused the data: simulated failure"]
    assert counts_of(corporation_a) == dict.fromkeys(counts_of(corporation_a), 0)
    assert not AuditEvent.objects.exists()


def test_an_upload_stored_under_another_name_is_reported_under_the_name_the_user_knows(corporation_a, ada,
                                                                                      tmp_path):
    stored = tmp_path / "portfolio-3f9a.csv"
    stored.write_text("huishoudcode;huishoudgrootte\nH-1;veel\n", encoding="utf-8")
    job = job_enqueue(kind="portfolio_import", corporation=corporation_a, user=ada,
                      params={"path": str(stored), "dry_run": True, "file_name": "huishoudens.csv"})
    run_pending_jobs()
    job.refresh_from_db()
    assert job.result["source"] == "huishoudens.csv"
    assert [e["text"] for e in job.result["errors"]] == [
        'huishoudens.csv row 2, huishoudgrootte: "veel" is not a whole number'
    ]
