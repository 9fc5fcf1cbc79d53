"""The compliance report is queued through `services.compliance_report_enqueue` (issue 12: jobs through services)."""

import pytest
from django.core.exceptions import PermissionDenied

from buurtbalans.core.models import Job
from buurtbalans.rules.labels import UNKNOWN_MUNICIPALITY
from buurtbalans.rules.services import compliance_report_enqueue

pytestmark = pytest.mark.django_db


def test_it_queues_the_report_for_the_actors_corporation(bob, corporation_a):
    job = compliance_report_enqueue(actor=bob, year=2025, municipality="")
    assert (job.kind, job.status, job.corporation, job.user) == (
        "compliance_report", Job.Status.QUEUED, corporation_a, bob
    )
    assert job.params == {"year": 2025, "municipality": None}
    unknown = compliance_report_enqueue(actor=bob, year=2024, municipality=UNKNOWN_MUNICIPALITY)
    assert unknown.params == {"year": 2024, "municipality": UNKNOWN_MUNICIPALITY}


def test_it_queues_nothing_for_roles_without_the_right(nina, otto):
    for user in (nina, otto):
        with pytest.raises(PermissionDenied):
            compliance_report_enqueue(actor=user, year=2025, municipality=None)
    assert not Job.objects.exists()


def test_charlies_report_covers_his_own_corporation_only(charlie, corporation_b):
    job = compliance_report_enqueue(actor=charlie, year=2025, municipality=None)
    assert job.corporation == corporation_b
