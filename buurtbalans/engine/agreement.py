"""How much assessors agree: Cohen's kappa per pair of assessors (issue 13 item 4, "overeenstemming").

Motivation listings are scored blind by two or three assessors (docs/allocation.md, "Assessing blind"). Whether
their scores mean the same is checked per round with Cohen's kappa for every pair of assessors, over the applicants
both of them scored:

    kappa = (p_o - p_e) / (1 - p_e)

1. put each score in a class (`score_class`: whole points, rounded half up: five classes 0-4);
2. `p_o`: the share of the shared applicants both assessors put in the same class;
3. `p_e`: the share expected by chance, the sum over the classes of the product of each assessor's own share of
   that class;
4. when `p_e` is 1 (both used one and the same class for everyone, so `p_o` is 1 too) kappa is 1; with no shared
   applicants it is not computable (None).

Source: J. Cohen, "A coefficient of agreement for nominal scales", Educational and Psychological Measurement 20
(1960) 37-46. Computed with fractions, so it is exact and the same for (A, B) and (B, A); kappa is at most 1 and
at least -1.

Pure Python: no Django, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import combinations

# Two scores "agree" in the score rule when they differ by at most 1.5 (engine/allocation/motivation.py).
RULE_AGREEMENT = Decimal("1.5")


def score_class(score: Decimal | str) -> int:
    """The class of a score for kappa: whole points, half up ("2.4" -> 2, "2.5" -> 3, "4.0" -> 4).

    Scores are given in tenths from 0.0 to 4.0; counting 2.9 against 3.0 as disagreement (41 classes) would make
    kappa say little, so the classes are the five points of the 0-4 scale.
    """
    return int(Decimal(str(score)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def cohens_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> Fraction | None:
    """Cohen's kappa of two raters' classes for the same items.

    Args:
        pairs: per item (first rater's class, second rater's class).

    Returns:
        Kappa as an exact fraction (1 when both used one and the same class for every item), or None for no
        items.
    """
    n = len(pairs)
    if n == 0:
        return None
    observed = Fraction(sum(1 for a, b in pairs if a == b), n)
    first = Counter(a for a, _b in pairs)
    second = Counter(b for _a, b in pairs)
    expected = Fraction(sum(first[c] * second[c] for c in first.keys() & second.keys()), n * n)
    if expected == 1:
        return Fraction(1)
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class Rating:
    """One assessor's score of one item (an applicant on a listing), with the group it is reported in (a round)."""

    group: Hashable
    item: Hashable
    assessor: str
    score: Decimal


@dataclass(frozen=True)
class PairAgreement:
    """The agreement of two assessors in one group.

    Attributes:
        group: the round (what the ratings were grouped by).
        first, second: the assessors, in name order.
        items: how many items both scored.
        same_class: how many of those they put in the same class.
        within_rule: how many they scored at most 1.5 apart (the score rule's "agree").
        kappa: Cohen's kappa over the classes, or None when not computable.
    """

    group: Hashable
    first: str
    second: str
    items: int
    same_class: int
    within_rule: int
    kappa: Fraction | None

    @property
    def observed(self) -> Fraction | None:
        """The share of shared items in the same class (`p_o`)."""
        return Fraction(self.same_class, self.items) if self.items else None


def pair_agreements(ratings: Iterable[Rating], *,
                    classify: Callable[[Decimal], Hashable] = score_class) -> list[PairAgreement]:
    """Cohen's kappa for every pair of assessors per group, over the items both scored.

    Steps: group the ratings; per group keep each assessor's first rating of an item (the score rule counts an
    assessor once); for every pair of assessors who share at least one item, compare their classes.

    Args:
        ratings: the scores, in the order they were given.
        classify: a score's class (default `score_class`, whole points).

    Returns:
        One entry per group and pair with shared items, by group (in order of first appearance) then names.
    """
    by_group: dict[Hashable, dict[str, dict[Hashable, Decimal]]] = {}
    for rating in ratings:
        items = by_group.setdefault(rating.group, {}).setdefault(rating.assessor, {})
        items.setdefault(rating.item, Decimal(str(rating.score)))
    result = []
    for group, assessors in by_group.items():
        for first, second in combinations(sorted(assessors), 2):
            a, b = assessors[first], assessors[second]
            shared = [item for item in a if item in b]
            if not shared:
                continue
            classes = [(classify(a[item]), classify(b[item])) for item in shared]
            result.append(PairAgreement(
                group=group, first=first, second=second, items=len(shared),
                same_class=sum(1 for x, y in classes if x == y),
                within_rule=sum(1 for item in shared if abs(a[item] - b[item]) <= RULE_AGREEMENT),
                kappa=cohens_kappa(classes),
            ))
    return result
