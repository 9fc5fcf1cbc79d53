"""Legal parameters entered by the platform administrator, a corporation's own stricter values, performance
agreements, the yearly caps on selection on motivation, and generated compliance reports.

The built-in parameter table (`engine/parameters/tables/parameters.csv`) is the default; a `ParameterValue`
overrides it for one `valid_from` date and key (see `rules.parameters.parameter_sets`). Legal parameters are the
same for every corporation, so they are not scoped to one; who changed them is kept on the row and in the
append-only `ParameterChange` log. A `LocalParameterValue` is one corporation's own, stricter value, scoped to it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import HousingCorporation, Job
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.engine.parameters import ParameterRow, amount_text
from buurtbalans.neighbourhoods.models import Municipality

# Written in the `value` column of a long-format table for the two non-numeric states.
UNKNOWN_TEXT = "n/f"
NOT_APPLICABLE_TEXT = "-"


class ParameterState(models.TextChoices):
    VALUE = "value", _("Known")
    UNKNOWN = "unknown", _("Unknown")
    NOT_APPLICABLE = "not_applicable", _("Does not exist in this year")


class ParameterValue(models.Model):
    """One legal parameter value for one `valid_from` date, entered by an administrator (form or file).

    It replaces the built-in table's value for the same date and key; a date the table does not have gets a
    set of its own. `version` is the set's version after this value was saved.
    """

    valid_from = models.DateField(_("valid from"))
    # One of engine.parameters.VALUE_FIELDS (checked by the service; no choices, so a new key needs no migration).
    key = models.CharField(_("parameter"), max_length=60)
    state = models.CharField(_("state"), max_length=16, choices=ParameterState.choices, default=ParameterState.VALUE)
    # Amounts in euros (rents per month, incomes and assets per year); shares as decimals (0.95).
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    version = models.CharField(_("version"), max_length=60)
    changed = models.DateTimeField(_("changed"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied so the row still says who it was after the account is deleted.
    changed_by_name = models.CharField(_("changed by"), max_length=150)
    # Parameters are shared by all corporations; the name of another corporation's administrator is not shown.
    changed_by_corporation = models.ForeignKey(
        HousingCorporation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("legal parameter value")
        verbose_name_plural = _("legal parameter values")
        ordering = ["valid_from", "key"]
        constraints = [
            models.UniqueConstraint(fields=["valid_from", "key"], name="parameter_value_unique_date_key"),
            models.CheckConstraint(
                condition=(Q(state="value") & Q(value__isnull=False)) | (~Q(state="value") & Q(value__isnull=True)),
                name="parameter_value_only_when_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from} {self.key} = {self.value_text}"

    @property
    def value_text(self) -> str:
        """The value as written in a long-format table: a number, "n/f" (unknown) or "-" (does not exist)."""
        if self.state == ParameterState.UNKNOWN:
            return UNKNOWN_TEXT
        if self.state == ParameterState.NOT_APPLICABLE:
            return NOT_APPLICABLE_TEXT
        return amount_text(self.value)

    def as_row(self) -> ParameterRow:
        return ParameterRow(self.valid_from, self.key, self.value_text, self.source, self.note)


class ParameterChange(models.Model):
    """Append-only history of the parameter values: who changed what, when, and the versions before and after."""

    class Via(models.TextChoices):
        FORM = "form", _("Screen")
        FILE = "file", _("File")
        REMOVED = "removed", _("Correction removed")
        # `seed_demo` filling in what the official sources do not give yet, marked as demo values.
        DEMO = "demo", _("Demo data")

    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("who"), max_length=150)
    actor_corporation = models.ForeignKey(
        HousingCorporation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(_("how"), max_length=10, choices=Via.choices)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    key = models.CharField(_("parameter"), max_length=60)
    # The effective value before and after, as table text ("633.25", "n/f", "-"); empty: the date had no value.
    old_value = models.CharField(_("old value"), max_length=40, blank=True)
    new_value = models.CharField(_("new value"), max_length=40, blank=True)
    old_source = models.CharField(_("old source"), max_length=300, blank=True)
    new_source = models.CharField(_("new source"), max_length=300, blank=True)
    version_before = models.CharField(_("version before"), max_length=60, blank=True)
    version_after = models.CharField(_("version after"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("legal parameter change")
        verbose_name_plural = _("legal parameter changes")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor_name} {self.valid_from} {self.key}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Parameter changes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Parameter changes are append-only")


# A corporation's own values are its policy, read by the roles that read its compliance and agreements.
LocalParameterQuerySet = scoped_queryset(Action.VIEW_COMPLIANCE)


class LocalParameterValue(models.Model):
    """A corporation's own, stricter value of a legal parameter (e.g. a lower aftoppingsgrens in its policy).

    It applies only to `corporation`, from `valid_from` up to and including `valid_until` (empty: until further
    notice), and only where the law gives a value: it never fills in a missing one and never makes the rules less
    strict (`rules.local_parameters`, docs/rules/parameters.md). Entered by the corporation's administrator.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    # One of rules.local_parameters.LOCAL_PARAMETER_KEYS (checked by the service, like ParameterValue.key).
    key = models.CharField(_("parameter"), max_length=60)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    source = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed = models.DateTimeField(_("changed"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_name = models.CharField(_("changed by"), max_length=150)

    objects = LocalParameterQuerySet.as_manager()

    class Meta:
        verbose_name = _("own parameter value")
        verbose_name_plural = _("own parameter values")
        ordering = ["key", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporation", "key", "valid_from"], name="local_parameter_unique_corporation_key_date"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="local_parameter_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.corporation_id} {self.key} {self.valid_from} = {amount_text(self.value)}"

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


AgreementQuerySet = scoped_queryset(Action.VIEW_COMPLIANCE)


class PerformanceAgreement(models.Model):
    """Prestatieafspraken with a municipality that raise the free allocation room (vrije toewijzingsruimte).

    From 2022 the free share of DAEB lettings (7.5%) may be raised to at most 15% in a municipality where the
    corporation laid this down in performance agreements with the municipality and the tenants' organisation
    (docs/rules/daeb-allocation.md). The agreement applies to every calendar year it overlaps.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    free_allocation_share = models.DecimalField(_("agreed free allocation share"), max_digits=5, decimal_places=4)
    note = models.TextField(_("note"), blank=True)
    recorded = models.DateTimeField(_("recorded"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("performance agreement")
        verbose_name_plural = _("performance agreements")
        ordering = ["municipality__name", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="agreement_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(free_allocation_share__gte=0) & Q(free_allocation_share__lte=1),
                name="agreement_share_is_a_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.valid_from}"


class MotivationCap(models.Model):
    """The yearly ceiling on lettings chosen on motivation in one municipality (issue 13 item 2).

    Municipalities allow selection on motivation ("goede buren", "gericht toewijzen") within limits they lay down
    in the huisvestingsverordening or the performance agreements, e.g. at most 25 % of the lettings and at most
    20 a year. A cap has a share, a number, or both. The allocation service refuses to open a motivation listing
    that would go over it (`allocation.services.listings`, counted by `rules.motivation_caps`), and the compliance
    page shows the year's use against it. No cap recorded: the product sets no limit of its own.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # A fraction (0.25 = 25 %) of the year's lettings in the municipality; null: no share cap.
    max_share = models.DecimalField(_("highest share on motivation"), max_digits=5, decimal_places=4, null=True,
                                    blank=True)
    # Lettings on motivation in the year; null: no number cap.
    max_number = models.PositiveIntegerField(_("highest number on motivation"), null=True, blank=True)
    # Where the cap is laid down (the municipality's ordinance or the performance agreement).
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded = models.DateTimeField(_("recorded"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("cap on selection on motivation")
        verbose_name_plural = _("caps on selection on motivation")
        ordering = ["-year", "municipality__name"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "municipality", "year"],
                                    name="motivation_cap_one_per_municipality_and_year"),
            models.CheckConstraint(
                condition=Q(max_share__isnull=True) | (Q(max_share__gt=0) & Q(max_share__lte=1)),
                name="motivation_cap_share_is_a_fraction",
            ),
            models.CheckConstraint(
                condition=Q(max_share__isnull=False) | Q(max_number__isnull=False),
                name="motivation_cap_has_a_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"


class ComplianceReportFile(models.Model):
    """The PDF a compliance report job produced, kept in the database so any web process can serve it."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="+")
    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    file_name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField()
    parameter_versions = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("compliance report")
        verbose_name_plural = _("compliance reports")

    def __str__(self) -> str:
        return self.file_name
