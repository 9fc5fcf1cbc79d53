"""The kinds-of-marker screen (/settings/marker-kinds/): administrators only, their own corporation only, every
change through the service, errors tied to their fields, the list downloadable like every table."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import VulnerabilityKind, VulnerabilityMarker
from buurtbalans.households.services import marker_kind_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_pages(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def own_kind(ada):
    return marker_kind_create(actor=ada, code="budget_coaching", label="Budgetcoaching")


def urls_of(kind) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("marker_kind_list"), {}),
        ("get", reverse("marker_kind_list") + "?format=csv", {}),
        ("post", reverse("marker_kind_list"), {"code": "from_outside", "label": "Van buiten"}),
        ("get", reverse("marker_kind_detail", args=[kind.pk]), {}),
        ("post", reverse("marker_kind_detail", args=[kind.pk]), {"label": "Anders"}),
        ("post", reverse("marker_kind_active", args=[kind.pk]), {"is_active": "0"}),
        ("post", reverse("marker_kind_delete", args=[kind.pk]), {}),
    ]


def test_the_screen_lives_at_settings_marker_kinds():
    assert reverse("marker_kind_list") == "/settings/marker-kinds/"


@pytest.mark.parametrize("role", [Role.ALLOCATION_OFFICER, Role.NEIGHBOURHOOD_MANAGER, Role.POLICY_ANALYST,
                                  Role.AUDITOR, Role.PRIVACY_OFFICER, Role.COOPERATIVE_BOARD])
def test_roles_without_the_right_get_403_and_change_nothing(client, corporation_a, own_kind, role):
    client.force_login(make_user("someone", corporation_a, role))
    for method, url, data in urls_of(own_kind):
        assert getattr(client, method)(url, data).status_code == 403, (role, method, url)
    own_kind.refresh_from_db()
    assert (own_kind.label, own_kind.is_active) == ("Budgetcoaching", True)
    assert not VulnerabilityKind.objects.filter(code="from_outside").exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, own_kind):
    response = client.get(reverse("marker_kind_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_charlie_sees_nothing_of_a_and_cannot_touch_its_kind(client, charlie, own_kind, stock_a):
    client.force_login(charlie)
    page = client.get(reverse("marker_kind_list")).content.decode()
    assert "Budgetcoaching" not in page and "budget_coaching" not in page
    for method, url, data in urls_of(own_kind)[3:]:
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    own_kind.refresh_from_db()
    assert (own_kind.label, own_kind.is_active) == ("Budgetcoaching", True)


def test_the_list_shows_defaults_read_only_and_own_kinds_with_counts_only(client, ada, own_kind, stock_a):
    client.force_login(ada)
    response = client.get(reverse("marker_kind_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="defaults-read-only"' in page
    assert "Medische urgentie" in page and "Budgetcoaching" in page
    assert reverse("marker_kind_detail", args=[own_kind.pk]) in page
    # stock_a's one shelter marker shows as "< 5" for an administrator, and never whose it is.
    assert "&lt; 5" in page
    assert "A-H1" not in page
    # Linked from the settings navigation, next to the users.
    assert 'id="marker-kinds-link"' in page and 'aria-current="page"' in page


def test_the_link_is_there_only_for_administrators(client, alice, ada):
    client.force_login(alice)
    assert 'id="marker-kinds-link"' not in client.get(reverse("job_list")).content.decode()
    client.force_login(ada)
    assert 'id="marker-kinds-link"' in client.get(reverse("job_list")).content.decode()


def test_adding_a_kind_through_the_screen(client, ada, corporation_a):
    client.force_login(ada)
    response = client.post(reverse("marker_kind_list"), {"code": "language_support", "label": "Taalhulp"})
    assert response.status_code == 302
    kind = VulnerabilityKind.objects.get(corporation=corporation_a, code="language_support")
    assert kind.label == "Taalhulp" and kind.is_active
    assert AuditEvent.objects.get(event_type=AuditEvent.Type.MARKER_KIND_CHANGED).actor == ada


def test_a_wrong_code_is_an_error_tied_to_its_field(client, ada):
    client.force_login(ada)
    response = client.post(reverse("marker_kind_list"), {"code": "Schuld hulp!", "label": "Medische urgentie"})
    assert response.status_code == 400
    page = response.content.decode()
    # The input says it is invalid and points at its message; the summary links to the input.
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_code_helptext id_code_error"' in page
    assert 'id="id_code_error"' in page
    assert 'href="#id_code"' in page
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKER_KIND_CHANGED).exists()
    # A name a default already has: the service's error lands on the label field.
    response = client.post(reverse("marker_kind_list"), {"code": "iets", "label": "Medische urgentie"})
    assert response.status_code == 400
    assert 'id="id_label_error"' in response.content.decode()
    assert "medical_urgency" in response.content.decode()


def test_rename_switch_off_and_delete_through_the_screen(client, ada, own_kind, corporation_a, stock_a):
    client.force_login(ada)
    detail = reverse("marker_kind_detail", args=[own_kind.pk])
    assert client.post(detail, {"label": "Budgetbegeleiding"}).status_code == 302
    assert client.post(reverse("marker_kind_active", args=[own_kind.pk]), {"is_active": "0"}).status_code == 302
    own_kind.refresh_from_db()
    assert (own_kind.label, own_kind.is_active) == ("Budgetbegeleiding", False)
    page = client.get(detail).content.decode()
    assert 'id="switch-on"' in page and 'id="delete-kind"' in page

    VulnerabilityMarker.objects.create(corporation=corporation_a, household=stock_a.households[1], kind=own_kind,
                                       source="test", valid_from="2024-01-01")
    page = client.get(detail).content.decode()
    assert 'id="cannot-delete"' in page and 'id="delete-kind"' not in page
    response = client.post(reverse("marker_kind_delete", args=[own_kind.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert VulnerabilityKind.objects.filter(pk=own_kind.pk).exists()


def test_a_default_kind_page_is_read_only(client, ada):
    client.force_login(ada)
    default = VulnerabilityKind.objects.get(corporation=None, code="medical_urgency")
    page = client.get(reverse("marker_kind_detail", args=[default.pk])).content.decode()
    assert 'id="default-read-only"' in page
    assert "<form" not in page.split('id="kind-facts"')[1].split("Back to the kinds")[0]
    response = client.post(reverse("marker_kind_active", args=[default.pk]), {"is_active": "0"}, follow=True)
    assert "default kind" in response.content.decode()
    response = client.post(reverse("marker_kind_detail", args=[default.pk]), {"label": "Anders"})
    assert response.status_code == 400
    default.refresh_from_db()
    assert (default.label, default.is_active) == ("Medische urgentie", True)


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_list_downloads_as_csv_and_excel(client, ada, own_kind, stock_a, export_format):
    client.force_login(ada)
    response = client.get(reverse("marker_kind_list"), {"format": export_format})
    assert response.status_code == 200
    assert "marker-kinds-" in response["Content-Disposition"]
    if export_format == "csv":
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        header, *rows = list(csv.reader(io.StringIO(text)))
        assert header == ["Code", "Name", "Set by", "In use", "Households with this marker today",
                          "Counts for concentration", "Reason"]
        by_code = {row[0]: row for row in rows}
        assert by_code["budget_coaching"] == ["budget_coaching", "Budgetcoaching", "Your corporation", "yes", "< 5",
                                              "yes", ""]
        assert by_code["shelter_outflow"][2:5] == ["Buurtbalans (default)", "yes", "< 5"]
        assert by_code["status_holder"][5:] == [
            "no", "Statushouders zijn geen kwetsbare groep; tellen zou onderscheid naar afkomst maken (CRM 2022-145)."]
        assert len(rows) == 6
