"""The interventions register (issue 16): what the corporation did where and from when.

An intervention is a fact about a complex, not about a person: "a social management programme in complex 1040 from
1 March 2023". It is entered on screen, imported from a file, or recorded by the product itself from what happened
in it (a decided label above the cap, a letting on motivation: `recording.py`). One row per complex, kind and start:
a hundred lettings on motivation in one complex are one intervention that started with the first of them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.audit_labels import actor_display
from buurtbalans.core.models import HousingCorporation
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.portfolio.models import Complex

InterventionQuerySet = scoped_queryset(Action.VIEW_INTERVENTIONS)


class InterventionKind(models.TextChoices):
    MOTIVATION_LETTINGS = "motivation_lettings", _("Lettings on motivation")
    ABOVE_CAP_LABELS = "above_cap_labels", _("Labels above the rent cap")
    PLACEMENTS = "placements", _("Placements of vulnerable households")
    COOPERATIVE_START = "cooperative_start", _("A housing cooperative starts")
    SOCIAL_MANAGEMENT = "social_management", _("Social management programme")
    MEETING_PLACE = "meeting_place", _("A meeting place opens")
    RENOVATION = "renovation", _("Renovation")
    SALE = "sale", _("Sale of homes")
    OTHER = "other", _("Other")


class InterventionSource(models.TextChoices):
    ENTERED = "entered", _("Entered on screen")
    IMPORTED = "imported", _("Imported from a file")
    RECORDED = "recorded", _("Recorded by Buurtbalans")


class Intervention(models.Model):
    """Something done in one complex from a date (and possibly until one): the unit the evaluation compares."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=InterventionKind.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=InterventionSource.choices,
                              default=InterventionSource.ENTERED)
    # The intervention's code in the corporation's own records; re-importing a file with codes updates the row.
    external_id = models.CharField(_("code"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Copied so the row still says who it was after the account is deleted ("Buurtbalans" when recorded by it).
    created_by_name = models.CharField(_("recorded by"), max_length=150)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated = models.DateTimeField(_("changed"), auto_now=True)

    objects = InterventionQuerySet.as_manager()

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["-started_on", "complex__external_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "complex", "kind", "started_on"],
                                    name="intervention_one_per_complex_kind_start"),
            models.UniqueConstraint(fields=["corporation", "external_id"], condition=~Q(external_id=""),
                                    name="intervention_unique_external_id"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="intervention_ends_after_start"),
        ]
        indexes = [models.Index(fields=["corporation", "kind", "started_on"], name="intervention_kind_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"

    @property
    def created_by_display(self) -> str:
        """Who recorded it as a reader says it: a user's name, or the demo and a server command in words."""
        return actor_display(self.created_by_name)
