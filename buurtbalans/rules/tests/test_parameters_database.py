"""Legal parameters in the database: corrections over the built-in table, files, versions, the cache, rights."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from buurtbalans.core.models import AuditEvent
from buurtbalans.engine.parameters import ParameterRow, ParameterTableError, builtin_parameter_sets
from buurtbalans.rules.labels import PARAMETER_LABELS
from buurtbalans.rules.models import ParameterChange, ParameterValue
from buurtbalans.rules.parameters import parameter_sets, parameters_for
from buurtbalans.rules.services import parameter_file_rows, parameter_value_remove, parameter_values_save
from buurtbalans.rules.tests.files import CAPS_2026, confirm, form_data, full_file

pytestmark = pytest.mark.django_db

D = Decimal


def file_store(text: str, file_name: str, *, actor):
    """What the upload page stores once the change is confirmed: the file's rows, checked."""
    rows = parameter_file_rows(text=text, file_name=file_name)
    return parameter_values_save(rows=rows, actor=actor, via=ParameterChange.Via.FILE, file_name=file_name)


def show(day: str) -> dict:
    out = StringIO()
    call_command("rules", "show", "--date", day, stdout=out)
    return json.loads(out.getvalue())


def check(*args: str) -> dict:
    out = StringIO()
    call_command("rules", "check", *args, stdout=out)
    return json.loads(out.getvalue())


def test_every_engine_parameter_has_a_label():
    from buurtbalans.engine.parameters import VALUE_FIELDS

    assert set(PARAMETER_LABELS) == set(VALUE_FIELDS)


@pytest.mark.smoke
def test_without_database_values_the_effective_sets_are_the_built_in_table():
    assert parameter_sets() == builtin_parameter_sets()
    assert [s.version for s in parameter_sets()] == [s.version for s in builtin_parameter_sets()]


def test_a_database_value_changes_rules_show_rules_check_and_the_version(paula):
    # A correction of the built-in 2026 caps (the figures are made up for the test).
    before = parameters_for(date(2026, 3, 1))
    assert show("2026-03-01")["allowance_cap_low"] == "713.02"
    case = ("--date", "2026-03-01", "--household-size", "2", "--income", "20000", "--base-rent", "713.50")
    assert check(*case)["affordability_fit"] == "NOT_FIT"

    result = file_store(full_file("2026-01-01", CAPS_2026), "caps-2026.csv", actor=paula)

    assert [r.key for r in result.changed] == ["allowance_cap_low", "allowance_cap_high"]
    document = show("2026-03-01")
    assert (document["allowance_cap_low"], document["allowance_cap_high"]) == ("713.57", "764.73")
    assert document["sources"]["allowance_cap_low"] == [
        {"key": "https://example.org/staatscourant-2025", "url": "https://example.org/staatscourant-2025"}
    ]
    # The other values of 2026 are as they were (the file repeats them: nothing else changed).
    assert document["daeb_rent_limit"] == "932.93"
    assert document["sources"]["daeb_rent_limit"][0]["key"] == "S28"
    assert ParameterValue.objects.count() == 2
    assert check(*case)["affordability_fit"] == "FIT"
    after = parameters_for(date(2026, 3, 1))
    assert after.version != before.version and after.version.startswith("database:2026-01-01:")
    assert result.versions == {date(2026, 1, 1): after.version}
    # Other years keep the built-in set and its version.
    assert parameters_for(date(2025, 3, 1)).version == "parameters:2025-01-01:bbb913cd"
    stored = ParameterValue.objects.get(key="allowance_cap_high")
    assert (stored.changed_by, stored.changed_by_name, stored.version, stored.note) == (
        paula,
        "paula",
        after.version,
        "checked twice",
    )
    change = ParameterChange.objects.get(key="allowance_cap_low")
    assert (change.old_value, change.new_value, change.via) == ("713.02", "713.57", "file")
    assert change.file_name == "caps-2026.csv"
    assert (change.version_before, change.version_after) == (before.version, after.version)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.PARAMETERS_CHANGED)
    assert (event.actor_name, event.subject_label, event.data["file"]) == ("paula", "2026-01-01", "caps-2026.csv")
    assert event.corporation == paula.membership.corporation
    # The audit event holds the whole difference: old and new value and source of each changed value.
    assert {c["key"]: (c["old"]["value"], c["new"]["value"]) for c in event.data["changes"]} == {
        "allowance_cap_low": ("713.02", "713.57"),
        "allowance_cap_high": ("764.14", "764.73"),
    }
    assert event.data["changes"][0]["old"]["source"] == "S137 S28"


def test_a_file_with_bad_rows_is_refused_with_every_error_and_nothing_stored(paula):
    text = (
        "valid_from,key,value,source,note\n"
        "2026-01-01,allowance_cap_low,713.57,S28,\n"
        "2026-13-01,allowance_cap_high,764.73,S28,\n"
        "2026-01-01,rent_cap,700,S28,\n"
        "2026-01-01,allowance_cap_high,abc,S28,\n"
        "2026-01-01,affordability_fit_quota,95,S28,\n"
        "2026-01-01,daeb_rent_limit,940.00,,\n"
        "2026-01-01,allowance_cap_low,713.58,S28,\n"
    )
    with pytest.raises(ParameterTableError) as refused:
        parameter_file_rows(text=text, file_name="upload.csv")
    assert [e.split(":")[0] for e in refused.value.errors] == [
        "upload.csv row 3, valid_from",
        "upload.csv row 4, key",
        "upload.csv row 5, value",
        "upload.csv row 6, value",
        "upload.csv row 7, source",
        "upload.csv row 8, key",
    ]
    assert not ParameterValue.objects.exists()
    assert not ParameterChange.objects.exists()
    assert parameter_sets() == builtin_parameter_sets()


def test_a_file_without_the_columns_is_refused(paula):
    with pytest.raises(ParameterTableError) as refused:
        parameter_file_rows(text="date;name;amount\n2026-01-01;x;1\n", file_name="wrong.csv")
    assert refused.value.errors == [
        "wrong.csv row 1: missing column(s): valid_from, key, value",
        "wrong.csv row 1: unknown column(s): date, name, amount",
    ]


def test_values_that_break_the_order_of_the_limits_are_refused(paula):
    rows = [ParameterRow(date(2025, 1, 1), "allowance_cap_low", "800.00", "S23")]
    with pytest.raises(ParameterTableError) as refused:
        parameter_values_save(rows=rows, actor=paula)
    assert refused.value.errors == [
        "2025-01-01: allowance_cap_low (800.00) must be at or below allowance_cap_high (731.93)"
    ]
    assert not ParameterValue.objects.exists()


def test_a_new_date_gets_a_set_of_its_own_and_a_value_not_known_is_written_as_such(paula):
    changes = {"affordability_fit_quota": ("0.95", "S4", ""), "middle_rent_limit": ("-", "", "")}
    changes.update({key: ("n/f", "", "not published yet") for key in ("allowance_cap_low", "allowance_cap_high")})
    text = full_file("2026-01-01", changes).replace("2026-01-01,", "2027-01-01,")
    file_store(text, "2027.csv", actor=paula)
    params = parameters_for(date(2027, 6, 1))
    assert params.valid_from == date(2027, 1, 1)
    assert params.affordability_fit_quota == D("0.95")
    assert "allowance_cap_low" in params.missing_parameters()
    assert "middle_rent_limit" not in params.missing_parameters()
    assert parameters_for(date(2026, 12, 31)).valid_from == date(2026, 1, 1)


def test_the_same_value_again_is_not_stored_and_removing_restores_the_built_in_version(paula):
    same = [ParameterRow(date(2025, 1, 1), "allowance_cap_low", "682.960", "S23")]
    assert parameter_values_save(rows=same, actor=paula).changed == ()
    parameter_values_save(rows=[ParameterRow(date(2025, 1, 1), "allowance_cap_low", "683", "S99")], actor=paula)
    assert parameters_for(date(2025, 5, 1)).allowance_cap_low == D("683")
    assert parameter_value_remove(valid_from=date(2025, 1, 1), key="allowance_cap_low", actor=paula)
    assert parameters_for(date(2025, 5, 1)).version == "parameters:2025-01-01:bbb913cd"
    assert list(ParameterChange.objects.order_by("id").values_list("via", "new_value")) == [
        ("form", "683"),
        ("removed", "682.96"),
    ]
    assert not parameter_value_remove(valid_from=date(2025, 1, 1), key="allowance_cap_low", actor=paula)


def test_a_value_stored_by_another_process_is_seen_without_a_restart():
    assert parameters_for(date(2026, 2, 1)).middle_income_limit_multi is None
    # Written straight to the table, as another web process or the worker would: no in-process invalidation.
    ParameterValue.objects.create(
        valid_from=date(2026, 1, 1), key="middle_income_limit_multi", state="value", value=D("92000"),
        source="https://example.org/test", version="x", changed=timezone.now(), changed_by_name="other-process",
    )  # fmt: skip
    assert parameters_for(date(2026, 2, 1)).middle_income_limit_multi == D("92000")


# --- screens ------------------------------------------------------------------------------------------------


def test_the_platform_administrator_fills_in_a_2026_limit_on_screen_and_sees_where_values_come_from(
    client, paula
):
    client.force_login(paula)
    url = reverse("rules_parameter_set", args=["2026-01-01"])
    page = client.get(url)
    values = {v.key: v for v in page.context["set_view"].values}
    single = values["middle_income_limit_single"]
    assert single.state == "unknown" and single.origin == "builtin"
    assert values["allowance_cap_low"].state == "value" and values["allowance_cap_low"].source == "S137 S28"
    data = form_data(client, url)
    # A made-up figure: the test is about the screen, not the law.
    data.update(
        {
            "state__middle_income_limit_single": "value",
            "value__middle_income_limit_single": "69.000,50",
            "source__middle_income_limit_single": "S28",
        }
    )
    shown = client.post(url, data)
    assert shown.status_code == 200 and not ParameterValue.objects.exists()
    assert [(d.key, d.old.value, d.new.value) for d in shown.context["diffs"]] == [
        ("middle_income_limit_single", "n/f", "69000.5")
    ]
    response = confirm(client, shown)
    assert response.status_code == 302
    stored = ParameterValue.objects.get()
    assert (stored.key, stored.value, stored.source) == ("middle_income_limit_single", D("69000.50"), "S28")
    values = {v.key: v for v in client.get(url).context["set_view"].values}
    assert values["middle_income_limit_single"].origin == "database"
    assert values["middle_income_limit_single"].changed_by == "paula"
    assert values["middle_income_limit_single"].builtin_text == "n/f"
    assert values["daeb_rent_limit"].origin == "builtin"
    assert [v.key for v in client.get(url).context["set_view"].missing] == [
        "middle_income_limit_multi", "pension_assets_limit_single", "pension_assets_limit_multi",
    ]  # fmt: skip


def test_a_value_without_a_source_or_not_a_number_is_refused_on_screen(client, paula):
    client.force_login(paula)
    url = reverse("rules_parameter_set", args=["2026-01-01"])
    data = form_data(client, url)
    data.update(
        {"value__allowance_cap_low": "713.57", "source__allowance_cap_low": "", "value__allowance_cap_high": "veel"}
    )
    response = client.post(url, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"source__allowance_cap_low", "value__allowance_cap_high"}
    assert not ParameterValue.objects.exists()


def test_an_uploaded_file_with_bad_rows_lists_every_error_and_stores_nothing(client, paula):
    client.force_login(paula)
    text = full_file("2026-01-01", CAPS_2026) + "2026-01-01,allowance_cap_low,1,S28,\nx,y,z,,\n"
    response = client.post(reverse("rules_parameter_upload"), {"file": SimpleUploadedFile("caps.csv", text.encode())})
    assert response.status_code == 400
    assert response.context["errors"] == [
        "caps.csv row 22, key: allowance_cap_low given twice for 2026-01-01 (also on row 3)",
        "caps.csv row 23, valid_from: not a date (YYYY-MM-DD): 'x'",
        "caps.csv row 23, key: unknown parameter 'y'",
        "caps.csv row 23, value: not a number: 'z'",
    ]
    assert not ParameterValue.objects.exists()
    good = SimpleUploadedFile("caps.csv", ("\ufeff" + full_file("2026-01-01", CAPS_2026)).encode())
    shown = client.post(reverse("rules_parameter_upload"), {"file": good})
    assert shown.status_code == 200 and [d.key for d in shown.context["diffs"]] == list(CAPS_2026)
    assert not ParameterValue.objects.exists()
    assert confirm(client, shown).status_code == 302
    assert ParameterValue.objects.count() == 2
    assert set(ParameterChange.objects.values_list("file_name", flat=True)) == {"caps.csv"}


def test_a_new_date_on_screen_starts_from_the_latest_set(client, paula):
    client.force_login(paula)
    url = reverse("rules_parameter_new")
    data = form_data(client, url)
    assert (data["state__daeb_rent_limit"], data["value__daeb_rent_limit"]) == ("value", "932.93")
    assert data["state__middle_income_limit_single"] == "unknown"
    data.update({"valid_from": "2026-07-01", "value__allowance_cap_low": "713.57", "source__allowance_cap_low": "S28"})
    shown = client.post(url, data)
    # A new date: every value is new, each shown beside the (none) it replaces.
    assert shown.status_code == 200 and len(shown.context["diffs"]) == 20
    assert {d.old for d in shown.context["diffs"]} == {None}
    assert confirm(client, shown).status_code == 302
    params = parameters_for(date(2026, 8, 1))
    assert (params.valid_from, params.allowance_cap_low, params.daeb_rent_limit) == (
        date(2026, 7, 1),
        D("713.57"),
        D("932.93"),
    )
    data["valid_from"] = "2026-01-01"
    assert client.post(url, data).status_code == 400


def test_another_corporations_administrator_is_not_named(client, paula, charlie):
    file_store(full_file("2026-01-01", CAPS_2026), "caps.csv", actor=paula)
    client.force_login(charlie)
    page = client.get(reverse("rules_parameter_set", args=["2026-01-01"]))
    text = page.content.decode()
    assert "paula" not in {v.changed_by for v in page.context["set_view"].values}
    assert [c.who for c in page.context["changes"]] == [str(page.context["changes"][0].who)] * 2
    assert "paula" not in {c.who for c in page.context["changes"]}
    assert ">paula<" not in text and "paula," not in text
