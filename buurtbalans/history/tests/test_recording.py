"""What each import writes to the history, and what it never writes: a failed import, another corporation's rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation

from buurtbalans.history.models import (
    BACKFILL_FROM,
    ComplexOwnership,
    DwellingStatusPeriod,
    HistoryImport,
    HouseholdIncomeBand,
)
from buurtbalans.history.selectors import dwelling_status_on
from buurtbalans.history.services import HistoryOutOfOrder, history_record
from buurtbalans.history.tests.series import State, write_state
from buurtbalans.portfolio.models import Dwelling, DwellingStatus
from buurtbalans.portfolio.services import portfolio_import
from buurtbalans.portfolio.tests.test_import_support import make_buurt
from buurtbalans.testing import make_stock


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def one_state(day=date(2024, 5, 1), status="occupied", income=21000) -> State:
    return State(day, {"C-1": True}, {"D-1": ("C-1", status), "D-2": ("C-1", "sold")}, {"H-1": (1, income)},
                 {"T-1": ("D-1", "H-1")})


@pytest.mark.django_db
def test_an_import_without_a_date_records_as_on_the_day_of_the_import(corporation_a, tmp_path):
    make_buurt()
    folder = write_state(tmp_path, one_state())
    report = portfolio_import(source=folder, corporation=corporation_a, dry_run=False)
    assert report.written
    today = timezone.localdate()
    assert set(DwellingStatusPeriod.objects.values_list("status", "valid_from", "valid_to")) == {
        ("occupied", today, None), ("sold", today, None)}
    assert list(HouseholdIncomeBand.objects.values_list("year", "band")) == [(2024, "primary")]
    row = ComplexOwnership.objects.get()
    assert (row.year, row.dwelling_count, row.owned_count, row.sold_count, row.has_owners_association) == (
        today.year, 2, 1, 1, True)
    assert row.owned_share == 0.5


@pytest.mark.django_db
def test_a_dry_run_writes_no_history(corporation_a, tmp_path):
    make_buurt()
    folder = write_state(tmp_path, one_state())
    assert portfolio_import(source=folder, corporation=corporation_a, dry_run=True, as_of=date(2024, 5, 1)).is_valid
    assert not DwellingStatusPeriod.objects.exists() and not HistoryImport.objects.exists()


@pytest.mark.django_db
def test_a_failed_import_leaves_no_history_rows(corporation_a, tmp_path):
    make_buurt()
    first = write_state(tmp_path, one_state())
    assert portfolio_import(source=first, corporation=corporation_a, dry_run=False, as_of=date(2024, 5, 1)).written
    before = list(DwellingStatusPeriod.objects.order_by("pk").values_list("status", "valid_from", "valid_to"))
    # The next file sells D-1, but a household's size is no number: nothing of it is written, history included.
    second = write_state(tmp_path, one_state(date(2025, 2, 1), status="sold", income=50000))
    households = second / "households.csv"
    households.write_text(households.read_text().replace("H-1;1;", "H-1;een;"))
    report = portfolio_import(source=second, corporation=corporation_a, dry_run=False, as_of=date(2025, 2, 1))
    assert not report.written
    assert str(report.errors[0]).startswith("households.csv row 2, size:")
    assert list(DwellingStatusPeriod.objects.order_by("pk").values_list("status", "valid_from", "valid_to")) == before
    assert not HouseholdIncomeBand.objects.filter(year=2025).exists()
    assert not ComplexOwnership.objects.filter(year=2025).exists()
    assert HistoryImport.objects.count() == 1


@pytest.mark.django_db
def test_history_that_cannot_be_recorded_rolls_the_import_back(corporation_a, tmp_path):
    """An import dated before a period it would change fails as a whole: the stock stays as it was."""
    make_buurt()
    first = write_state(tmp_path, one_state(date(2024, 5, 1)))
    assert portfolio_import(source=first, corporation=corporation_a, dry_run=False, as_of=date(2024, 5, 1)).written
    older = write_state(tmp_path, one_state(date(2023, 1, 1), status="vacant"))
    with pytest.raises(HistoryOutOfOrder, match="D-1"):
        portfolio_import(source=older, corporation=corporation_a, dry_run=False, as_of=date(2023, 1, 1))
    assert Dwelling.objects.get(external_id="D-1").status == "occupied"
    assert HistoryImport.objects.count() == 1


@pytest.mark.django_db
def test_changes_made_in_the_product_are_dated_by_the_next_recording(corporation_a):
    """An accepted offer lets a dwelling without an import: the next import (or record_history) dates the change."""
    stock = make_stock(corporation_a, "A", "BU01930001")
    history_record(corporation=corporation_a, as_of=date(2024, 1, 1), source="test")
    dwelling = Dwelling.objects.filter(corporation=corporation_a).first()
    Dwelling.objects.filter(pk=dwelling.pk).update(status=DwellingStatus.VACANT)
    call_command("record_history", "--corporation", corporation_a.code, "--date", "2024-06-01", verbosity=0)
    assert dwelling_status_on(corporation_a, date(2024, 5, 31))[dwelling.pk] == DwellingStatus.OCCUPIED
    assert dwelling_status_on(corporation_a, date(2024, 6, 1))[dwelling.pk] == DwellingStatus.VACANT
    assert stock.complex.pk in set(ComplexOwnership.objects.values_list("complex_id", flat=True))


@pytest.mark.django_db
def test_two_imports_on_one_day_leave_one_period_per_status(corporation_a):
    make_stock(corporation_a, "A", "BU01930001")
    dwelling = Dwelling.objects.filter(corporation=corporation_a).first()
    history_record(corporation=corporation_a, as_of=date(2024, 1, 1), source="first")
    for status in (DwellingStatus.VACANT, DwellingStatus.RENOVATION, DwellingStatus.VACANT):
        Dwelling.objects.filter(pk=dwelling.pk).update(status=status)
        history_record(corporation=corporation_a, as_of=date(2024, 3, 1), source="same day")
    Dwelling.objects.filter(pk=dwelling.pk).update(status=DwellingStatus.OCCUPIED)
    history_record(corporation=corporation_a, as_of=date(2024, 3, 1), source="back")
    assert list(DwellingStatusPeriod.objects.filter(dwelling=dwelling).values_list("status", "valid_from",
                                                                                    "valid_to")) == [
        ("occupied", date(2024, 1, 1), None)]


@pytest.mark.django_db
def test_record_history_dry_run_writes_nothing(corporation_a):
    make_stock(corporation_a, "A", "BU01930001")
    call_command("record_history", "--corporation", corporation_a.code, "--dry-run", verbosity=0)
    assert not DwellingStatusPeriod.objects.exists() and not HistoryImport.objects.exists()


@pytest.mark.django_db
def test_import_history_command_names_the_file_row_and_field(corporation_a, tmp_path):
    from django.core.management.base import CommandError

    make_buurt()
    write_state(tmp_path, one_state(date(2023, 1, 1)))
    bad = write_state(tmp_path, one_state(date(2024, 1, 1)))
    (bad / "dwellings.csv").write_text((bad / "dwellings.csv").read_text().replace("sold", "weg"))
    with pytest.raises(CommandError, match=r"voorraad-2024-01-01 \(2024-01-01\): nothing of it was written"):
        call_command("import_history", str(tmp_path), "--corporation", corporation_a.code, verbosity=0)
    assert list(HistoryImport.objects.values_list("as_of", flat=True)) == [date(2023, 1, 1)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_backfill_migration_gives_every_dwelling_one_open_period(corporation_a, corporation_b):
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([("history", "0001_status_income_ownership_history")])
    try:
        make_stock(corporation_a, "A", "BU01930001")
        make_stock(corporation_b, "B", "BU01930002")
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)
    finally:
        MigrationExecutor(connection).migrate(leaves)
    dwellings = set(Dwelling.objects.values_list("pk", "corporation_id", "status"))
    assert dwellings
    periods = list(DwellingStatusPeriod.objects.values_list("dwelling_id", "corporation_id", "status", "valid_from",
                                                            "valid_to", "source"))
    assert sorted(periods) == sorted((pk, corporation, status, BACKFILL_FROM, None, "backfill")
                                     for pk, corporation, status in dwellings)
