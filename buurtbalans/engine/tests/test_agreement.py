"""Cohen's kappa of assessors' agreement (issue 13 item 4): known values, its classes, and its invariants."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.engine.agreement import PairAgreement, Rating, cohens_kappa, pair_agreements, score_class

PROPERTY = settings(max_examples=300, deadline=None)
# Scores as assessors give them: tenths from 0.0 to 4.0.
SCORES = st.integers(0, 40).map(lambda tenths: Decimal(tenths) / 10)
CLASSES = st.integers(0, 4)
CLASS_PAIRS = st.lists(st.tuples(CLASSES, CLASSES), min_size=1, max_size=60)


@pytest.mark.parametrize(("score", "klass"), [
    ("0.0", 0), ("0.4", 0), ("0.5", 1), ("1.4", 1), ("2.5", 3), ("2.9", 3), ("3.5", 4), ("4.0", 4),
])
def test_a_score_falls_in_its_whole_point_half_up(score, klass):
    assert score_class(score) == klass
    assert score_class(Decimal(score)) == klass


def test_kappa_of_a_textbook_table():
    # 50 items: both "yes" 20, both "no" 15, first yes/second no 5, first no/second yes 10.
    # p_o = 35/50 = 0.7; p_e = (25*30 + 25*20) / 2500 = 0.5; kappa = 0.4.
    pairs = [("y", "y")] * 20 + [("n", "n")] * 15 + [("y", "n")] * 5 + [("n", "y")] * 10
    assert cohens_kappa(pairs) == Fraction(2, 5)


def test_kappa_of_opposite_raters_is_minus_one():
    assert cohens_kappa([(0, 4), (4, 0)] * 3) == -1


def test_kappa_is_not_computable_without_shared_items():
    assert cohens_kappa([]) is None


def test_two_raters_who_gave_everyone_the_same_class_agree_fully():
    assert cohens_kappa([(3, 3)] * 5) == 1


@PROPERTY
@given(st.lists(CLASSES, min_size=1, max_size=60))
def test_identical_ratings_give_kappa_one(classes):
    assert cohens_kappa([(c, c) for c in classes]) == 1


@PROPERTY
@given(CLASS_PAIRS)
def test_kappa_is_symmetric_in_the_pair(pairs):
    assert cohens_kappa(pairs) == cohens_kappa([(b, a) for a, b in pairs])


@PROPERTY
@given(CLASS_PAIRS)
def test_kappa_lies_between_minus_one_and_one(pairs):
    kappa = cohens_kappa(pairs)
    assert -1 <= kappa <= 1


@PROPERTY
@given(CLASS_PAIRS)
def test_kappa_is_one_only_when_every_item_agrees(pairs):
    assert (cohens_kappa(pairs) == 1) == all(a == b for a, b in pairs)


@PROPERTY
@given(st.lists(st.tuples(SCORES, SCORES), min_size=1, max_size=30), st.booleans())
def test_a_pair_report_is_the_same_whichever_assessor_comes_first(scores, swap):
    names = ("bram", "anna") if swap else ("anna", "bram")
    ratings = [Rating("week 23", item, name, score) for item, (a, b) in enumerate(scores)
               for name, score in zip(names, (a, b), strict=True)]
    [report] = pair_agreements(ratings)
    mirrored = [Rating(r.group, r.item, {"anna": "bram", "bram": "anna"}[r.assessor], r.score) for r in ratings]
    [again] = pair_agreements(mirrored)
    assert (report.first, report.second) == (again.first, again.second) == ("anna", "bram")
    assert (report.items, report.same_class, report.within_rule, report.kappa) == (
        again.items, again.same_class, again.within_rule, again.kappa)


def test_pairs_per_round_over_the_applicants_both_scored():
    ratings = [
        Rating(1, "a1", "anna", Decimal("3.0")), Rating(1, "a1", "bram", Decimal("2.6")),
        Rating(1, "a2", "anna", Decimal("1.0")), Rating(1, "a2", "bram", Decimal("3.0")),
        Rating(1, "a2", "chris", Decimal("1.2")),
        # anna's second score of a1 is left out, as the score rule leaves it out
        Rating(1, "a1", "anna", Decimal("0.0")),
        # another round is reported apart
        Rating(2, "a1", "anna", Decimal("4.0")), Rating(2, "a1", "chris", Decimal("4.0")),
    ]
    assert pair_agreements(ratings) == [
        # a1: 3 and 3 (same class, 0.4 apart); a2: 1 and 3 (2.0 apart)
        PairAgreement(1, "anna", "bram", items=2, same_class=1, within_rule=1, kappa=Fraction(0)),
        PairAgreement(1, "anna", "chris", items=1, same_class=1, within_rule=1, kappa=Fraction(1)),
        PairAgreement(1, "bram", "chris", items=1, same_class=0, within_rule=0, kappa=Fraction(0)),
        PairAgreement(2, "anna", "chris", items=1, same_class=1, within_rule=1, kappa=Fraction(1)),
    ]


def test_assessors_without_a_shared_applicant_make_no_pair():
    ratings = [Rating(1, "a1", "anna", Decimal("3.0")), Rating(1, "a2", "bram", Decimal("3.0"))]
    assert pair_agreements(ratings) == []
