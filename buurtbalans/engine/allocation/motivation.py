"""The motivation score of round/2 (`MotivationRule.ASSESSMENTS`): from blind assessments to one score per bid.

The rule (docs/allocation.md, "Input: buurtbalans.round/2"), for an applicant's assessments for one listing in the
order given:
  1. each assessor counts once: their first assessment; later ones of the same assessor are left out;
  2. fewer than two assessments: no score (`motivation_incomplete`);
  3. the first two differ by at most 1.5: the score is their mean;
  4. otherwise a third assessor decides: the score is the median of the first three; without a third, no score
     (`motivation_incomplete`); a fourth or later assessment is never used.

Scores are counted in tenths (0 to 40) and the result in hundredths, so the mean of two is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from buurtbalans.engine.allocation.facts import RoundFacts, SelectionKey

# Two assessments agree when they differ by at most 1.5 (15 tenths).
AGREEMENT_TENTHS = 15
# At most three assessments are used: two that agree, or two that do not and the third that decides.
MAX_USED = 3
NO_SCORE = -1


@dataclass(frozen=True, eq=False)
class AssessedMotivation:
    """Per bid on a motivation listing (round/2) its score and the assessments it was made from.

    Attributes:
        bid: the bids on motivation listings, ascending.
        score_hundredths: per such bid the score in hundredths (0 to 400), or `NO_SCORE` when incomplete.
        used: per such bid the indices of the assessments used (`RoundFacts.assessment_*`), in the order given,
            padded with -1: two that agree, three when the first two do not, or the fewer that were given.
    """

    bid: np.ndarray
    score_hundredths: np.ndarray
    used: np.ndarray

    def position(self, bids: np.ndarray) -> np.ndarray:
        """Per bid (each one on a motivation listing) its row in these columns."""
        return np.searchsorted(self.bid, bids)


def score_text(hundredths: int) -> str:
    """A score as the round file writes it: one decimal, two when the mean of two needs them ("2.5", "2.75")."""
    whole, rest = divmod(int(hundredths), 100)
    return f"{whole}.{rest // 10}" if rest % 10 == 0 else f"{whole}.{rest:02d}"


def tenths_text(tenths: int) -> str:
    """An assessment's score as the round file writes it, with one decimal ("3.0")."""
    return f"{tenths // 10}.{tenths % 10}"


def _first_per_assessor(facts: RoundFacts, rows: np.ndarray, pair: np.ndarray) -> np.ndarray:
    """Each assessor's first assessment per (applicant, listing) pair, as positions in `rows`.

    Grouped by pair, in the order given within a pair.
    """
    assessor = facts.assessment_assessor[rows]
    order = np.lexsort((np.arange(len(rows)), assessor, pair))
    same = (pair[order][1:] == pair[order][:-1]) & (assessor[order][1:] == assessor[order][:-1])
    kept = np.sort(order[np.concatenate(([True], ~same))])
    return kept[np.argsort(pair[kept], kind="stable")]


def assessed_motivation(facts: RoundFacts) -> AssessedMotivation:
    """Score every bid on a motivation listing from its applicant's assessments for that listing.

    Steps in the module docstring. Works on columns: a sort groups the assessments per applicant and listing.

    Args:
        facts: a round/2 round (its assessments; other rounds have none, so every score is `NO_SCORE`).

    Returns:
        The scores and the assessments used, per bid on a motivation listing.
    """
    n_listings = len(facts.listings)
    is_motivation = np.array([x.selection is SelectionKey.MOTIVATION for x in facts.listings], dtype=bool)
    bids = (np.flatnonzero(is_motivation[facts.bid_listing]) if n_listings else np.zeros(0, np.int64))
    score = np.full(len(bids), NO_SCORE, dtype=np.int64)
    used = np.full((len(bids), MAX_USED), -1, dtype=np.int64)
    rows = (np.flatnonzero(is_motivation[facts.assessment_listing]) if n_listings else np.zeros(0, np.int64))
    if len(bids) and len(rows):
        pair = facts.assessment_applicant[rows] * n_listings + facts.assessment_listing[rows]
        kept = _first_per_assessor(facts, rows, pair)
        kept_pair = pair[kept]
        starts = np.flatnonzero(np.concatenate(([True], kept_pair[1:] != kept_pair[:-1])))
        counts = np.diff(np.append(starts, len(kept)))
        # The first three assessments of each pair (index -1 and score -1 where there are fewer).
        first = np.full((len(starts), MAX_USED), -1, dtype=np.int64)
        for k in range(MAX_USED):
            has = counts > k
            first[has, k] = rows[kept[starts[has] + k]]
        tenths = np.where(first >= 0, facts.assessment_score_tenths[np.maximum(first, 0)], -1)
        s1, s2, s3 = tenths[:, 0], tenths[:, 1], tenths[:, 2]
        agree = (counts >= 2) & (np.abs(s1 - s2) <= AGREEMENT_TENTHS)
        decided = ~agree & (counts >= 3)
        median = s1 + s2 + s3 - np.maximum(np.maximum(s1, s2), s3) - np.minimum(np.minimum(s1, s2), s3)
        pair_score = np.where(agree, (s1 + s2) * 5, np.where(decided, median * 10, NO_SCORE))
        first[agree, 2] = -1  # two that agree: a third is not used
        # Each bid's pair among the scored ones.
        bid_pair = facts.bid_applicant[bids] * n_listings + facts.bid_listing[bids]
        pair_keys = kept_pair[starts]
        at = np.minimum(np.searchsorted(pair_keys, bid_pair), len(pair_keys) - 1)
        found = pair_keys[at] == bid_pair
        score[found] = pair_score[at[found]]
        used[found] = first[at[found]]
    for array in (bids, score, used):
        array.flags.writeable = False
    return AssessedMotivation(bid=bids, score_hundredths=score, used=used)
