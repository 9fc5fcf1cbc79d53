"""Every file import and JSON command against the malformed files of issue 11, as fixed examples.

Readable variants (Excel's "Unicode text", UTF-16/32 with a byte order mark, old Mac newlines) are imported with
clean column names. Every other variant is refused with a message naming the file, without a traceback or an
HTTP 500, and nothing is written: no row, no audit event, no result file.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.fuzz import malformed
from tests.fuzz.checks import assert_refused, feed
from tests.fuzz.targets import BY_NAME, targets

pytestmark = pytest.mark.django_db

CSV_TARGETS = [t.name for t in targets("csv")]
ZIP_TARGETS = [t.name for t in targets("zip")]
XLSX_TARGETS = [t.name for t in targets("xlsx")]
JSON_TARGETS = [t.name for t in targets("json")]


def refused(target, outcome) -> None:
    if target.name.startswith(("open-data", "import-open-data")) and outcome.skipped:
        # The open-data import skips a file it does not recognise and says why; that writes nothing of it.
        assert target.file_name in outcome.text, outcome.text
        return
    assert_refused(outcome, target.file_name)


@pytest.mark.parametrize("variant", list(malformed.CSV_READABLE))
@pytest.mark.parametrize("name", CSV_TARGETS)
def test_csv_in_another_encoding_or_newline_convention_is_read(world, name, variant):
    target = BY_NAME[name]
    data = malformed.CSV_READABLE[variant](target.sample(world).decode("utf-8"), target.delimiter)
    outcome = feed(target, world, data)
    assert outcome.accepted, outcome.text


@pytest.mark.parametrize("variant", list(malformed.CSV_REFUSED))
@pytest.mark.parametrize("name", CSV_TARGETS)
def test_csv_that_is_no_text_or_has_a_monster_cell_is_refused_naming_the_file(world, name, variant):
    target = BY_NAME[name]
    data = malformed.CSV_REFUSED[variant](target.sample(world).decode("utf-8"), target.delimiter)
    refused(target, feed(target, world, data))


@pytest.mark.parametrize("variant", list(malformed.ZIP_REFUSED))
@pytest.mark.parametrize("name", ZIP_TARGETS)
def test_zip_bombs_and_nested_or_damaged_zips_are_refused_naming_the_file(world, name, variant):
    target = BY_NAME[name]
    data = malformed.ZIP_REFUSED[variant](target.csv_members(world))
    refused(target, feed(target, world, data))


@pytest.mark.parametrize("variant", list(malformed.XLSX_REFUSED))
@pytest.mark.parametrize("name", XLSX_TARGETS)
def test_xlsx_with_xml_entities_or_damage_is_refused_naming_the_file(world, name, variant):
    target = BY_NAME[name]
    data = malformed.XLSX_REFUSED[variant](target.sample(world))
    outcome = feed(target, world, data)
    refused(target, outcome)
    assert "root:" not in outcome.text  # /etc/passwd never shows


@pytest.mark.parametrize("variant", list(malformed.JSON_REFUSED))
@pytest.mark.parametrize("name", JSON_TARGETS)
def test_json_too_deep_too_large_or_of_the_wrong_kind_is_refused_naming_the_file(world, name, variant):
    target = BY_NAME[name]
    data = malformed.JSON_REFUSED[variant](target.sample(world).decode("utf-8"))
    refused(target, feed(target, world, data))


@pytest.mark.parametrize("variant", list(malformed.JSON_READABLE))
@pytest.mark.parametrize("name", JSON_TARGETS)
def test_json_with_a_byte_order_mark_is_read(world, name, variant):
    target = BY_NAME[name]
    outcome = feed(target, world, malformed.JSON_READABLE[variant](target.sample(world).decode("utf-8")))
    assert outcome.accepted, outcome.text


def test_excel_unicode_text_gives_clean_column_names_and_values(world):
    from buurtbalans.households.models import Household
    from buurtbalans.portfolio.services import portfolio_import

    target = BY_NAME["portfolio-service-csv"]
    text = target.sample(world).decode("utf-8")
    path = world.place("households.csv", malformed.excel_unicode_text(text, ";"))
    report = portfolio_import(source=path, corporation=world.corporation, actor=None, dry_run=False)
    assert report.is_valid and report.written, report.errors
    header = text.splitlines()[0].split(";")
    assert list(report.columns["households"]) == header
    incomes = dict(Household.objects.filter(external_id__in=["H-1", "H-2", "H-3"])
                   .values_list("external_id", "assessed_income"))
    assert incomes == {"H-1": Decimal("21500.00"), "H-2": Decimal("48250.00"), "H-3": Decimal("31000.00")}


def test_a_cell_over_the_limit_is_reported_on_its_row(world):
    target = BY_NAME["portfolio-service-csv"]
    outcome = feed(target, world, malformed.huge_cell(target.sample(world).decode("utf-8"), ";"))
    assert "households.csv row 2" in outcome.text, outcome.text


def test_the_unzipped_limit_is_a_setting(world, settings):
    target = BY_NAME["portfolio-service-zip"]
    members = target.csv_members(world)
    assert feed(target, world, malformed.zip_of(members)).accepted
    settings.IMPORT_MAX_UNZIPPED_BYTES = sum(len(data) for data in members.values()) - 1
    outcome = feed(target, world, malformed.zip_of(members))
    assert_refused(outcome, "portfolio.zip")
    assert "unpacks to more than" in outcome.text


def test_a_json_cell_nested_too_deeply_is_an_error_on_its_cell(world):
    # VERA's unit as JSON in a cell (`vera_unit`): 20,000 levels deep used to end in a RecursionError.
    from buurtbalans.portfolio.services import portfolio_import
    from buurtbalans.portfolio.tests.test_import_support import DATA

    members = {path.name: path.read_bytes() for path in (DATA / "good").glob("*.csv")}
    unit = b'"{""code"": ""D-2"", ""bouwjaar"": 1975}"'
    assert unit in members["dwellings.csv"]
    members["dwellings.csv"] = members["dwellings.csv"].replace(unit, b"[" * 20_000 + b"]" * 20_000)
    path = world.place("portfolio.zip", malformed.zip_of(members))
    report = portfolio_import(source=path, corporation=world.corporation, actor=None, dry_run=False)
    assert not report.written
    [error] = [str(e) for e in report.errors]
    assert error.startswith('dwellings.csv row 3, vera_unit: "[[[[')
    assert error.endswith('..." nests lists or objects more than 64 levels deep')
