"""Who may change the shared legal parameters (issue 11, finding 3), and that a change is never an accident."""

import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from buurtbalans.core.models import AuditEvent, Membership, Role
from buurtbalans.core.testing import make_user
from buurtbalans.engine.parameters import ParameterRow, ParameterTableError, builtin_parameter_sets
from buurtbalans.rules.models import ParameterValue
from buurtbalans.rules.parameters import parameter_sets, parameters_for
from buurtbalans.rules.services import parameter_file_rows, parameter_value_remove, parameter_values_save
from buurtbalans.rules.tests.files import CAPS_2026, confirm, form_data, full_file

pytestmark = pytest.mark.django_db

D = Decimal
SET_2026 = reverse("rules_parameter_set", args=["2026-01-01"])


def csrf_token_of(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


def test_finding_a_corporation_administrator_cannot_wipe_the_shared_parameters_with_an_empty_form(ada):
    """The finding: ada (ADMIN of corporation A only) posted the 2026 form with nothing but its CSRF token, and
    every value of 2026 became "unknown" for every corporation: plans and rounds stopped with "parameter missing"."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    token = csrf_token_of(client, SET_2026)

    response = client.post(SET_2026, {"csrfmiddlewaretoken": token})

    assert response.status_code == 403
    assert not ParameterValue.objects.exists()
    assert parameter_sets() == builtin_parameter_sets()
    assert parameters_for(date(2026, 6, 1)).allowance_cap_low is not None


def test_a_corporation_administrator_reads_the_parameters_but_gets_no_form(client, ada):
    client.force_login(ada)
    page = client.get(SET_2026)
    assert page.status_code == 200 and page.context["form"] is None and not page.context["may_manage"]
    assert client.get(reverse("rules_parameters")).status_code == 200


def test_the_platform_administrators_empty_post_is_an_error_per_field_and_changes_nothing(paula):
    client = Client(enforce_csrf_checks=True)
    client.force_login(paula)
    token = csrf_token_of(client, SET_2026)

    response = client.post(SET_2026, {"csrfmiddlewaretoken": token})

    assert response.status_code == 400
    errors = response.context["form"].errors
    # Every field of every parameter is missing: 20 states, values, sources and notes.
    assert len(errors) == 80
    assert errors["value__allowance_cap_low"] == [
        "Dit veld ontbreekt in het formulier. Laad de pagina opnieuw en probeer het nog een keer."
    ]
    assert "Kies" in errors["state__allowance_cap_low"][0]
    assert not ParameterValue.objects.exists() and "diffs" not in response.context


def test_one_field_left_out_is_an_error_not_unknown(client, paula):
    client.force_login(paula)
    data = form_data(client, SET_2026)
    del data["value__allowance_cap_low"]
    response = client.post(SET_2026, data)
    assert response.status_code == 400 and set(response.context["form"].errors) == {"value__allowance_cap_low"}
    data = form_data(client, SET_2026)
    data["value__allowance_cap_low"] = ""  # present but empty, while "known" is chosen
    response = client.post(SET_2026, data)
    assert response.status_code == 400 and set(response.context["form"].errors) == {"value__allowance_cap_low"}
    assert not ParameterValue.objects.exists()


def test_unknown_and_does_not_exist_are_chosen_explicitly_and_shown_before_saving(client, paula):
    client.force_login(paula)
    data = form_data(client, SET_2026)
    data["state__allowance_cap_low"] = "unknown"
    response = client.post(SET_2026, data)
    # A value typed next to "unknown" is a contradiction, not silently dropped.
    assert response.status_code == 400 and set(response.context["form"].errors) == {"value__allowance_cap_low"}
    data.update({"value__allowance_cap_low": "", "note__allowance_cap_low": "test: withdrawn"})
    data.update({"state__middle_rent_limit": "not_applicable", "value__middle_rent_limit": ""})
    shown = client.post(SET_2026, data)
    assert shown.status_code == 200
    diffs = {d.key: d for d in shown.context["diffs"]}
    assert set(diffs) == {"allowance_cap_low", "middle_rent_limit"}
    assert (diffs["allowance_cap_low"].old.value, diffs["allowance_cap_low"].new.value) == ("713.02", "n/f")
    assert diffs["middle_rent_limit"].new.is_not_applicable
    text = shown.content.decode()
    assert "onbekend" in text and "bestaat niet dit jaar" in text and "S137 S28" in text
    assert not ParameterValue.objects.exists()
    confirm(client, shown)
    params = parameters_for(date(2026, 6, 1))
    assert params.allowance_cap_low is None and "middle_rent_limit" in params.not_applicable


def test_a_change_is_written_only_by_the_confirm_post_and_audited_with_its_difference(client, paula):
    client.force_login(paula)
    data = form_data(client, SET_2026)
    # The same values again: nothing to confirm.
    response = client.post(SET_2026, data)
    assert response.status_code == 302 and response.url == SET_2026
    data.update({"value__allowance_cap_high": "765,00", "source__allowance_cap_high": "S140"})
    shown = client.post(SET_2026, data)
    (diff,) = shown.context["diffs"]
    assert (diff.old.value, diff.old.source, diff.new.value, diff.new.source) == ("764.14", "S137", "765", "S140")
    assert not ParameterValue.objects.exists() and not AuditEvent.objects.exists()
    assert confirm(client, shown).status_code == 302
    assert parameters_for(date(2026, 6, 1)).allowance_cap_high == D("765")
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.PARAMETERS_CHANGED)
    assert event.actor == paula and event.data["changes"] == [
        {
            "valid_from": "2026-01-01",
            "key": "allowance_cap_high",
            "old": {"value": "764.14", "source": "S137", "note": diff.old.note},
            "new": {"value": "765", "source": "S140", "note": diff.old.note},
        }
    ]
    # The same confirmation again changes nothing more.
    confirm(client, shown)
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PARAMETERS_CHANGED).count() == 1


def test_a_forged_or_someone_elses_confirmation_writes_nothing(client, paula, corporation_b):
    client.force_login(paula)
    data = form_data(client, SET_2026)
    data.update({"value__allowance_cap_high": "765,00", "source__allowance_cap_high": "S140"})
    shown = client.post(SET_2026, data)
    form = shown.context["confirm"]
    proposal, fingerprint = form["proposal"].value(), form["shown"].value()
    confirm_url = reverse("rules_parameter_confirm")
    assert client.post(confirm_url, {"proposal": proposal[:-2] + "xx", "shown": fingerprint}).status_code == 302
    assert client.post(confirm_url, {"shown": fingerprint}).status_code == 302
    # Another platform administrator cannot replay paula's signed proposal.
    other = make_user("piet", corporation_b, Role.PLATFORM_ADMIN)
    client.force_login(other)
    assert client.post(confirm_url, {"proposal": proposal, "shown": fingerprint}).status_code == 302
    assert not ParameterValue.objects.exists()


def test_a_change_that_came_in_meanwhile_is_shown_again_instead_of_saved(client, paula):
    client.force_login(paula)
    data = form_data(client, SET_2026)
    data.update({"value__allowance_cap_high": "765,00", "source__allowance_cap_high": "S140"})
    shown = client.post(SET_2026, data)
    # Meanwhile another change of the same value (e.g. by a command).
    parameter_values_save(rows=[ParameterRow(date(2026, 1, 1), "allowance_cap_high", "770", "S141")], actor=None)
    again = confirm(client, shown)
    assert again.status_code == 409 and again.context["stale"]
    (diff,) = again.context["diffs"]
    assert (diff.old.value, diff.new.value) == ("770", "765")
    assert parameters_for(date(2026, 6, 1)).allowance_cap_high == D("770")
    confirm(client, again)
    assert parameters_for(date(2026, 6, 1)).allowance_cap_high == D("765")


def test_removing_a_correction_is_confirmed_too(client, paula):
    parameter_values_save(rows=[ParameterRow(date(2026, 1, 1), "allowance_cap_high", "770", "S141")], actor=None)
    client.force_login(paula)
    shown = client.post(reverse("rules_parameter_remove", args=["2026-01-01", "allowance_cap_high"]))
    (diff,) = shown.context["diffs"]
    assert (diff.old.value, diff.new.value, diff.new.source) == ("770", "764.14", "S137")
    assert ParameterValue.objects.exists()
    assert confirm(client, shown).status_code == 302
    assert not ParameterValue.objects.exists()


def test_an_uploaded_file_must_give_every_parameter_of_its_dates(paula):
    with pytest.raises(ParameterTableError) as refused:
        parameter_file_rows(
            text=full_file("2026-01-01", without=("allowance_cap_low", "middle_rent_limit")), file_name="caps.csv"
        )
    assert refused.value.errors == [
        "caps.csv: 2026-01-01 lacks a row for: allowance_cap_low, middle_rent_limit (every parameter of a date must "
        "be in the file; n/f when not known, - when it does not exist)"
    ]
    empty = full_file("2026-01-01", {"allowance_cap_low": ("", "", "")})
    with pytest.raises(ParameterTableError) as refused:
        parameter_file_rows(text=empty, file_name="caps.csv")
    assert refused.value.errors == [
        "caps.csv row 3, value: empty; write n/f when the value is not known, or - when it does not exist in that year"
    ]
    assert not ParameterValue.objects.exists()


def test_charlie_changes_none_of_the_shared_parameters(client, charlie, paula):
    parameter_values_save(rows=[ParameterRow(date(2026, 1, 1), "allowance_cap_high", "770", "S141")], actor=None)
    # A proposal paula was shown: charlie cannot confirm it either.
    client.force_login(paula)
    shown = client.post(reverse("rules_parameter_remove", args=["2026-01-01", "allowance_cap_high"]))
    form = shown.context["confirm"]
    client.force_login(charlie)
    data = {"state__allowance_cap_low": "unknown", "value__allowance_cap_low": ""}
    upload = SimpleUploadedFile("caps.csv", full_file("2026-01-01", CAPS_2026).encode())
    for url, body in [
        (SET_2026, data),
        (reverse("rules_parameter_new"), {"valid_from": "2026-07-01", **data}),
        (reverse("rules_parameter_upload"), {"file": upload}),
        (reverse("rules_parameter_remove", args=["2026-01-01", "allowance_cap_high"]), {}),
        (reverse("rules_parameter_confirm"), {"proposal": form["proposal"].value(), "shown": form["shown"].value()}),
    ]:
        assert client.post(url, body).status_code == 403, url
    for url in (reverse("rules_parameter_new"), reverse("rules_parameter_upload")):
        assert client.get(url).status_code == 403
    # And the services refuse him whatever calls them.
    with pytest.raises(PermissionDenied):
        parameter_values_save(rows=[ParameterRow(date(2026, 1, 1), "allowance_cap_low", "n/f")], actor=charlie)
    with pytest.raises(PermissionDenied):
        parameter_value_remove(valid_from=date(2026, 1, 1), key="allowance_cap_high", actor=charlie)
    assert list(ParameterValue.objects.values_list("key", "value")) == [("allowance_cap_high", D("770"))]


def test_the_platform_administrator_sees_no_corporation_data(client, paula, stock_a):
    client.force_login(paula)
    # The home page leads to the parameter list, the one screen of the role (also in the menu).
    assert f'href="{reverse("rules_parameters")}"' in client.get(reverse("home")).content.decode()
    assert client.get(reverse("stock_overview")).status_code == 403
    page = client.get(reverse("rules_parameters"))
    menu_item = f'href="{reverse("rules_parameters")}" aria-current="page"'
    assert page.status_code == 200 and menu_item in page.content.decode()
    for name in ("rules_compliance", "rules_local_parameters", "rules_agreements", "neighbourhood_list"):
        assert client.get(reverse(name)).status_code == 403, name


# --- granting the role ---------------------------------------------------------------------------------------


def run_command(*args) -> str:
    out = StringIO()
    call_command("platform_admin", *args, stdout=out)
    return out.getvalue()


def test_only_the_command_grants_and_revokes_the_platform_role_and_it_is_audited(client, ada, corporation_a):
    client.force_login(ada)
    assert client.post(SET_2026, {}).status_code == 403

    assert run_command("grant", "ada") == "ada is nu platformbeheerder\n"
    assert "al platformbeheerder: niets veranderd" in run_command("grant", "ada")
    ada.refresh_from_db()
    assert Membership.objects.get(user=ada).roles == ["ADMIN", "PLATFORM_ADMIN"]
    assert run_command("list") == "ada\tCorporatie A\n"
    assert client.get(SET_2026).context["form"] is not None

    assert run_command("revoke", "ada") == "ada is geen platformbeheerder meer\n"
    assert Membership.objects.get(user=ada).roles == ["ADMIN"]
    events = AuditEvent.objects.filter(event_type=AuditEvent.Type.MEMBERSHIP_CHANGED).order_by("pk")
    assert [(e.corporation, e.subject_label, e.data["old_roles"], e.data["new_roles"]) for e in events] == [
        (corporation_a, "ada", ["ADMIN"], ["ADMIN", "PLATFORM_ADMIN"]),
        (corporation_a, "ada", ["ADMIN", "PLATFORM_ADMIN"], ["ADMIN"]),
    ]
    assert events[0].actor is None and events[0].actor_name.startswith("cli:")


def test_the_command_refuses_bad_input_in_one_line_with_exit_code_2(corporation_a):
    get_user_model().objects.create_user(username="nieuw", password="x-long-password")
    for args, message in [
        (("grant", "nobody"), "no user 'nobody'"),
        (("grant", "nieuw"), "user 'nieuw' belongs to no corporation: give --corporation CODE for the membership"),
        (("grant", "nieuw", "--corporation", "nope"), "no corporation with code 'nope'"),
        (("grant",), "platform_admin grant "),
    ]:
        with pytest.raises(CommandError) as refused:
            run_command(*args)
        assert refused.value.returncode == 2 and message in str(refused.value), args
    run_command("grant", "nieuw", "--corporation", corporation_a.code, "--dry-run")
    assert not Membership.objects.filter(user__username="nieuw").exists()
    run_command("grant", "nieuw", "--corporation", corporation_a.code)
    assert Membership.objects.get(user__username="nieuw").roles == ["PLATFORM_ADMIN"]
