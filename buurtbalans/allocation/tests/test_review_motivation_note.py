"""The round's review explains a motivation candidate with the score and the assessments it came from (issue 13
item 2: "the explanation shows the assessments used and the score"), without naming the assessors."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from buurtbalans.allocation.views import candidate_note

DETAIL = {"motivation_score": "2.75", "registration_date": "2010-01-01", "decided_by": "motivation_score",
          "allocated_to": "R-2", "allocated_rank": 1,
          "motivation_assessments": [{"assessor": "anna", "score": "2.5"}, {"assessor": "bram", "score": "3.0"}]}


def note(outcome: str, detail: dict, language: str = "en") -> str:
    with translation.override(language):
        return candidate_note(SimpleNamespace(outcome=outcome, detail=detail, reason_label=""), {"R-2": 1})


def test_the_note_gives_the_score_and_its_assessments_in_the_reader_s_language():
    assert note("outranked", DETAIL) == ("R-2 (rank 1) was ahead on motivation score; "
                                         "motivation score 2.75 (assessments 2.5; 3.0)")
    assert "2,75" in note("outranked", DETAIL, "nl") and "2,5; 3,0" in note("outranked", DETAIL, "nl")


def test_the_assessors_are_not_named_and_other_listings_get_no_score():
    assert "anna" not in note("allocated", DETAIL) and "bram" not in note("allocated", DETAIL)
    assert note("allocated", DETAIL) == "motivation score 2.75 (assessments 2.5; 3.0)"
    assert note("allocated", {"registration_date": "2010-01-01"}) == ""
