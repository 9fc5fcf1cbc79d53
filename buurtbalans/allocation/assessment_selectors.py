"""Reads for blind assessing and the assessors' agreement (issue 13 items 2 and 4).

- Assessors (ASSESS_MOTIVATION) read a motivation listing's published criteria and, per applicant who reacted, a
  neutral code, the motivation text and their own score: nothing else about the applicant, and nothing about
  other assessors (`AssessRow` has no field for it). Every page that shows motivation texts writes a BIDS_READ
  event naming whose texts were shown.
- Officers (MANAGE_ALLOCATION) read the texts they record, with the registration numbers (logged the same way).
- Officers and analysts (VIEW_ALLOCATION) read the agreement of assessors per pair and round: counts and Cohen's
  kappa, no applicant (`engine.agreement`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from buurtbalans.allocation.models import (
    AllocationRound,
    Bid,
    Listing,
    ListingStatus,
    MotivationAssessment,
    MotivationText,
    RoundStatus,
    SelectionKey,
)
from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.permissions import Action, require
from buurtbalans.engine.agreement import PairAgreement, Rating, pair_agreements
from buurtbalans.households.models import Applicant

PURPOSE = "motivation_assessment"
CODE_PREFIX = "M-"


def neutral_code(listing_id: int, applicant_id: int) -> str:
    """The code an assessor knows an applicant by on one listing: "M-" and six letters and digits.

    A keyed hash of listing and applicant: the same on every visit, different on another listing (codes cannot be
    linked across listings), and not derived from the registration number, the registration date or the order of
    the bids. Sorting by it gives an order that says nothing either.
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), f"motivation:{listing_id}:{applicant_id}".encode(),
                      hashlib.sha256).digest()
    return CODE_PREFIX + base64.b32encode(digest).decode()[:6]


@dataclass(frozen=True)
class AssessRow:
    """What an assessor sees of one applicant: the code, the motivation text and their own score (or None)."""

    code: str
    text: str
    own_score: Decimal | None


def _assessable(user) -> QuerySet:
    return (Listing.objects.visible_to(user, Action.ASSESS_MOTIVATION)
            .filter(selection=SelectionKey.MOTIVATION))


def _open(listings: QuerySet) -> QuerySet:
    return listings.filter(status=ListingStatus.OPEN).filter(
        Q(allocation_round__isnull=True) | Q(allocation_round__status=RoundStatus.DRAFT))


def assess_listing_list(user) -> list[dict]:
    """The open motivation listings with applicants to assess, with how many the user has scored."""
    require(user, Action.ASSESS_MOTIVATION)
    name = user.get_username()
    listings = (
        _open(_assessable(user))
        .annotate(applicants=Count("bids", distinct=True))
        .filter(applicants__gt=0)
        .select_related("dwelling", "allocation_round")
        .order_by("reference")
    )
    mine = dict(MotivationAssessment.objects.visible_to(user, Action.ASSESS_MOTIVATION)
                .filter(assessor_name=name, listing__in=listings).values("listing_id")
                .annotate(n=Count("pk")).values_list("listing_id", "n"))
    return [{"listing": listing, "applicants": listing.applicants, "scored_by_me": mine.get(listing.pk, 0)}
            for listing in listings]


def assess_listing_get(user, pk: int) -> Listing:
    """A motivation listing of the user's corporation (also after assessing closed: own scores stay visible)."""
    require(user, Action.ASSESS_MOTIVATION)
    listing = _assessable(user).select_related("dwelling", "allocation_round").filter(pk=pk).first()
    if listing is None:
        raise Http404
    return listing


def _bidders(listing: Listing) -> list[Applicant]:
    return list(Applicant.objects.filter(pk__in=Bid.objects.filter(listing=listing).values("applicant_id"))
                .select_related("household").only("pk", "external_id", "household__external_id"))


def assess_rows(user, listing: Listing) -> list[AssessRow]:
    """Per applicant who reacted: the neutral code, the motivation text and the user's own score; by code.

    Records a MOTIVATION_TEXTS_READ event naming the households whose motivation texts were shown.
    """
    membership = require(user, Action.ASSESS_MOTIVATION)
    people = _bidders(listing)
    texts = dict(MotivationText.objects.filter(listing=listing).values_list("applicant_id", "text"))
    own = dict(MotivationAssessment.objects.filter(listing=listing, assessor_name=user.get_username())
               .values_list("applicant_id", "score"))
    rows = sorted((AssessRow(neutral_code(listing.pk, p.pk), texts.get(p.pk, ""), own.get(p.pk)) for p in people),
                  key=lambda row: row.code)
    shown = sorted(p.household.external_id for p in people if p.pk in texts)
    if shown:
        audit_record(actor=user, event=AuditEvent.Type.MOTIVATION_TEXTS_READ, corporation=membership.corporation,
                     subject_type="motivation_text", subject_ids=shown, purpose=PURPOSE,
                     subject_label=f"motivation texts of listing {listing.reference}, to assess blind")
    return rows


def assess_applicant_by_code(user, listing: Listing, code: str) -> Applicant | None:
    """The applicant who reacted to the listing and has this neutral code there; None when none (or two) do."""
    require(user, Action.ASSESS_MOTIVATION)
    code = (code or "").strip().upper()
    found = [p for p in _bidders(listing) if neutral_code(listing.pk, p.pk) == code]
    return found[0] if len(found) == 1 else None


# --- the officer's motivation texts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MotivationTextRow:
    applicant: Applicant
    text: str
    is_assessed: bool


def motivation_text_rows(user, listing: Listing) -> list[MotivationTextRow]:
    """Per applicant who reacted (by registration number): their motivation text and whether it was scored.

    For officers (MANAGE_ALLOCATION); records a MOTIVATION_TEXTS_READ event naming the households whose texts
    were shown.
    """
    membership = require(user, Action.MANAGE_ALLOCATION)
    people = sorted(_bidders(listing), key=lambda p: p.external_id)
    texts = dict(MotivationText.objects.filter(listing=listing).values_list("applicant_id", "text"))
    assessed = set(MotivationAssessment.objects.filter(listing=listing).values_list("applicant_id", flat=True))
    shown = sorted(p.household.external_id for p in people if p.pk in texts)
    if shown:
        audit_record(actor=user, event=AuditEvent.Type.MOTIVATION_TEXTS_READ, corporation=membership.corporation,
                     subject_type="motivation_text", subject_ids=shown, purpose="allocation",
                     subject_label=f"motivation texts of listing {listing.reference}")
    return [MotivationTextRow(p, texts.get(p.pk, ""), p.pk in assessed) for p in people]


def motivation_text_applicant(user, listing: Listing, code: str) -> Applicant | None:
    """The applicant with this registration number who reacted to the listing, or None."""
    require(user, Action.MANAGE_ALLOCATION)
    code = (code or "").strip()
    return next((p for p in _bidders(listing) if p.external_id == code), None)


# --- agreement of assessors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementRow:
    round: AllocationRound
    pair: PairAgreement

    @property
    def kappa(self) -> float | None:
        return None if self.pair.kappa is None else round(float(self.pair.kappa), 2)

    @property
    def same_class_share(self) -> float:
        return round(100 * self.pair.same_class / self.pair.items)

    @property
    def within_rule_share(self) -> float:
        return round(100 * self.pair.within_rule / self.pair.items)


def assessor_agreement(user) -> list[AgreementRow]:
    """Cohen's kappa per round and pair of assessors, over the applicants both scored on the round's listings.

    For VIEW_ALLOCATION (officers and analysts): counts and kappa only, no applicant. Newest round first.
    """
    membership = require(user, Action.VIEW_ALLOCATION)
    rows = (MotivationAssessment.objects.filter(corporation_id=membership.corporation_id,
                                                listing__allocation_round__isnull=False)
            .order_by("created", "pk")
            .values_list("listing__allocation_round_id", "listing_id", "applicant_id", "assessor_name", "score"))
    ratings = [Rating(round_id, (listing_id, applicant_id), assessor, score)
               for round_id, listing_id, applicant_id, assessor, score in rows.iterator()]
    pairs = pair_agreements(ratings)
    rounds = AllocationRound.objects.in_bulk({p.group for p in pairs})
    result = [AgreementRow(rounds[p.group], p) for p in pairs]
    result.sort(key=lambda r: (-r.round.reference_date.toordinal(), -r.round.pk, r.pair.first, r.pair.second))
    return result
