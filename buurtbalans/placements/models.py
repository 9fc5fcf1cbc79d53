"""Intake conversations, contingents per half year and placements of vulnerable households (issue 13 item 3).

Everything here is personal data of a household or (contingents) the corporation's own tasks: only roles with
MANAGE_PLACEMENTS (allocation officers) see it, and every read of an intake or a placement is logged
(`placements.selectors`). Writes go through `placements.services`. Rules: docs/placements.md.

The intake record has a fixed structure and, on purpose, no field for nationality, origin, religion, health or
sexual orientation (`tests/test_intake.py` checks this): selection never uses protected characteristics, and what
is not asked cannot be misused.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import AuditEvent, HousingCorporation
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.engine.placements import TemporaryGroup
from buurtbalans.households.models import Household
from buurtbalans.neighbourhoods.models import Municipality
from buurtbalans.portfolio.models import Dwelling

PlacementQuerySet = scoped_queryset(Action.MANAGE_PLACEMENTS)


# This app's audit event codes are core's (`AuditEvent.Type`, 73x): the audit log names them like every other.
PlacementEvent = AuditEvent.Type

FREE_TEXT_MAX = 300


class DwellingWish(models.TextChoices):
    ANY = "any", _("No preference")
    APARTMENT = "apartment", _("Apartment with a lift or on a low floor")
    GROUND_FLOOR = "ground_floor", _("Ground-floor home")
    FAMILY_HOUSE = "family_house", _("Family house")
    STUDIO = "studio", _("Studio or small apartment")


class SupportKind(models.TextChoices):
    """What kind of support is arranged: the kind of help, never the reason for it."""

    NONE = "none", _("No support needed")
    HOUSING = "housing", _("Help with living on one's own (woonbegeleiding)")
    AMBULANT = "ambulant", _("Support at home (ambulante begeleiding)")
    MONEY = "money", _("Help with money matters")
    BUDDY = "buddy", _("A buddy or volunteer")
    OTHER = "other", _("Other support")


class FollowUpBy(models.TextChoices):
    HOUSING_CONSULTANT = "housing_consultant", _("Housing consultant of the corporation")
    SUPPORT_ORGANISATION = "support_organisation", _("The support organisation")
    TOGETHER = "together", _("Together")


class IntakeRecord(models.Model):
    """The record of an intake conversation (intakegesprek) with a household, before a placement.

    Three parts, each with choices and one short text: the household's housing wish, the support arranged, and the
    follow-up agreed (when, who). Free texts are checked for obvious special-category words by the service.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("date of the conversation"))
    # The household's wish.
    wish_dwelling = models.CharField(_("kind of home"), max_length=20, choices=DwellingWish.choices)
    wish_rooms_min = models.PositiveSmallIntegerField(_("at least this many rooms"), null=True, blank=True)
    wish_area = models.CharField(_("where (places or neighbourhoods)"), max_length=120, blank=True)
    wish_note = models.CharField(_("housing wish, in a few words"), max_length=FREE_TEXT_MAX, blank=True)
    # The support arranged.
    support_kind = models.CharField(_("kind of support"), max_length=20, choices=SupportKind.choices)
    support_organisation = models.CharField(_("organisation that gives the support"), max_length=120, blank=True)
    support_note = models.CharField(_("support, in a few words"), max_length=FREE_TEXT_MAX, blank=True)
    # The agreed follow-up.
    follow_up_on = models.DateField(_("follow-up on"))
    follow_up_by = models.CharField(_("follow-up by"), max_length=30, choices=FollowUpBy.choices)
    follow_up_name = models.CharField(_("name or team"), max_length=120, blank=True)
    follow_up_note = models.CharField(_("agreement, in a few words"), max_length=FREE_TEXT_MAX, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("intake record")
        verbose_name_plural = _("intake records")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__gte=models.F("held_on")), name="intake_follow_up_after_conversation"
            ),
        ]

    def __str__(self) -> str:
        return f"intake {self.pk} ({self.held_on})"


class ContingentKind(models.TextChoices):
    STATUS_HOLDERS = "status_holders", _("Status holders (task from the municipality)")
    SHELTER_OUTFLOW = "shelter_outflow", _("Outflow from sheltered housing or a shelter")
    SECOND_CHANCE = "second_chance", _("Second-chance tenancies")


class Contingent(models.Model):
    """How many households of one kind the corporation places in one municipality in one half year (a target).

    `half_year` is "2026-H1" (January-June) or "2026-H2". Placements that name the contingent count against it.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    half_year = models.CharField(_("half year"), max_length=7)
    kind = models.CharField(_("kind"), max_length=20, choices=ContingentKind.choices)
    target = models.PositiveIntegerField(_("target"))
    note = models.CharField(_("source or agreement"), max_length=FREE_TEXT_MAX, blank=True)
    decided_by_name = models.CharField(_("recorded by"), max_length=150)
    updated = models.DateTimeField(_("changed"), auto_now=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("contingent")
        verbose_name_plural = _("contingents")
        ordering = ["-half_year", "municipality__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporation", "municipality", "half_year", "kind"], name="contingent_unique_per_half_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.half_year} {self.kind} {self.municipality_id}"


class ContractKind(models.TextChoices):
    INDEFINITE = "indefinite", _("Indefinite (the rule)")
    TEMPORARY = "temporary", _("Temporary (only for the groups the law allows)")


class TemporaryContractGroup(models.TextChoices):
    """The groups of the Besluit specifieke groepen tijdelijke huurovereenkomst (engine.placements.TemporaryGroup)."""

    STUDENT = TemporaryGroup.STUDENT.value, _("Student who comes to study here")
    URGENT_WORKS = TemporaryGroup.URGENT_WORKS.value, _("Tenant who must leave the home for urgent works or renovation")
    SHELTER_OR_EMERGENCY = TemporaryGroup.SHELTER_OR_EMERGENCY.value, _(
        "From a shelter (maatschappelijke opvang), or in an urgent social emergency"
    )
    SECOND_CHANCE = TemporaryGroup.SECOND_CHANCE.value, _("Second-chance tenancy")
    SURVIVING_RELATIVE = TemporaryGroup.SURVIVING_RELATIVE.value, _(
        "Surviving relative who cannot continue the tenancy"
    )
    SEPARATED_PARENT = TemporaryGroup.SEPARATED_PARENT.value, _(
        "Separated parent who wants to live near the children"
    )
    WADDEN_WORKER = TemporaryGroup.WADDEN_WORKER.value, _("Works for a time on a Wadden island")
    STATUS_HOLDER_FROM_COA = TemporaryGroup.STATUS_HOLDER_FROM_COA.value, _(
        "Status holder who comes straight from a COA location"
    )


class Placement(models.Model):
    """A household from a contingent placed in a vacancy (plaatsing), with the check at the moment of the decision.

    `grounds` are the engine's grounds for this one placement (`engine.placements.placement_grounds`); when one
    needs a reason (over the complex's limit, over k placements this year, no complex), `reason` holds it.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    contingent = models.ForeignKey(Contingent, on_delete=models.PROTECT, related_name="placements")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="+")
    intake = models.ForeignKey(IntakeRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    complex_code = models.CharField(_("complex code"), max_length=60, blank=True)
    placed_on = models.DateField(_("placed on"))
    grounds = models.JSONField(_("check"), default=list)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    placements_before = models.PositiveSmallIntegerField(_("placements in the complex this year before"), null=True)
    share_after = models.DecimalField(_("vulnerable share after"), max_digits=5, decimal_places=4, null=True)
    max_share = models.DecimalField(_("maximum vulnerable share"), max_digits=5, decimal_places=4, null=True)
    per_complex_per_year = models.PositiveSmallIntegerField(_("at most per complex per year"))
    contract_kind = models.CharField(_("contract"), max_length=12, choices=ContractKind.choices)
    temporary_group = models.CharField(
        _("group"), max_length=30, choices=TemporaryContractGroup.choices, blank=True
    )
    temporary_months = models.PositiveSmallIntegerField(_("term in months"), null=True, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-placed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contingent", "household"], name="placement_once_per_contingent"),
            models.CheckConstraint(
                condition=Q(contract_kind="indefinite", temporary_group="", temporary_months__isnull=True)
                | Q(contract_kind="temporary", temporary_months__lte=24),
                name="placement_temporary_at_most_24_months",
            ),
        ]

    def __str__(self) -> str:
        return f"placement {self.pk} ({self.placed_on})"
