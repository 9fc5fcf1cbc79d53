"""Reading the stock for users: complexes and dwellings of the user's corporation, with their composition.

Composition (occupancy, income bands, share with a vulnerability marker) is computed in the database
with conditional aggregation, one grouped query for a page of complexes, so the overview stays quick
with 100k dwellings: nothing loads every household into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import Http404

from buurtbalans.core.permissions import Action, require
from buurtbalans.households.models import Household, Tenancy
from buurtbalans.households.selectors import (
    INCOME_BANDS,
    active_marker_q,
    current_tenancy_q,
    income_band_conditions,
    income_band_limits,
)
from buurtbalans.portfolio.models import Complex, Dwelling, DwellingStatus

# Sort keys of the complex table -> the annotation or field they order by.
COMPLEX_SORTS = {
    "code": "external_id",
    "name": "name",
    "neighbourhood": "neighbourhood_name",
    "dwellings": "dwelling_count",
    "occupied": "occupied_count",
    "vacant": "vacant_count",
    "vacancy": "vacancy_share",
    "households": "household_count",
    **{band: f"{band}_share" for band in INCOME_BANDS},
    "markers": "marker_share",
}
DEFAULT_COMPLEX_SORT = "code"
PLAIN_COMPLEX_SORTS = {"code", "name", "neighbourhood"}


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
            filter=active_marker_q("current__household_id", reference_date),
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


def _complex_base(user, neighbourhood=None) -> QuerySet:
    # Only the narrow columns the table shows: the rows are grouped after the join, and a buurt's geometry
    # (kilobytes of GeoJSON) carried through that sort made it spill to disk at 100k dwellings.
    queryset = (
        Complex.objects.visible_to(user, Action.VIEW_AGGREGATES)
        .only("id", "corporation_id", "external_id", "name", "neighbourhood_id")
        .annotate(neighbourhood_code=F("neighbourhood__cbs_code"), neighbourhood_name=F("neighbourhood__name"))
    )
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    return queryset


def _sorted(queryset: QuerySet, sort: str) -> QuerySet:
    descending = sort.startswith("-")
    field = COMPLEX_SORTS.get(sort.lstrip("-"), COMPLEX_SORTS[DEFAULT_COMPLEX_SORT])
    order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return queryset.order_by(order, "external_id", "pk")


def is_plain_complex_sort(sort: str) -> bool:
    """Whether the complex table is sorted on a column of its own (no aggregate needed to order it)."""
    return sort.lstrip("-") in PLAIN_COMPLEX_SORTS


def complex_composition_list(user, *, reference_date: date, neighbourhood=None, sort: str = DEFAULT_COMPLEX_SORT):
    """The user's complexes with their composition, sorted by `sort` (a key of COMPLEX_SORTS, "-" for descending).

    Needs VIEW_AGGREGATES: analysts see these counts and shares, never the households behind them.
    """
    require(user, Action.VIEW_AGGREGATES)
    relations, aggregates = composition_annotations(reference_date)
    queryset = _with_shares(_complex_base(user, neighbourhood).alias(**relations).annotate(**aggregates))
    return _sorted(queryset, sort)


def complex_order_list(user, *, neighbourhood=None, sort: str = DEFAULT_COMPLEX_SORT) -> QuerySet:
    """The complexes' ids in table order, for a sort on a plain column: a page is cut before any aggregate runs.

    Aggregating only the 50 complexes on a page instead of all 1,500 makes the default overview ten times faster.
    """
    require(user, Action.VIEW_AGGREGATES)
    if not is_plain_complex_sort(sort):
        raise ValueError(f"{sort!r} needs the aggregates to sort")
    return _sorted(_complex_base(user, neighbourhood), sort).values_list("pk", flat=True)


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
    corporation_id = membership.corporation_id

    def count_of(queryset):
        # A correlated count per buurt: a few dozen buurten, each read through an index, instead of
        # a DISTINCT count over the join of every complex with every dwelling.
        counted = queryset.order_by().values("corporation_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    complexes = Complex.objects.filter(corporation_id=corporation_id, neighbourhood_id=OuterRef("pk"))
    return (
        Neighbourhood.objects.filter(Exists(complexes))
        .annotate(
            complex_count=count_of(complexes),
            dwelling_count=count_of(
                Dwelling.objects.filter(corporation_id=corporation_id, complex__neighbourhood_id=OuterRef("pk"))
            ),
        )
        .select_related("district", "municipality")
        .defer("geometry", "district__geometry", "municipality__geometry")
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
    # The corporation-wide composition: every household with a current tenancy, counted once (a semi-join on
    # households needs no DISTINCT, which made the same figures over the dwelling join three times slower).
    current = Tenancy.objects.filter(household_id=OuterRef("pk")).filter(current_tenancy_q(reference_date))
    bands = income_band_conditions(income_band_limits(reference_date).parameters)
    aggregates = {
        "household_count": Count("pk"),
        **{f"{band}_count": Count("pk", filter=q) for band, q in bands.items() if q is not None},
        "marker_count": Count("pk", filter=active_marker_q("pk", reference_date)),
    }
    totals = (
        Household.objects.filter(corporation_id=membership.corporation_id)
        .filter(Exists(current))
        .aggregate(**aggregates)
    )
    for band in INCOME_BANDS[:-1]:
        totals.setdefault(f"{band}_count", 0)
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
