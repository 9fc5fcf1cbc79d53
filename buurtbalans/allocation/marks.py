"""How a letting outside the waiting-list order is marked (issue 13 item 4): on the public account and in the
candidates' letters, with the same words.

A listing that selects on motivation is an "afwijkende toewijzing – leefbaarheid", a listing of the placement route
(the labelling plan's RESERVED_VULNERABLE) a "bijzondere toewijzing".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from buurtbalans.allocation.models import Listing, SelectionKey
from buurtbalans.engine.labelling.facts import Label


@dataclass(frozen=True)
class PublicMark:
    """How the public account marks a letting outside the waiting-list order: a code, a title and one line."""

    code: str
    title: str
    explanation: str


LIVEABILITY_MARK = PublicMark(
    "liveability",
    gettext_lazy("Allocation by exception – liveability"),
    gettext_lazy("We did not choose by time on the waiting list. We chose on motivation: what someone wants to do "
                 "for the neighbourhood. We do this to keep the neighbourhood a good place to live."),
)
PLACEMENT_MARK = PublicMark(
    "placement",
    gettext_lazy("Special allocation"),
    gettext_lazy("This home is for a household that moves here with support. We chose the new tenant after an "
                 "intake talk, not by time on the waiting list."),
)


def public_marks(listing: Listing) -> list[PublicMark]:
    """The marks of a listing's letting on the public account; none for a letting in waiting-list order."""
    marks = []
    if listing.selection == SelectionKey.MOTIVATION:
        marks.append(LIVEABILITY_MARK)
    if listing.label == Label.RESERVED_VULNERABLE:
        marks.append(PLACEMENT_MARK)
    return marks
