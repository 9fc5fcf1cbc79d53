"""The corporation's stock: complexes (VERA Cluster) and dwellings (VERA Eenheid)."""

from __future__ import annotations

from django.db import connections, models, transaction
from django.db.models import Max, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import HousingCorporation
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.neighbourhoods.models import Neighbourhood

StockQuerySet = scoped_queryset(Action.VIEW_STOCK)


class Complex(models.Model):
    """Complex / cluster (VERA `Cluster`): dwellings managed and let as one whole."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="complexes")
    external_id = models.CharField(_("complex code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="complexes"
    )
    # Vereniging van Eigenaars: once dwellings of a complex are sold, the owners decide together on the building
    # (history.ComplexOwnership keeps it per year). None: not known.
    has_owners_association = models.BooleanField(_("owners' association (VvE)"), null=True, blank=True)

    objects = StockQuerySet.as_manager()

    class Meta:
        verbose_name = _("complex")
        verbose_name_plural = _("complexes")
        ordering = ["external_id"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "external_id"], name="complex_unique_external_id")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class DwellingType(models.TextChoices):
    # VERA WOONEENHEIDSOORT / woningtype, simplified to what allocation and the WWS distinguish.
    SINGLE_FAMILY = "single_family", _("Single-family house")
    APARTMENT = "apartment", _("Apartment")
    SENIOR = "senior", _("Senior dwelling")
    ROOM = "room", _("Room (not self-contained)")
    OTHER = "other", _("Other")


class DwellingStatus(models.TextChoices):
    OCCUPIED = "occupied", _("Occupied")
    VACANT = "vacant", _("Vacant")
    RENOVATION = "renovation", _("Under renovation")
    SOLD = "sold", _("Sold")
    DEMOLISHED = "demolished", _("Demolished")


class EnergyLabel(models.TextChoices):
    A4 = "A++++", "A++++"
    A3 = "A+++", "A+++"
    A2 = "A++", "A++"
    A1 = "A+", "A+"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"
    F = "F", "F"
    G = "G", "G"


class Dwelling(models.Model):
    """Dwelling / rental unit (verhuureenheid, VERA `Eenheid`). Rents are per month, in euros."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="dwellings")
    complex = models.ForeignKey(Complex, null=True, blank=True, on_delete=models.SET_NULL, related_name="dwellings")
    external_id = models.CharField(_("dwelling code"), max_length=60)
    street = models.CharField(_("street"), max_length=200)
    house_number = models.PositiveIntegerField(_("house number"))
    house_number_suffix = models.CharField(_("addition"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7)
    city = models.CharField(_("city"), max_length=100, blank=True)
    dwelling_type = models.CharField(_("type"), max_length=20, choices=DwellingType.choices, default=DwellingType.OTHER)
    rooms = models.PositiveSmallIntegerField(_("rooms"), null=True, blank=True)
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=7, decimal_places=2, null=True, blank=True)
    build_year = models.PositiveSmallIntegerField(_("build year"), null=True, blank=True)
    energy_label = models.CharField(_("energy label"), max_length=5, choices=EnergyLabel.choices, blank=True)
    base_rent = models.DecimalField(_("base rent"), max_digits=8, decimal_places=2, null=True, blank=True)
    service_charges = models.DecimalField(_("service charges"), max_digits=8, decimal_places=2, null=True, blank=True)
    wws_points = models.DecimalField(_("WWS points"), max_digits=6, decimal_places=2, null=True, blank=True)
    is_daeb = models.BooleanField(_("DAEB"), default=True)
    accessibility_label = models.CharField(_("accessibility label"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DwellingStatus.choices, default=DwellingStatus.OCCUPIED, db_index=True
    )
    # A VERA `Eenheid` document, when the corporation supplies one, for computing WWS points.
    vera_unit = models.JSONField(_("VERA unit"), null=True, blank=True)

    objects = StockQuerySet.as_manager()

    class Meta:
        verbose_name = _("dwelling")
        verbose_name_plural = _("dwellings")
        ordering = ["external_id"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "external_id"], name="dwelling_unique_external_id")
        ]
        # The overview counts a corporation's dwellings by status on every visit: with this index PostgreSQL
        # counts 100k of them from the index alone (an index-only scan) instead of reading every row.
        indexes = [models.Index(fields=["corporation", "status"], name="dwelling_corporation_status")]

    def __str__(self) -> str:
        return f"{self.address} ({self.external_id})"

    @property
    def address(self) -> str:
        number = f"{self.house_number}{self.house_number_suffix}" if self.house_number else ""
        return f"{self.street} {number}".strip()

    @property
    def postal_address(self) -> str:
        """Street and number, postal code and city, as a letter names the home: "Zwaluwweg 63, 8021 AB Zwolle"."""
        code = self.postcode.replace(" ", "").upper()
        code = f"{code[:4]} {code[4:]}" if len(code) == 6 and code[:4].isdigit() else self.postcode
        place = " ".join(part for part in (code, self.city) if part)
        return ", ".join(part for part in (self.address, place) if part)


# Compact the log of stock changes once it has this many rows (a row per write statement; per row on SQLite).
STOCK_CHANGE_COMPACT_FROM = 100


class StockChangeQuerySet(models.QuerySet):
    def version(self) -> int:
        """The sum of the log: it grows with every committed write to the tables the overview counts."""
        return self.aggregate(v=Coalesce(Sum("n"), 0))["v"]

    def compact(self) -> None:
        """Replace the rows this transaction can see by one row with their sum, so `version` stays the same.

        Only rows actually deleted are summed (DELETE ... RETURNING): a write still in progress elsewhere is not
        seen, not deleted, and adds its row to the sum when it commits.
        """
        if self.count() < STOCK_CHANGE_COMPACT_FROM:
            return
        with transaction.atomic(using=self.db), connections[self.db].cursor() as cursor:
            top = self.aggregate(top=Max("id"))["top"]
            cursor.execute(f"DELETE FROM {self.model._meta.db_table} WHERE id <= %s RETURNING n", [top])
            self.create(n=sum(n for (n,) in cursor.fetchall()))


class StockChange(models.Model):
    """A log of writes to the tables the corporation overview counts (dwellings, households, tenancies, markers).

    Written by database triggers (migration 0003), never by Python: every statement that changes one of those
    tables (PostgreSQL; every row on SQLite), whatever wrote it (a service, an import's COPY, a bulk update),
    adds a row in its own transaction. The sum of `n` only grows, and only when such a write commits: it is the
    version the cached overview figures are checked against (`StockSummaryCache`). Compacted by
    `portfolio.selectors` into one row carrying the same sum.
    """

    n = models.BigIntegerField(default=1)

    objects = StockChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change to the stock")
        verbose_name_plural = _("changes to the stock")

    def __str__(self) -> str:
        return f"stock change #{self.pk} ({self.n})"


class StockSummaryCache(models.Model):
    """The corporation overview's totals on one day, valid while the `StockChange` sum is still `version`.

    One row per corporation. Kept in the database, not in a process's memory: every server process shares it, and
    a rolled-back transaction takes its cache row along with its writes.
    """

    corporation = models.OneToOneField(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    reference_date = models.DateField()
    # Which legal parameters the income bands were counted with (a hash of the set): an administrator may change
    # them, and a new release may bring corrected built-in values.
    parameters_key = models.CharField(max_length=64)
    version = models.BigIntegerField()
    data = models.JSONField()

    class Meta:
        verbose_name = _("cached overview figures")
        verbose_name_plural = _("cached overview figures")

    def __str__(self) -> str:
        return f"overview figures of corporation {self.corporation_id} on {self.reference_date}"
