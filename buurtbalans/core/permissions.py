"""Who may do what: roles map to actions, and every selector narrows rows to the user's corporation.

The table below is the single place where a role gets a right. Views call `require()`; querysets call
`visible_to()`, our equivalent of NetBox's `restrict()`.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models

from buurtbalans.core.models import Membership, Role


class Action(StrEnum):
    VIEW_STOCK = "view_stock"  # complexes, dwellings, their public context
    VIEW_AGGREGATES = "view_aggregates"  # composition per complex/buurt: counts and shares only
    VIEW_HOUSEHOLDS = "view_households"  # a single household's size, income, tenancy
    VIEW_MARKERS = "view_markers"  # special-category data: vulnerability markers
    MANAGE_PORTFOLIO = "manage_portfolio"  # import/export of stock and households
    VIEW_JOBS = "view_jobs"
    # A failed job's technical log (traceback, what the runner wrote): may quote data, for the administrator only.
    VIEW_JOB_LOG = "view_job_log"
    VIEW_AUDIT = "view_audit"
    VIEW_COMPLIANCE = "view_compliance"  # yearly compliance figures; non-fitting lettings by letting id
    VIEW_PARAMETERS = "view_parameters"  # the legal parameters in force and where each value came from
    # The legal parameters are shared by every corporation: only a platform administrator changes them.
    MANAGE_SHARED_PARAMETERS = "manage_shared_parameters"  # correct or add the shared legal parameters
    MANAGE_LOCAL_PARAMETERS = "manage_local_parameters"  # the corporation's own, stricter values (e.g. a lower cap)
    MANAGE_AGREEMENTS = "manage_agreements"  # record performance agreements (prestatieafspraken)
    # The corporation's own address, phone, e-mail, website and objection route, as its letters print them.
    MANAGE_CORPORATION = "manage_corporation"
    # The corporation's own kinds of vulnerability marker (add, rename, switch off): the list, never who has one.
    MANAGE_MARKER_KINDS = "manage_marker_kinds"
    # Allocation (issue 4): listings, rounds and their aggregate figures and public accounts, for officers and
    # analysts; bids, applicants' income and urgency, round results per applicant, offers and letters for officers.
    VIEW_ALLOCATION = "view_allocation"
    MANAGE_ALLOCATION = "manage_allocation"
    # 4xx liveability: the monitor shows aggregates per complex and buurt (no single household, no record's note).
    VIEW_MONITOR = "view_monitor"  # liveability monitor, map, trends, early warning, focus buurten, reports
    VIEW_SOCIAL_RECORDS = "view_social_records"  # single signals, visits, activities, meeting places with notes
    MANAGE_SOCIAL_RECORDS = "manage_social_records"  # enter and import social management records and arrears
    # Support needs are special-category data: only a role whose purpose covers them enters or imports them.
    MANAGE_SUPPORT_NEEDS = "manage_support_needs"
    MANAGE_MONITOR_SETTINGS = "manage_monitor_settings"  # weights and norms of the vitality indicators
    # 3xx housing cooperatives
    VIEW_COOPERATIVES = "view_cooperatives"  # every cooperative of the corporation: registry, agreements, log, reviews
    MANAGE_COOPERATIVES = "manage_cooperatives"  # register cooperatives, their stock, contacts, documents, agreements
    REVIEW_COOPERATIVES = "review_cooperatives"  # judge commitments per period, record escalation steps
    RECORD_CO_OPTATION = "record_co_optation"  # record a cooperative's co-optation as a letting's selection method
    COOPERATIVE_PORTAL = "cooperative_portal"  # a board's own cooperative only: activity log and yearly account
    # 5xx steering the mix (issue 5); the concentration view and plans are read with VIEW_AGGREGATES.
    MANAGE_PROFILES = "manage_profiles"  # mix categories and complex profiles (target mix and limits)
    PLAN_LABELS = "plan_labels"  # set the labelling policy and run labelling plans
    DECIDE_LABELS = "decide_labels"  # accept or change a vacancy's proposed label; list the vacancy with it
    # Policy simulations (issue 15): build a scenario from the corporation's aggregates, run it, read and export it.
    SIMULATE_POLICIES = "simulate_policies"
    RECORD_STEERING_ROLES = "record_steering_roles"  # record a tenant's carrying role (personal data)
    # Selection on motivation and placements (issue 13). Assessors score blind: the page shows none of the facts an
    # assessor must not weigh (registration date, income, markers, the other assessor's score).
    ASSESS_MOTIVATION = "assess_motivation"
    # Intake conversations, contingents, placement proposals and temporary contracts (woonconsulenten).
    MANAGE_PLACEMENTS = "manage_placements"
    # Objections to a letting (received, six-week term, decision) and the 12-month follow-up of motivation tenants.
    MANAGE_OBJECTIONS = "manage_objections"
    RECORD_FOLLOW_UPS = "record_follow_ups"
    # Data subjects' rights (AVG): everything about one household as one download (art. 15), and erasure (art. 17).
    EXPORT_SUBJECT_DATA = "export_subject_data"
    ERASE_HOUSEHOLD = "erase_household"
    # Interventions (issue 16): what was done where and from when (no personal data), and whether it helped.
    VIEW_INTERVENTIONS = "view_interventions"  # the register of interventions
    MANAGE_INTERVENTIONS = "manage_interventions"  # enter, change, end and import interventions
    EVALUATE_INTERVENTIONS = "evaluate_interventions"  # the evaluation page: an intervention against matched complexes


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ALLOCATION_OFFICER: frozenset(
        {
            Action.VIEW_STOCK,
            Action.VIEW_AGGREGATES,
            Action.VIEW_HOUSEHOLDS,
            Action.VIEW_MARKERS,
            Action.VIEW_JOBS,
            Action.VIEW_COMPLIANCE,
            Action.VIEW_PARAMETERS,
            Action.VIEW_MONITOR,
            Action.VIEW_ALLOCATION,
            Action.MANAGE_ALLOCATION,
            Action.VIEW_COOPERATIVES,
            Action.RECORD_CO_OPTATION,
            Action.DECIDE_LABELS,
            Action.RECORD_STEERING_ROLES,
            Action.MANAGE_PLACEMENTS,
            Action.MANAGE_OBJECTIONS,
            Action.VIEW_INTERVENTIONS,
        }
    ),
    Role.NEIGHBOURHOOD_MANAGER: frozenset(
        {
            Action.VIEW_STOCK,
            Action.VIEW_AGGREGATES,
            Action.VIEW_HOUSEHOLDS,
            Action.VIEW_MARKERS,
            Action.VIEW_JOBS,
            Action.VIEW_MONITOR,
            Action.VIEW_SOCIAL_RECORDS,
            Action.MANAGE_SOCIAL_RECORDS,
            Action.MANAGE_SUPPORT_NEEDS,
            Action.VIEW_COOPERATIVES,
            Action.MANAGE_COOPERATIVES,
            Action.REVIEW_COOPERATIVES,
            Action.RECORD_CO_OPTATION,
            Action.RECORD_STEERING_ROLES,
            Action.ASSESS_MOTIVATION,
            Action.RECORD_FOLLOW_UPS,
            Action.VIEW_INTERVENTIONS,
            Action.MANAGE_INTERVENTIONS,
        }
    ),
    # Analysts work on aggregates only: never one household's income or markers.
    Role.POLICY_ANALYST: frozenset(
        {
            Action.VIEW_STOCK,
            Action.VIEW_AGGREGATES,
            Action.VIEW_JOBS,
            Action.VIEW_COMPLIANCE,
            Action.VIEW_PARAMETERS,
            Action.MANAGE_AGREEMENTS,
            Action.VIEW_MONITOR,
            Action.MANAGE_MONITOR_SETTINGS,
            Action.VIEW_ALLOCATION,
            Action.VIEW_COOPERATIVES,
            Action.MANAGE_COOPERATIVES,
            Action.REVIEW_COOPERATIVES,
            Action.MANAGE_PROFILES,
            Action.PLAN_LABELS,
            Action.VIEW_INTERVENTIONS,
            Action.MANAGE_INTERVENTIONS,
            Action.EVALUATE_INTERVENTIONS,
            Action.SIMULATE_POLICIES,
        }
    ),
    # Boards see their own cooperative only (the one their CooperativeBoardMember link names), never the stock.
    Role.COOPERATIVE_BOARD: frozenset({Action.COOPERATIVE_PORTAL}),
    Role.AUDITOR: frozenset({Action.VIEW_AUDIT}),
    # The privacy officer answers a household's request: opens its page (logged), downloads everything about it
    # and erases what the law allows; reads the audit log to answer "who saw my data". No markers on screen.
    Role.PRIVACY_OFFICER: frozenset(
        {Action.VIEW_HOUSEHOLDS, Action.VIEW_AUDIT, Action.EXPORT_SUBJECT_DATA, Action.ERASE_HOUSEHOLD}
    ),
    # The assessor scores motivation texts under a neutral code and nothing else: no household, no marker, no round,
    # so no screen can show them the registration date, income or markers that blind assessing hides.
    Role.MOTIVATION_ASSESSOR: frozenset({Action.ASSESS_MOTIVATION}),
    # Functional administrators load and export the data but have no purpose to read special-category data.
    Role.ADMIN: frozenset(
        {
            Action.VIEW_STOCK,
            Action.VIEW_AGGREGATES,
            Action.VIEW_HOUSEHOLDS,
            Action.MANAGE_PORTFOLIO,
            Action.VIEW_JOBS,
            Action.VIEW_JOB_LOG,
            Action.VIEW_COMPLIANCE,
            Action.VIEW_PARAMETERS,
            Action.MANAGE_LOCAL_PARAMETERS,
            Action.MANAGE_AGREEMENTS,
            Action.MANAGE_CORPORATION,
            Action.MANAGE_MARKER_KINDS,
            Action.VIEW_MONITOR,
            Action.VIEW_SOCIAL_RECORDS,
            Action.MANAGE_SOCIAL_RECORDS,
            Action.MANAGE_MONITOR_SETTINGS,
            Action.VIEW_COOPERATIVES,
            Action.MANAGE_COOPERATIVES,
            Action.MANAGE_PROFILES,
            Action.VIEW_INTERVENTIONS,
            Action.SIMULATE_POLICIES,
        }
    ),
    # The installation's administrator: the shared legal parameters only, none of a corporation's data.
    Role.PLATFORM_ADMIN: frozenset({Action.VIEW_PARAMETERS, Action.MANAGE_SHARED_PARAMETERS}),
}

# Why a role reads special-category data; the reader picks one and it goes into the audit record.
MARKER_PURPOSES: dict[str, str] = {
    Role.ALLOCATION_OFFICER: "allocation",
    Role.NEIGHBOURHOOD_MANAGER: "social_management",
}


def membership_of(user) -> Membership | None:
    """The user's membership, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_buurtbalans_membership"):
        user._buurtbalans_membership = (
            Membership.objects.select_related("corporation").filter(user_id=user.pk).first()
        )
    return user._buurtbalans_membership


def actions_of(user) -> frozenset[Action]:
    membership = membership_of(user)
    if membership is None:
        return frozenset()
    allowed: set[Action] = set()
    for role in membership.roles:
        allowed |= ROLE_ACTIONS.get(role, frozenset())
    return frozenset(allowed)


def can(user, action: Action) -> bool:
    return action in actions_of(user)


def require(user, action: Action) -> Membership:
    """The user's membership if they may perform `action`; PermissionDenied otherwise."""
    membership = membership_of(user)
    if membership is None or action not in actions_of(user):
        raise PermissionDenied
    return membership


class CorporationQuerySet(models.QuerySet):
    """Rows that belong to one corporation. `view_action` is the right needed to see them."""

    view_action: Action = Action.VIEW_STOCK

    def visible_to(self, user, action: Action | None = None):
        membership = membership_of(user)
        if membership is None or (action or self.view_action) not in actions_of(user):
            return self.none()
        return self.filter(corporation_id=membership.corporation_id)

def scoped_queryset(action: Action):
    """A CorporationQuerySet subclass whose rows need `action` to be seen."""
    return type(f"{action.name.title()}QuerySet", (CorporationQuerySet,), {"view_action": action})
