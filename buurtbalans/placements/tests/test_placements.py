"""Placements: the spread rule and the limit need a reason, NO_VULNERABLE never, contingents count per half year,
temporary contracts only for the groups and terms the law allows."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from buurtbalans.core.models import AuditEvent
from buurtbalans.placements import services
from buurtbalans.placements.models import Placement, PlacementEvent
from buurtbalans.placements.selectors import contingent_list, proposal_list
from buurtbalans.placements.services import PlacementInputError, contingent_set, placement_record
from buurtbalans.steering.models import LabelDecision

from .conftest import TODAY


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (the product's default language is Dutch)."""
    with translation.override("en"):
        yield


def place(town, alice, dwelling, seeker, **kwargs):
    kwargs.setdefault("placed_on", TODAY)
    kwargs.setdefault("contingent", town["status_h1"])
    return placement_record(
        corporation=town["stock"].corporation, actor=alice, household=seeker, dwelling=dwelling, **kwargs
    )


def test_at_most_two_placements_per_complex_per_year_then_only_with_a_reason(town, alice):
    v1, v2, v3 = town["roomy"].vacancies
    s1, s2, s3 = town["seekers"][:3]
    place(town, alice, v1, s1)
    place(town, alice, v2, s2)
    with pytest.raises(PlacementInputError) as refused:
        place(town, alice, v3, s3)
    assert any("spread rule" in e for e in refused.value.errors)
    assert any("needs a recorded reason" in e for e in refused.value.errors)
    third = place(town, alice, v3, s3, reason="Werk in de buurt; afgestemd met wijkteam")
    assert third.grounds == ["over_spread"]
    assert third.placements_before == 2
    assert third.reason.startswith("Werk")


def test_the_spread_rule_starts_again_each_calendar_year(town, alice, settings):
    settings.PLACEMENTS_PER_COMPLEX_PER_YEAR = 1
    v1, v2, _v3 = town["roomy"].vacancies
    s1, s2 = town["seekers"][:2]
    h2 = contingent_set(corporation=town["stock"].corporation, actor=alice, municipality=town["stock"].municipality,
                        half_year="2025-H2", kind="status_holders", target=1)
    place(town, alice, v1, s1, contingent=h2, placed_on=date(2025, 12, 1))
    # 2026 is a new year: the 2025 placement does not count.
    assert place(town, alice, v2, s2).grounds == ["room"]


def test_k_is_a_setting(town, alice, settings):
    settings.PLACEMENTS_PER_COMPLEX_PER_YEAR = 1
    v1, v2, _v3 = town["roomy"].vacancies
    place(town, alice, v1, town["seekers"][0])
    with pytest.raises(PlacementInputError):
        place(town, alice, v2, town["seekers"][1])


def test_over_the_complex_limit_needs_a_reason(town, alice):
    (vacancy,) = town["full"].vacancies
    with pytest.raises(PlacementInputError) as refused:
        place(town, alice, vacancy, town["seekers"][0])
    assert any("maximum share" in e for e in refused.value.errors)
    placement = place(town, alice, vacancy, town["seekers"][0], reason="Enige passende woning met lift")
    assert placement.grounds == ["over_limit"]
    assert placement.max_share is not None and placement.share_after > placement.max_share


def test_a_vacancy_labelled_no_vulnerable_is_refused_even_with_a_reason(town, alice):
    vacancy = town["roomy"].vacancies[0]
    LabelDecision.objects.create(
        corporation=town["stock"].corporation, dwelling=vacancy, proposed_label="OPEN", label="NO_VULNERABLE",
        base_rent="650.00", is_change=True, reason="test", decided_by_name="alice",
    )  # fmt: skip
    with pytest.raises(PlacementInputError) as refused:
        place(town, alice, vacancy, town["seekers"][0], reason="toch")
    assert any("not used for a placement" in e for e in refused.value.errors)
    assert not Placement.objects.exists()


def test_the_proposal_shows_which_vacancies_can_take_a_placement_and_why(town, alice):
    rows, k = proposal_list(alice, on=TODAY)
    assert k == 2
    by_code = {r.dwelling.external_id: r.proposal for r in rows}
    roomy = [by_code[d.external_id] for d in town["roomy"].vacancies]
    assert [p.is_proposed for p in roomy] == [True, True, False]  # two per complex per year
    (full,) = [by_code[d.external_id] for d in town["full"].vacancies]
    assert not full.is_proposed and full.needs_reason and [str(g) for g in full.grounds] == ["over_limit"]


def test_placements_count_against_their_contingent_per_half_year(town, alice):
    corporation, municipality = town["stock"].corporation, town["stock"].municipality
    h2 = contingent_set(corporation=corporation, actor=alice, municipality=municipality, half_year="2026-H2",
                        kind="status_holders", target=3)
    v1, v2, _v3 = town["roomy"].vacancies
    place(town, alice, v1, town["seekers"][0])
    place(town, alice, v2, town["seekers"][1], contingent=h2, placed_on=date(2026, 7, 15))
    counts = {(c.half_year, c.kind): (c.placed, c.target) for c in contingent_list(alice)}
    assert counts == {("2026-H1", "status_holders"): (1, 4), ("2026-H2", "status_holders"): (1, 3)}
    assert [c.half_year for c in contingent_list(alice, half_year="2026-H2")] == ["2026-H2"]


def test_a_placement_dated_outside_its_contingents_half_year_is_refused(town, alice):
    with pytest.raises(PlacementInputError) as refused:
        place(town, alice, town["roomy"].vacancies[0], town["seekers"][0], placed_on=date(2026, 7, 1))
    assert any("half year" in e for e in refused.value.errors)


def test_setting_a_target_again_replaces_it_and_is_audited(town, alice):
    contingent = contingent_set(
        corporation=town["stock"].corporation, actor=alice, municipality=town["stock"].municipality,
        half_year="2026-H1", kind="status_holders", target=6,
    )  # fmt: skip
    assert contingent.pk == town["status_h1"].pk and contingent.target == 6
    event = AuditEvent.objects.filter(event_type=PlacementEvent.CONTINGENT_WRITTEN).first()
    assert event.data["old_target"] == 4 and event.data["new_target"] == 6
    with pytest.raises(PlacementInputError):
        contingent_set(corporation=town["stock"].corporation, actor=alice, municipality=town["stock"].municipality,
                       half_year="2026-1", kind="status_holders", target=1)


@pytest.mark.parametrize(
    ("group", "months", "expected"),
    [
        ("status_holder_from_coa", 25, "at most 2 years"),
        ("student", 36, "at most 2 years"),
        ("regular", 12, "only allowed for the groups"),
        ("", 12, "only allowed for the groups"),
        ("second_chance", None, "term"),
    ],
)
def test_a_temporary_contract_over_two_years_or_for_another_group_is_refused(town, alice, group, months, expected):
    with pytest.raises(PlacementInputError) as refused:
        place(town, alice, town["roomy"].vacancies[0], town["seekers"][0], contract_kind="temporary",
              temporary_group=group, temporary_months=months)
    assert any(expected in e for e in refused.value.errors), refused.value.errors


def test_a_temporary_contract_of_two_years_for_a_listed_group_is_recorded(town, alice):
    placement = place(town, alice, town["roomy"].vacancies[0], town["seekers"][0], contract_kind="temporary",
                      temporary_group="status_holder_from_coa", temporary_months=24)
    assert (placement.contract_kind, placement.temporary_months) == ("temporary", 24)


def test_a_placement_is_audited_with_whose_data(town, alice):
    placement = place(town, alice, town["roomy"].vacancies[0], town["seekers"][0])
    event = AuditEvent.objects.get(event_type=PlacementEvent.PLACEMENT_RECORDED)
    assert event.subject_ids == ["A-SEEK1"]
    assert event.data["placement"] == placement.pk


def test_a_vacancy_gets_one_placement_and_a_household_one_per_contingent(town, alice):
    v1, v2, _v3 = town["roomy"].vacancies
    place(town, alice, v1, town["seekers"][0])
    with pytest.raises(PlacementInputError, match="already has a placement"):
        place(town, alice, v1, town["seekers"][1])
    with pytest.raises(PlacementInputError, match="already placed"):
        place(town, alice, v2, town["seekers"][0])


def test_a_reason_with_special_category_words_is_refused(town, alice):
    with pytest.raises(PlacementInputError, match="special personal data"):
        place(town, alice, town["full"].vacancies[0], town["seekers"][0], reason="Vanwege zijn psychiatrische diagnose")


def test_ground_texts_exist_for_every_ground():
    from buurtbalans.engine.placements import Ground

    assert all(services.ground_text(g, k=2) for g in Ground)
