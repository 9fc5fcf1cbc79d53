"""The demo's applicants get a made-up name and an address in the demo town; Voorbeeld Wonen gets contact details."""

from __future__ import annotations

from datetime import date
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import translation

from buurtbalans.core.models import AuditEvent, HousingCorporation
from buurtbalans.core.selectors import corporation_contact
from buurtbalans.core.validators import dutch_postal_code
from buurtbalans.demo import generator, names
from buurtbalans.demo.writer import DEMO_CODE, OTHER_CODE
from buurtbalans.households.models import Applicant

REFERENCE_DATE = date(2025, 6, 1)


def corporation_in(town_contexts, city, seed=3, dwellings=1_000):
    return generator.generate_corporation(
        np.random.default_rng(seed), neighbourhoods=town_contexts, reference_date=REFERENCE_DATE,
        dwellings=dwellings, prefix="VW", city=city,
    )


@pytest.fixture(scope="module")
def town_contexts():
    town = generator.generate_town(np.random.default_rng(1), reference_date=REFERENCE_DATE, neighbourhoods=30)
    return generator.town_contexts(town)


def test_every_generated_applicant_has_a_name_and_a_dutch_address_in_the_town(town_contexts):
    data = corporation_in(town_contexts, "Voorbeeldstad")
    assert len(data.applicants) == round(0.21 * 1_000)
    for applicant in data.applicants:
        assert applicant.name and applicant.street_address, applicant
        assert dutch_postal_code(applicant.postal_code) == applicant.postal_code, applicant
        assert applicant.city == "Voorbeeldstad"
        assert any(f"{suffix} " in applicant.street_address for suffix in names.STREET_SUFFIXES), applicant
    # Names repeat now and then, as in a real register, but not for most.
    assert len({a.name for a in data.applicants}) > 0.8 * len(data.applicants)
    assert any(" en " in a.name for a in data.applicants)


def test_names_and_addresses_change_no_other_row_of_the_demo(town_contexts):
    """They come from a generator of their own: stock, households and lettings are as they were without them."""
    with_names = corporation_in(town_contexts, "Voorbeeldstad")
    again = corporation_in(town_contexts, "Voorbeeldstad")
    assert with_names == again
    rng = np.random.default_rng(3)
    rng.spawn(1)  # what the generator does before it draws the names, to show spawning draws nothing
    unchanged = generator.generate_corporation(
        rng, neighbourhoods=town_contexts, reference_date=REFERENCE_DATE, dwellings=1_000, prefix="VW",
        city="Voorbeeldstad",
    )
    assert unchanged.households == with_names.households
    assert unchanged.tenancies == with_names.tenancies


def test_placed_in_zwolle_the_applicants_and_dwellings_get_zwolle_postal_areas(town_contexts):
    data = corporation_in(town_contexts, "Zwolle")
    zwolle = set(names.POSTAL_AREAS["Zwolle"])
    assert {int(a.postal_code[:4]) for a in data.applicants} <= zwolle
    assert {int(d.postcode[:4]) for d in data.dwellings} <= zwolle
    assert {a.city for a in data.applicants} == {"Zwolle"}


def test_the_made_up_names_look_like_names_on_an_envelope():
    people = names.person_names(np.random.default_rng(5), [1] * 200)
    for person in people:
        initials, surname = person.split(" ", 1)
        assert initials.endswith(".") and initials.replace(".", "").isalpha(), person
        assert surname in names.SURNAMES, person


@pytest.mark.django_db
def test_seed_demo_stores_every_applicant_with_name_and_address_and_the_corporations_contact_details():
    with translation.override("en"):
        call_command("seed_demo", "--dwellings", "600", "--reference-date", "2025-06-01", stdout=StringIO())
    applicants = Applicant.objects.filter(corporation__code=DEMO_CODE)
    assert applicants.count() == round(0.21 * 600)
    assert all(a.has_postal_address for a in applicants)
    assert not applicants.filter(city="").exists()

    demo = HousingCorporation.objects.get(code=DEMO_CODE)
    contact = corporation_contact(demo)
    assert contact.missing() == []
    assert (contact.street_address, contact.postal_code, contact.email, contact.objection_term_weeks) == (
        "Postbus 1234", "8000 AA", "info@voorbeeldwonen.example", 6,
    )
    assert contact.city == applicants.first().city
    # Set through the service, so the change is in the audit log like any other.
    assert AuditEvent.objects.filter(corporation=demo, event_type=AuditEvent.Type.CORPORATION_CONTACT_CHANGED,
                                     purpose="demo").exists()
    # The other demo corporation has none: its letters show what is missing.
    assert corporation_contact(HousingCorporation.objects.get(code=OTHER_CODE)).missing()
