"""The corporation's contact details for letters: the administrator's screen, the service and the read function."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from buurtbalans.core.models import AuditEvent, CorporationContactDetails
from buurtbalans.core.selectors import CorporationContact, corporation_contact
from buurtbalans.core.services import corporation_contact_set

pytestmark = pytest.mark.django_db

URL = "/settings/corporation/"

FILLED_IN = {
    "street_address": "Postbus 1234",
    "postal_code": "8000aa",
    "city": "Zwolle",
    "phone": "038 - 000 12 34",
    "email": "info@corporatie-a.example",
    "website": "www.corporatie-a.example",
    "objection_term_weeks": "8",
    "objection_handler": "de geschillencommissie",
    "complaint_url": "",
}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def test_the_settings_page_is_reached_by_its_url_and_the_administrators_menu(client, ada):
    assert reverse("corporation_settings") == URL
    client.force_login(ada)
    page = client.get(URL)
    assert page.status_code == 200
    assert f'href="{URL}" aria-current="page"' in page.text


def test_without_settings_letters_get_six_weeks_our_complaints_committee_and_a_list_of_what_is_missing(
    corporation_a,
):
    contact = corporation_contact(corporation_a)
    assert isinstance(contact, CorporationContact)
    assert (contact.name, contact.objection_term_weeks, contact.objection_handler) == (
        "Corporatie A", 6, "our complaints committee",
    )
    assert contact.is_objection_handler_default
    assert contact.missing() == ["street_address", "postal_code", "city", "phone", "email", "website"]
    assert contact.address_lines() == []
    with translation.override("nl"):
        dutch = corporation_contact(corporation_a)
        labels = dutch.missing_labels()
    assert dutch.objection_handler == "onze klachtencommissie"
    assert labels[:2] == ["straat en huisnummer of postbus", "postcode"]


def test_an_administrator_saves_the_details_in_their_normal_form_and_the_change_is_audited(client, ada):
    client.force_login(ada)
    response = client.post(URL, FILLED_IN)
    assert response.status_code == 302 and response.url == URL
    contact = corporation_contact(ada.membership.corporation)
    assert contact.missing() == []
    assert (contact.postal_code, contact.phone, contact.website, contact.objection_term_weeks) == (
        "8000 AA", "038 - 000 12 34", "https://www.corporatie-a.example", 8,
    )
    assert contact.objection_handler == "de geschillencommissie" and not contact.is_objection_handler_default
    assert contact.address_lines() == ["Postbus 1234", "8000 AA  Zwolle"]
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.CORPORATION_CONTACT_CHANGED)
    assert (event.actor_name, event.corporation, event.purpose) == ("ada", ada.membership.corporation, "letters")
    assert event.data["changes"]["objection_term_weeks"] == {"old": 6, "new": 8}
    assert event.data["changes"]["postal_code"] == {"old": "", "new": "8000 AA"}
    page = client.get(URL)
    assert "Saved. New letters use these details." in page.text
    assert "Last changed by ada" in page.text and "Letters miss these details" not in page.text

    # Saving the same again changes nothing and records nothing.
    client.post(URL, FILLED_IN)
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.CORPORATION_CONTACT_CHANGED).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "12345", "Enter a Dutch postal code: four digits and two letters, such as 8011 AB."),
        ("phone", "bel ons", "Enter a phone number, such as 038-123 45 67 or +31 38 123 45 67."),
        ("phone", "12345", "Enter a phone number, such as 038-123 45 67 or +31 38 123 45 67."),
        ("email", "info@", "Enter an e-mail address, such as info@example.nl."),
        ("website", "https://", "Enter a web address, such as https://www.example.nl."),
        ("complaint_url", "klacht formulier", "Enter a web address, such as https://www.example.nl/klacht."),
        ("objection_term_weeks", "0", "The term is at least 1 week."),
        ("objection_term_weeks", "53", "The term is at most 52 weeks."),
        ("objection_term_weeks", "zes", "Enter a whole number of weeks."),
    ],
)
def test_a_wrong_value_is_refused_with_a_clear_message_and_nothing_is_saved(client, ada, field, value, message):
    client.force_login(ada)
    response = client.post(URL, {**FILLED_IN, field: value})
    assert response.status_code == 200
    assert message in response.text
    assert "Nothing was saved" in response.text
    assert 'aria-invalid="true"' in response.text or "utrecht-form-field--invalid" in response.text
    assert not CorporationContactDetails.objects.exists()
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.CORPORATION_CONTACT_CHANGED).exists()


def test_the_page_is_in_dutch_by_default(client, ada):
    client.cookies.pop("django_language")
    client.force_login(ada)
    with translation.override("nl"):
        page = client.get(URL)
        refused = client.post(URL, {**FILLED_IN, "postal_code": "12345"})
    assert "Contactgegevens voor brieven" in page.text and "Bezwaar en klacht" in page.text
    assert "Brieven missen nu deze gegevens" in page.text
    assert "Vul een Nederlandse postcode in" in refused.text


def test_only_administrators_may_see_or_change_the_settings(client, alice, bob, nina, otto, corporation_a):
    for user in (alice, bob, nina, otto):
        client.force_login(user)
        assert client.get(URL).status_code == 403, user
        assert client.post(URL, FILLED_IN).status_code == 403, user
        assert f'href="{URL}"' not in client.get("/", follow=True).text, user
    assert not CorporationContactDetails.objects.exists()
    with pytest.raises(PermissionDenied):
        corporation_contact_set(corporation=corporation_a, actor=alice, values={"city": "Zwolle"})


def test_another_corporations_administrator_sees_and_changes_only_their_own(client, ada, charlie, corporation_a,
                                                                             corporation_b):
    corporation_contact_set(corporation=corporation_a, actor=ada, values={"email": "brieven@corporatie-a.example"})
    client.force_login(charlie)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Corporatie B" in page.text and "corporatie-a.example" not in page.text
    client.post(URL, {**FILLED_IN, "email": "info@corporatie-b.example"})
    assert corporation_contact(corporation_a).email == "brieven@corporatie-a.example"
    assert corporation_contact(corporation_b).email == "info@corporatie-b.example"
    with pytest.raises(PermissionDenied):
        corporation_contact_set(corporation=corporation_a, actor=charlie, values={"email": "x@b.example"})
    assert corporation_contact(corporation_a).email == "brieven@corporatie-a.example"


def test_the_service_checks_every_value_before_it_stores_anything(corporation_a):
    with pytest.raises(ValidationError) as refused:
        corporation_contact_set(corporation=corporation_a, actor=None,
                                values={"city": "Zwolle", "postal_code": "801AA", "objection_term_weeks": 60})
    assert set(refused.value.message_dict) == {"postal_code", "objection_term_weeks"}
    assert not CorporationContactDetails.objects.exists()
    with pytest.raises(ValueError, match="not a contact field"):
        corporation_contact_set(corporation=corporation_a, actor=None, values={"name": "Other name"})
