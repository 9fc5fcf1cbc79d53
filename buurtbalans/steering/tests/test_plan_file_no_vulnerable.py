"""The plan file's optional `policy.p_no_vulnerable` (issue 13): vulnerable inflow through the regular route on a
NO_VULNERABLE vacancy. Without it a file reads as 0 and plans exactly as before; with it the projections count it.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.engine.labelling import Label, LabelPlanInfeasible, plan_labels
from buurtbalans.engine.parameters import builtin_parameter_set
from buurtbalans.steering.planfile import parse_plan_document, result_document
from buurtbalans.steering.tests.test_plan_labels import DOCUMENT, changed, refused, run, write

PARAMS = builtin_parameter_set(parse_plan_document(DOCUMENT).reference_date)


def planned(document: dict) -> dict | str:
    """The result document of a file, or the refusal's text."""
    plan_input = parse_plan_document(document)
    try:
        plan = plan_labels(plan_input, PARAMS)
    except LabelPlanInfeasible as error:
        return str(error)
    result = result_document(plan, PARAMS)
    result["plan"].pop("solver_seconds", None)
    return result


@pytest.mark.django_db
def test_a_file_without_it_reads_as_zero_and_plans_as_before(tmp_path):
    assert parse_plan_document(DOCUMENT).policy.p_no_vulnerable == 0
    before = write(tmp_path, DOCUMENT, "before.json")
    zero = write(tmp_path, changed(**{"policy.p_no_vulnerable": "0.0"}), "zero.json")
    run(before, "--output", tmp_path / "before-result.json")
    run(zero, "--output", tmp_path / "zero-result.json")
    first = json.loads((tmp_path / "before-result.json").read_text(encoding="utf-8"))
    second = json.loads((tmp_path / "zero-result.json").read_text(encoding="utf-8"))
    first["plan"].pop("solver_seconds", None)
    second["plan"].pop("solver_seconds", None)
    assert first == second


SHARES = st.integers(0, 100).map(lambda p: f"{Decimal(p) / 100}")


@settings(max_examples=40, deadline=None)
@given(p_open=SHARES, p_above=SHARES, q_open=SHARES, q_reserved=SHARES, q_above=SHARES,
       placements=st.integers(0, 3), affordable=st.sampled_from(["0", "0.5", "1"]))
def test_existing_plan_files_give_identical_results_with_p_no_vulnerable_zero(
        p_open, p_above, q_open, q_reserved, q_above, placements, affordable):
    policy = {"policy.p_open": p_open, "policy.p_above": p_above, "policy.q_open": q_open,
              "policy.q_reserved": q_reserved, "policy.q_above": q_above,
              "policy.min_vulnerable_placements": placements, "policy.min_affordable_share": affordable}
    assert planned(changed(**policy)) == planned(changed(**policy, **{"policy.p_no_vulnerable": "0"}))


def test_with_it_a_no_vulnerable_vacancy_brings_that_share():
    document = changed(**{"policy.min_vulnerable_placements": 0, "policy.p_no_vulnerable": "0.2"})
    plan_input = parse_plan_document(document)
    assert plan_input.policy.p_no_vulnerable == Decimal("0.2")
    assert plan_input.policy.vulnerable_inflow(Label.NO_VULNERABLE) == Decimal("0.2")
    plan = plan_labels(plan_input, PARAMS)
    without = plan_labels(parse_plan_document(changed(**{"policy.min_vulnerable_placements": 0})), PARAMS)
    c1 = {p.complex_id: p for p in plan.complexes}["C1"]
    c1_before = {p.complex_id: p for p in without.complexes}["C1"]
    labels = [v.label for v in plan.labels if v.vacancy_id in ("V1", "V2")]
    assert labels == [v.label for v in without.labels if v.vacancy_id in ("V1", "V2")]
    extra = Decimal("0.2") * sum(label is Label.NO_VULNERABLE for label in labels)
    assert extra > 0  # C1 is over its maximum: its vacancies stay NO_VULNERABLE
    assert c1.projected_vulnerable_share * 20 == pytest.approx(c1_before.projected_vulnerable_share * 20 + extra)


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "problem"), [
    ("1.5", "policy.p_no_vulnerable: must lie between 0 and 1, not 1.5"),
    ("much", "policy.p_no_vulnerable: must be a number"),
])
def test_a_bad_value_is_refused_naming_it(tmp_path, value, problem):
    assert problem in refused(write(tmp_path, changed(**{"policy.p_no_vulnerable": value})))
