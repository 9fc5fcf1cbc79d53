"""The demo fills in, as marked demo values, only the legal parameters that no official source gives yet."""

import hashlib
from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from buurtbalans.core.models import AuditEvent
from buurtbalans.demo.parameters import demo_parameter_rows, demo_parameters_seed
from buurtbalans.engine.parameters import TABLES_DIR, ParameterRow, builtin_parameter_sets
from buurtbalans.rules.models import ParameterChange, ParameterValue
from buurtbalans.rules.parameters import DEMO_VALUE_MARK, is_demo_value, parameters_for
from buurtbalans.rules.services import parameter_values_save

pytestmark = pytest.mark.django_db

D = Decimal
SHIPPED_TABLE = TABLES_DIR / "parameters.csv"


def table_digest() -> str:
    return hashlib.sha256(SHIPPED_TABLE.read_bytes()).hexdigest()


def test_it_fills_in_only_the_missing_values_of_the_set_in_force_and_marks_them():
    before = parameters_for(date(2026, 6, 1))
    shipped = table_digest()

    result = demo_parameters_seed(reference_date=date(2026, 6, 1))

    assert result.valid_from == date(2026, 1, 1) and result.not_filled == ()
    written = {row.key: row for row in result.written}
    assert set(written) == set(before.missing_parameters()) == {
        "middle_income_limit_single", "middle_income_limit_multi",
        "pension_assets_limit_single", "pension_assets_limit_multi",
    }  # fmt: skip
    after = parameters_for(date(2026, 6, 1))
    assert after.missing_parameters() == ()
    # Each value is the latest earlier year's: 2025 for the middle incomes, 2022 for the assets limits.
    assert (after.middle_income_limit_single, after.middle_income_limit_multi) == (D("67366"), D("89821"))
    assert (after.pension_assets_limit_single, after.pension_assets_limit_multi) == (D("118479"), D("148819"))
    for key in written:
        assert is_demo_value(after, key), key
        assert after.sources[key] == DEMO_VALUE_MARK
        assert after.notes[key].startswith(DEMO_VALUE_MARK)
    # Every official value stays as it was, and the shipped table is not touched.
    for key in ("allowance_cap_low", "allowance_cap_high", "quality_discount_limit", "daeb_income_limit_single"):
        assert getattr(after, key) == getattr(before, key) and not is_demo_value(after, key)
    assert table_digest() == shipped
    assert builtin_parameter_sets()[-1].missing_parameters() == before.missing_parameters()


def test_the_values_are_administrator_values_with_history_and_audit():
    demo_parameters_seed(reference_date=date(2026, 6, 1))
    stored = ParameterValue.objects.order_by("key")
    assert stored.count() == 4
    assert {v.source for v in stored} == {DEMO_VALUE_MARK}
    assert {v.changed_by_name for v in stored} == {"seed_demo"}
    changes = ParameterChange.objects.all()
    assert {c.via for c in changes} == {ParameterChange.Via.DEMO} and {c.old_value for c in changes} == {"n/f"}
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.PARAMETERS_CHANGED)
    assert event.actor_name == "seed_demo" and event.data["via"] == "demo"


def test_running_it_again_writes_nothing_and_an_administrators_value_is_never_replaced():
    parameter_values_save(
        rows=[ParameterRow(date(2026, 1, 1), "middle_income_limit_single", "70000", "https://example.org/test")],
        actor=None,
    )
    first = demo_parameters_seed(reference_date=date(2026, 6, 1))
    assert "middle_income_limit_single" not in {row.key for row in first.written}
    assert parameters_for(date(2026, 6, 1)).middle_income_limit_single == D("70000")
    assert demo_parameters_seed(reference_date=date(2026, 6, 1)).written == ()
    assert ParameterValue.objects.count() == 4


def test_a_dry_run_writes_nothing():
    result = demo_parameters_seed(reference_date=date(2026, 6, 1), dry_run=True)
    assert len(result.written) == 4
    assert not ParameterValue.objects.exists() and not AuditEvent.objects.exists()


def test_a_later_year_with_many_gaps_is_filled_from_the_year_before():
    # A command started 2027 with one value: every other value of 2027 is missing.
    parameter_values_save(rows=[ParameterRow(date(2027, 1, 1), "affordability_fit_quota", "0.95", "S4")], actor=None)
    result = demo_parameters_seed(reference_date=date(2027, 2, 1))
    params = parameters_for(date(2027, 2, 1))
    assert result.valid_from == date(2027, 1, 1) and params.missing_parameters() == ()
    assert params.allowance_cap_low == D("713.02") and is_demo_value(params, "allowance_cap_low")
    assert params.affordability_fit_quota == D("0.95") and not is_demo_value(params, "affordability_fit_quota")
    # What does not exist in 2026 ("-") does not exist in the demo's 2027 either: the 2021 value is not revived.
    assert params.daeb_income_limit_extended is None and "daeb_income_limit_extended" in params.not_applicable
    assert is_demo_value(params, "daeb_income_limit_extended")
    assert result.not_filled == ()


def test_a_parameter_no_earlier_year_knows_is_left_missing_and_named():
    sets = builtin_parameter_sets()
    fake = (*sets[:-1], replace(sets[-1], allowance_cap_high=None))
    valid_from, rows, not_filled = demo_parameter_rows(fake, date(2026, 6, 1))
    assert "allowance_cap_high" in {r.key for r in rows}  # 2025 knows it
    first_year = (replace(sets[0], allowance_income_limit_multi=None),)
    valid_from, rows, not_filled = demo_parameter_rows(first_year, date(2021, 6, 1))
    assert (valid_from, rows) == (date(2021, 1, 1), [])
    assert not_filled == ["allowance_income_limit_multi", "middle_income_limit_single", "middle_income_limit_multi"]
    assert demo_parameter_rows(sets, date(2020, 1, 1)) == (None, [], [])


def test_seed_demo_fills_them_in_before_it_generates(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", "--dwellings", "300", "--reference-date", "2026-06-01", stdout=out)
    assert "demo values (not official) filled in for" in out.getvalue()
    assert parameters_for(date(2026, 6, 1)).missing_parameters() == ()
    assert ParameterValue.objects.filter(source=DEMO_VALUE_MARK).count() == 4
