"""Steering the mix (issue 5): mix categories, complex profiles, carrying roles, labelling plans and label decisions.

- `MixCategory`: the corporation's categories of the target mix (default Openbaar Belang Zwolle: regular,
  extra attention, carrying) and the rule that puts a household in each. A household's category is derived
  for aggregates only and never stored or shown per household (`steering.mix`).
- `ComplexProfile`: a complex's target mix and limits, append-only: each decision is a new row, so who decided
  what and when stays readable. A row without a complex is the corporation's default profile.
- `SteeringRole`: a tenant's carrying role (dragende bewoner) on a tenancy, until motivation selection and
  cooperative membership record it themselves (docs/steering.md, "Carrying residents").
- `LabellingPlan` with `PlanComplex` and `ProposedLabel`: a labelling plan run for a quarter's vacancies, with its
  input, parameter version and result.
- `PlanFixedDwelling`: a vacant dwelling a plan left out because its letting is under way ("vast").
- `LabelDecision`: the allocation officer's acceptance or change of a vacancy's label, append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import HousingCorporation, Job
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.households.models import Tenancy
from buurtbalans.portfolio.models import Complex, Dwelling

AggregateQuerySet = scoped_queryset(Action.VIEW_AGGREGATES)
HouseholdQuerySet = scoped_queryset(Action.VIEW_HOUSEHOLDS)

SHARE_DIGITS = {"max_digits": 5, "decimal_places": 4}
MONEY_DIGITS = {"max_digits": 8, "decimal_places": 2}


class CategoryRule(models.TextChoices):
    """Which households a mix category holds. The first category (by position) whose rule fits counts."""

    VULNERABILITY_MARKER = "vulnerability_marker", _("Households with a vulnerability marker")
    CARRYING_ROLE = "carrying_role", _("Carrying residents (motivation selection, co-optation or a recorded role)")
    LOWEST_INCOME = "lowest_income", _("Lowest incomes (primary target group)")
    REST = "rest", _("All other households")


class MixCategory(models.Model):
    """A category of the target mix. Codes are used in profiles' target mixes, so a code is never reused."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("name"), max_length=100)
    rule = models.CharField(_("who belongs here"), max_length=30, choices=CategoryRule.choices)
    position = models.PositiveSmallIntegerField(_("order"))
    default_share = models.DecimalField(_("default target share"), **SHARE_DIGITS)

    objects = AggregateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mix category")
        verbose_name_plural = _("mix categories")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "code"], name="mix_category_unique_code"),
            models.CheckConstraint(
                condition=Q(default_share__gte=0) & Q(default_share__lte=1), name="mix_category_share_0_1"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ComplexProfile(models.Model):
    """A decided profile: target mix over the categories and the two limits the labelling plan steers on.

    Never updated: a new decision is a new row and the newest row counts (`decided_on`, then when it was
    recorded). `complex` null: the corporation's default, for complexes without a profile of their own.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    complex = models.ForeignKey(Complex, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # {category code: share as a decimal string}, summing to 1.
    target_mix = models.JSONField(_("target mix"), default=dict)
    max_vulnerable_share = models.DecimalField(_("maximum share with a vulnerability marker"), **SHARE_DIGITS)
    max_primary_share = models.DecimalField(_("maximum share of the lowest incomes"), **SHARE_DIGITS)
    decided_on = models.DateField(_("decided on"))
    note = models.CharField(_("reason or source of the decision"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied so the history still says who it was after the account is deleted.
    decided_by_name = models.CharField(_("decided by"), max_length=150)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = AggregateQuerySet.as_manager()

    class Meta:
        verbose_name = _("complex profile")
        verbose_name_plural = _("complex profiles")
        ordering = ["-decided_on", "-created", "-id"]
        indexes = [models.Index(fields=["corporation", "complex", "decided_on"], name="profile_complex_decided")]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_vulnerable_share__gte=0) & Q(max_vulnerable_share__lte=1),
                name="profile_vulnerable_share_0_1",
            ),
            models.CheckConstraint(
                condition=Q(max_primary_share__gte=0) & Q(max_primary_share__lte=1), name="profile_primary_share_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"profile #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Complex profiles are append-only: record a new decision instead")
        super().save(*args, **kwargs)


class SteeringRoleKind(models.TextChoices):
    CARRYING = "carrying", _("Carrying resident")


class SteeringRoleSource(models.TextChoices):
    MOTIVATION_SELECTION = "motivation_selection", _("Selected on motivation")
    COOPERATIVE_MEMBERSHIP = "cooperative_membership", _("Member of a housing cooperative")
    OTHER = "other", _("Other (see the note)")


class SteeringRole(models.Model):
    """A tenant's role in the mix, on one tenancy: a carrying resident (dragende bewoner).

    Personal data (who carries the community), written only through `steering_role_record` with an audit event;
    the mix counts it in aggregates only.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    tenancy = models.ForeignKey(Tenancy, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(
        _("role"), max_length=20, choices=SteeringRoleKind.choices, default=SteeringRoleKind.CARRYING
    )
    source = models.CharField(_("source"), max_length=30, choices=SteeringRoleSource.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("carrying role")
        verbose_name_plural = _("carrying roles")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["tenancy", "role"], name="steering_role_tenancy")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="steering_role_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"role #{self.pk}"


class Label(models.TextChoices):
    """The labels of the labelling engine (`buurtbalans.engine.labelling.Label`)."""

    OPEN = "OPEN", _("Open to all")
    # Not used for a placement or an urgency/contingent allocation; nobody is excluded for a marker (issue 13).
    NO_VULNERABLE = "NO_VULNERABLE", _("No placement or urgency route")
    RESERVED_VULNERABLE = "RESERVED_VULNERABLE", _("Reserved for a vulnerable household")
    ABOVE_CAP = "ABOVE_CAP", _("Above the rent cap")


class LabellingPlan(models.Model):
    """One run of the labelling plan for a quarter's vacancies: policy, input, parameter version and result.

    The job runs it; `problem` holds why no plan was made (a legal parameter missing, an impossible policy),
    `missing_parameters` the names of missing legal parameters, for the link to the parameter page.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    # The legal parameters of this date apply to the rents (the first day of the period).
    reference_date = models.DateField(_("reference date"))
    # The composition (who lives where) as on this date: the day the plan was asked for.
    composition_date = models.DateField(_("composition on"))
    # {"min_vulnerable_placements": int, "min_affordable_share": "0.9", "p_open": "0.12", ...}
    policy = models.JSONField(_("policy"), default=dict)
    # The estimates shown when the policy was set, with their basis (steering.estimates.InflowEstimate.as_json).
    estimates = models.JSONField(_("estimates"), default=dict, blank=True)
    # The names of the policy values the analyst typed instead of the estimate.
    overridden = models.JSONField(_("changed by the analyst"), default=list, blank=True)
    input_document = models.JSONField(_("input"), null=True, blank=True)
    result_document = models.JSONField(_("result"), null=True, blank=True)
    parameter_version = models.CharField(_("parameter version"), max_length=80, blank=True)
    # Why no plan was made: "parameter_missing", "infeasible", "solver", "no_vacancies" (see `problem` for detail).
    problem_code = models.CharField(max_length=30, blank=True)
    problem = models.TextField(_("problem"), blank=True)
    missing_parameters = models.JSONField(default=list, blank=True)
    # What the input left out (vacancies without a complex or a rent), for the page.
    skipped = models.JSONField(default=dict, blank=True)
    vacancy_count = models.PositiveIntegerField(default=0)
    affordable_share = models.DecimalField(null=True, blank=True, max_digits=7, decimal_places=6)
    lost_to_lowest_incomes = models.PositiveIntegerField(null=True, blank=True)
    reserved_vulnerable = models.PositiveIntegerField(null=True, blank=True)
    exception_budget_left = models.IntegerField(null=True, blank=True)
    excess_share_sum = models.DecimalField(null=True, blank=True, max_digits=12, decimal_places=6)
    is_done = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(_("made by"), max_length=150)
    created = models.DateTimeField(_("made"), auto_now_add=True)

    objects = AggregateQuerySet.as_manager()

    class Meta:
        verbose_name = _("labelling plan")
        verbose_name_plural = _("labelling plans")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"plan #{self.pk} {self.period_start}"


class PlanComplex(models.Model):
    """A complex in a plan: its composition at the start, the projection after the plan's lettings, its targets."""

    plan = models.ForeignKey(LabellingPlan, on_delete=models.CASCADE, related_name="complexes")
    complex = models.ForeignKey(Complex, null=True, on_delete=models.SET_NULL, related_name="+")
    complex_code = models.CharField(max_length=60)
    households = models.PositiveIntegerField()
    vacancies = models.PositiveIntegerField()
    vulnerable = models.PositiveIntegerField()
    primary = models.PositiveIntegerField()
    vulnerable_share = models.DecimalField(max_digits=7, decimal_places=6)
    projected_vulnerable_share = models.DecimalField(max_digits=7, decimal_places=6)
    target_vulnerable_max_share = models.DecimalField(**SHARE_DIGITS)
    primary_share = models.DecimalField(max_digits=7, decimal_places=6)
    projected_primary_share = models.DecimalField(max_digits=7, decimal_places=6)
    target_primary_max_share = models.DecimalField(**SHARE_DIGITS)
    excess_before = models.DecimalField(max_digits=7, decimal_places=6)
    excess_after = models.DecimalField(max_digits=7, decimal_places=6)

    class Meta:
        ordering = ["complex_code"]
        indexes = [models.Index(fields=["plan", "complex"], name="plan_complex")]

    def __str__(self) -> str:
        return self.complex_code


class ProposedLabel(models.Model):
    """A vacancy's label in a plan, with the rents it could be let at, so an officer can change the label."""

    plan = models.ForeignKey(LabellingPlan, on_delete=models.CASCADE, related_name="labels")
    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="+")
    plan_complex = models.ForeignKey(PlanComplex, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("label"), max_length=24, choices=Label.choices)
    base_rent = models.DecimalField(_("proposed base rent"), **MONEY_DIGITS)
    current_rent = models.DecimalField(_("current base rent"), **MONEY_DIGITS)
    # The rent with an affordable label, and with ABOVE_CAP (null: not allowed for this dwelling).
    affordable_rent = models.DecimalField(**MONEY_DIGITS)
    above_cap_rent = models.DecimalField(null=True, blank=True, **MONEY_DIGITS)
    cap_name = models.CharField(max_length=30)
    cap = models.DecimalField(**MONEY_DIGITS)
    ceiling = models.DecimalField(null=True, blank=True, **MONEY_DIGITS)
    # None when no legal maximum is known (no WWS points): the dwelling is not let above the cap then.
    max_base_rent = models.DecimalField(null=True, blank=True, **MONEY_DIGITS)
    is_daeb = models.BooleanField(default=True)
    # The engine's own sentence (English, the file contract's); screens build a translated one from the figures.
    engine_reason = models.TextField(blank=True)

    objects = AggregateQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "dwelling"], name="proposed_label_once_per_plan")]
        indexes = [models.Index(fields=["dwelling", "plan"], name="proposed_label_dwelling")]

    def __str__(self) -> str:
        return f"{self.label} #{self.pk}"


class FixedReason(models.TextChoices):
    """Why a vacant dwelling is "vast" (fixed): its letting is under way, so no label is planned or decided."""

    OFFERED = "offered", _("Offered")
    LET = "let", _("Let")
    TENANCY = "tenancy", _("A tenancy starts")
    ROUND_RUN = "round_run", _("Its round has been worked out")


class PlanFixedDwelling(models.Model):
    """A vacant dwelling a plan left out because it is fixed ("vast"): offered, let, or in a round already run.

    Kept per plan so the plan page and its export say which dwellings were not planned and why, as they were
    when the plan was made.
    """

    plan = models.ForeignKey(LabellingPlan, on_delete=models.CASCADE, related_name="fixed")
    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="+")
    complex_code = models.CharField(_("complex"), max_length=60, blank=True)
    reason = models.CharField(_("why"), max_length=20, choices=FixedReason.choices)
    listing_reference = models.CharField(_("listing code"), max_length=80, blank=True)
    round_name = models.CharField(_("round"), max_length=100, blank=True)
    # The first day of the tenancy that makes the dwelling let (reason "tenancy").
    start_date = models.DateField(_("from"), null=True, blank=True)

    class Meta:
        verbose_name = _("fixed dwelling in a plan")
        verbose_name_plural = _("fixed dwellings in a plan")
        ordering = ["plan", "complex_code", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "dwelling"], name="plan_fixed_dwelling_once")]

    def __str__(self) -> str:
        return f"{self.reason} #{self.pk}"


class LabelDecision(models.Model):
    """An allocation officer's decision on a vacancy's label: the proposal accepted, or changed with a reason.

    Append-only; the newest decision on a dwelling counts. The listing takes this label, rent and groups.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(ProposedLabel, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_label = models.CharField(_("proposed label"), max_length=24, choices=Label.choices)
    label = models.CharField(_("label"), max_length=24, choices=Label.choices)
    base_rent = models.DecimalField(_("base rent"), **MONEY_DIGITS)
    is_change = models.BooleanField(_("changed"), default=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(_("decided by"), max_length=150)
    created = models.DateTimeField(_("when"), auto_now_add=True)

    objects = AggregateQuerySet.as_manager()

    class Meta:
        verbose_name = _("label decision")
        verbose_name_plural = _("label decisions")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["dwelling", "created"], name="label_decision_dwelling")]
        constraints = [
            models.CheckConstraint(condition=Q(is_change=False) | ~Q(reason=""), name="label_change_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.label} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Label decisions are append-only: record a new decision instead")
        super().save(*args, **kwargs)
