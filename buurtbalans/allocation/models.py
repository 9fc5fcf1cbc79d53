"""Listings, bids, allocation rounds with their stored runs and outcomes, and offers (issue 4).

The round itself is decided by the engine (`buurtbalans.engine.allocation`); these models hold what goes in and
what comes out, so every round can be reproduced exactly (`AllocationRun` keeps the input document, seed,
parameter version and result document) and every applicant can read why (`BidResult`).

Two levels of access (core.permissions): listings, rounds and their aggregate figures need VIEW_ALLOCATION
(officers and policy analysts); bids, applicants' profiles, outcomes per applicant, offers and letters carry
personal data (income, urgency) and need MANAGE_ALLOCATION (allocation officers).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import HousingCorporation, Job
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.households.models import Applicant, Tenancy
from buurtbalans.portfolio.models import Dwelling

AllocationQuerySet = scoped_queryset(Action.VIEW_ALLOCATION)
PersonalAllocationQuerySet = scoped_queryset(Action.MANAGE_ALLOCATION)


class ApplicantGroup(models.TextChoices):
    """Target groups (doelgroepen) a listing can be reserved for or closed to.

    Policy categories from the huisvestingsverordening and the labelling plan, never protected characteristics.
    `vulnerable` is the group the labelling plan (issue 5) reserves or excludes: households placed with support
    (uitstroom, begeleid wonen); an officer sets it on the applicant's profile.
    """

    STARTER = "starter", _("Starter (first home of their own)")
    YOUTH = "youth", _("Young person (under 23)")
    SENIOR = "senior", _("Senior (55 or older)")
    FAMILY = "family", _("Family with children")
    LOCAL_BINDING = "local_binding", _("Local ties to the town")
    VULNERABLE = "vulnerable", _("Placed with support")


class ApplicantStatus(models.TextChoices):
    WAITING = "waiting", _("On the waiting list")
    HOUSED = "housed", _("Housed")


class ApplicantProfile(models.Model):
    """What the round needs of an applicant beyond the household and registration: groups and urgency.

    Kept apart from `households.Applicant` because urgency (urgentieverklaring) and placement with support are
    sensitive; only allocation officers read or write them. An applicant without a profile has no groups, no
    urgency and is on the waiting list.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    applicant = models.OneToOneField(Applicant, on_delete=models.CASCADE, related_name="allocation_profile")
    groups = models.JSONField(_("target groups"), default=list, blank=True)
    is_urgent = models.BooleanField(_("urgency"), default=False)
    urgency_valid_until = models.DateField(_("urgency valid until"), null=True, blank=True)
    status = models.CharField(
        _("waiting list status"), max_length=10, choices=ApplicantStatus.choices, default=ApplicantStatus.WAITING
    )
    housed_on = models.DateField(_("housed on"), null=True, blank=True)
    changed = models.DateTimeField(_("changed"), auto_now=True)

    objects = PersonalAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("applicant allocation profile")
        verbose_name_plural = _("applicant allocation profiles")

    def __str__(self) -> str:
        return f"profile of {self.applicant_id}"

    def is_urgent_on(self, day) -> bool:
        return self.is_urgent and (self.urgency_valid_until is None or self.urgency_valid_until >= day)


class SelectionKey(models.TextChoices):
    """How a listing orders eligible candidates after urgency (engine `SelectionKey`)."""

    REGISTRATION = "registration", _("Registration time")
    LOTTERY = "lottery", _("Lottery")
    MOTIVATION = "motivation", _("Motivation")
    FIRST_COME = "first_come", _("First come, first served")


class ListingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    OFFERED = "offered", _("Offered")
    LET = "let", _("Let")
    NOT_LET = "not_let", _("Not let in the round")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_LISTING_STATUSES = (ListingStatus.OPEN, ListingStatus.OFFERED)


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SOLVING = "solving", _("Being worked out")
    REVIEW = "review", _("To review")
    APPROVED = "approved", _("Approved: offers made")
    CLOSED = "closed", _("Closed")


class AllocationRound(models.Model):
    """A toewijzingsronde: a batch of listings let at once, with a reference date and a lottery seed."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    reference_date = models.DateField(_("reference date"))
    lottery_seed = models.CharField(_("lottery seed"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    # Why the last run failed (a legal parameter unknown for the reference date, conflicting bids); empty when fine.
    error = models.TextField(_("problem"), blank=True)
    # The job that works the round out now (or did last); a job that is not this one has nothing to do.
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(_("created by"), max_length=150)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by_name = models.CharField(_("approved by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation round")
        verbose_name_plural = _("allocation rounds")
        ordering = ["-reference_date", "-pk"]

    def __str__(self) -> str:
        return self.name


def new_public_token() -> str:
    """An unguessable key for the public account's link (22 URL-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)


class Listing(models.Model):
    """A vacant dwelling offered in a round (publicatie), with its labels.

    The labels are what the engine's `Listing` needs. The labelling plan (issue 5) fills them through
    `services.listing_create_for_dwelling` and records its label code in `label`. `public_token` makes the link
    to the listing's public account (verantwoording), which anyone may open without logging in; it is random so
    nobody can walk through a corporation's listings by counting.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(_("listing code"), max_length=80)
    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="listings")
    allocation_round = models.ForeignKey(
        AllocationRound, null=True, blank=True, on_delete=models.SET_NULL, related_name="listings"
    )
    status = models.CharField(_("status"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.OPEN)
    selection = models.CharField(
        _("selection"), max_length=12, choices=SelectionKey.choices, default=SelectionKey.REGISTRATION
    )
    urgency_first = models.BooleanField(_("urgent applicants first"), default=False)
    household_size_min = models.PositiveSmallIntegerField(_("household size from"), null=True, blank=True)
    household_size_max = models.PositiveSmallIntegerField(_("household size up to"), null=True, blank=True)
    income_min = models.DecimalField(_("income from (per year)"), max_digits=10, decimal_places=2, null=True,
                                     blank=True)
    income_max = models.DecimalField(_("income up to (per year)"), max_digits=10, decimal_places=2, null=True,
                                     blank=True)
    allowed_groups = models.JSONField(_("only for"), default=list, blank=True)
    excluded_groups = models.JSONField(_("not for"), default=list, blank=True)
    base_rent = models.DecimalField(_("base rent (per month)"), max_digits=8, decimal_places=2)
    # Passend toewijzen is not tested (a documented exception within the yearly room).
    affordability_exception = models.BooleanField(_("exception to passend toewijzen"), default=False)
    # The labelling plan's label code for this vacancy (issue 5); None: the listing did not come from a plan.
    label = models.CharField(_("label"), max_length=40, null=True, blank=True)  # noqa: DJ001
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Selection on motivation (issue 13 item 2): the published criteria (texts shown on the listing and in every
    # letter; a motivation listing cannot open without them) and the lowest score that may still be let to.
    criteria = models.JSONField(_("selection criteria"), default=list, blank=True)
    motivation_min_score = models.DecimalField(_("lowest motivation score"), max_digits=3, decimal_places=1,
                                               null=True, blank=True)
    public_token = models.CharField(_("public link key"), max_length=32, unique=True, default=new_public_token,
                                    editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by_name = models.CharField(_("created by"), max_length=150)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "reference"], name="listing_unique_reference"),
            # A dwelling is offered in one listing at a time.
            models.UniqueConstraint(
                fields=["dwelling"], condition=Q(status__in=["open", "offered"]), name="listing_one_active_per_dwelling"
            ),
            models.CheckConstraint(
                condition=Q(household_size_min__isnull=True)
                | Q(household_size_max__isnull=True)
                | Q(household_size_min__lte=F("household_size_max")),
                name="listing_household_size_range",
            ),
            models.CheckConstraint(
                condition=Q(income_min__isnull=True) | Q(income_max__isnull=True) | Q(income_min__lte=F("income_max")),
                name="listing_income_range",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class BidSource(models.TextChoices):
    PLATFORM = "platform", _("Regional platform")
    ENTERED = "entered", _("Entered by an officer")


class Bid(models.Model):
    """An applicant's reaction (reactie) on a listing, with their own preference (1 = most wanted)."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="bids")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+")
    preference = models.PositiveIntegerField(_("preference"))
    submitted_at = models.DateTimeField(_("submitted"))
    source = models.CharField(_("source"), max_length=10, choices=BidSource.choices, default=BidSource.ENTERED)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = PersonalAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["listing", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "applicant"], name="bid_one_per_listing_and_applicant"),
            models.CheckConstraint(condition=Q(preference__gte=1), name="bid_preference_positive"),
        ]

    def __str__(self) -> str:
        return f"bid #{self.pk}"


class MotivationScore(models.Model):
    """The assessors' score of an applicant's motivation for one listing (selection on motivation)."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="motivation_scores")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    assessed_by_name = models.CharField(_("recorded by"), max_length=150)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = PersonalAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("motivation score")
        verbose_name_plural = _("motivation scores")
        constraints = [
            models.UniqueConstraint(fields=["listing", "applicant"], name="motivation_score_one_per_listing"),
            models.CheckConstraint(condition=Q(score__gte=0), name="motivation_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"score #{self.pk}"


class MotivationAssessment(models.Model):
    """One assessor's blind score of an applicant's motivation for one listing (round/2, issue 13 item 2).

    The assessor scores without seeing the registration date, income, markers or another assessor's score; the
    round turns two or three assessments into the score by the rule in docs/allocation.md. One assessment per
    assessor, listing and applicant: a second would only be ignored by the rule ("the first counts").
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="motivation_assessments")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+")
    # The user who scored; the name is kept so the explanation still names the assessor after an account goes.
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assessor_name = models.CharField(_("assessor"), max_length=150)
    score = models.DecimalField(_("score"), max_digits=2, decimal_places=1)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = PersonalAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("motivation assessment")
        verbose_name_plural = _("motivation assessments")
        ordering = ["listing", "applicant", "created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "applicant", "assessor_name"],
                                    name="motivation_assessment_one_per_assessor"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=4), name="motivation_assessment_0_to_4"),
        ]

    def __str__(self) -> str:
        return f"assessment #{self.pk}"


class MotivationText(models.Model):
    """The motivation an applicant gave for one motivation listing (letter or notes of an interview), as the
    assessors read it (issue 13 item 2).

    An officer records it; assessors see it under a neutral code, never with the applicant's name or other facts.
    It is fixed once an assessor has scored it, so every assessment is of the same text.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="motivation_texts")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("motivation"), max_length=6000)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)
    changed = models.DateTimeField(_("changed"), auto_now=True)

    objects = PersonalAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("motivation text")
        verbose_name_plural = _("motivation texts")
        constraints = [
            models.UniqueConstraint(fields=["listing", "applicant"], name="motivation_text_one_per_listing"),
        ]

    def __str__(self) -> str:
        return f"motivation text #{self.pk}"


class RunReason(models.TextChoices):
    FIRST = "first", _("First run")
    AGAIN = "again", _("Run again after a decline")


class AllocationRun(models.Model):
    """One solve of a round: exactly what went in and what came out.

    `input_document` is a `buurtbalans.round/1` document (docs/allocation.md): solving it with the seed and the
    parameter set named by `parameter_version` gives the result again, also with `buurtbalans run_allocation_round`.
    The result is kept as the run's outcome rows (`bid_results`) and `summary["listing_statuses"]`;
    `roundinput.run_result_document` makes the engine's `buurtbalans.round-result/1` of them. Runs stored before
    hold that document in `result_document`; later runs hold JSON null there.
    `removed` records what a re-run left out (accepted offers, decliners), so approval can tell whether the
    round changed since.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    allocation_round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveSmallIntegerField(_("run"))
    reason = models.CharField(_("why"), max_length=10, choices=RunReason.choices, default=RunReason.FIRST)
    lottery_seed = models.CharField(_("lottery seed"), max_length=100)
    parameter_version = models.CharField(_("parameter version"), max_length=60)
    input_document = models.JSONField(_("input"))
    result_document = models.JSONField(_("result"))
    summary = models.JSONField(_("summary"), default=dict)
    removed = models.JSONField(_("left out"), default=dict)
    # Applicants whose bids could not be taken into the round (e.g. no income known), with the reason.
    skipped = models.JSONField(_("not taken into the round"), default=list)
    created = models.DateTimeField(_("solved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(_("run by"), max_length=150)

    # The documents hold applicants' incomes: reading a run is for officers (analysts get `summary` through the
    # aggregate selectors).
    objects = PersonalAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["allocation_round", "number"]
        constraints = [models.UniqueConstraint(fields=["allocation_round", "number"], name="run_unique_number")]

    def __str__(self) -> str:
        return f"{self.allocation_round} run {self.number}"


class BidOutcomeCode(models.TextChoices):
    ALLOCATED = "allocated", _("Allocated")
    ALLOCATED_ELSEWHERE = "allocated_elsewhere", _("Got a home they preferred")
    OUTRANKED = "outranked", _("Someone was ahead")
    INELIGIBLE = "ineligible", _("Does not meet the conditions")


class IneligibleReasonCode(models.TextChoices):
    HOUSEHOLD_SIZE = "household_size", _("Household size does not fit")
    INCOME_ABOVE_MAX = "income_above_max", _("Income above the maximum")
    INCOME_BELOW_MIN = "income_below_min", _("Income below the minimum")
    GROUP_NOT_ALLOWED = "group_not_allowed", _("Not in the target group")
    GROUP_EXCLUDED = "group_excluded", _("In a group this home is not for")
    NO_MOTIVATION_SCORE = "no_motivation_score", _("No motivation score")
    # Round/2 (issue 13): motivation scored from blind assessments (docs/allocation.md).
    MOTIVATION_INCOMPLETE = "motivation_incomplete", _("Motivation not fully assessed")
    MOTIVATION_BELOW_MINIMUM = "motivation_below_minimum", _("Motivation score below the minimum")
    NOT_AFFORDABLE = "not_affordable", _("Rent too high for the income (passend toewijzen)")


class BidResult(models.Model):
    """The outcome of one bid in one run, with the engine's explanation (`detail`, docs/allocation.md).

    A run writes one row per bid, 60,000 for a weekly round, in one go (`services.solving._write_bid_results`). So the
    table has only the indexes its readers use (all by run) and no foreign-key constraints in the database: each
    one cost PostgreSQL a lookup per row at commit (0.3 to 0.5 s per key for a weekly round) and each index as
    much again. The keys are copied from the bid rows in the solving transaction; deleting through Django still
    deletes the outcomes with their run, bid, listing or applicant (`on_delete`).
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+",
                                    db_index=False, db_constraint=False)
    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="bid_results",
                            db_index=False, db_constraint=False)
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="results", db_index=False,
                            db_constraint=False)
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+", db_index=False,
                                db_constraint=False)
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+", db_index=False,
                                  db_constraint=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=BidOutcomeCode.choices)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=32, choices=IneligibleReasonCode.choices, blank=True)
    reserve_position = models.PositiveIntegerField(_("reserve position"), null=True, blank=True)
    detail = models.JSONField(_("explanation"), default=dict)

    objects = PersonalAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid outcome")
        verbose_name_plural = _("bid outcomes")
        constraints = [models.UniqueConstraint(fields=["run", "bid"], name="bid_result_one_per_run")]
        indexes = [
            models.Index(fields=["run", "listing", "rank"], name="bid_result_listing_rank"),
            models.Index(fields=["run", "applicant"], name="bid_result_applicant"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} #{self.pk}"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined by the applicant")
    WITHDRAWN = "withdrawn", _("Withdrawn by us")


class DeclineReason(models.TextChoices):
    """Why an offer ended without a letting: VERA `Aanbiedingdetailstatus` codes.

    The VERA parent says who ended it: GEW (geweigerd, the applicant declined) or ING (ingetrokken, we withdrew
    it). `REFUSED` is the parent code GEW itself, for a refusal without a stated reason.
    """

    REFUSED = "GEW", _("Offer refused")
    DWELLING_NOT_LIKED = "WBN", _("Does not like the home")
    RENT_TOO_HIGH = "HUU", _("Rent too high")
    SURROUNDINGS_NOT_LIKED = "WOB", _("Does not like the surroundings")
    PERSONAL_CIRCUMSTANCES = "PER", _("Personal circumstances")
    NO_LONGER_INTERESTED = "GEE", _("No longer interested")
    NO_RESPONSE = "REA", _("Did not respond in time")
    NO_SHOW = "NIE", _("Did not come to the appointment")
    ALLOCATED_TO_OTHER = "TOE", _("Allocated to another candidate")
    OTHER_DWELLING_ACCEPTED = "AND", _("Accepted another home")
    INCOME_TOO_HIGH = "INH", _("Income too high")
    INCOME_TOO_LOW = "INL", _("Income too low")
    DOCUMENTS_NOT_APPROVED = "DON", _("Documents not approved")
    DOCUMENTS_NOT_SUPPLIED = "DOC", _("Documents not supplied")


# The VERA parent status of each reason: GEW (the applicant declined) or ING (we withdrew the offer).
VERA_PARENT = {
    DeclineReason.REFUSED: "GEW",
    DeclineReason.DWELLING_NOT_LIKED: "GEW",
    DeclineReason.RENT_TOO_HIGH: "GEW",
    DeclineReason.SURROUNDINGS_NOT_LIKED: "GEW",
    DeclineReason.PERSONAL_CIRCUMSTANCES: "GEW",
    DeclineReason.NO_LONGER_INTERESTED: "GEW",
    DeclineReason.NO_RESPONSE: "ING",
    DeclineReason.NO_SHOW: "ING",
    DeclineReason.ALLOCATED_TO_OTHER: "ING",
    DeclineReason.OTHER_DWELLING_ACCEPTED: "ING",
    DeclineReason.INCOME_TOO_HIGH: "ING",
    DeclineReason.INCOME_TOO_LOW: "ING",
    DeclineReason.DOCUMENTS_NOT_APPROVED: "ING",
    DeclineReason.DOCUMENTS_NOT_SUPPLIED: "ING",
}


class Offer(models.Model):
    """An offer (aanbieding) of a listing to the applicant the approved run allocated it to.

    At most one offer per listing and one per applicant and round is offered or accepted at a time (database
    constraints, on top of the row locks the services take), so two officers can never let one home twice.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    allocation_round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="offers")
    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="offers")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="offers")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+")
    # The applicant's place on the listing's whole list (the round's first run).
    rank = models.PositiveIntegerField(_("rank"))
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    decline_reason = models.CharField(_("reason"), max_length=3, choices=DeclineReason.choices, blank=True)
    offered_at = models.DateTimeField(_("offered"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)
    # A later run gave the applicant a home they preferred: this offer made way for that one.
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tenancy = models.ForeignKey(Tenancy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = PersonalAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["allocation_round", "listing", "-offered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"], condition=Q(status__in=["offered", "accepted"]), name="offer_one_active_per_listing"
            ),
            models.UniqueConstraint(
                fields=["allocation_round", "applicant"],
                condition=Q(status__in=["offered", "accepted"]),
                name="offer_one_active_per_applicant_and_round",
            ),
        ]

    def __str__(self) -> str:
        return f"offer #{self.pk}"
