"""Yearly caps on selection on motivation per municipality (issue 13 item 2): what counts, and how a refusal reads.

A municipality allows choosing tenants on their motivation within limits: a share of the year's lettings and a
number per year (Zeist: at most 25 % and at most 20). The corporation records them as `MotivationCap`. Counted
per corporation, municipality (of the dwelling's complex's buurt) and calendar year:

- the lettings: tenancies that started in the year, whatever the selection method (the share's base);
- on motivation: those whose selection method recorded at letting is `motivation` (`Tenancy.selection_method`,
  copied from the listing's selection key when the offer is accepted, `allocation.services.offers`).

The allocation app adds what is on its way: the motivation listings open now and every open listing (each will
be a letting), and refuses the first motivation listing that would go over a cap (`allocation.services.listings`,
with `cap_refusals` for the words). The rules app is below allocation, so this module never reads listings: the
compliance page shows the lettings, which is what the cap is about in the end. A dwelling whose municipality is
not known falls under no cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from buurtbalans.core.templatetags.buurtbalans import percent
from buurtbalans.households.models import SelectionMethod, Tenancy
from buurtbalans.neighbourhoods.models import Municipality
from buurtbalans.rules.models import MotivationCap

MUNICIPALITY_PATH = "dwelling__complex__neighbourhood__municipality"


def year_range(year: int) -> Q:
    return Q(start_date__gte=date(year, 1, 1), start_date__lte=date(year, 12, 31))


def letting_counts(corporation_id: int, year: int, municipality_id: int | None = None) -> dict[int, tuple[int, int]]:
    """Municipality pk -> (lettings, lettings on motivation) of the corporation in `year`.

    Municipalities without lettings are left out; lettings of dwellings without a municipality are not counted.
    """
    tenancies = Tenancy.objects.filter(year_range(year), corporation_id=corporation_id,
                                       **{f"{MUNICIPALITY_PATH}__isnull": False})
    if municipality_id is not None:
        tenancies = tenancies.filter(**{f"{MUNICIPALITY_PATH}_id": municipality_id})
    rows = (tenancies.order_by().values(f"{MUNICIPALITY_PATH}_id")
            .annotate(total=Count("pk"), motivation=Count("pk", filter=Q(selection_method=SelectionMethod.MOTIVATION))))
    return {row[f"{MUNICIPALITY_PATH}_id"]: (row["total"], row["motivation"]) for row in rows}


def cap_get(corporation_id: int, municipality_id: int, year: int) -> MotivationCap | None:
    """The corporation's cap for the municipality and year, or None (no cap)."""
    return (MotivationCap.objects.filter(corporation_id=corporation_id, municipality_id=municipality_id, year=year)
            .select_related("municipality").first())


def cap_refusals(cap: MotivationCap, *, let_on_motivation: int, open_on_motivation: int, lettings: int,
                 open_listings: int) -> list[str]:
    """Why one more motivation listing would go over `cap`; empty when it fits.

    Args:
        cap: the municipality's cap for the year.
        let_on_motivation: lettings on motivation in the year so far.
        open_on_motivation: motivation listings open now, besides the one to open.
        lettings: all lettings in the year so far.
        open_listings: all listings open now, besides the one to open (each will be a letting).

    Returns:
        One sentence per cap that would be exceeded, naming it and the count, then one saying what was counted.
    """
    used = let_on_motivation + open_on_motivation
    name, year = cap.municipality.name, cap.year
    problems = []
    if cap.max_number is not None and used + 1 > cap.max_number:
        problems.append(_("The municipality of %(municipality)s allows at most %(max)d lettings on motivation in "
                          "%(year)d; there are already %(used)d.")
                        % {"municipality": name, "max": cap.max_number, "year": year, "used": used})
    # The share of all homes let or on offer in the year: if it holds each time one opens, it holds at the end of
    # the year too, since every other letting only lowers it.
    total = lettings + open_listings + 1
    if cap.max_share is not None and Decimal(used + 1) / total > cap.max_share:
        problems.append(_("The municipality of %(municipality)s allows at most %(max)s of the lettings on "
                          "motivation in %(year)d; with this home it would be %(count)d of %(total)d (%(share)s).")
                        % {"municipality": name, "max": percent(cap.max_share, -1), "year": year,
                           "count": used + 1, "total": total, "share": percent(Decimal(used + 1) / total, -1)})
    if problems:
        problems.append(_("Counted: %(let)d of %(lettings)d lettings in %(year)d were on motivation, and "
                          "%(open)d of the %(open_all)d homes on offer now are motivation listings.")
                        % {"let": let_on_motivation, "lettings": lettings, "year": year,
                           "open": open_on_motivation, "open_all": open_listings})
    return problems


@dataclass(frozen=True)
class CapUse:
    """One municipality's use of selection on motivation in a year, against its cap (None: no cap recorded)."""

    municipality_code: str
    municipality_name: str
    year: int
    lettings: int
    on_motivation: int
    max_share: Decimal | None
    max_number: int | None
    source: str = ""

    @property
    def share(self) -> Decimal | None:
        """Lettings on motivation as a fraction of the lettings; None without lettings."""
        return Decimal(self.on_motivation) / self.lettings if self.lettings else None

    @property
    def is_over_number(self) -> bool:
        return self.max_number is not None and self.on_motivation > self.max_number

    @property
    def is_over_share(self) -> bool:
        return self.max_share is not None and self.share is not None and self.share > self.max_share

    @property
    def is_over(self) -> bool:
        return self.is_over_number or self.is_over_share

    @property
    def has_cap(self) -> bool:
        return self.max_share is not None or self.max_number is not None


def cap_use_for_year(corporation_id: int, year: int, municipality_code: str | None = None) -> list[CapUse]:
    """Per municipality with a cap or with lettings on motivation in `year`: the use against the cap.

    Args:
        corporation_id: the corporation.
        year: the calendar year.
        municipality_code: only this municipality (CBS code), when given.
    """
    caps = {cap.municipality_id: cap for cap in MotivationCap.objects.filter(
        corporation_id=corporation_id, year=year).select_related("municipality")}
    counts = letting_counts(corporation_id, year)
    shown = set(caps) | {pk for pk, (_total, motivation) in counts.items() if motivation}
    names = {m.pk: m for m in Municipality.objects.filter(pk__in=shown - set(caps))} if shown - set(caps) else {}
    uses = []
    for pk in shown:
        cap = caps.get(pk)
        municipality = cap.municipality if cap is not None else names[pk]
        if municipality_code and municipality.cbs_code != municipality_code:
            continue
        total, motivation = counts.get(pk, (0, 0))
        uses.append(CapUse(
            municipality_code=municipality.cbs_code, municipality_name=municipality.name, year=year,
            lettings=total, on_motivation=motivation,
            max_share=cap.max_share if cap is not None else None,
            max_number=cap.max_number if cap is not None else None,
            source=cap.source if cap is not None else "",
        ))
    return sorted(uses, key=lambda use: (use.municipality_name, use.municipality_code))
