"""Municipalities, districts and neighbourhoods (gemeente, wijk, buurt) with their public statistics.

Public data is shared by every corporation: it holds nothing personal and no corporation owns it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    cbs_code = models.CharField(_("CBS code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # GeoJSON geometry (Polygon/MultiPolygon) in WGS84; a JSONField so SQLite and PostgreSQL both work.
    geometry = models.JSONField(_("geometry"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["cbs_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.cbs_code})"


class Municipality(Area):
    """Gemeente, CBS code GMxxxx."""

    class Meta(Area.Meta):
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")


class District(Area):
    """Wijk, CBS code WKxxxxxx."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="districts")

    class Meta(Area.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Neighbourhood(Area):
    """Buurt, CBS code BUxxxxxxxx."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="neighbourhoods")
    # Denormalised from the district: every monitor query filters by municipality.
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="neighbourhoods")
    # A point inside the buurt for markers and labels on the map (computed at import).
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)

    class Meta(Area.Meta):
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")


class PublicIndicator(models.Model):
    """One public statistic for one area and year, with where it came from.

    `area_code` is a CBS code at any level (GM, WK or BU) so figures for areas we hold no boundary for
    (e.g. the wijken in KWB, which has no buurt figures in our files) still import. `key` is our stable name for the
    indicator (see neighbourhoods/indicators.py); the source keeps the original dataset, year and column.
    Written only by `services.open_data_import`; a missing figure has no row (never a 0).
    """

    area_code = models.CharField(_("CBS code"), max_length=12, db_index=True)
    key = models.CharField(_("indicator"), max_length=80)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"))
    # Where the figure came from, readable as it is: "CBS 85984NED (2024), AantalInwoners_5" (table, year, column)
    # or "<file>, <column>" for a municipal table.
    source = models.CharField(_("source"), max_length=300)
    # Which dataset (indicators.CBS_KWB, LEEFBAAROMETER, TABLE): decides the credit line shown with the figure.
    dataset = models.CharField(_("dataset"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("public indicator")
        verbose_name_plural = _("public indicators")
        constraints = [
            models.UniqueConstraint(fields=["area_code", "key", "year"], name="public_indicator_unique_area_key_year")
        ]
        indexes = [models.Index(fields=["key", "year"], name="public_indicator_key_year")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.key} {self.year} = {self.value}"
