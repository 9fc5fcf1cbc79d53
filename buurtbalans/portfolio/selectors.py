"""Reading the stock for users: complexes and dwellings of the user's corporation, with their composition.

Composition (occupancy, income bands, share with a vulnerability marker) is computed in the database
with conditional aggregation, one grouped query for a page of complexes, so the overview stays quick
with 100k dwellings: nothing loads every household into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, FilteredRelation, FloatField, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import Http404

from buurtbalans.core.models import HousingCorporation
from buurtbalans.core.permissions import Action, require
from buurtbalans.households.models import Household
from buurtbalans.households.selectors import (
    INCOME_BANDS,
    active_marker_exists,
    current_tenancy_q,
    income_band_conditions,
    income_band_limits,
)
from buurtbalans.portfolio.models import Complex, Dwelling, DwellingStatus

# Sort keys of the complex table -> the annotation or field they order by.
COMPLEX_SORTS = {
    "code": "external_id",
    "name": "name",
    "neighbourhood": "neighbourhood__name",
    "dwellings": "dwelling_count",
    "occupied": "occupied_count",
    "vacant": "vacant_count",
    "vacancy": "vacancy_share",
    "households": "household_count",
    **{band: f"{band}_share" for band in INCOME_BANDS},
    "markers": "marker_share",
}
DEFAULT_COMPLEX_SORT = "code"


def _share(numerator: str, denominator: str):
    return Cast(F(numerator), FloatField()) / NullIf(Cast(F(denominator), FloatField()), Value(0.0))


def composition_annotations(reference_date: date, prefix: str = "") -> tuple[dict, dict]:
    """Annotations for a queryset whose rows own dwellings (complexes; `prefix` leads to them from the row).

    Returns the FilteredRelation that joins each dwelling's current tenancy, and the aggregates:
    dwellings by status, households, households per income band and with an active vulnerability marker.
    """
    dwellings = f"{prefix}dwellings"
    tenancy_path = f"{dwellings}__tenancies"
    relations = {
        "current": FilteredRelation(tenancy_path, condition=current_tenancy_q(reference_date, f"{tenancy_path}__"))
    }
    limits = income_band_limits(reference_date)
    bands = income_band_conditions(limits.parameters, "current__household__")
    aggregates = {
        "dwelling_count": Count(dwellings, distinct=True),
        "occupied_count": Count(
            dwellings, filter=Q(**{f"{dwellings}__status": DwellingStatus.OCCUPIED}), distinct=True
        ),
        "vacant_count": Count(dwellings, filter=Q(**{f"{dwellings}__status": DwellingStatus.VACANT}), distinct=True),
        "household_count": Count("current__household", distinct=True),
        **{
            f"{band}_count": Value(0) if q is None else Count("current__household", filter=q, distinct=True)
            for band, q in bands.items()
        },
        "marker_count": Count(
            "current__household",
            filter=Q(active_marker_exists("current__household_id", reference_date)),
            distinct=True,
        ),
    }
    return relations, aggregates


def _with_shares(queryset: QuerySet) -> QuerySet:
    known = [F(f"{band}_count") for band in INCOME_BANDS[:-1]]
    queryset = queryset.annotate(
        unknown_count=Cast(F("household_count") - sum(known[1:], known[0]), IntegerField()),
    )
    return queryset.annotate(
        vacancy_share=_share("vacant_count", "dwelling_count"),
        marker_share=_share("marker_count", "household_count"),
        **{f"{band}_share": _share(f"{band}_count", "household_count") for band in INCOME_BANDS},
    )


def complex_composition_list(user, *, reference_date: date, neighbourhood=None, sort: str = DEFAULT_COMPLEX_SORT):
    """The user's complexes with their composition, sorted by `sort` (a key of COMPLEX_SORTS, "-" for descending).

    Needs VIEW_AGGREGATES: analysts see these counts and shares, never the households behind them.
    """
    require(user, Action.VIEW_AGGREGATES)
    relations, aggregates = composition_annotations(reference_date)
    queryset = Complex.objects.visible_to(user, Action.VIEW_AGGREGATES).select_related("neighbourhood")
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    queryset = _with_shares(queryset.alias(**relations).annotate(**aggregates))
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    field = COMPLEX_SORTS.get(key, COMPLEX_SORTS[DEFAULT_COMPLEX_SORT])
    order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return queryset.order_by(order, "external_id", "pk")


def complex_count(user, *, neighbourhood=None) -> int:
    """How many complexes the table has; counted without the aggregates, which a COUNT does not need."""
    queryset = Complex.objects.visible_to(user, Action.VIEW_AGGREGATES)
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    return queryset.count()


def complex_get(user, pk: int) -> Complex:
    require(user, Action.VIEW_STOCK)
    complex_ = Complex.objects.visible_to(user).select_related("neighbourhood").filter(pk=pk).first()
    if complex_ is None:
        raise Http404
    return complex_


def complex_composition(user, complex_: Complex, *, reference_date: date) -> dict:
    """The composition of one complex, the same figures as a row of the overview table."""
    row = (
        complex_composition_list(user, reference_date=reference_date)
        .filter(pk=complex_.pk)
        .values(
            "dwelling_count",
            "occupied_count",
            "vacant_count",
            "household_count",
            "marker_count",
            *[f"{band}_count" for band in INCOME_BANDS],
        )
        .first()
    )
    return row or {}


# Sort keys of the dwelling table; the household columns only for users who may see them.
DWELLING_SORTS = {
    "address": ("street", "house_number", "house_number_suffix"),
    "code": ("external_id",),
    "type": ("dwelling_type",),
    "rooms": ("rooms",),
    "rent": ("base_rent",),
    "status": ("status",),
    "label": ("energy_label",),
}
HOUSEHOLD_SORTS = {
    "household": ("household_external_id",),
    "size": ("household_size",),
    "income": ("household_income",),
}
DEFAULT_DWELLING_SORT = "address"


def dwelling_list(user, complex_: Complex, *, reference_date: date, with_households: bool,
                  sort: str = DEFAULT_DWELLING_SORT):
    """The complex's dwellings, each with its current household when the user may see single households."""
    require(user, Action.VIEW_STOCK)
    queryset = Dwelling.objects.visible_to(user).filter(complex=complex_)
    sorts = dict(DWELLING_SORTS)
    if with_households:
        require(user, Action.VIEW_HOUSEHOLDS)
        sorts.update(HOUSEHOLD_SORTS)
        queryset = queryset.alias(
            current=FilteredRelation("tenancies", condition=current_tenancy_q(reference_date, "tenancies__"))
        ).annotate(
            household_pk=F("current__household_id"),
            household_external_id=F("current__household__external_id"),
            household_size=F("current__household__size"),
            household_income=F("current__household__assessed_income"),
            household_income_year=F("current__household__income_year"),
        )
    descending = sort.startswith("-")
    fields = sorts.get(sort.lstrip("-"), DWELLING_SORTS[DEFAULT_DWELLING_SORT])
    order = [F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in fields]
    return queryset.order_by(*order, "pk")


def dwelling_status_counts(user, complex_: Complex) -> dict[str, int]:
    require(user, Action.VIEW_STOCK)
    return dict(
        Dwelling.objects.visible_to(user)
        .filter(complex=complex_)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )


def neighbourhood_list_with_stock(user):
    """The buurten where the user's corporation has complexes, with how many complexes and dwellings."""
    from buurtbalans.neighbourhoods.models import Neighbourhood

    membership = require(user, Action.VIEW_STOCK)
    mine = Q(complexes__corporation_id=membership.corporation_id)
    return (
        Neighbourhood.objects.filter(mine)
        .annotate(
            complex_count=Count("complexes", filter=mine, distinct=True),
            dwelling_count=Count("complexes__dwellings", filter=mine, distinct=True),
        )
        .select_related("district", "municipality")
        .order_by("municipality__name", "name", "cbs_code")
    )


@dataclass(frozen=True)
class StockSummary:
    dwellings_by_status: dict[str, int]
    dwelling_total: int
    households_housed: int
    households_registered: int
    composition: dict

    @property
    def lettable(self) -> int:
        """Dwellings that can be let now or after works: not sold or demolished."""
        return sum(
            n for s, n in self.dwellings_by_status.items() if s not in (DwellingStatus.SOLD, DwellingStatus.DEMOLISHED)
        )

    @property
    def vacancy_share(self) -> float | None:
        vacant = self.dwellings_by_status.get(DwellingStatus.VACANT, 0)
        return vacant / self.lettable if self.lettable else None


def stock_summary(user, *, reference_date: date) -> StockSummary:
    """Totals for the corporation overview: dwellings by status, households, composition of all tenants."""
    membership = require(user, Action.VIEW_AGGREGATES)
    by_status = dict(
        Dwelling.objects.visible_to(user, Action.VIEW_AGGREGATES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    # The corporation-wide composition: every current tenant household, whatever complex it lives in.
    relations, aggregates = composition_annotations(reference_date, prefix="")
    # .aggregate() takes only aggregates: bands without limits are the constant 0.
    constants = {k: 0 for k, v in aggregates.items() if isinstance(v, Value)}
    real = {k: v for k, v in aggregates.items() if k not in constants}
    totals = HousingCorporation.objects.filter(pk=membership.corporation_id).alias(**relations).aggregate(**real)
    totals.update(constants)
    known = sum(totals[f"{band}_count"] for band in INCOME_BANDS[:-1])
    totals["unknown_count"] = totals["household_count"] - known
    households_registered = (
        Household.objects.filter(corporation_id=membership.corporation_id).aggregate(n=Coalesce(Count("pk"), 0))["n"]
    )
    return StockSummary(
        dwellings_by_status=by_status,
        dwelling_total=sum(by_status.values()),
        households_housed=totals["household_count"],
        households_registered=households_registered,
        composition=totals,
    )
