"""An erased household (AVG art. 17, privacy.erasure) does not come back through a later import, and a dry run of
the command is audited as the web's check is (issue 11)."""

from __future__ import annotations

import getpass
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import Household, Tenancy, VulnerabilityMarker
from buurtbalans.portfolio.services import portfolio_import
from buurtbalans.portfolio.tests.test_import_portfolio import counts_of
from buurtbalans.portfolio.tests.test_import_support import write_csv
from buurtbalans.privacy.erasure import household_erase

pytestmark = pytest.mark.django_db

HOUSEHOLD_HEADER = ["external_id", "size", "adults", "children"]
ERASED_MESSAGE = ("this household was erased on request (AVG art. 17). Erase it in your own system too, or contact "
                  "the privacy officer.")


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def petra(corporation_a):
    return make_user("petra", corporation_a, Role.PRIVACY_OFFICER)


def erase(petra, corporation, code: str) -> Household:
    """A household that asked to be erased (no tenancy, so no legal hold), erased by the privacy officer."""
    household = Household.objects.create(corporation=corporation, external_id=code, size=1, adults=1)
    household_erase(user=petra, household=household)
    return Household.objects.get(pk=household.pk)


@pytest.fixture
def erased(petra, stock_a):
    return erase(petra, stock_a.corporation, "A-H7")


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_erased_household_in_a_later_file_is_refused_and_nothing_is_written(corporation_a, erased, tmp_path,
                                                                              dry_run):
    folder = tmp_path / "erp"
    write_csv(folder / "households.csv", HOUSEHOLD_HEADER, ["A-H1", 1, 1, 0], ["A-H7", 2, 2, 0])
    before = counts_of(corporation_a)
    report = portfolio_import(source=folder, corporation=corporation_a, dry_run=dry_run)
    assert not report.is_valid and not report.written
    assert [str(e) for e in report.errors] == [f"households.csv row 3, external_id: {ERASED_MESSAGE}"]
    assert counts_of(corporation_a) == before
    assert not Household.objects.filter(corporation=corporation_a, external_id="A-H7").exists()
    assert Household.objects.get(pk=erased.pk).external_id == erased.external_id


def test_the_message_is_in_plain_dutch(corporation_a, erased, tmp_path):
    write_csv(tmp_path / "erp" / "huishoudens.csv", HOUSEHOLD_HEADER, ["A-H7", 2, 2, 0])
    with translation.override("nl"):
        report = portfolio_import(source=tmp_path / "erp", corporation=corporation_a, dry_run=True)
        (error,) = report.errors
        assert str(error) == (
            "huishoudens.csv regel 2, external_id: Dit huishouden is op verzoek gewist (AVG art. 17). Wis het ook "
            "in uw eigen systeem, of neem contact op met de privacyfunctionaris."
        )


def test_rows_that_refer_to_an_erased_household_are_refused_too(corporation_a, stock_a, erased, tmp_path):
    folder = tmp_path / "erp"
    write_csv(folder / "households.csv", HOUSEHOLD_HEADER, ["A-H7", 2, 2, 0])
    write_csv(folder / "tenancies.csv", ["external_id", "dwelling", "household", "start_date"],
              ["A-T7", stock_a.dwellings[2].external_id, "A-H7", "2026-01-01"])
    write_csv(folder / "markers.csv", ["household", "kind", "source", "valid_from"],
              ["A-H7", "shelter_outflow", "wijkteam", "2024-01-01"])
    report = portfolio_import(source=folder, corporation=corporation_a, dry_run=False)
    assert sorted(str(e) for e in report.errors) == [
        f"households.csv row 2, external_id: {ERASED_MESSAGE}",
        f"markers.csv row 2, household: {ERASED_MESSAGE}",
        f"tenancies.csv row 2, household: {ERASED_MESSAGE}",
    ]
    assert not Tenancy.objects.filter(external_id="A-T7").exists()
    assert VulnerabilityMarker.objects.filter(corporation=corporation_a).count() == 1  # stock_a's own


def test_another_corporations_erasure_does_not_block_the_same_code(corporation_b, erased, tmp_path):
    write_csv(tmp_path / "erp" / "households.csv", HOUSEHOLD_HEADER, ["A-H7", 2, 2, 0])
    report = portfolio_import(source=tmp_path / "erp", corporation=corporation_b, dry_run=False)
    assert report.is_valid and report.written
    assert Household.objects.filter(corporation=corporation_b, external_id="A-H7").exists()


def test_the_erased_codes_are_read_in_one_query_however_many_there_are(corporation_a, petra, stock_a, tmp_path):
    write_csv(tmp_path / "erp" / "households.csv", HOUSEHOLD_HEADER, ["A-H1", 1, 1, 0], ["A-H2", 3, 1, 2])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            portfolio_import(source=tmp_path / "erp", corporation=corporation_a, dry_run=True)
        return len(captured)

    erase(petra, corporation_a, "A-H7")
    one = queries()
    for code in ("A-H8", "A-H9", "A-H10"):
        erase(petra, corporation_a, code)
    assert queries() == one


def test_the_command_refuses_it_with_exit_code_2_also_in_a_dry_run(corporation_a, erased, tmp_path):
    write_csv(tmp_path / "erp" / "households.csv", HOUSEHOLD_HEADER, ["A-H7", 2, 2, 0])
    for dry_run in (True, False):
        stderr = io.StringIO()
        with pytest.raises(CommandError) as failure:
            call_command("import_portfolio", str(tmp_path / "erp"), corporation="corp-a", dry_run=dry_run,
                         stderr=stderr, stdout=io.StringIO())
        assert failure.value.returncode == 2
        assert stderr.getvalue().splitlines() == [f"households.csv row 2, external_id: {ERASED_MESSAGE}"]
    assert not Household.objects.filter(corporation=corporation_a, external_id="A-H7").exists()


# --- the command's dry run is audited as the web's check is ----------------------------------------------------

MARKERS = [["A-H1", "shelter_outflow", "test", "2024-01-01"], ["A-H2", "medical_urgency", "GGD", "2024-02-01"]]


def markers_file(tmp_path):
    return write_csv(tmp_path / "markers.csv", ["household", "kind", "source", "valid_from"], *MARKERS)


def previews():
    return list(AuditEvent.objects.filter(event_type=AuditEvent.Type.IMPORT_PREVIEWED))


def test_a_dry_run_of_the_command_that_reads_markers_is_audited(corporation_a, stock_a, tmp_path):
    call_command("import_portfolio", str(markers_file(tmp_path)), corporation="corp-a", dry_run=True,
                 stdout=io.StringIO())
    (event,) = previews()
    assert event.actor is None and event.actor_name == f"cli:{getpass.getuser()}"
    assert event.corporation == stock_a.corporation
    assert event.subject_ids == ["A-H1", "A-H2"] and event.subject_type == "household"
    assert event.purpose == "import"
    assert event.data["sheet"] == "markers" and event.data["rows"] == 2
    assert event.data["counts_shown"] is True  # the command prints the new/updated/unchanged split
    assert "markers.csv" in event.subject_label
    assert VulnerabilityMarker.objects.filter(corporation=corporation_a).count() == 1  # nothing written


def test_the_command_records_the_user_it_is_run_for(corporation_a, stock_a, ada, tmp_path):
    call_command("import_portfolio", str(markers_file(tmp_path)), corporation="corp-a", dry_run=True, user="ada",
                 stdout=io.StringIO())
    (event,) = previews()
    assert event.actor == ada and event.actor_name == "ada"


def test_a_command_dry_run_without_markers_or_a_real_import_records_no_preview(corporation_a, stock_a, tmp_path):
    write_csv(tmp_path / "erp" / "households.csv", HOUSEHOLD_HEADER, ["A-H1", 1, 1, 0])
    call_command("import_portfolio", str(tmp_path / "erp"), corporation="corp-a", dry_run=True, stdout=io.StringIO())
    call_command("import_portfolio", str(markers_file(tmp_path)), corporation="corp-a", stdout=io.StringIO())
    assert previews() == []
    assert date(2024, 2, 1) in set(VulnerabilityMarker.objects.values_list("valid_from", flat=True))
