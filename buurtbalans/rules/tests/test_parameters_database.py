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
from buurtbalans.rules.services import parameter_file_import, parameter_value_remove, parameter_values_save

pytestmark = pytest.mark.django_db

D = Decimal
CAPS_2026 = (
    "valid_from,key,value,source,note\n"
    "2026-01-01,allowance_cap_low,713.57,https://example.org/staatscourant-2025,\n"
    "2026-01-01,allowance_cap_high,764.73,https://example.org/staatscourant-2025,checked twice\n"
)


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


def test_a_database_value_changes_rules_show_rules_check_and_the_version(ada):
    # A correction of the built-in 2026 caps (the figures are made up for the test).
    before = parameters_for(date(2026, 3, 1))
    assert show("2026-03-01")["allowance_cap_low"] == "713.02"
    case = ("--date", "2026-03-01", "--household-size", "2", "--income", "20000", "--base-rent", "713.50")
    assert check(*case)["affordability_fit"] == "NOT_FIT"

    result = parameter_file_import(text=CAPS_2026, file_name="caps-2026.csv", actor=ada)

    assert [r.key for r in result.changed] == ["allowance_cap_low", "allowance_cap_high"]
    document = show("2026-03-01")
    assert (document["allowance_cap_low"], document["allowance_cap_high"]) == ("713.57", "764.73")
    assert document["sources"]["allowance_cap_low"] == [
        {"key": "https://example.org/staatscourant-2025", "url": "https://example.org/staatscourant-2025"}
    ]
    # The other values of 2026 still come from the built-in table.
    assert document["daeb_rent_limit"] == "932.93"
    assert document["sources"]["daeb_rent_limit"][0]["key"] == "S28"
    assert check(*case)["affordability_fit"] == "FIT"
    after = parameters_for(date(2026, 3, 1))
    assert after.version != before.version and after.version.startswith("database:2026-01-01:")
    assert result.versions == {date(2026, 1, 1): after.version}
    # Other years keep the built-in set and its version.
    assert parameters_for(date(2025, 3, 1)).version == "parameters:2025-01-01:bbb913cd"
    stored = ParameterValue.objects.get(key="allowance_cap_high")
    assert (stored.changed_by, stored.changed_by_name, stored.version, stored.note) == (
        ada,
        "ada",
        after.version,
        "checked twice",
    )
    change = ParameterChange.objects.get(key="allowance_cap_low")
    assert (change.old_value, change.new_value, change.via) == ("713.02", "713.57", "file")
    assert change.file_name == "caps-2026.csv"
    assert (change.version_before, change.version_after) == (before.version, after.version)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.PARAMETERS_CHANGED)
    assert (event.actor_name, event.subject_label) == ("ada", "2026-01-01")
    assert event.corporation == ada.membership.corporation
    assert {c["key"] for c in event.data["changes"]} == {"allowance_cap_low", "allowance_cap_high"}


def test_a_file_with_bad_rows_is_refused_with_every_error_and_nothing_stored(ada):
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
        parameter_file_import(text=text, file_name="upload.csv", actor=ada)
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


def test_a_file_without_the_columns_is_refused(ada):
    with pytest.raises(ParameterTableError) as refused:
        parameter_file_import(text="date;name;amount\n2026-01-01;x;1\n", file_name="wrong.csv", actor=ada)
    assert refused.value.errors == [
        "wrong.csv row 1: missing column(s): valid_from, key, value",
        "wrong.csv row 1: unknown column(s): date, name, amount",
    ]


def test_values_that_break_the_order_of_the_limits_are_refused(ada):
    rows = [ParameterRow(date(2025, 1, 1), "allowance_cap_low", "800.00", "S23")]
    with pytest.raises(ParameterTableError) as refused:
        parameter_values_save(rows=rows, actor=ada)
    assert refused.value.errors == [
        "2025-01-01: allowance_cap_low (800.00) must be at or below allowance_cap_high (731.93)"
    ]
    assert not ParameterValue.objects.exists()


def test_a_new_date_gets_a_set_of_its_own_and_unlisted_values_are_unknown(ada):
    text = "valid_from,key,value,source\n2027-01-01,affordability_fit_quota,0.95,S4\n2027-01-01,middle_rent_limit,-,\n"
    parameter_file_import(text=text, file_name="2027.csv", actor=ada)
    params = parameters_for(date(2027, 6, 1))
    assert params.valid_from == date(2027, 1, 1)
    assert params.affordability_fit_quota == D("0.95")
    assert "allowance_cap_low" in params.missing_parameters()
    assert "middle_rent_limit" not in params.missing_parameters()
    assert parameters_for(date(2026, 12, 31)).valid_from == date(2026, 1, 1)


def test_the_same_value_again_is_not_stored_and_removing_restores_the_built_in_version(ada):
    same = [ParameterRow(date(2025, 1, 1), "allowance_cap_low", "682.960", "S23")]
    assert parameter_values_save(rows=same, actor=ada).changed == ()
    parameter_values_save(rows=[ParameterRow(date(2025, 1, 1), "allowance_cap_low", "683", "S99")], actor=ada)
    assert parameters_for(date(2025, 5, 1)).allowance_cap_low == D("683")
    assert parameter_value_remove(valid_from=date(2025, 1, 1), key="allowance_cap_low", actor=ada)
    assert parameters_for(date(2025, 5, 1)).version == "parameters:2025-01-01:bbb913cd"
    assert list(ParameterChange.objects.order_by("id").values_list("via", "new_value")) == [
        ("form", "683"),
        ("removed", "682.96"),
    ]
    assert not parameter_value_remove(valid_from=date(2025, 1, 1), key="allowance_cap_low", actor=ada)


def test_a_value_stored_by_another_process_is_seen_without_a_restart():
    assert parameters_for(date(2026, 2, 1)).middle_income_limit_multi is None
    # Written straight to the table, as another web process or the worker would: no in-process invalidation.
    ParameterValue.objects.create(
        valid_from=date(2026, 1, 1), key="middle_income_limit_multi", state="value", value=D("92000"),
        source="https://example.org/test", version="x", changed=timezone.now(), changed_by_name="other-process",
    )  # fmt: skip
    assert parameters_for(date(2026, 2, 1)).middle_income_limit_multi == D("92000")


# --- screens ------------------------------------------------------------------------------------------------


def test_only_administrators_change_parameters(client, alice, bob):
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(reverse("rules_parameters")).status_code == 200
        assert client.get(reverse("rules_parameter_new")).status_code == 403
        assert client.get(reverse("rules_parameter_upload")).status_code == 403
        url = reverse("rules_parameter_set", args=["2026-01-01"])
        assert client.post(url, {"value__allowance_cap_low": "713.57"}).status_code == 403
        remove = reverse("rules_parameter_remove", args=["2026-01-01", "allowance_cap_low"])
        assert client.post(remove).status_code == 403
    assert not ParameterValue.objects.exists()


def _form_data(client, url) -> dict:
    """The form's fields as the page fills them in."""
    form = client.get(url).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_an_administrator_fills_in_a_2026_limit_on_screen_and_sees_where_values_come_from(client, ada):
    client.force_login(ada)
    url = reverse("rules_parameter_set", args=["2026-01-01"])
    page = client.get(url)
    values = {v.key: v for v in page.context["set_view"].values}
    single = values["middle_income_limit_single"]
    assert single.state == "unknown" and single.origin == "builtin"
    assert values["allowance_cap_low"].state == "value" and values["allowance_cap_low"].source == "S137 S28"
    data = _form_data(client, url)
    # A made-up figure: the test is about the screen, not the law.
    data.update({"value__middle_income_limit_single": "69.000,50", "source__middle_income_limit_single": "S28"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    stored = ParameterValue.objects.get()
    assert (stored.key, stored.value, stored.source) == ("middle_income_limit_single", D("69000.50"), "S28")
    values = {v.key: v for v in client.get(url).context["set_view"].values}
    assert values["middle_income_limit_single"].origin == "database"
    assert values["middle_income_limit_single"].changed_by == "ada"
    assert values["middle_income_limit_single"].builtin_text == "n/f"
    assert values["daeb_rent_limit"].origin == "builtin"
    assert [v.key for v in client.get(url).context["set_view"].missing] == [
        "middle_income_limit_multi", "pension_assets_limit_single", "pension_assets_limit_multi",
    ]  # fmt: skip


def test_a_value_without_a_source_or_not_a_number_is_refused_on_screen(client, ada):
    client.force_login(ada)
    url = reverse("rules_parameter_set", args=["2026-01-01"])
    data = _form_data(client, url)
    data.update(
        {"value__allowance_cap_low": "713.57", "source__allowance_cap_low": "", "value__allowance_cap_high": "veel"}
    )
    response = client.post(url, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"source__allowance_cap_low", "value__allowance_cap_high"}
    assert not ParameterValue.objects.exists()


def test_an_uploaded_file_with_bad_rows_lists_every_error_and_stores_nothing(client, ada):
    client.force_login(ada)
    bad = SimpleUploadedFile("caps.csv", (CAPS_2026 + "2026-01-01,allowance_cap_low,1,S28,\nx,y,z,,\n").encode())
    response = client.post(reverse("rules_parameter_upload"), {"file": bad})
    assert response.status_code == 400
    assert response.context["errors"] == [
        "caps.csv row 4, key: allowance_cap_low given twice for 2026-01-01 (also on row 2)",
        "caps.csv row 5, valid_from: not a date (YYYY-MM-DD): 'x'",
        "caps.csv row 5, key: unknown parameter 'y'",
        "caps.csv row 5, value: not a number: 'z'",
    ]
    assert not ParameterValue.objects.exists()
    good = SimpleUploadedFile("caps.csv", ("\ufeff" + CAPS_2026).encode())
    response = client.post(reverse("rules_parameter_upload"), {"file": good})
    assert response.status_code == 302
    assert ParameterValue.objects.count() == 2


def test_a_new_date_on_screen_starts_from_the_latest_set(client, ada):
    client.force_login(ada)
    url = reverse("rules_parameter_new")
    data = _form_data(client, url)
    assert data["value__daeb_rent_limit"] == "932.93"
    data.update({"valid_from": "2026-07-01", "value__allowance_cap_low": "713.57", "source__allowance_cap_low": "S28"})
    assert client.post(url, data).status_code == 302
    params = parameters_for(date(2026, 8, 1))
    assert (params.valid_from, params.allowance_cap_low, params.daeb_rent_limit) == (
        date(2026, 7, 1),
        D("713.57"),
        D("932.93"),
    )
    data["valid_from"] = "2026-01-01"
    assert client.post(url, data).status_code == 400


def test_another_corporations_administrator_is_not_named(client, ada, charlie):
    parameter_file_import(text=CAPS_2026, file_name="caps.csv", actor=ada)
    client.force_login(charlie)
    page = client.get(reverse("rules_parameter_set", args=["2026-01-01"]))
    text = page.content.decode()
    assert "ada" not in {v.changed_by for v in page.context["set_view"].values}
    assert [c.who for c in page.context["changes"]] == [str(page.context["changes"][0].who)] * 2
    assert "ada" not in {c.who for c in page.context["changes"]}
    assert ">ada<" not in text and "ada," not in text
