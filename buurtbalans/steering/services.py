"""Writing steering data: mix categories, complex profiles, carrying roles, labelling plans, label decisions.

Every service validates its input, writes in one transaction and records an audit event (5xx). Views check the
right first; services check what belongs together (the same corporation, a vacancy that is still vacant).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.figures import euro
from buurtbalans.core.jobs import job_enqueue
from buurtbalans.core.models import AuditEvent
from buurtbalans.engine.labelling import Label as EngineLabel
from buurtbalans.portfolio.models import DwellingStatus
from buurtbalans.steering.mix import categories_for
from buurtbalans.steering.models import (
    CategoryRule,
    ComplexProfile,
    LabelDecision,
    LabellingPlan,
    MixCategory,
    ProposedLabel,
    SteeringRole,
    SteeringRoleKind,
)

LABEL_PLAN_KIND = "label_plan"
SHARE_TOLERANCE = Decimal("0.0001")
POLICY_KEYS = (
    "min_vulnerable_placements",
    "min_affordable_share",
    "p_open",
    "p_above",
    "q_open",
    "q_reserved",
    "q_above",
    "p_no_vulnerable",
)
# A policy without these keys (a plan asked for before issue 13, or by a caller that does not set them) means this:
# p_no_vulnerable 0 plans exactly as before (docs/labelling.md).
POLICY_DEFAULTS = {"p_no_vulnerable": "0"}


class SteeringInputError(ValueError):
    """The input is refused; `errors` lists every problem in words for the screen."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = [str(e) for e in errors]


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


# --- categories and profiles ---------------------------------------------------------------------------------


@transaction.atomic
def mix_categories_save(*, corporation, actor, rows: list[dict]) -> list[MixCategory]:
    """Replace the corporation's mix categories (code, label, rule, position, default_share per row).

    Rules: at least two categories, unique codes, exactly one "all other households" category (so every household
    has one), default shares that add up to 100%. Profiles keep their targets per code; a category that is gone
    no longer counts in them.

    Raises:
        SteeringInputError: with every problem.
    """
    errors: list[str] = []
    codes = [row["code"] for row in rows]
    if len(rows) < 2:
        errors.append(_("Give at least two categories."))
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        errors.append(_("Each code may be used once: %(codes)s.") % {"codes": ", ".join(duplicates)})
    rests = [row for row in rows if row["rule"] == CategoryRule.REST]
    if len(rests) != 1:
        errors.append(_("Exactly one category must hold all other households."))
    total = sum((Decimal(row["default_share"]) for row in rows), Decimal(0))
    if rows and abs(total - 1) > SHARE_TOLERANCE:
        errors.append(
            _("The default shares add up to %(total)s; they must add up to 100%%.") % {"total": _percent(total)}
        )
    if errors:
        raise SteeringInputError(errors)
    before = [
        {"code": c.code, "label": c.label, "rule": c.rule, "share": str(c.default_share)}
        for c in categories_for(corporation.pk)
    ]
    MixCategory.objects.filter(corporation=corporation).delete()
    saved = MixCategory.objects.bulk_create(
        MixCategory(
            corporation=corporation,
            code=row["code"],
            label=row["label"],
            rule=row["rule"],
            position=row["position"],
            default_share=Decimal(row["default_share"]),
        )
        for row in rows
    )
    audit_record(
        actor=actor,
        event=AuditEvent.Type.MIX_CATEGORIES_CHANGED,
        corporation=corporation,
        subject_type="mix_categories",
        subject_label="mix categories",
        purpose="steering",
        data={"before": before, "after": [{**row, "default_share": str(row["default_share"])} for row in rows]},
    )
    return saved


@transaction.atomic
def complex_profile_decide(
    *,
    corporation,
    actor,
    complex_=None,
    target_mix: dict[str, Decimal],
    max_vulnerable_share: Decimal,
    max_primary_share: Decimal,
    decided_on: date,
    note: str = "",
) -> ComplexProfile:
    """Record a profile decision for a complex (or, with `complex_` None, the corporation's default profile).

    The previous decisions stay as history; the newest decision date counts.

    Raises:
        SteeringInputError: another corporation's complex, a share outside 0-100%, a target mix that does not
            cover the categories or does not add up to 100%.
    """
    errors: list[str] = []
    if complex_ is not None and complex_.corporation_id != corporation.pk:
        raise SteeringInputError([_("This complex is not of your corporation.")])
    codes = [c.code for c in categories_for(corporation.pk)]
    if set(target_mix) != set(codes):
        errors.append(_("Give a target share for each category: %(codes)s.") % {"codes": ", ".join(codes)})
    for value in (*target_mix.values(), max_vulnerable_share, max_primary_share):
        if not Decimal(0) <= value <= Decimal(1):
            errors.append(_("Every share lies between 0% and 100%."))
            break
    total = sum(target_mix.values(), Decimal(0))
    if abs(total - 1) > SHARE_TOLERANCE:
        errors.append(_("The target mix adds up to %(total)s; it must add up to 100%%.") % {"total": _percent(total)})
    if errors:
        raise SteeringInputError(errors)
    profile = ComplexProfile.objects.create(
        corporation=corporation,
        complex=complex_,
        target_mix={code: str(target_mix[code]) for code in codes},
        max_vulnerable_share=max_vulnerable_share,
        max_primary_share=max_primary_share,
        decided_on=decided_on,
        note=note,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_by_name=actor_label(actor),
    )
    what = f"complex {complex_.external_id}" if complex_ is not None else "the default profile"
    audit_record(
        actor=actor,
        event=AuditEvent.Type.COMPLEX_PROFILE_DECIDED,
        corporation=corporation,
        subject_type="complex_profile",
        subject_label=f"profile of {what}",
        purpose="steering",
        data={
            "profile": profile.pk,
            "complex": complex_.external_id if complex_ is not None else None,
            "target_mix": profile.target_mix,
            "max_vulnerable_share": str(max_vulnerable_share),
            "max_primary_share": str(max_primary_share),
            "decided_on": decided_on.isoformat(),
        },
    )
    return profile


# --- carrying roles ------------------------------------------------------------------------------------------


@transaction.atomic
def steering_role_record(*, corporation, actor, tenancy, source: str, valid_from: date, note: str = "") -> SteeringRole:
    """Record that the tenant of `tenancy` is a carrying resident (personal data: audited with whose data).

    Raises:
        SteeringInputError: another corporation's tenancy, or one that has ended.
    """
    if tenancy.corporation_id != corporation.pk:
        raise SteeringInputError([_("This tenancy is not of your corporation.")])
    if tenancy.end_date is not None and tenancy.end_date < valid_from:
        raise SteeringInputError([_("This tenancy had ended by that date.")])
    role = SteeringRole.objects.create(
        corporation=corporation,
        tenancy=tenancy,
        role=SteeringRoleKind.CARRYING,
        source=source,
        valid_from=valid_from,
        note=note,
        recorded_by_name=actor_label(actor),
    )
    audit_record(
        actor=actor,
        event=AuditEvent.Type.STEERING_ROLE_WRITTEN,
        corporation=corporation,
        subject_type="household",
        subject_ids=[tenancy.household.external_id],
        subject_label=f"carrying role on tenancy {tenancy.external_id}",
        purpose="steering",
        data={"role": role.pk, "source": source, "valid_from": valid_from.isoformat()},
    )
    return role


@transaction.atomic
def steering_role_end(*, role: SteeringRole, actor, valid_until: date) -> SteeringRole:
    """End a carrying role (the row is kept with its end date)."""
    if valid_until < role.valid_from:
        raise SteeringInputError([_("The end date is before the start date.")])
    SteeringRole.objects.filter(pk=role.pk).update(valid_until=valid_until)
    role.refresh_from_db()
    audit_record(
        actor=actor,
        event=AuditEvent.Type.STEERING_ROLE_WRITTEN,
        corporation=role.corporation,
        subject_type="household",
        subject_ids=[role.tenancy.household.external_id],
        subject_label=f"carrying role on tenancy {role.tenancy.external_id} ended",
        purpose="steering",
        data={"role": role.pk, "valid_until": valid_until.isoformat()},
    )
    return role


# --- plans ---------------------------------------------------------------------------------------------------


def policy_problems(policy: dict) -> list[str]:
    """What is wrong with a policy (whole number of placements, shares between 0 and 1)."""
    errors = []
    policy = {**POLICY_DEFAULTS, **policy}
    placements = policy.get("min_vulnerable_placements")
    if not isinstance(placements, int) or placements < 0:
        errors.append(_("The minimum number of placements is a whole number of 0 or more."))
    for key in POLICY_KEYS[1:]:
        try:
            value = Decimal(str(policy.get(key)))
        except ArithmeticError:
            value = Decimal(-1)
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
            errors.append(_("%(name)s must lie between 0 and 1.") % {"name": key})
    return errors


@transaction.atomic
def label_plan_request(
    *,
    corporation,
    actor,
    period_start: date,
    period_end: date,
    composition_date: date,
    policy: dict,
    estimates: dict | None = None,
    overridden: list[str] = (),
) -> LabellingPlan:
    """Ask for a labelling plan of the period's vacancies; the worker makes it (`steering.jobs.LabelPlanJob`).

    `policy` holds the values of the file contract (shares as decimal strings; `p_no_vulnerable` may be left out
    and is then 0, `POLICY_DEFAULTS`); `estimates` the estimates shown to the analyst, `overridden` which of them
    the analyst changed.

    Raises:
        SteeringInputError: a policy value out of range or a period that ends before it starts.
    """
    errors = policy_problems(policy)
    if period_end < period_start:
        errors.append(_("The period ends before it starts."))
    if errors:
        raise SteeringInputError(errors)
    policy = {**POLICY_DEFAULTS, **policy}
    policy = {
        "min_vulnerable_placements": policy["min_vulnerable_placements"],
        **{key: str(Decimal(str(policy[key]))) for key in POLICY_KEYS[1:]},
    }
    job = job_enqueue(kind=LABEL_PLAN_KIND, corporation=corporation, user=actor, params={}, seed=0)
    plan = LabellingPlan.objects.create(
        corporation=corporation,
        job=job,
        period_start=period_start,
        period_end=period_end,
        reference_date=period_start,
        composition_date=composition_date,
        policy=policy,
        estimates=estimates or {},
        overridden=list(overridden),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_by_name=actor_label(actor),
    )
    job.params = {"plan": plan.pk}
    job.save(update_fields=["params"])
    return plan


# --- label decisions -----------------------------------------------------------------------------------------


@transaction.atomic
def vacancy_label_decide(
    *,
    proposal: ProposedLabel,
    actor,
    label: str,
    reason: str = "",
    base_rent: Decimal | None = None,
    on: date | None = None,
) -> LabelDecision:
    """The allocation officer accepts the proposed label (same label) or changes it (another label, with a reason).

    Steps, in one transaction (docs/steering.md, "Label decisions and the listing"):
      1. Refuse a dwelling that is no longer vacant or is fixed ("vast": offered, let, or its round has been run;
         `steering.listings`), and one whose open listing already has bids (the message names the listing and
         the number of bids).
      2. The rent: with an affordable label the plan's affordable rent; with ABOVE_CAP the officer's `base_rent`
         (default the highest lawful rent), checked against the limits of the rules engine (`steering.rents`).
      3. Record the decision (append-only) and, when the dwelling has an open listing without bids in a draft
         round or none, give that listing the label's fields (`allocation.services.listing_relabel`). Anything
         refused there undoes the decision too.

    Args:
        proposal: the plan's proposal for the vacancy.
        actor: the allocation officer.
        label: the label decided.
        reason: why, when the label differs from the proposal.
        base_rent: the chosen base rent for ABOVE_CAP (per month); None: the highest lawful rent. Only ABOVE_CAP
            takes a chosen rent.
        on: the day of the decision (default today), for whether a tenancy has started.

    Raises:
        SteeringInputError: the dwelling is no longer vacant or is fixed, its listing has bids, a change without a
            reason, ABOVE_CAP where the lawful rent is not above the cap, or a chosen rent outside the limits.
    """
    from buurtbalans.allocation.services import AllocationError, listing_relabel
    from buurtbalans.steering.listings import listing_effect
    from buurtbalans.steering.rents import above_cap_range, rent_problem

    dwelling = proposal.dwelling
    if dwelling.status != DwellingStatus.VACANT:
        raise SteeringInputError([_("This dwelling is no longer vacant.")])
    if label not in {value.value for value in EngineLabel}:
        raise SteeringInputError([_("Choose one of the labels.")])
    reason = reason.strip()
    is_change = label != proposal.label
    if is_change and not reason:
        raise SteeringInputError([_("Say why you change the proposed label.")])
    effect = listing_effect(dwelling, on=on or timezone.localdate())
    if effect.is_refused:
        raise SteeringInputError([effect.message])
    if label == EngineLabel.ABOVE_CAP:
        allowed = above_cap_range(proposal)
        if allowed is None:
            raise SteeringInputError(
                [_("This dwelling cannot be let above the rent cap: its lawful maximum rent is not above the cap.")]
            )
        rent = allowed.highest if base_rent is None else Decimal(base_rent)
        problem = rent_problem(rent, allowed)
        if problem:
            raise SteeringInputError([problem])
    else:
        rent = proposal.affordable_rent
        if base_rent is not None and Decimal(base_rent) != rent:
            raise SteeringInputError(
                [
                    _("Only a dwelling let above the rent cap takes a chosen rent; this label has the rent %(rent)s.")
                    % {"rent": euro(rent)}
                ]
            )
    decision = LabelDecision.objects.create(
        corporation_id=proposal.corporation_id,
        dwelling=dwelling,
        proposal=proposal,
        proposed_label=proposal.label,
        label=label,
        base_rent=rent,
        is_change=is_change,
        reason=reason,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_by_name=actor_label(actor),
    )
    listing = None
    if effect.listing is not None:
        try:
            listing = listing_relabel(listing=effect.listing, actor=actor, **listing_fields(decision))
        except AllocationError as exc:
            raise SteeringInputError(exc.messages) from None
    audit_record(
        actor=actor,
        event=AuditEvent.Type.VACANCY_LABEL_CHANGED if is_change else AuditEvent.Type.VACANCY_LABEL_ACCEPTED,
        corporation=dwelling.corporation,
        subject_type="dwelling",
        subject_label=f"label of dwelling {dwelling.external_id}",
        purpose="allocation",
        data={
            "decision": decision.pk,
            "plan": proposal.plan_id,
            "proposed": proposal.label,
            "label": label,
            "base_rent": str(rent),
            **({"reason": reason} if is_change else {}),
            **({"listing": listing.reference} if listing is not None else {}),
        },
    )
    # For the screen's message: which listing took the label (None: the dwelling had none).
    decision.relabelled_listing = listing
    return decision


# --- the listing ---------------------------------------------------------------------------------------------

# The placement route's group code in an allocation round (the round's allowed/excluded groups, issue 4): set by an
# officer on the applicant's profile, never derived from a vulnerability marker (issue 13).
VULNERABLE_GROUP = "vulnerable"


def listing_fields(decision: LabelDecision) -> dict:
    """What a listing takes from a vacancy's decided label: the label, the rent, the groups and the selection key.

    OPEN: everyone eligible, by registration time. NO_VULNERABLE: not used for the placement route (its group is
    excluded), nor urgency first; nobody is excluded for a marker (issue 13). RESERVED_VULNERABLE: only the
    placement route's households, urgent applicants first. ABOVE_CAP: the higher rent; passend
    toewijzen in the round keeps it from the lowest incomes unless an exception is recorded.
    """
    label = decision.label
    return {
        "label": label,
        "base_rent": decision.base_rent,
        "selection": "registration",
        "urgency_first": label == EngineLabel.RESERVED_VULNERABLE,
        "allowed_groups": [VULNERABLE_GROUP] if label == EngineLabel.RESERVED_VULNERABLE else [],
        "excluded_groups": [VULNERABLE_GROUP] if label == EngineLabel.NO_VULNERABLE else [],
    }


def vacancy_listing_create(*, decision: LabelDecision, actor):
    """List the vacancy for the allocation round with its decided label.

    Through the allocation app's `listing_create_for_dwelling` (issue 4), which checks and audits the listing itself.

    Raises:
        SteeringInputError: the dwelling is no longer vacant or is fixed (a tenancy starts), or is already listed
            (the allocation app's messages).
    """
    from buurtbalans.allocation.services import AllocationError, listing_create_for_dwelling
    from buurtbalans.steering.listings import fixed_dwellings, fixed_message

    dwelling = decision.dwelling
    if dwelling.status != DwellingStatus.VACANT:
        raise SteeringInputError([_("This dwelling is no longer vacant.")])
    fixed = fixed_dwellings(dwelling.corporation_id, [dwelling.pk], on=timezone.localdate()).get(dwelling.pk)
    if fixed is not None:
        raise SteeringInputError([fixed_message(dwelling.external_id, fixed)])
    try:
        return listing_create_for_dwelling(dwelling=decision.dwelling, actor=actor, **listing_fields(decision))
    except AllocationError as exc:
        raise SteeringInputError(exc.messages) from None
