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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from buurtbalans.allocation.models import AllocationRound, DeclineReason, Listing, Offer, OfferStatus, SelectionKey
from buurtbalans.allocation.outcomes import RoundStatuses, round_bid_statuses
from buurtbalans.allocation.selectors import group_labels
from buurtbalans.core.selectors import CorporationContact, corporation_contact
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
        say(_reason_sentence(reason, listing, applicant))
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
    return item


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
