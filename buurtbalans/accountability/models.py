"""The objection register per letting and the voluntary follow-up of tenants chosen on motivation (issue 13 item 4).

An objection (bezwaar or klacht) is lodged against the decision on one listing: who got the home and why (the
letting, `allocation.Offer` accepted into a `households.Tenancy`). The corporation decides within six weeks of
receipt (`terms.objection_due_on`); the decision has a date, a text and an outcome. Only allocation officers
(MANAGE_OBJECTIONS) see the register, of their own corporation.

A follow-up (nagesprek) asks a tenant chosen on motivation, twelve months after the start, what they did for the
neighbourhood. It is voluntary and never a condition of the tenancy: the record has no field that could end,
change or condition the tenancy, and `took_part` may simply be "no". Neighbourhood managers (RECORD_FOLLOW_UPS)
record and read them; every read and write is audited like other household personal data.

Audit event codes 7xx (accountability) are defined here, in `AccountabilityEvent`, because core's list is not this
app's to change; they are stable integers in a range core does not use (docs/accountability.md).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.allocation.models import Listing
from buurtbalans.core.models import AuditEvent, HousingCorporation
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.households.models import Applicant, Tenancy

ObjectionQuerySet = scoped_queryset(Action.MANAGE_OBJECTIONS)
FollowUpQuerySet = scoped_queryset(Action.RECORD_FOLLOW_UPS)


# This app's audit event codes are core's (`AuditEvent.Type`, 7xx): the audit log names them like every other.
AccountabilityEvent = AuditEvent.Type


class ObjectionKind(models.TextChoices):
    OBJECTION = "objection", _("Objection (bezwaar)")
    COMPLAINT = "complaint", _("Complaint (klacht)")


class ObjectionOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Objection(models.Model):
    """An objection or complaint against the letting of one listing, with its six-week term and decision.

    The objector is a candidate household (`applicant`, who reacted to the listing) or, for anyone else or a letter
    on someone's behalf, a free reference. `due_on` is fixed at receipt (receipt + 6 weeks): a later change of the
    rule does not move the term of an objection already received. A decision is recorded once.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ObjectionKind.choices, default=ObjectionKind.OBJECTION)
    # SET_NULL: erasure pseudonymises applicants rather than deleting them; a deleted one leaves the record.
    applicant = models.ForeignKey(Applicant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    objector_reference = models.CharField(_("other reference"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("decide by"))
    summary = models.TextField(_("what the objection is about"), max_length=2000)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=ObjectionOutcome.choices, blank=True)
    decision = models.TextField(_("decision"), max_length=4000, blank=True)
    registered = models.DateTimeField(_("registered"), auto_now_add=True)
    # Copied so the register still says who it was after the account is deleted.
    registered_by_name = models.CharField(_("registered by"), max_length=150)
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=F("received_on")), name="objection_due_after_receipt"),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("received_on")),
                name="objection_decided_after_receipt",
            ),
            # A decision has a date and an outcome, or neither.
            models.CheckConstraint(
                condition=(Q(decided_on__isnull=True) & Q(outcome=""))
                | (Q(decided_on__isnull=False) & ~Q(outcome="")),
                name="objection_decision_complete",
            ),
        ]
        indexes = [models.Index(fields=["corporation", "decided_on", "due_on"], name="objection_open_due")]

    def __str__(self) -> str:
        return f"objection #{self.pk}"

    @property
    def is_decided(self) -> bool:
        return self.decided_on is not None

    @property
    def objector(self) -> str:
        """Who objected, as the register shows it: the registration number, or the free reference."""
        if self.applicant_id is not None:
            return self.applicant.external_id
        return self.objector_reference

    def is_overdue_on(self, day) -> bool:
        from buurtbalans.accountability.terms import objection_is_overdue

        return objection_is_overdue(self.due_on, self.decided_on, day)

    @property
    def was_decided_late(self) -> bool:
        return self.decided_on is not None and self.decided_on > self.due_on


class FollowUp(models.Model):
    """The voluntary follow-up of a tenant chosen on motivation, twelve months after the start (nagesprek).

    Never a condition of the tenancy: nothing here can end, change or condition it (no obligation, no sanction,
    no score), and "did not want to talk" is a complete answer. One per tenancy.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    tenancy = models.OneToOneField(Tenancy, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("date"))
    took_part = models.BooleanField(_("the tenant wanted to talk"), default=True)
    contribution = models.TextField(_("what they did for the neighbourhood"), max_length=2000, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"follow-up #{self.pk}"
