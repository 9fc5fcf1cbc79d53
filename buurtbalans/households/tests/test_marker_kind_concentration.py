"""Which kinds of marker count for the concentration measures (issue 13 item 1): a setting per kind with its
reason; status holders do not count by default; the measures and the overview's cached totals follow at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Household, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.households.selectors import active_marker_q, marker_exists_on
from buurtbalans.households.services import marker_kind_concentration_set, marker_kind_create
from buurtbalans.portfolio.selectors import stock_summary

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def default(code: str) -> VulnerabilityKind:
    return VulnerabilityKind.objects.get(corporation=None, code=code)


def counted(corporation) -> set[str]:
    households = Household.objects.filter(corporation=corporation)
    by_q = set(households.filter(active_marker_q("pk", TODAY)).values_list("external_id", flat=True))
    by_exists = set(households.filter(marker_exists_on(TODAY, "pk")).values_list("external_id", flat=True))
    assert by_q == by_exists
    return by_q


def mark(stock, index: int, kind: VulnerabilityKind) -> None:
    VulnerabilityMarker.objects.create(corporation=stock.corporation, household=stock.households[index], kind=kind,
                                       source="test", valid_from=date(2024, 1, 1))


def test_status_holders_do_not_count_by_default_and_the_reason_is_recorded():
    holder = default("status_holder")
    assert holder.counts_for_concentration is False
    assert "CRM 2022-145" in holder.concentration_reason and "afkomst" in holder.concentration_reason
    others = VulnerabilityKind.objects.filter(corporation=None).exclude(code="status_holder")
    assert others.count() == 4 and all(kind.counts_for_concentration and kind.concentration_reason
                                       for kind in others)


def test_only_markers_of_counting_kinds_count(stock_a):
    # stock_a: H1 has a shelter_outflow marker (counts); H2 gets a status_holder marker (does not).
    mark(stock_a, 1, default("status_holder"))
    assert counted(stock_a.corporation) == {stock_a.households[0].external_id}


def test_an_own_kind_is_set_not_to_count_with_a_reason_and_audited(ada, stock_a):
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    mark(stock_a, 1, kind)
    assert stock_a.households[1].external_id in counted(stock_a.corporation)

    with pytest.raises(ValidationError) as error:
        marker_kind_concentration_set(actor=ada, kind=kind, counts_for_concentration=False, reason="  ")
    assert "reason" in error.value.message_dict
    marker_kind_concentration_set(actor=ada, kind=kind, counts_for_concentration=False,
                                  reason=" Geen   kwetsbaarheid voor de buurt ")
    kind.refresh_from_db()
    assert (kind.counts_for_concentration, kind.concentration_reason) == (False,
                                                                          "Geen kwetsbaarheid voor de buurt")
    assert stock_a.households[1].external_id not in counted(stock_a.corporation)
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKER_KIND_CHANGED).latest("pk")
    assert event.data["change"] == "concentration_set"
    assert (event.data["old"]["counts_for_concentration"], event.data["new"]["counts_for_concentration"]) == (
        True, False)
    assert event.data["new"]["concentration_reason"] == "Geen kwetsbaarheid voor de buurt"
    assert not event.subject_ids  # configuration, no household named

    # The same again changes nothing and records nothing.
    marker_kind_concentration_set(actor=ada, kind=kind, counts_for_concentration=False,
                                  reason="Geen kwetsbaarheid voor de buurt")
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKER_KIND_CHANGED).latest("pk") == event


def test_defaults_and_other_corporations_kinds_cannot_be_set(ada, charlie):
    with pytest.raises(ValidationError):
        marker_kind_concentration_set(actor=ada, kind=default("status_holder"), counts_for_concentration=True,
                                      reason="")
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    with pytest.raises(PermissionDenied):
        marker_kind_concentration_set(actor=charlie, kind=kind, counts_for_concentration=False, reason="x")
    assert default("status_holder").counts_for_concentration is False


def test_the_overviews_cached_totals_follow_a_change_of_the_setting(ada, bob, stock_a):
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    mark(stock_a, 1, kind)
    before = stock_summary(bob, reference_date=TODAY).composition["marker_count"]
    assert before == 2
    assert stock_summary(bob, reference_date=TODAY).composition["marker_count"] == 2  # from the cache
    marker_kind_concentration_set(actor=ada, kind=kind, counts_for_concentration=False, reason="Telt niet")
    assert stock_summary(bob, reference_date=TODAY).composition["marker_count"] == 1
    marker_kind_concentration_set(actor=ada, kind=kind, counts_for_concentration=True, reason="")
    assert stock_summary(bob, reference_date=TODAY).composition["marker_count"] == 2


def test_the_screen_sets_it_for_an_own_kind_and_shows_the_defaults_read_only(client, ada, charlie, stock_a):
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    url = reverse("marker_kind_detail", args=[kind.pk])
    client.force_login(ada)

    missing = client.post(url, {"form": "concentration", "reason": ""})
    assert missing.status_code == 400
    page = missing.content.decode()
    assert 'id="id_reason_error"' in page and 'href="#id_reason"' in page
    kind.refresh_from_db()
    assert kind.counts_for_concentration is True

    done = client.post(url, {"form": "concentration", "reason": "Telt niet mee"}, follow=True)
    assert done.status_code == 200
    kind.refresh_from_db()
    assert (kind.counts_for_concentration, kind.concentration_reason) == (False, "Telt niet mee")
    assert 'id="kind-reason">Telt niet mee<' in done.content.decode()
    # The name form still works beside it.
    client.post(url, {"form": "label", "label": "Schuldhulpverlening"})
    kind.refresh_from_db()
    assert (kind.label, kind.counts_for_concentration) == ("Schuldhulpverlening", False)

    listing = client.get(reverse("marker_kind_list")).content.decode()
    assert "Statushouders zijn geen kwetsbare groep" in listing
    holder = client.get(reverse("marker_kind_detail", args=[default("status_holder").pk])).content.decode()
    assert 'id="kind-counts">no<' in holder and "CRM 2022-145" in holder
    assert 'name="counts_for_concentration"' not in holder
    assert client.post(reverse("marker_kind_detail", args=[default("status_holder").pk]),
                       {"form": "concentration", "counts_for_concentration": "on", "reason": ""}).status_code == 400
    assert default("status_holder").counts_for_concentration is False

    client.force_login(charlie)
    assert client.post(url, {"form": "concentration", "counts_for_concentration": "on"}).status_code == 404
