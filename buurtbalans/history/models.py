"""History of the stock and the households (issue 16 item 1): what each import said, dated.

- `DwellingStatusPeriod`: a dwelling's status (let, vacant, renovation, sold, demolished) from `valid_from` up to,
  not including, `valid_to` (None: still so). One open row per dwelling.
- `HouseholdIncomeBand`: a household's income band per income year (`Household.income_year`).
- `ComplexOwnership`: per complex per year, how many of its dwellings the corporation still owns, how many are sold,
  and whether an owners' association (VvE) exists; the last import of the year says it.
- `HistoryImport`: the dated imports that wrote the history, oldest first (a series may not go back before them).

Written only by `history.services` (from every portfolio import, inside its transaction); read through
`history.selectors` ("as on date D", per corporation, in bulk). See docs/history.md.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import HousingCorporation
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.households.models import Household
from buurtbalans.households.selectors import INCOME_BANDS
from buurtbalans.portfolio.models import Complex, Dwelling, DwellingStatus

# The rows the backfill migration opens for dwellings that existed before the history was kept start here: their
# status before the first dated import is not known, so "since at least this date" is the honest reading.
BACKFILL_FROM = date(1900, 1, 1)
BACKFILL_SOURCE = "backfill"

StockHistoryQuerySet = scoped_queryset(Action.VIEW_STOCK)
HouseholdHistoryQuerySet = scoped_queryset(Action.VIEW_HOUSEHOLDS)


class DwellingStatusPeriod(models.Model):
    """A dwelling's status over a period, [valid_from, valid_to): an import's date closes one row, opens the next."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="status_periods")
    status = models.CharField(_("status"), max_length=12, choices=DwellingStatus.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    # The file (or "backfill", "demo", a command) that said so.
    source = models.CharField(_("source"), max_length=200, blank=True)

    objects = StockHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("status of a dwelling over time")
        verbose_name_plural = _("statuses of dwellings over time")
        ordering = ["dwelling_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["dwelling"], condition=Q(valid_to__isnull=True),
                                    name="dwelling_status_one_open_row"),
            models.UniqueConstraint(fields=["dwelling", "valid_from"], name="dwelling_status_unique_start"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                                   name="dwelling_status_ends_after_start"),
        ]
        indexes = [models.Index(fields=["corporation", "valid_from"], name="dwelling_status_corp_from")]

    def __str__(self) -> str:
        return f"{self.dwelling_id} {self.status} {self.valid_from}–{self.valid_to or ''}"


class HouseholdIncomeBand(models.Model):
    """A household's income band in one income year: primary, secondary, middle, high or unknown.

    The band is decided as the monitor counts it (`households.selectors.income_band_case`), under the income limits
    in force on 1 January of the income year. Only the band is kept, not the income.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    band = models.CharField(_("income band"), max_length=10, choices=[(b, b) for b in INCOME_BANDS])
    source = models.CharField(_("source"), max_length=200, blank=True)

    objects = HouseholdHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("income band of a household in a year")
        verbose_name_plural = _("income bands of households per year")
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="income_band_unique_year")]
        indexes = [models.Index(fields=["corporation", "year"], name="income_band_corp_year")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.band}"


class ComplexOwnership(models.Model):
    """Ownership of a complex in one year: dwellings (not demolished), owned by the corporation, sold, and a VvE."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="ownership")
    year = models.PositiveSmallIntegerField(_("year"))
    # The date of the import that said it (the last of the year).
    as_of = models.DateField(_("as on"))
    dwelling_count = models.PositiveIntegerField(_("dwellings"))
    owned_count = models.PositiveIntegerField(_("owned by the corporation"))
    sold_count = models.PositiveIntegerField(_("sold"))
    has_owners_association = models.BooleanField(_("owners' association (VvE)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    objects = StockHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership of a complex in a year")
        verbose_name_plural = _("ownership of complexes per year")
        ordering = ["complex_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["complex", "year"], name="complex_ownership_unique_year"),
            models.CheckConstraint(condition=Q(owned_count__lte=F("dwelling_count")),
                                   name="complex_ownership_owned_at_most_all"),
        ]
        indexes = [models.Index(fields=["corporation", "year"], name="complex_ownership_corp_year")]

    def __str__(self) -> str:
        return f"{self.complex_id} {self.year}: {self.owned_count}/{self.dwelling_count}"

    @property
    def owned_share(self) -> float | None:
        """Owned / all dwellings of the complex (sold ones included, demolished ones not); None without dwellings."""
        return self.owned_count / self.dwelling_count if self.dwelling_count else None


class HistoryImport(models.Model):
    """One dated import that wrote history: when it said what it said, and which file said it."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(_("as on"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    recorded = models.DateTimeField(_("recorded"), auto_now_add=True)
    # {"status_rows_opened", "status_rows_closed", "income_bands", "ownership_rows"}
    counts = models.JSONField(default=dict)

    objects = StockHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("dated import")
        verbose_name_plural = _("dated imports")
        ordering = ["as_of", "pk"]
        indexes = [models.Index(fields=["corporation", "as_of"], name="history_import_corp_as_of")]

    def __str__(self) -> str:
        return f"{self.corporation_id} {self.as_of} {self.source}"
