"""The compositions kept in a server process's memory never outlive a committed write (issue 12 item 7).

These tests run outside a test transaction (`transaction=True`), as a server's requests do: inside one nothing is
kept, which the last tests check.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction

from buurtbalans.households.models import Tenancy, VulnerabilityKind
from buurtbalans.portfolio.composition import composition_by_complex, count_compositions
from buurtbalans.portfolio.models import StockChange
from buurtbalans.portfolio.tests.test_stock_summary_cache import TODAY, WRITES
from buurtbalans.steering.mix import _compositions
from buurtbalans.steering.models import SteeringRole, SteeringRoleKind, SteeringRoleSource
from buurtbalans.testing import default_kinds_in_place

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def kinds():
    default_kinds_in_place()  # a transactional test's flush took the migrations' default kinds


def as_counted(result) -> dict:
    return {pk: (c.dwellings_by_status, c.groups) for pk, c in result.items()}


def counted_now(stock, facts=None) -> dict:
    return as_counted(count_compositions(stock.corporation.pk, TODAY, facts=facts))


def test_the_second_ask_reads_memory_and_a_part_equals_the_whole(stock_a, django_assert_max_num_queries):
    whole = composition_by_complex(stock_a.corporation.pk, TODAY)
    assert as_counted(whole) == counted_now(stock_a) and whole
    pk = next(iter(whole))
    with django_assert_max_num_queries(2):  # the change log's sum and whether the legal parameters changed
        part = composition_by_complex(stock_a.corporation.pk, TODAY, complex_ids=[pk, -1])
    assert as_counted(part) == {pk: as_counted(whole)[pk]}


# New households without a tenancy are not in any complex's composition (the overview counts them as registered).
CHANGING = [name for name in WRITES if name != "households are imported"]


@pytest.mark.parametrize("write", CHANGING, ids=CHANGING)
def test_a_committed_write_is_counted_at_once(stock_a, write):
    before = as_counted(composition_by_complex(stock_a.corporation.pk, TODAY))
    WRITES[write](stock_a)
    after = as_counted(composition_by_complex(stock_a.corporation.pk, TODAY))
    assert after == counted_now(stock_a)
    assert after != before


def test_a_changed_kind_setting_is_counted_at_once(stock_a):
    kind = VulnerabilityKind.objects.get(corporation=None, code="shelter_outflow")
    WRITES["a marker is recorded"](stock_a)
    before = as_counted(composition_by_complex(stock_a.corporation.pk, TODAY))
    VulnerabilityKind.objects.filter(pk=kind.pk).update(counts_for_concentration=False)
    after = as_counted(composition_by_complex(stock_a.corporation.pk, TODAY))
    assert after == counted_now(stock_a) and after != before


def test_a_new_carrying_role_is_counted_at_once_by_the_steering_mix(stock_a):
    before = as_counted(_compositions(stock_a.corporation.pk, TODAY))
    tenancy = Tenancy.objects.filter(household=stock_a.households[0]).first()
    SteeringRole.objects.create(
        corporation=stock_a.corporation, tenancy=tenancy, role=SteeringRoleKind.CARRYING,
        source=SteeringRoleSource.OTHER, valid_from=TODAY - timedelta(days=30), recorded_by_name="test",
    )
    after = _compositions(stock_a.corporation.pk, TODAY)
    assert after != before
    carrying = sum(n for c in after.values() for (_band, _marked, carrying), n in c.groups.items() if carrying)
    assert carrying == 1


def test_inside_a_transaction_nothing_is_kept(stock_a):
    before = as_counted(composition_by_complex(stock_a.corporation.pk, TODAY))
    with transaction.atomic():
        WRITES["a tenancy ends"](stock_a)
        inside = as_counted(composition_by_complex(stock_a.corporation.pk, TODAY))
        assert inside != before  # counted now, with the transaction's own write
        transaction.set_rollback(True)
    assert not connection.in_atomic_block
    # The sum the rolled-back write raised is gone; a later write raises it to the same number again.
    assert as_counted(composition_by_complex(stock_a.corporation.pk, TODAY)) == before
    WRITES["a dwelling is let"](stock_a)
    assert as_counted(composition_by_complex(stock_a.corporation.pk, TODAY)) == counted_now(stock_a)
    assert StockChange.objects.version() > 0
