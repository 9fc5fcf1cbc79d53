"""Reading the stock for users: complexes and dwellings of the user's corporation, with their composition.

The composition (occupancy, income bands, share with a vulnerability marker) is counted by
`portfolio.composition.composition_by_complex`, the one count the steering mix and the liveability monitor use
too: grouped in the database, for only the complexes a page shows, so the overview stays quick with 100k
dwellings and nothing loads every household into Python.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.http import Http404

from buurtbalans.core.models import HousingCorporation
from buurtbalans.core.permissions import Action, require
from buurtbalans.households.models import Household, Tenancy
from buurtbalans.households.selectors import (
    INCOME_BANDS,
    active_marker_q,
    current_tenancy_q,
    income_band_conditions,
    income_band_limits,
)
from buurtbalans.portfolio.composition import Composition, composition_by_complex
from buurtbalans.portfolio.models import (
    STOCK_CHANGE_COMPACT_FROM,
    Complex,
    Dwelling,
    DwellingStatus,
    StockChange,
    StockSummaryCache,
)

# Sort keys of the complex table -> the attribute (a column, or a figure of the composition) they order by.
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
# From this many complexes on, the composition is counted for the whole corporation rather than for a list of ids.
WHOLE_CORPORATION_FROM = 200


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _attach(row: Complex, composition: Composition) -> None:
    """Give a complex of the table its counts and shares as attributes (`<band>_count`, `<band>_share`, ...)."""
    counts = composition.as_counts()
    for name, value in counts.items():
        setattr(row, name, value)
    households = counts["household_count"]
    row.vacancy_share = _share(counts["vacant_count"], counts["dwelling_count"])
    row.marker_share = _share(counts["marker_count"], households)
    for band in INCOME_BANDS:
        setattr(row, f"{band}_share", _share(counts[f"{band}_count"], households))


def _with_composition(queryset: QuerySet, corporation_id: int, reference_date: date) -> QuerySet:
    """The queryset, its complexes fetched with their composition attached (counted for just those complexes).

    Like a prefetch: filtering or slicing the queryset first (a page of the table) keeps the count to that page.
    """

    class WithComposition(ModelIterable):
        def __iter__(self):
            rows = list(super().__iter__())
            ids = None if len(rows) >= WHOLE_CORPORATION_FROM else [row.pk for row in rows]
            compositions = composition_by_complex(corporation_id, reference_date, complex_ids=ids) if rows else {}
            for row in rows:
                _attach(row, compositions.get(row.pk) or Composition())
            yield from rows

    queryset = queryset.all()
    queryset._iterable_class = WithComposition
    return queryset


def _complex_base(user, neighbourhood=None) -> QuerySet:
    # Only the narrow columns the table shows: not a buurt's geometry (kilobytes of GeoJSON per row).
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


def _sorted_by_figure(rows: list[Complex], sort: str) -> list[Complex]:
    """Rows sorted on a figure of their composition: unknown (None) last either way, ties by code, then pk."""
    descending = sort.startswith("-")
    field = COMPLEX_SORTS[sort.lstrip("-")]
    rows = sorted(rows, key=lambda r: (r.external_id, r.pk))
    known = [r for r in rows if getattr(r, field) is not None]
    unknown = [r for r in rows if getattr(r, field) is None]
    known.sort(key=lambda r: getattr(r, field), reverse=descending)  # stable: ties keep the code order
    return known + unknown


def is_plain_complex_sort(sort: str) -> bool:
    """Whether the complex table is sorted on a column of its own (no aggregate needed to order it)."""
    return sort.lstrip("-") in PLAIN_COMPLEX_SORTS


def complex_composition_list(user, *, reference_date: date, neighbourhood=None, sort: str = DEFAULT_COMPLEX_SORT):
    """The user's complexes with their composition, sorted by `sort` (a key of COMPLEX_SORTS, "-" for descending).

    Each complex carries the counts of `Composition.as_counts` and the shares (`vacancy_share`, `marker_share`,
    `<band>_share`). Sorted on a plain column (`is_plain_complex_sort`) it is a queryset: a page cut from it
    (`.filter(pk__in=...)` or a slice) counts the composition of that page's complexes only. Sorted on a figure,
    it is a list of every complex, counted in one go and sorted here.

    Needs VIEW_AGGREGATES: analysts see these counts and shares, never the households behind them.
    """
    membership = require(user, Action.VIEW_AGGREGATES)
    queryset = _with_composition(_complex_base(user, neighbourhood), membership.corporation_id, reference_date)
    if is_plain_complex_sort(sort) or sort.lstrip("-") not in COMPLEX_SORTS:
        return _sorted(queryset, sort)  # an unknown key orders by code, as `_sorted` does
    return _sorted_by_figure(list(queryset), sort)


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
    """The composition of one complex, the same figures as a row of the overview table (`Composition.as_counts`);
    {} for a complex of another corporation."""
    membership = require(user, Action.VIEW_AGGREGATES)
    if complex_.corporation_id != membership.corporation_id:
        return {}
    compositions = composition_by_complex(membership.corporation_id, reference_date, complex_ids=[complex_.pk])
    return (compositions.get(complex_.pk) or Composition()).as_counts()


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
    """Totals for the corporation overview: dwellings by status, households, composition of all tenants.

    Counting them is a pass over every household and current tenancy of the corporation (a quarter of a second
    at 100k dwellings, the bulk of the overview's time), so they are kept in `StockSummaryCache` and counted again
    only after a write to dwellings, households, tenancies or markers has committed (the `StockChange` log the
    database's triggers keep), on another day, or under other legal parameters. Never stale: the log's sum is read
    before the counting, so figures stored under a sum include at least every change that sum stands for, and a
    write committed later raises the sum.
    """
    membership = require(user, Action.VIEW_AGGREGATES)
    corporation_id = membership.corporation_id
    params = income_band_limits(reference_date).parameters  # read once per request (rules.parameters)
    parameters_key = hashlib.sha256(repr(params).encode()).hexdigest()
    version, rows, data = _stock_cache_lookup(corporation_id, reference_date, parameters_key)
    if data is None:
        data = _stock_totals(corporation_id, reference_date, params)
        StockSummaryCache.objects.bulk_create(
            [StockSummaryCache(corporation_id=corporation_id, reference_date=reference_date,
                               parameters_key=parameters_key, version=version, data=data)],
            update_conflicts=True,
            unique_fields=["corporation"],
            update_fields=["reference_date", "parameters_key", "version", "data"],
        )
        if rows >= STOCK_CHANGE_COMPACT_FROM:
            StockChange.objects.compact()
    return StockSummary(
        dwellings_by_status=data["dwellings_by_status"],
        dwelling_total=sum(data["dwellings_by_status"].values()),
        households_housed=data["composition"]["household_count"],
        households_registered=data["households_registered"],
        composition=data["composition"],
    )


def _stock_cache_lookup(corporation_id: int, reference_date: date, parameters_key: str) -> tuple[int, int, dict | None]:
    """In one query: the change log's sum and row count, and the corporation's cached totals if still valid."""
    log = StockChange.objects.annotate(all_rows=Value(1)).values("all_rows")
    cache = StockSummaryCache.objects.filter(
        corporation_id=OuterRef("pk"), reference_date=reference_date, parameters_key=parameters_key,
        version=OuterRef("version"),
    )
    row = (
        HousingCorporation.objects.filter(pk=corporation_id)
        .annotate(
            version=Coalesce(Subquery(log.annotate(total=Sum("n")).values("total")), 0),
            rows=Coalesce(Subquery(log.annotate(count=Count("*")).values("count")), 0),
        )
        .annotate(cached=Subquery(cache.values("data")[:1], output_field=JSONField()))
        .values_list("version", "rows", "cached")
        .first()
    )
    return row if row is not None else (0, 0, None)


def _count_of(queryset: QuerySet):
    """A count of another table riding along in an aggregate: uncorrelated, so PostgreSQL runs it once."""
    counted = queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*")).values("n")
    return Max(Coalesce(Subquery(counted, output_field=IntegerField()), 0))


def _stock_totals(corporation_id: int, reference_date: date, params) -> dict:
    """Count the totals in one pass over the corporation's tenant households (the dwellings by status and the
    households known ride along, each counted from its index)."""
    dwellings = Dwelling.objects.filter(corporation_id=corporation_id)
    households = Household.objects.filter(corporation_id=corporation_id)
    # The corporation-wide composition: every household with a current tenancy, counted once (a semi-join on
    # households needs no DISTINCT, which made the same figures over the dwelling join three times slower).
    current = Tenancy.objects.filter(household_id=OuterRef("pk")).filter(current_tenancy_q(reference_date))
    bands = income_band_conditions(params)
    totals = households.filter(Exists(current)).aggregate(
        household_count=Count("pk"),
        **{f"{band}_count": Count("pk", filter=q) for band, q in bands.items() if q is not None},
        marker_count=Count("pk", filter=active_marker_q("pk", reference_date)),
        # COUNT(*), not COUNT(id): PostgreSQL counts these from the (corporation, status) and corporation indexes.
        households_registered=_count_of(households),
        **{f"dwellings_{status}": _count_of(dwellings.filter(status=status)) for status in DwellingStatus.values},
    )
    if not totals["household_count"]:  # no tenant household: no row to carry the other counts
        totals["households_registered"] = households.count()
        by_status = dict(dwellings.order_by().values_list("status").annotate(n=Count("*")).values_list("status", "n"))
    else:
        by_status = {status: totals[f"dwellings_{status}"] for status in DwellingStatus.values}
    for status in DwellingStatus.values:
        totals.pop(f"dwellings_{status}")
    registered = totals.pop("households_registered")
    for band in INCOME_BANDS[:-1]:
        totals.setdefault(f"{band}_count", 0)
    known = sum(totals[f"{band}_count"] for band in INCOME_BANDS[:-1])
    totals["unknown_count"] = totals["household_count"] - known
    return {
        "dwellings_by_status": {str(status): n for status, n in by_status.items() if n},
        "households_registered": registered,
        "composition": totals,
    }
