"""A letter per applicant in plain Dutch (B1): what became of each of their bids in a round, and why.

The letter is built once as sentences (`Letter`), and shown as an HTML page or rendered as a PDF from the same
sentences, so both say the same. It is written in the language active when it is built; the views build it
under Dutch.

What a letter may say about other people: only the position on the list (rank) and the registration date of
the person who got a home, never who they are, their income, household, score, lottery number or bid time
(tested). Positions are those of the round's first run, the whole list of candidates: later runs after a decline
leave people out, but nobody's place in the order changes.

Sources per bid: the applicant's offers in the round (accepted, out, declined); otherwise the outcome in the
latest run that still had the applicant (a re-run after a decline may have given them a home they preferred).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buurtbalans.allocation.models import (
    AllocationRound,
    AllocationRun,
    Bid,
    BidOutcomeCode,
    BidResult,
    DeclineReason,
    Listing,
    Offer,
    OfferStatus,
    SelectionKey,
)
from buurtbalans.allocation.roundinput import SKIP_HOUSED, SKIP_NO_INCOME
from buurtbalans.allocation.selectors import group_labels
from buurtbalans.households.models import Applicant

# How many weeks an applicant has to object (bezwaar); a corporation's own rule, shown in the closing line.
OBJECTION_WEEKS = 6


@dataclass
class LetterItem:
    """One bid: the home, the applicant's own preference, a short headline and the explanation."""

    listing_reference: str
    address: str
    preference: int
    outcome: str  # "accepted", "offered", "declined", "withdrawn", "elsewhere", "outranked", "ineligible", "open"
    headline: str
    sentences: list[str] = field(default_factory=list)
    preference_text: str = ""


@dataclass
class Letter:
    round_name: str
    applicant_code: str
    written_on: date
    title: str
    opening: list[str]
    items: list[LetterItem]
    closing: list[str]

    def text(self) -> str:
        """The whole letter as plain text (tests read it)."""
        lines = [self.title, *self.opening]
        for item in self.items:
            lines += [f"{item.address} ({item.listing_reference})", item.headline, *item.sentences]
        return "\n".join([*lines, *self.closing])


def _day(value) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return date_format(value, "j F Y")


def _euro(value) -> str:
    return f"€ {number_format(value, 2, force_grouping=True)}"


def _reason_sentence(reason: str, listing: Listing, applicant: Applicant) -> str:
    household = applicant.household
    if reason == "household_size":
        low, high = listing.household_size_min, listing.household_size_max
        if low is not None and high is not None:
            rule = _("This home is for households of %(low)d to %(high)d persons.") % {"low": low, "high": high}
        elif low is not None:
            rule = _("This home is for households of at least %(low)d persons.") % {"low": low}
        else:
            rule = _("This home is for households of at most %(high)d persons.") % {"high": high}
        return rule + " " + ngettext("Your household has %(n)d person.", "Your household has %(n)d persons.",
                                     household.size) % {"n": household.size}
    if reason == "income_above_max":
        return _("Your income is higher than the highest income for this home (%(limit)s per year).") % {
            "limit": _euro(listing.income_max)}
    if reason == "income_below_min":
        return _("Your income is lower than the lowest income for this home (%(limit)s per year).") % {
            "limit": _euro(listing.income_min)}
    if reason == "group_not_allowed":
        return _("This home is only for: %(groups)s. You are not in one of these groups.") % {
            "groups": ", ".join(group_labels(listing.allowed_groups))}
    if reason == "group_excluded":
        return _("This home is not for: %(groups)s. You are in one of these groups.") % {
            "groups": ", ".join(group_labels(listing.excluded_groups))}
    if reason == "no_motivation_score":
        return _("For this home we choose on motivation. We have no assessed motivation from you for this home.")
    if reason == "not_affordable":
        return _("The rent of %(rent)s per month is too high for your income and household. By law, homes must go "
                 "to households whose income fits the rent (passend toewijzen).") % {"rent": _euro(listing.base_rent)}
    return _("You do not meet the conditions of this home.")


def _decided_by_sentence(decided_by: str | None) -> str:
    return {
        "urgency": _("This home goes to people with an urgency first."),
        "registration_date": _("That person has been registered longer than you."),
        "motivation_score": _("The motivation of that person got a higher score."),
        "submitted_at": _("That person reacted earlier than you."),
        "lottery_number": _("That person had a better lottery number."),
    }.get(decided_by or "", "")


def _decline_label(code: str) -> str:
    return str(dict(DeclineReason.choices).get(code, code))


def letter_build(allocation_round: AllocationRound, applicant: Applicant, *, today: date | None = None) -> Letter:
    """The letter to one applicant about their bids on the round's listings (no access check: see selectors)."""
    # The runs' documents are large (a weekly round: megabytes); the letter needs only their outcome rows.
    runs = list(AllocationRun.objects.filter(allocation_round=allocation_round).only("pk", "number", "skipped")
                .order_by("number"))
    first = runs[0] if runs else None
    run_numbers = {run.pk: run.number for run in runs}
    bids = list(
        Bid.objects.filter(applicant=applicant, listing__allocation_round=allocation_round)
        .select_related("listing", "listing__dwelling")
        .order_by("preference")
    )
    listing_ids = [bid.listing_id for bid in bids]
    results = list(BidResult.objects.filter(run_id__in=run_numbers, applicant=applicant))
    latest_number = max((run_numbers[r.run_id] for r in results), default=None)
    latest = {r.listing_id: r for r in results if run_numbers[r.run_id] == latest_number}
    first_results = {r.listing_id: r for r in results if first is not None and r.run_id == first.pk}
    offers = {}
    for offer in Offer.objects.filter(allocation_round=allocation_round, applicant=applicant).order_by("offered_at"):
        offers[offer.listing_id] = offer
    # The people who have (or were offered) each home now, for the outranked explanations: rank and date only.
    holders = {
        offer.listing_id: offer
        for offer in Offer.objects.filter(listing_id__in=listing_ids,
                                          status__in=[OfferStatus.OFFERED, OfferStatus.ACCEPTED])
        .select_related("applicant")
    }
    holder_ranks = {}
    if first is not None and holders:
        for listing_id, applicant_id, rank in BidResult.objects.filter(
            run=first, listing_id__in=list(holders), applicant_id__in=[o.applicant_id for o in holders.values()]
        ).values_list("listing_id", "applicant_id", "rank"):
            holder_ranks[(listing_id, applicant_id)] = rank
    listing_addresses = {
        listing.reference: listing.dwelling.address
        for listing in Listing.objects.filter(allocation_round=allocation_round).select_related("dwelling")
    }
    skipped = {s["applicant"]: s["reason"] for s in (first.skipped if first else [])}

    items = []
    for bid in bids:
        listing = bid.listing
        address = listing.dwelling.address
        item = LetterItem(listing.reference, address, bid.preference, "open", "",
                          preference_text=_("Your choice %(n)d") % {"n": bid.preference})
        offer = offers.get(listing.pk)
        mine_first = first_results.get(listing.pk)
        position = mine_first.rank if mine_first is not None else None
        result = latest.get(listing.pk)
        if offer is not None and offer.status == OfferStatus.ACCEPTED:
            item.outcome, item.headline = "accepted", _("You got this home.")
            start = offer.tenancy.start_date if offer.tenancy_id else None
            item.sentences.append(
                _("You accepted the offer. Your rental contract starts on %(date)s.") % {"date": _day(start)}
                if start else _("You accepted the offer.")
            )
        elif offer is not None and offer.status == OfferStatus.OFFERED:
            item.outcome, item.headline = "offered", _("We offer you this home.")
            item.sentences.append(_("You are number %(rank)d on the list of candidates who meet the conditions.")
                                  % {"rank": position or offer.rank})
            item.sentences.append(_("We will contact you soon about the next steps."))
        elif offer is not None and offer.status in (OfferStatus.DECLINED, OfferStatus.WITHDRAWN) and \
                offer.decline_reason:
            if offer.status == OfferStatus.DECLINED:
                item.outcome, item.headline = "declined", _("We offered you this home. You said no.")
                item.sentences.append(_("You said no on %(date)s. Reason: %(reason)s.") % {
                    "date": _day(timezone.localdate(offer.decided_at)), "reason": _decline_label(offer.decline_reason)})
            else:
                item.outcome, item.headline = "withdrawn", _("We offered you this home, but we withdrew the offer.")
                item.sentences.append(_("We withdrew the offer on %(date)s. Reason: %(reason)s.") % {
                    "date": _day(timezone.localdate(offer.decided_at)), "reason": _decline_label(offer.decline_reason)})
        elif result is not None and result.outcome == BidOutcomeCode.INELIGIBLE:
            item.outcome, item.headline = "ineligible", _("You could not get this home.")
            item.sentences.append(_reason_sentence(result.reason, listing, applicant))
        elif result is not None and result.outcome == BidOutcomeCode.ALLOCATED_ELSEWHERE:
            other = result.detail.get("allocated_listing")
            item.outcome, item.headline = "elsewhere", _("You got a home you wanted more.")
            item.sentences.append(_("You did not get this home, because you got a home that was higher on your list: "
                                    "%(address)s (your choice %(choice)s).") % {
                "address": listing_addresses.get(other, other), "choice": result.detail.get("allocated_preference")})
        elif result is not None and result.outcome == BidOutcomeCode.ALLOCATED and listing.pk not in holders:
            # Allocated in a result that is not approved yet: no offer has been made.
            item.outcome, item.headline = "open", _("This round has not been decided yet.")
            if position is not None:
                item.sentences.append(_("You are number %(rank)d on the list of candidates who meet the conditions.")
                                      % {"rank": position})
        elif result is not None and result.outcome in (BidOutcomeCode.OUTRANKED, BidOutcomeCode.ALLOCATED):
            holder = holders.get(listing.pk)
            item.outcome, item.headline = "outranked", _("This home went to someone who was ahead of you.")
            if position is not None:
                item.sentences.append(_("You were number %(rank)d on the list of candidates who meet the conditions.")
                                      % {"rank": position})
            if holder is not None:
                holder_rank = holder_ranks.get((listing.pk, holder.applicant_id))
                item.sentences.append(_("The person who got the home was number %(rank)s and has been registered "
                                        "since %(date)s.") % {"rank": holder_rank or "–",
                                                              "date": _day(holder.applicant.registration_date)})
            reason = _decided_by_sentence(result.detail.get("decided_by"))
            if reason:
                item.sentences.append(reason)
            if listing.selection == SelectionKey.LOTTERY and result.detail.get("lottery_number"):
                item.sentences.append(_("Your lottery number was %(number)s.") % {
                    "number": result.detail["lottery_number"]})
            if result.reserve_position:
                item.sentences.append(_("You are number %(n)d on the reserve list of this home. If the home becomes "
                                        "free again, we may offer it to you.") % {"n": result.reserve_position})
        elif skipped.get(applicant.external_id) == SKIP_NO_INCOME:
            item.outcome, item.headline = "open", _("We could not take your reaction into account.")
            item.sentences.append(_("We do not know your income, so we cannot check whether this home fits you. "
                                    "Please send us your income statement."))
        elif skipped.get(applicant.external_id) == SKIP_HOUSED:
            item.outcome, item.headline = "open", _("You already have a home from us.")
        else:
            item.outcome, item.headline = "open", _("This round has not been decided yet.")
        items.append(item)

    written = today or timezone.localdate()
    return Letter(
        round_name=allocation_round.name,
        applicant_code=applicant.external_id,
        written_on=written,
        title=_("What happened with your reactions"),
        opening=[
            _("Dear applicant with registration number %(code)s,") % {"code": applicant.external_id},
            ngettext(
                "You reacted to %(n)d home in the round %(round)s. In this letter you read what happened with your "
                "reaction and why.",
                "You reacted to %(n)d homes in the round %(round)s. In this letter you read what happened with each "
                "reaction and why.",
                len(items),
            ) % {"n": len(items), "round": allocation_round.name},
            _("You have been registered since %(date)s.") % {"date": _day(applicant.registration_date)},
        ],
        items=items,
        closing=[
            _("Do you have a question, or do you think something is wrong? Contact us within %(weeks)d weeks and "
              "mention your registration number %(code)s.") % {"weeks": OBJECTION_WEEKS,
                                                                "code": applicant.external_id},
            _("Kind regards,"),
            _("The letting team"),
        ],
    )


def letter_pdf(letter: Letter, *, corporation_name: str, generated: datetime) -> bytes:
    """The letter as an A4 PDF (reportlab), the same sentences as the page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    body = ParagraphStyle("bb-letter-body", parent=styles["BodyText"], fontSize=11, leading=15)
    heading = ParagraphStyle("bb-letter-heading", parent=styles["Heading2"], fontSize=12, leading=15, spaceBefore=10)
    title = ParagraphStyle("bb-letter-title", parent=styles["Title"], fontSize=16, leading=20, alignment=0)
    small = ParagraphStyle("bb-letter-small", parent=body, fontSize=9, leading=12)
    story = [
        Paragraph(escape(corporation_name), small),
        Paragraph(escape(date_format(letter.written_on, "j F Y")), small),
        Spacer(1, 6 * mm),
        Paragraph(escape(letter.title), title),
        Paragraph(escape(letter.round_name), small),
        Spacer(1, 4 * mm),
    ]
    story += [Paragraph(escape(line), body) for line in letter.opening]
    for item in letter.items:
        story.append(Paragraph(escape(f"{item.address} ({item.listing_reference})"), heading))
        story.append(Paragraph(escape(item.preference_text), small))
        story.append(Paragraph(f"<b>{escape(item.headline)}</b>", body))
        story += [Paragraph(escape(sentence), body) for sentence in item.sentences]
    story.append(Spacer(1, 6 * mm))
    story += [Paragraph(escape(line), body) for line in letter.closing]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        title=letter.title, author=corporation_name,
        subject=f"{letter.round_name} {letter.applicant_code}", creator="Buurtbalans",
        # A letter is a page or two: uncompressed, its text can be searched by archives (and by our tests).
        pageCompression=0,
    )
    document.build(story)
    return buffer.getvalue()
