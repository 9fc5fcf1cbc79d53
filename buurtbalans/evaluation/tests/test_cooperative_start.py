"""A housing cooperative taking on a complex is recorded by the product (issue 16 item 3): the nightly job adds one
intervention "a housing cooperative starts" per complex and start, ending when the cooperative's period ends;
running it again adds nothing, and another corporation's cooperative is never read."""

from __future__ import annotations

from datetime import date

import pytest

from buurtbalans.cooperatives.models import Arrangement, CooperativeComplex, HousingCooperative
from buurtbalans.core.jobs import RUNNERS
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.evaluation import services
from buurtbalans.evaluation.models import Intervention, InterventionKind, InterventionSource
from buurtbalans.portfolio.models import Complex

pytestmark = pytest.mark.django_db


def cooperative(corporation, name: str) -> HousingCooperative:
    kvk = f"{12345678 + HousingCooperative.objects.count()}"
    return HousingCooperative.objects.create(corporation=corporation, name=name, kvk_number=kvk,
                                             founded_on=date(2022, 6, 1), members=20, households=18)


def test_a_cooperative_taking_on_complexes_is_recorded_once_per_complex_and_start(stock_a, stock_b):
    corporation = stock_a.corporation
    second = Complex.objects.create(corporation=corporation, external_id="A-C2", name="Complex A2",
                                    neighbourhood=stock_a.neighbourhood)
    ours = cooperative(corporation, "Wooncoöperatie De Spil")
    CooperativeComplex.objects.create(cooperative=ours, complex=stock_a.complex, arrangement=Arrangement.MANAGED,
                                      valid_from=date(2023, 1, 1), valid_until=date(2025, 12, 31))
    # Some dwellings of the second complex, then more of them on the same day: one start.
    for _ in range(2):
        CooperativeComplex.objects.create(cooperative=ours, complex=second, arrangement=Arrangement.LET,
                                          valid_from=date(2024, 7, 1))
    CooperativeComplex.objects.create(cooperative=cooperative(stock_b.corporation, "Coöperatie B"),
                                      complex=stock_b.complex, arrangement=Arrangement.LET,
                                      valid_from=date(2023, 1, 1))

    job = Job.objects.create(kind="interventions_record", corporation=corporation)
    assert RUNNERS["interventions_record"](job).run() == {"recorded": {InterventionKind.COOPERATIVE_START: 2}}
    rows = Intervention.objects.filter(kind=InterventionKind.COOPERATIVE_START).order_by("complex__external_id")
    assert [(i.complex.external_id, i.started_on, i.ended_on, i.source, i.description) for i in rows] == [
        ("A-C1", date(2023, 1, 1), date(2025, 12, 31), InterventionSource.RECORDED, "Wooncoöperatie De Spil"),
        ("A-C2", date(2024, 7, 1), None, InterventionSource.RECORDED, "Wooncoöperatie De Spil"),
    ]
    assert AuditEvent.objects.get(event_type=AuditEvent.Type.INTERVENTIONS_RECORDED).data["recorded"] == {
        InterventionKind.COOPERATIVE_START: 2}

    # Running twice adds nothing.
    assert services.interventions_record_from_facts(corporation=corporation) == {}
    assert Intervention.objects.filter(kind=InterventionKind.COOPERATIVE_START).count() == 2
    assert not Intervention.objects.filter(corporation=stock_b.corporation).exists()


def test_a_new_cooperative_after_the_first_one_ended_is_a_new_start(stock_a):
    corporation = stock_a.corporation
    CooperativeComplex.objects.create(cooperative=cooperative(corporation, "Eerste"), complex=stock_a.complex,
                                      arrangement=Arrangement.MANAGED, valid_from=date(2020, 1, 1),
                                      valid_until=date(2022, 12, 31))
    services.interventions_record_from_facts(corporation=corporation)
    CooperativeComplex.objects.create(cooperative=cooperative(corporation, "Tweede"), complex=stock_a.complex,
                                      arrangement=Arrangement.OWNED, valid_from=date(2024, 1, 1))
    assert services.interventions_record_from_facts(corporation=corporation) == {
        InterventionKind.COOPERATIVE_START: 1}
    starts = list(Intervention.objects.filter(kind=InterventionKind.COOPERATIVE_START)
                  .order_by("started_on").values_list("started_on", "description"))
    assert starts == [(date(2020, 1, 1), "Eerste"), (date(2024, 1, 1), "Tweede")]


def test_a_cooperative_start_entered_by_hand_is_not_recorded_again(stock_a, bob):
    services.intervention_create(actor=bob, complex_=stock_a.complex, kind=InterventionKind.COOPERATIVE_START,
                                 started_on=date(2022, 10, 1))
    CooperativeComplex.objects.create(cooperative=cooperative(stock_a.corporation, "De Spil"),
                                      complex=stock_a.complex, arrangement=Arrangement.MANAGED,
                                      valid_from=date(2023, 1, 1))
    assert services.interventions_record_from_facts(corporation=stock_a.corporation) == {}
