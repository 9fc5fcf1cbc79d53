"""Erasure (recht op vergetelheid, AVG art. 17) of one household, as far as the law allows.

    erasure_plan(household, *, today) -> ErasurePlan          what would be erased, replaced and kept, or why not now
    household_erase(*, user, household) -> dict               do it (counts per kind); audited as HOUSEHOLD_ERASED

Refused while a legal hold applies (art. 17(3)(b) and (e)): the household still rents a home (the rent contract
needs it), has an offer not answered yet, takes part in an allocation round that is not closed (the decision and
the objection to it need it), or has an objection not decided yet. Otherwise, at once: special-category data
(vulnerability markers, support needs, urgency and "placed with support") and free text (notes that name the
household, carrying roles with their notes, its motivation texts, the free text of its intake conversations and
follow-ups) are deleted or emptied; name and postal address, the income now and the household code are removed or
replaced by a random code, and that code replaces every name and code of the household in the objections it made.
Kept, because the law asks for them: tenancies (the rent contract and the passend toewijzen record), the allocation
rounds' records (bids, outcomes, offers, the assessors' blind scores and the round's input, by registration
number), placements with the choices of their intake (the documented placement decision), objections with their
decisions, and the audit log. docs/privacy.md and docs/privacy/dpia-selection.md explain each.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.accountability.models import FollowUp, Objection
from buurtbalans.allocation.models import ApplicantProfile, Bid, Offer, OfferStatus, RoundStatus
from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.permissions import Action, require
from buurtbalans.households.models import Applicant, Household, IncomeSource
from buurtbalans.liveability.models import SupportNeed
from buurtbalans.placements.models import IntakeRecord
from buurtbalans.privacy.subject import SubjectRecords, current_tenancies, replace_terms, subject_records

PSEUDONYM_PREFIX = "erased-"

# The free-text fields of an intake conversation (the choices stay: they document the placement decision).
INTAKE_FREE_TEXT = ("wish_area", "wish_note", "support_organisation", "support_note", "follow_up_name",
                    "follow_up_note")

# What stays, and why (shown on the confirmation page and in docs/privacy.md).
KEPT = (
    (gettext_lazy("Tenancies: address, dates, rent and income at the start"),
     gettext_lazy("The rent contract and the yearly account of passend toewijzen must be kept (7 years).")),
    (gettext_lazy("Allocation rounds: reactions, outcomes and offers, by registration number"),
     gettext_lazy("Every allocation decision must stay explainable, also to the other candidates.")),
    (gettext_lazy("Scores of a motivation, placements and the choices of their intake conversation"),
     gettext_lazy("They explain an allocation or placement decision, also to the other candidates; the free text "
                  "is erased.")),
    (gettext_lazy("Objections and complaints with their decisions, under the random code"),
     gettext_lazy("A decision on an objection must be kept as long as the allocation decision it is about.")),
    (gettext_lazy("The audit log"),
     gettext_lazy("It shows who used the data and why. It is kept 7 years and only auditors read it.")),
)


class ErasureRefused(Exception):
    """Erasure is not possible now: `reasons` says why, in plain words."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class ErasurePlan:
    household: Household
    holds: list[str] = field(default_factory=list)
    erased: list[tuple[str, int]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    kept: tuple = KEPT

    @property
    def is_possible(self) -> bool:
        return not self.holds


def _holds(records: SubjectRecords, today: date) -> list[str]:
    holds = []
    for tenancy in current_tenancies(records.tenancies, today):
        holds.append(_("The household still rents a home from us (contract %(code)s). A tenant's data is needed "
                       "for the rent contract. Erase it after the tenancy has ended.") % {"code": tenancy.external_id})
    applicant_ids = [a.pk for a in records.applicants]
    if Offer.objects.filter(applicant_id__in=applicant_ids, status=OfferStatus.OFFERED).exists():
        holds.append(_("The household has an offer of a home that is not answered yet."))
    open_rounds = sorted(set(
        Bid.objects.filter(applicant_id__in=applicant_ids, listing__allocation_round__isnull=False)
        .exclude(listing__allocation_round__status=RoundStatus.CLOSED)
        .values_list("listing__allocation_round__name", flat=True)
    ))
    for name in open_rounds:
        holds.append(_("The household takes part in allocation round %(round)s, which is not closed yet. The "
                       "decision, and any objection to it, needs the data.") % {"round": name})
    for objection in records.objections:
        if not objection.is_decided:
            holds.append(_("The household made an objection about listing %(listing)s that is not decided yet. "
                           "The decision needs the data.") % {"listing": objection.listing.reference})
    return holds


def erasure_plan(household: Household, *, today: date | None = None) -> ErasurePlan:
    """What erasing the household would do now, or why it cannot be done now (no right is checked here)."""
    today = today or timezone.localdate()
    records = subject_records(household)
    plan = ErasurePlan(household, holds=_holds(records, today))
    urgent_or_grouped = [p for p in records.profiles if p.groups or p.is_urgent or p.urgency_valid_until]
    plan.erased = [
        (str(label), count) for label, count in (
            (_("Vulnerability markers"), len(records.markers)),
            (_("Support needs at their home"), len(records.support_needs)),
            (_("Urgency and target groups of a registration"), len(urgent_or_grouped)),
            (_("Carrying roles, with their notes"), len(records.steering_roles)),
            (_("Rent arrears per contract"), len(records.arrears)),
            (_("Notes that name the household"),
             len(records.named_in_notes) + sum(1 for c in records.co_optations if c.note)),
            (_("Motivation texts"), len(records.motivation_texts)),
            (_("Free text of intake conversations"), len(_intakes_with_text(records))),
            (_("Free text of follow-up conversations"), len(_follow_ups_with_text(records))),
        )
    ]
    plan.replaced = [
        _("The household code is replaced by a random code."),
        _("The income now (and its year and source) is removed."),
        _("Name and postal address of each registration are removed."),
        _("In the objections the household made, its name and codes are replaced by the random code."),
    ]
    return plan


@transaction.atomic
def household_erase(*, user, household: Household) -> dict[str, int]:
    """Erase what the law allows of `household`, in one transaction, and audit it (whose data: its old code).

    Raises:
        PermissionDenied: without ERASE_HOUSEHOLD, or for another corporation's household.
        ErasureRefused: while a legal hold applies (`ErasureRefused.reasons`).
    """
    membership = require(user, Action.ERASE_HOUSEHOLD)
    if household.corporation_id != membership.corporation_id:
        raise PermissionDenied
    # The row lock makes a second erasure (or an import) of the same household wait for this one.
    household = Household.objects.select_for_update().get(pk=household.pk)
    records = subject_records(household)
    holds = _holds(records, timezone.localdate())
    if holds:
        raise ErasureRefused(holds)
    old_code = household.external_id
    counts = {
        "markers": _delete_all(records.markers),
        "support_needs": _delete_all(records.support_needs)
        + _delete_all([r for r in records.named_in_notes if isinstance(r, SupportNeed)]),
        "steering_roles": _delete_all(records.steering_roles),
        "arrears": _delete_all(records.arrears),
        "profiles": ApplicantProfile.objects.filter(pk__in=[p.pk for p in records.profiles]).update(
            groups=[], is_urgent=False, urgency_valid_until=None),
        "notes": 0,
    }
    for record in records.named_in_notes:
        if not isinstance(record, SupportNeed):
            type(record).objects.filter(pk=record.pk).update(note="")
            counts["notes"] += 1
    for co_optation in records.co_optations:
        if co_optation.note:
            type(co_optation).objects.filter(pk=co_optation.pk).update(note="")
            counts["notes"] += 1
    counts["motivation_texts"] = _delete_all(records.motivation_texts)
    counts["intakes"] = IntakeRecord.objects.filter(pk__in=[i.pk for i in _intakes_with_text(records)]).update(
        **dict.fromkeys(INTAKE_FREE_TEXT, ""))
    counts["follow_ups"] = FollowUp.objects.filter(pk__in=[f.pk for f in _follow_ups_with_text(records)]).update(
        contribution="", note="")
    pseudonym = f"{PSEUDONYM_PREFIX}{secrets.token_hex(8)}"
    # The objection and its decision stay (the allocation decision's record); who made it no longer shows in them.
    counts["objections"] = 0
    for objection in records.objections:
        changed = {name: replace_terms(getattr(objection, name), records.terms, pseudonym)
                   for name in ("summary", "decision", "objector_reference")}
        if any(changed[name] != getattr(objection, name) for name in changed):
            Objection.objects.filter(pk=objection.pk).update(**changed)
            counts["objections"] += 1
    counts["registrations"] = Applicant.objects.filter(household=household).update(
        name="", street_address="", postal_code="", city="")
    Household.objects.filter(pk=household.pk).update(
        external_id=pseudonym, assessed_income=None, income_year=None, income_source=IncomeSource.UNKNOWN)
    audit_record(
        actor=user, event=AuditEvent.Type.HOUSEHOLD_ERASED, corporation=membership.corporation,
        subject_type="household", subject_ids=[old_code],
        subject_label=f"personal data of household {old_code} erased", purpose="erasure_request",
        data={"counts": counts, "pseudonym": pseudonym},
    )
    return counts


def _intakes_with_text(records: SubjectRecords) -> list:
    return [i for i in records.intakes if any(getattr(i, name) for name in INTAKE_FREE_TEXT)]


def _follow_ups_with_text(records: SubjectRecords) -> list:
    return [f for f in records.follow_ups if f.contribution or f.note]


def _delete_all(rows) -> int:
    if not rows:
        return 0
    model = type(rows[0])
    _total, per_model = model.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return per_model.get(model._meta.label, 0)
