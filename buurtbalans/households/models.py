"""Households, tenancies, the waiting list and, stored apart, vulnerability markers.

Incomes are per year and rents per month, in euros. A household's markers are special-category data:
they live in their own table without a reverse accessor on Household, so code can only reach them
through `households.selectors.markers_for_household`, which checks the role and writes an audit event.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import HousingCorporation
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.core.validators import POSTAL_CODE_MAX_LENGTH, validate_postal_code
from buurtbalans.portfolio.models import Dwelling

HouseholdQuerySet = scoped_queryset(Action.VIEW_HOUSEHOLDS)
MarkerQuerySet = scoped_queryset(Action.VIEW_MARKERS)


class IncomeSource(models.TextChoices):
    TAX_AUTHORITY = "tax_authority", _("Income statement from the tax authority")
    DECLARED = "declared", _("Declared by the household")
    ESTIMATE = "estimate", _("Estimate")
    UNKNOWN = "unknown", _("Unknown")


class Household(models.Model):
    """Household (huishouden). Size counts every mover, children included; children's income does not count."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="households")
    external_id = models.CharField(_("household code"), max_length=60)
    size = models.PositiveSmallIntegerField(_("household size"))
    adults = models.PositiveSmallIntegerField(_("adults"))
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    is_pension_age_household = models.BooleanField(_("pension age"), default=False)
    assessed_income = models.DecimalField(_("assessed income"), max_digits=10, decimal_places=2, null=True, blank=True)
    income_year = models.PositiveSmallIntegerField(_("income year"), null=True, blank=True)
    income_source = models.CharField(
        _("income source"), max_length=20, choices=IncomeSource.choices, default=IncomeSource.UNKNOWN
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["external_id"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "external_id"], name="household_unique_external_id"),
            models.CheckConstraint(condition=Q(size=F("adults") + F("children")), name="household_size_adds_up"),
            models.CheckConstraint(condition=Q(adults__gte=1), name="household_has_an_adult"),
        ]

    def __str__(self) -> str:
        return self.external_id


class ContractType(models.TextChoices):
    INDEFINITE = "indefinite", _("Indefinite")
    TEMPORARY = "temporary", _("Temporary")
    YOUTH = "youth", _("Youth contract")
    CAMPUS = "campus", _("Campus contract")
    OTHER = "other", _("Other")


class AllocationException(models.TextChoices):
    """Why a letting did not fit passend toewijzen (VERA reasons for a non-fitting allocation, plus assets)."""

    SPECIAL_FAMILY_SITUATION = "special_family_situation", _("Special family situation")
    RESTRUCTURING = "restructuring", _("Restructuring")
    REHOUSING = "rehousing", _("Rehousing")
    PENSION_AGE_ASSETS = "pension_age_assets", _("Pension-age household with assets above the threshold")
    LARGE_HOUSEHOLD = "large_household", _("Large household (custom rent)")
    OTHER = "other", _("Other")


class SelectionMethod(models.TextChoices):
    """How the household of a letting was chosen (selectiemethode). Null on a tenancy: not recorded.

    The first four are the allocation engine's selection keys (engine.allocation.facts.SelectionKey); a letting
    chosen in another way stays inside the same legal rules (passend toewijzen, DAEB allocation).
    """

    REGISTRATION = "registration", _("Registration time")
    LOTTERY = "lottery", _("Lottery")
    MOTIVATION = "motivation", _("Motivation")
    FIRST_COME = "first_come", _("First come, first served")
    INTAKE = "intake", _("Intake (placement decision)")
    # Coöptatie: a housing cooperative with a co-optation right chose the new resident (cooperatives app).
    CO_OPTATION = "co_optation", _("Co-optation by a housing cooperative")


class Tenancy(models.Model):
    """A household's tenancy of a dwelling (huurovereenkomst). An ended tenancy has an end date."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="tenancies")
    external_id = models.CharField(_("contract code"), max_length=60)
    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="tenancies")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="tenancies")
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    income_at_start = models.DecimalField(_("income at start"), max_digits=10, decimal_places=2, null=True, blank=True)
    rent_at_start = models.DecimalField(_("rent at start"), max_digits=8, decimal_places=2, null=True, blank=True)
    # The household as it was at letting, for the yearly compliance report (passend toewijzen, DAEB). Null when
    # not recorded: the report then falls back to the household's current value and counts the fallbacks.
    household_size_at_start = models.PositiveSmallIntegerField(_("household size at start"), null=True, blank=True)
    # AOW age on 1 January of the year of letting (VERA isOuderenhuishouden).
    is_pension_age_at_start = models.BooleanField(_("pension age at start"), null=True, blank=True)
    # Financial personal data (rekenvermogen): shown only to roles with VIEW_HOUSEHOLDS.
    assets_at_start = models.DecimalField(
        _("assets at start"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    contract_type = models.CharField(
        _("contract type"), max_length=12, choices=ContractType.choices, default=ContractType.INDEFINITE
    )
    # Recorded at letting when the letting knowingly did not fit passend toewijzen (compliance reporting).
    exception_reason = models.CharField(
        _("exception reason"), max_length=30, choices=AllocationException.choices, blank=True
    )
    # How the household was selected; null when not recorded (imported lettings usually do not say). Null rather
    # than "": "not recorded" is not a method (the steering app counts only recorded methods).
    selection_method = models.CharField(  # noqa: DJ001
        _("selection method"), max_length=20, choices=SelectionMethod.choices, null=True, blank=True
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "external_id"], name="tenancy_unique_external_id"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="tenancy_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["dwelling", "end_date"], name="tenancy_dwelling_end")]

    def __str__(self) -> str:
        return self.external_id

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class VulnerabilityKind(models.Model):
    """A kind of vulnerability marker; the list is configurable per corporation (null = everyone's default).

    `counts_for_concentration` decides whether markers of this kind count in the concentration measures (the mix
    per complex, the inflow, the liveability measures, the labelling plan's input), with the reason recorded in
    `concentration_reason`. The default `status_holder` does not count: status holders are no vulnerable group,
    and counting them would make a distinction on origin (College voor de Rechten van de Mens, oordeel 2022-145).
    No kind is ever used to select an applicant (issue 13).
    """

    corporation = models.ForeignKey(
        HousingCorporation, null=True, blank=True, on_delete=models.CASCADE, related_name="vulnerability_kinds"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    is_active = models.BooleanField(_("in use"), default=True)
    counts_for_concentration = models.BooleanField(_("counts for concentration"), default=True)
    concentration_reason = models.CharField(_("reason"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("kind of vulnerability marker")
        verbose_name_plural = _("kinds of vulnerability markers")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "code"], name="vulnerability_kind_unique_code"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(corporation__isnull=True), name="vulnerability_kind_unique_default_code"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class VulnerabilityMarker(models.Model):
    """Special-category data: a household's vulnerability (outflow from shelter, urgency, care, statushouder).

    Never used in selection; read only through the audited selector by roles with a purpose.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    # related_name="+": no `household.vulnerabilitymarker_set`, so nothing reads markers by accident.
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    kind = models.ForeignKey(VulnerabilityKind, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = MarkerQuerySet.as_manager()

    class Meta:
        db_table = "restricted_vulnerability_marker"
        verbose_name = _("vulnerability marker")
        verbose_name_plural = _("vulnerability markers")
        constraints = [
            models.UniqueConstraint(fields=["household", "kind", "valid_from"], name="marker_unique_per_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="marker_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"marker #{self.pk}"


class Applicant(models.Model):
    """A registered home-seeker on the waiting list (woningzoekende with inschrijving, VERA Relatie+Inschrijving).

    The name and postal address are what a letter about the applicant's bids is sent to. They are personal data
    (not special-category): shown only to roles with MANAGE_ALLOCATION, on the applicant's page, whose opening
    is logged; never in aggregates. They may be empty (an applicant imported before they were kept): a letter
    can then still be made, and says the address is missing.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="applicants")
    external_id = models.CharField(_("registration number"), max_length=60)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="applications")
    registration_date = models.DateField(_("registration date"))
    # The full name as it goes on an envelope ("J. de Vries").
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Street and number with any addition ("Merelstraat 12 A"), or a PO box.
    street_address = models.CharField(_("street and number"), max_length=200, blank=True)
    # Dutch codes are stored as "8011 AB"; a foreign code with its country first ("D-12345").
    postal_code = models.CharField(
        _("postal code"), max_length=POSTAL_CODE_MAX_LENGTH, blank=True, validators=[validate_postal_code]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["registration_date", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "external_id"], name="applicant_unique_external_id")
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def has_postal_address(self) -> bool:
        """Whether a letter can be posted: a name, a street address, a postal code and a city."""
        return all((self.name, self.street_address, self.postal_code, self.city))

    @property
    def address_lines(self) -> list[str]:
        """The address block of an envelope: name, street and number, postal code and city (empty lines left out)."""
        place = "  ".join(part for part in (self.postal_code, self.city) if part)
        return [line for line in (self.name, self.street_address, place) if line]
