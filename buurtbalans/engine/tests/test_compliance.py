"""Yearly compliance against a generated year of lettings whose figures are worked out by hand below."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from buurtbalans.engine.compliance import Letting, compliance_for_year
from buurtbalans.engine.parameters import builtin_parameter_sets
from buurtbalans.engine.rules import HouseholdFacts

BUILTIN = builtin_parameter_sets()


def generated_year() -> list[Letting]:
    """40 lettings in 2025, 20 in GM0193 (i < 20) and 20 in GM0200, in a repeating pattern.

    Per block of four: a single at 20,000; three persons at 20,000; a single at 45,000; three persons at
    60,000 (GM0193) or 50,000 (GM0200). Base rent 700 when i % 5 == 0 (above the 2025 low cap 682.96, within
    the high cap 731.93), else 650. Every dwelling is DAEB except when i % 10 == 9.
    """
    lettings = []
    for i in range(40):
        size = 1 if i % 2 == 0 else 3
        income = {0: 20000, 1: 20000, 2: 45000, 3: 60000 if i < 20 else 50000}[i % 4]
        lettings.append(
            Letting(
                letting_id=f"L{i:02d}",
                letting_date=date(2025, 1, 1) + timedelta(days=i * 9),
                municipality="GM0193" if i < 20 else "GM0200",
                dwelling_id=f"D{i:02d}",
                base_rent=Decimal(700 if i % 5 == 0 else 650),
                is_daeb_dwelling=i % 10 != 9,
                household=HouseholdFacts(size, Decimal(income)),
                exception_reason="rehousing" if i == 20 else "",
            )
        )
    return lettings


# Hand count, per municipality (the pattern repeats every 20):
# - low income (i % 4 in {0, 1}): 10. Not fitting: a single at 700, i.e. i % 20 == 0: one (L00 / L20).
#   fit 9, share 0.9 < 0.95; exception room floor(0.05 x 10) = 0, so 0 - 1 = -1 left.
# - DAEB lettings: 18 (i % 10 == 9 excluded). Outside the target group: i % 4 == 3 with 60,000 in GM0193
#   (L03, L07, L11, L15; L19 is not DAEB): 4; none in GM0200 (50,000 <= 54,847). Target 14/18 and 18/18.
# - GM0193 (no agreement): needs 0.925 x 18 = 16.65 -> not met; free room floor(0.075 x 18) = 1, used 4, left -3.
# - GM0200 (agreement, 15% free): needs 0.85 x 18 = 15.3 -> met; room floor(0.15 x 18) = 2, used 0, left 2.
# - Corporation: target 32 of 36; needs 16.65 + 15.3 = 31.95 -> met; room floor(1.35 + 2.7) = 4, used 4, left 0.
def test_a_generated_year_matches_the_hand_count():
    report = compliance_for_year(generated_year(), 2025, parameter_sets=BUILTIN, agreed_free_shares={"GM0200": None})
    a, b, total = report.municipalities["GM0193"], report.municipalities["GM0200"], report.total
    for figures in (a, b):
        assert (figures.lettings, figures.low_income_lettings, figures.fit, figures.not_fit) == (20, 10, 9, 1)
        assert figures.fit_share == Decimal("0.9") and figures.fit_norm_met is False
        assert figures.exception_budget_left == -1
        assert figures.daeb_lettings == 18
    assert (a.daeb_target_group_lettings, a.daeb_norm, a.daeb_norm_met) == (14, Decimal("0.925"), False)
    assert (a.free_room_used, a.free_room_allowed, a.free_room_left) == (4, 1, -3)
    assert (b.daeb_target_group_lettings, b.daeb_norm, b.daeb_norm_met) == (18, Decimal("0.85"), True)
    assert (b.free_room_used, b.free_room_allowed, b.free_room_left) == (0, 2, 2)
    assert (total.lettings, total.low_income_lettings, total.fit, total.fit_norm_met) == (40, 20, 18, False)
    assert (total.daeb_lettings, total.daeb_target_group_lettings, total.daeb_norm_met) == (36, 32, True)
    assert total.daeb_norm == Decimal("31.95") / 36
    assert (total.free_room_used, total.free_room_allowed, total.free_room_left) == (4, 4, 0)
    assert total.exception_budget_left == 1 - 2
    assert [(n.letting_id, n.exception_reason) for n in total.non_fitting] == [("L00", ""), ("L20", "rehousing")]
    assert "above the low cap €682.96" in total.non_fitting[0].reason
    assert total.missing_parameters == ()
    assert report.parameter_versions == (report.parameter_versions[0],)


def test_without_the_performance_agreement_the_corporation_misses_the_daeb_norm():
    report = compliance_for_year(generated_year(), 2025, parameter_sets=BUILTIN)
    assert report.total.daeb_norm == Decimal("0.925")  # needs 33.3 of 36, has 32
    assert report.total.daeb_norm_met is False
    assert report.municipalities["GM0200"].daeb_norm_met is True  # 18 of 18 meets 92.5% anyway


def test_other_years_and_other_municipalities_are_left_out():
    lettings = generated_year()
    moved = [Letting(**{**vars(lettings[0]), "letting_id": "OLD", "letting_date": date(2024, 12, 31)})]
    report = compliance_for_year(lettings + moved, 2025, parameter_sets=BUILTIN, municipalities=frozenset({"GM0200"}))
    assert list(report.municipalities) == ["GM0200"]
    assert report.total.lettings == 20


def test_a_year_with_missing_caps_leaves_fit_unknown_and_still_counts_the_rest():
    lettings = [
        Letting("A", date(2026, 2, 1), "GM0193", "D1", Decimal("650"), True, HouseholdFacts(1, Decimal("20000"))),
        Letting("B", date(2026, 3, 1), "GM0193", "D2", Decimal("650"), True, HouseholdFacts(2, Decimal("90000"))),
    ]
    # 2026 as it was before its caps were published.
    without_caps = tuple(
        replace(s, allowance_cap_low=None, allowance_cap_high=None) if s.valid_from.year == 2026 else s
        for s in builtin_parameter_sets()
    )
    total = compliance_for_year(lettings, 2026, parameter_sets=without_caps).total
    assert (total.lettings, total.low_income_lettings) == (2, 1)
    assert (total.fit, total.fit_share, total.fit_norm_met, total.exception_budget_left) == (None, None, None, None)
    assert (total.daeb_lettings, total.daeb_target_group_lettings, total.daeb_norm_met) == (2, 1, False)
    assert total.missing_parameters == ("allowance_cap_low",)


def test_2021_follows_the_80_10_10_rule():
    def letting(i, income):
        return Letting(f"L{i}", date(2021, 5, 1), "GM0193", f"D{i}", Decimal("500"), True, HouseholdFacts(1, income))

    lettings = [letting(i, Decimal("30000")) for i in range(8)]
    lettings += [letting(8, Decimal("42000")), letting(9, Decimal("50000"))]  # 10% band, 10% free
    figures = compliance_for_year(lettings, 2021, parameter_sets=BUILTIN).total
    assert (figures.daeb_target_group_lettings, figures.free_room_used, figures.daeb_norm_met) == (8, 1, True)
    figures = compliance_for_year(lettings + [letting(10, Decimal("50000"))], 2021, parameter_sets=BUILTIN).total
    assert (figures.daeb_target_group_lettings, figures.free_room_used, figures.daeb_norm_met) == (8, 2, False)


def test_a_pension_age_household_excepted_for_assets_does_not_count_as_low_income():
    household = HouseholdFacts(1, Decimal("20000"), True, Decimal("200000"))
    letting = Letting("P", date(2022, 4, 1), "GM0193", "D", Decimal("700"), True, household)
    total = compliance_for_year([letting], 2022, parameter_sets=BUILTIN).total
    assert (total.low_income_lettings, total.non_fitting, total.fit_norm_met) == (0, (), True)
