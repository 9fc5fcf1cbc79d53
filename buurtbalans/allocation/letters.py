"""A letter per applicant in plain Dutch (B1): what became of each of their bids in a round, and why.

The letter is built once as sentences (`Letter`) and shown as an HTML page or drawn as a PDF from the same
sentences, so both say the same. It is written in the language active when it is built; the views and jobs
build it under Dutch.

What a bid's letter says follows its status (`outcomes.round_bid_statuses`, one source of truth for the page,
the PDF, the export and `round_letters`). It is ready to post: the corporation's name, address, phone, e-mail
and website (a corporation setting), the applicant's name and postal address, the date, and the objection route
with its term.

What a letter may say about other people: only the place on the list (rank) and the registration date of the
person who got or was offered a home, never who they are, their income, household, score, lottery number or
bid time (tested). Places are those of the round's first run, the whole list of candidates: later runs after a
decline leave people out, but nobody's place in the order changes.

Selection on motivation (issue 13 item 4): every bid on a motivation listing names the listing's published
criteria and the applicant's own scores, the assessments used and the score (`LetterMotivation`), never who the
assessors are ("first assessor", ...). They come from the round's first run: the explanation of a candidate holds
them; an ineligible bid's row holds only its reason, so for those the stored assessments are counted again by the
round/2 rule (`assessments_used`; assessing stops when the round runs, so they are the ones the run used).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from buurtbalans.allocation.marks import public_marks
from buurtbalans.allocation.models import (
    AllocationRound,
    AllocationRun,
    BidResult,
    DeclineReason,
    Listing,
    MotivationAssessment,
    Offer,
    OfferStatus,
    SelectionKey,
)
from buurtbalans.allocation.outcomes import RoundStatuses, round_bid_statuses
from buurtbalans.allocation.selectors import group_labels
from buurtbalans.core.formatting import format_number
from buurtbalans.core.selectors import CorporationContact, corporation_contact
from buurtbalans.engine.allocation.motivation import AGREEMENT_TENTHS
from buurtbalans.engine.allocation.status import (
    BidStatus,
    BidStatusEntry,
    NotConsideredReason,
    PendingReason,
    RoundPhase,
)
from buurtbalans.households.models import Applicant


@dataclass
class LetterItem:
    """One bid: the home, the applicant's own preference, its status, a short headline and the explanation."""

    listing_reference: str
    address: str
    preference: int
    status: str  # a BidStatus value
    reason: str
    headline: str
    sentences: list[str] = field(default_factory=list)
    preference_text: str = ""
    # A motivation listing: the sentence that introduces its published criteria, the criteria, and what the
    # applicant's own assessments and score were.
    criteria_intro: str = ""
    criteria: list[str] = field(default_factory=list)
    motivation: list[str] = field(default_factory=list)


@dataclass
class Letter:
    round_name: str
    applicant_code: str
    written_on: date
    title: str
    sender: CorporationContact
    # Name, street and number, postal code and city, as on the envelope (what is known of them).
    recipient: list[str]
    has_postal_address: bool
    subject: str
    opening: list[str]
    items: list[LetterItem]
    objection: list[str]
    closing: list[str]
    is_final: bool

    def sender_lines(self) -> list[str]:
        """The letterhead: name, postal address, phone, e-mail, website (what is filled in)."""
        contact = self.sender
        return [line for line in (contact.name, *contact.address_lines(), contact.phone, contact.email,
                                  contact.website) if line]

    def text(self) -> str:
        """The whole letter as plain text (tests and the mail-merge export read it)."""
        lines = [*self.sender_lines(), *self.recipient, self.title, self.subject, *self.opening]
        for item in self.items:
            lines += [f"{item.address} ({item.listing_reference})", item.headline, *item.sentences]
            if item.criteria:
                lines += [item.criteria_intro, *(f"- {criterion}" for criterion in item.criteria)]
            lines += item.motivation
        return "\n".join([*lines, *self.objection, *self.closing])


# All letters of a weekly round are 20,000 letters of a few dozen sentences each: looking every sentence up in
# the catalogue again, and formatting the same dates again, took more time than drawing the PDF. Both are kept
# per language (the catalogue does not change while the process runs).
_TEXTS: dict[tuple[str, str], str] = {}
_DAYS: dict[tuple[str, date], str] = {}


def _(message: str) -> str:
    key = (get_language(), message)
    text = _TEXTS.get(key)
    if text is None:
        text = _TEXTS[key] = gettext(message)
    return text


def _day(value) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    key = (get_language(), value)
    text = _DAYS.get(key)
    if text is None:
        text = _DAYS[key] = date_format(value, "j F Y")
    return text


def _euro(value) -> str:
    return f"€ {format_number(value, 2)}"


def _score(value) -> str:
    """A motivation score as the letter writes it: one decimal, two for the mean of two ("2,5", "2,75")."""
    value = Decimal(str(value))
    places = 1 if value == value.quantize(Decimal("0.1")) else 2
    return format_number(value, places)


def _reason_sentence(reason: str, listing: Listing, applicant: Applicant,
                     motivation: LetterMotivation | None = None) -> str:
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
    if reason == "motivation_incomplete":
        return _("For this home we chose on motivation. Your motivation was not scored by enough assessors to give "
                 "it a score. Without a score, you could not get this home.")
    if reason == "motivation_below_minimum":
        minimum = _score(listing.motivation_min_score) if listing.motivation_min_score is not None else "–"
        if motivation is not None and motivation.score is not None:
            return _("For this home we chose on motivation. Your motivation got the score %(score)s. The lowest "
                     "score for this home is %(minimum)s. With a lower score, you could not get this home.") % {
                "score": _score(motivation.score), "minimum": minimum}
        return _("For this home we chose on motivation. Your motivation got a score lower than %(minimum)s, the "
                 "lowest score for this home. With a lower score, you could not get this home.") % {
            "minimum": minimum}
    if reason == "not_affordable":
        return _("The rent of %(rent)s per month is too high for your income and household. By law, homes must go "
                 "to households whose income fits the rent (passend toewijzen).") % {"rent": _euro(listing.base_rent)}
    return _("You do not meet the conditions of this home.")


_DECIDED_BY = {
    "urgency": gettext_noop("This home goes to people with an urgency first."),
    "registration_date": gettext_noop("That person has been registered longer than you."),
    "motivation_score": gettext_noop("The motivation of that person got a higher score."),
    "submitted_at": gettext_noop("That person reacted earlier than you."),
    "lottery_number": gettext_noop("That person had a better lottery number."),
}


def _decided_by_sentence(decided_by: str | None) -> str:
    message = _DECIDED_BY.get(decided_by or "")
    return _(message) if message else ""


def decline_label(code: str) -> str:
    return str(dict(DeclineReason.choices).get(code, code))


@dataclass(frozen=True)
class LetterMotivation:
    """An applicant's own motivation assessment for one listing, as the round used it.

    Attributes:
        assessments: the scores used, in the order given (two that agree, three when the first two did not, or
            the fewer that were counted when there was no score).
        score: the score (mean of two or median of three), or None when there was none.
    """

    assessments: tuple[Decimal, ...]
    score: Decimal | None


def assessments_used(given: Iterable[tuple[str, Decimal]]) -> LetterMotivation:
    """The round/2 score rule for one applicant and listing (docs/allocation.md; the engine's
    `motivation.assessed_motivation` does the same for a whole round, column-wise).

    1. each assessor counts once, with their first assessment;
    2. fewer than two: no score;
    3. the first two at most 1.5 apart: their mean;
    4. otherwise the median of the first three; without a third: no score.

    Args:
        given: (assessor, score) in the order given.
    """
    seen: set[str] = set()
    counted: list[Decimal] = []
    for assessor, score in given:
        if assessor not in seen:
            seen.add(assessor)
            counted.append(Decimal(str(score)))
    if len(counted) < 2:
        return LetterMotivation(tuple(counted), None)
    first, second = counted[0], counted[1]
    if abs(first - second) <= Decimal(AGREEMENT_TENTHS) / 10:
        return LetterMotivation((first, second), (first + second) / 2)
    if len(counted) < 3:
        return LetterMotivation((first, second), None)
    return LetterMotivation(tuple(counted[:3]), sorted(counted[:3])[1])


def motivation_facts(allocation_round: AllocationRound, applicant_ids: Iterable[int] | None = None
                     ) -> dict[tuple[str, str], LetterMotivation]:
    """(registration number, listing reference) -> the applicant's own assessments and score, for the bids on the
    round's motivation listings that the round's first run decided (round/2); empty before the first run.

    A candidate's come from the run's explanation; an ineligible bid's (`motivation_incomplete`,
    `motivation_below_minimum`) from the stored assessments by the same rule. A round/1 run gives only its score.
    """
    first = (AllocationRun.objects.filter(allocation_round_id=allocation_round.pk).order_by("number")
             .values_list("pk", "input_document__format").first())
    if first is None:
        return {}
    run_id, run_format = first
    motivation_listings = dict(Listing.objects.filter(allocation_round=allocation_round,
                                                      selection=SelectionKey.MOTIVATION)
                               .values_list("pk", "reference"))
    if not motivation_listings:
        return {}
    rows = BidResult.objects.filter(run_id=run_id, listing_id__in=list(motivation_listings))
    if applicant_ids is not None:
        rows = rows.filter(applicant_id__in=list(applicant_ids))
    outcomes = list(rows.values_list("applicant_id", "applicant__external_id", "listing_id", "outcome",
                                     "detail__motivation_score", "detail__motivation_assessments"))
    result: dict[tuple[str, str], LetterMotivation] = {}
    missing: dict[tuple[int, int], str] = {}
    for applicant_id, code, listing_id, outcome, score, used in outcomes:
        key = (code, motivation_listings[listing_id])
        if used:
            result[key] = LetterMotivation(tuple(Decimal(str(a["score"])) for a in used),
                                           Decimal(str(score)) if score is not None else None)
        elif score is not None and run_format != "buurtbalans.round/2":
            result[key] = LetterMotivation((), Decimal(str(score)))
        elif outcome == "ineligible" and run_format == "buurtbalans.round/2":
            missing[(applicant_id, listing_id)] = code
    if missing:
        given: dict[tuple[int, int], list[tuple[str, Decimal]]] = {}
        for applicant_id, listing_id, assessor, score in (
                MotivationAssessment.objects.filter(listing_id__in={li for _a, li in missing},
                                                    applicant_id__in={a for a, _li in missing})
                .order_by("created", "pk").values_list("applicant_id", "listing_id", "assessor_name", "score")):
            if (applicant_id, listing_id) in missing:
                given.setdefault((applicant_id, listing_id), []).append((assessor, score))
        for (applicant_id, listing_id), code in missing.items():
            result[(code, motivation_listings[listing_id])] = assessments_used(
                given.get((applicant_id, listing_id), []))
    return result


@dataclass
class LetterFacts:
    """What the letters of (some of) a round's applicants need, read once for all of them."""

    round: AllocationRound
    statuses: RoundStatuses
    contact: CorporationContact
    applicants: dict[str, Applicant]
    listings: dict[str, Listing]
    # (applicant, listing) -> the latest offer (its decision date, the tenancy's start)
    offers: dict[tuple[str, str], Offer]
    # registration number -> registration date, of those who hold (or were offered) a home the letters name
    holder_registration: dict[str, date]
    # (registration number, listing reference) -> the applicant's own motivation assessments and score
    motivation: dict[tuple[str, str], LetterMotivation] = field(default_factory=dict)
    # registration number -> their bids' statuses, by preference
    entries: dict[str, list[BidStatusEntry]] = field(init=False)

    def __post_init__(self):
        self.entries = self.statuses.by_applicant()

    def preference(self, applicant: str, listing: str | None) -> int | None:
        return next((e.preference for e in self.entries.get(applicant, []) if e.listing == listing), None)


def letter_facts(allocation_round: AllocationRound, applicants: Iterable[Applicant] | None = None) -> LetterFacts:
    """Read the statuses and everything the letters name, for the given applicants (default: all of the round).

    No access check: callers (selectors, views, jobs) checked MANAGE_ALLOCATION.
    """
    wanted = None if applicants is None else [a.pk for a in applicants]
    statuses = round_bid_statuses(allocation_round, applicants=wanted)
    codes = {entry.applicant for entry in statuses.entries}
    people = Applicant.objects.filter(corporation_id=allocation_round.corporation_id).select_related("household")
    people = people.filter(pk__in=wanted) if wanted is not None else people.filter(external_id__in=codes)
    listings = {
        listing.reference: listing
        for listing in Listing.objects.filter(allocation_round=allocation_round).select_related("dwelling")
    }
    offers = {}
    offer_rows = Offer.objects.filter(allocation_round=allocation_round).select_related("applicant", "tenancy",
                                                                                        "listing")
    if wanted is not None:
        offer_rows = offer_rows.filter(applicant_id__in=wanted)
    for offer in offer_rows.order_by("offered_at", "pk"):
        offers[(offer.applicant.external_id, offer.listing.reference)] = offer
    holders = {code for code, _state in statuses.holders.values()}
    return LetterFacts(
        round=allocation_round,
        statuses=statuses,
        contact=corporation_contact(allocation_round.corporation),
        applicants={person.external_id: person for person in people},
        listings=listings,
        offers=offers,
        holder_registration=dict(
            Applicant.objects.filter(corporation_id=allocation_round.corporation_id, external_id__in=holders)
            .values_list("external_id", "registration_date")
        ),
        motivation=motivation_facts(allocation_round, wanted),
    )


def _item(facts: LetterFacts, entry: BidStatusEntry, applicant: Applicant) -> LetterItem:
    listing = facts.listings[entry.listing]
    item = LetterItem(entry.listing, listing.dwelling.postal_address, entry.preference, entry.status.value,
                      str(entry.reason or ""), "", preference_text=_("Your choice %(n)d") % {"n": entry.preference})
    say = item.sentences.append
    status, reason = entry.status, entry.reason
    offer = facts.offers.get((entry.applicant, entry.listing))
    other = facts.listings.get(entry.refers_to) if entry.refers_to else None
    other_address = other.dwelling.postal_address if other is not None else ""
    rank_sentence = (_("You were number %(rank)d on the list of candidates who meet the conditions.")
                     % {"rank": entry.rank}) if entry.rank else ""
    if status == BidStatus.ACCEPTED:
        item.headline = _("You got this home.")
        start = offer.tenancy.start_date if offer is not None and offer.tenancy_id else None
        say(_("You accepted the offer. Your rental contract starts on %(date)s.") % {"date": _day(start)}
            if start else _("You accepted the offer."))
    elif status == BidStatus.OFFERED:
        item.headline = _("We offer you this home.")
        if entry.rank:
            say(_("You are number %(rank)d on the list of candidates who meet the conditions.") % {"rank": entry.rank})
        say(_("We will contact you soon about the next steps."))
    elif status in (BidStatus.DECLINED, BidStatus.WITHDRAWN):
        declined = status == BidStatus.DECLINED
        item.headline = (_("We offered you this home. You said no.") if declined
                         else _("We offered you this home, but we withdrew the offer."))
        if offer is not None and offer.decided_at:
            when = {"date": _day(timezone.localdate(offer.decided_at)), "reason": decline_label(reason)}
            say((_("You said no on %(date)s. Reason: %(reason)s.") if declined
                 else _("We withdrew the offer on %(date)s. Reason: %(reason)s.")) % when)
        # Withdrawn because they accepted a home elsewhere: nothing more to take part in.
        if reason != DeclineReason.OTHER_DWELLING_ACCEPTED:
            say(_("After that, you no longer take part in this round."))
    elif status == BidStatus.ALLOCATED_ELSEWHERE:
        item.headline = _("You got a home you wanted more.")
        preference = facts.preference(entry.applicant, entry.refers_to)
        say(_("You did not get this home, because you got a home that was higher on your list: %(address)s "
              "(your choice %(choice)s).") % {"address": other_address, "choice": preference})
    elif status == BidStatus.LET_TO_OTHER:
        holder, state = facts.statuses.holders.get(entry.listing, (None, ""))
        is_let = state == OfferStatus.ACCEPTED
        item.headline = (_("This home went to someone who was ahead of you.") if is_let
                         else _("We offered this home to someone who was ahead of you."))
        if rank_sentence:
            say(rank_sentence)
        if listing.selection == SelectionKey.LOTTERY:
            say((_("The person who got the home was number %(rank)s.") if is_let
                 else _("The person we offered the home to is number %(rank)s.")) % {"rank": entry.holder_rank})
        else:
            registered = facts.holder_registration.get(holder)
            template = (_("The person who got the home was number %(rank)s and has been registered since %(date)s.")
                        if is_let else _("The person we offered the home to is number %(rank)s and has been "
                                         "registered since %(date)s."))
            say(template % {"rank": entry.holder_rank, "date": _day(registered) if registered else "–"})
        because = _decided_by_sentence(entry.decided_by)
        if because:
            say(because)
        if entry.lottery_number:
            say(_("Your lottery number was %(number)s.") % {"number": entry.lottery_number})
        if entry.reserve_position:
            say(_("You are number %(n)d on the reserve list of this home. If the home becomes free again, we may "
                  "offer it to you.") % {"n": entry.reserve_position})
    elif status == BidStatus.INELIGIBLE:
        item.headline = _("You could not get this home.")
        say(_reason_sentence(reason, listing, applicant, facts.motivation.get((entry.applicant, entry.listing))))
    elif status == BidStatus.NOT_CONSIDERED:
        _not_considered(item, entry, other_address, rank_sentence)
    else:  # pending
        if reason == PendingReason.WORKED_OUT_AGAIN:
            item.headline = _("We are choosing again who gets this home.")
            say(_("The home became free again. We will write to you when we have decided."))
        else:
            item.headline = _("This round has not been decided yet.")
        if entry.rank:
            say(_("You are number %(rank)d on the list of candidates who meet the conditions.") % {"rank": entry.rank})
    for mark in public_marks(listing):  # as the public account marks it (a letting outside the waiting-list order)
        say(f"{mark.title}: {mark.explanation}")
    if listing.selection == SelectionKey.MOTIVATION:
        _motivation(item, listing, facts.motivation.get((entry.applicant, entry.listing)))
    return item


_ORDINALS = (gettext_noop("first assessor"), gettext_noop("second assessor"), gettext_noop("third assessor"))


def _motivation(item: LetterItem, listing: Listing, motivation: LetterMotivation | None) -> None:
    """The criteria of a motivation listing and the applicant's own scores (never who the assessors are)."""
    if listing.criteria:
        item.criteria_intro = _("For this home we chose on motivation. These are the published criteria:")
        item.criteria = [str(criterion) for criterion in listing.criteria]
    if motivation is None:
        return
    say = item.motivation.append
    if motivation.assessments:
        # Semicolons: a Dutch score has a decimal comma ("eerste beoordelaar: 2,5; tweede beoordelaar: 3,0").
        scores = "; ".join(f"{_(_ORDINALS[i]) if i < len(_ORDINALS) else i + 1}: {_score(value)}"
                           for i, value in enumerate(motivation.assessments))
        count = len(motivation.assessments)
        say((_("One assessor scored your motivation, on a scale from 0 to 4 (%(scores)s).") if count == 1 else
             _("%(n)d assessors scored your motivation, each on their own, on a scale from 0 to 4 (%(scores)s).")) %
            {"n": count, "scores": scores})
    if motivation.score is None:
        if motivation.assessments:
            say(_("That was not enough for a score: we need two scores that are at most 1.5 apart, or else a third "
                  "score."))
        return
    if len(motivation.assessments) == 2:
        say(_("Your score is %(score)s: the average of the two scores.") % {"score": _score(motivation.score)})
    elif len(motivation.assessments) == 3:
        say(_("Your score is %(score)s: the middle one of the three scores, because the first two were more than "
              "1.5 apart.") % {"score": _score(motivation.score)})
    else:
        say(_("Your motivation score is %(score)s.") % {"score": _score(motivation.score)})


def _not_considered(item: LetterItem, entry: BidStatusEntry, other_address: str, rank_sentence: str) -> None:
    say = item.sentences.append
    reason = entry.reason
    if reason == NotConsideredReason.NO_INCOME:
        item.headline = _("We could not take your reaction into account.")
        say(_("We do not know your income, so we cannot check whether this home fits you. Please send us your "
              "income statement."))
        return
    if reason in (NotConsideredReason.HOUSED, NotConsideredReason.HOUSED_ELSEWHERE):
        item.headline = _("You already have a home from us.")
        say(_("That is why your reaction no longer counts in this round."))
        return
    if reason == NotConsideredReason.LISTING_WITHDRAWN:
        item.headline = _("We took this home off the list.")
        say(_("Nobody gets this home in this round."))
        return
    item.headline = _("Your reaction no longer counted.")
    if rank_sentence:
        say(rank_sentence)
    if reason == NotConsideredReason.DECLINED_OTHER:
        say(_("You said no to the offer of %(address)s. After that, you no longer take part in this round.")
            % {"address": other_address})
    elif reason == NotConsideredReason.WITHDRAWN_OTHER:
        say(_("We withdrew the offer of %(address)s. After that, you no longer take part in this round.")
            % {"address": other_address})
    elif reason == NotConsideredReason.ACCEPTED_OTHER:
        say(_("You accepted %(address)s. This home became free again later, when you no longer took part in "
              "this round.") % {"address": other_address})
    else:
        say(_("We are still checking what happened with this reaction. We will write to you again."))


def letter_for(facts: LetterFacts, applicant: Applicant, *, today: date | None = None) -> Letter:
    """The letter to one applicant of `facts`."""
    items = [_item(facts, entry, applicant) for entry in facts.entries.get(applicant.external_id, [])]
    contact = facts.contact
    allocation_round = facts.round
    code = applicant.external_id
    objection = [
        _("Do you not agree with this decision? Then you can object or make a complaint within %(weeks)d weeks "
          "after the date of this letter. Write to %(handler)s and mention your registration number %(code)s.")
        % {"weeks": contact.objection_term_weeks, "handler": contact.objection_handler, "code": code},
    ]
    where = ", ".join(contact.address_lines())
    if where or contact.email:
        objection.append(" ".join(part for part in (
            _("Our address is %(address)s.") % {"address": where} if where else "",
            _("You can also send an e-mail to %(email)s.") % {"email": contact.email} if contact.email else "",
        ) if part))
    if contact.complaint_url:
        objection.append(_("Or use the form on %(url)s.") % {"url": contact.complaint_url})
    questions = [part for part in (
        _("You can call us on %(phone)s.") % {"phone": contact.phone} if contact.phone else "",
        _("More information is on %(website)s.") % {"website": contact.website} if contact.website else "",
    ) if part]
    name = applicant.name.strip()
    return Letter(
        round_name=allocation_round.name,
        applicant_code=code,
        written_on=today or timezone.localdate(),
        title=_("What happened with your reactions"),
        sender=contact,
        recipient=applicant.address_lines,
        has_postal_address=applicant.has_postal_address,
        subject=_("Subject: outcome of %(round)s · registration number %(code)s")
        % {"round": allocation_round.name, "code": code},
        opening=[
            _("Dear %(name)s,") % {"name": name} if name else _("Dear applicant,"),
            ngettext(
                "You reacted to %(n)d home in %(round)s. In this letter you read what happened with your reaction "
                "and why.",
                "You reacted to %(n)d homes in %(round)s. In this letter you read what happened with each reaction "
                "and why.",
                len(items),
            ) % {"n": len(items), "round": allocation_round.name},
            _("You have been registered since %(date)s.") % {"date": _day(applicant.registration_date)},
        ],
        items=items,
        objection=objection,
        closing=[
            " ".join([_("Do you have a question?"), *questions]) if questions else "",
            _("Kind regards,"),
            _("The letting team of %(name)s") % {"name": contact.name},
        ],
        is_final=facts.statuses.phase == RoundPhase.DECIDED,
    )


def letter_build(allocation_round: AllocationRound, applicant: Applicant, *, today: date | None = None) -> Letter:
    """The letter to one applicant about their bids on the round's listings (no access check: see selectors)."""
    facts = letter_facts(allocation_round, [applicant])
    applicant = facts.applicants.get(applicant.external_id, applicant)
    return letter_for(facts, applicant, today=today)


def letters_build(allocation_round: AllocationRound, *, today: date | None = None,
                  facts: LetterFacts | None = None) -> Iterator[Letter]:
    """Every applicant's letter, by registration number (one read of the round for all of them)."""
    facts = facts or letter_facts(allocation_round)
    for code in sorted(facts.entries):
        applicant = facts.applicants.get(code)
        if applicant is not None:
            yield letter_for(facts, applicant, today=today)
