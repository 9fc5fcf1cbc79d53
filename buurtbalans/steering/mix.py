"""The mix of a corporation's complexes: composition, inflow of recent lettings, profiles and distance to target.

Reads for a corporation, not for a user (like `rules.compliance`): `steering.selectors` checks the user's right
first, the labelling-plan job calls it for its corporation. Nothing here returns a single household.

Counting (docs/steering.md, "How the mix is counted"):
- The composition is the one count of `portfolio.composition.composition_by_complex`, the overview's and the
  monitor's too: a household counts in the complex where its current tenancy runs on the reference date.
- Three facts per household, each computed once per row in the database and grouped per complex with
  `GROUP BY complex, facts`, so 100k households cost one grouped query: has a vulnerability marker valid on the
  date; is a carrying resident (the tenancy was let on motivation or by co-optation, or has a carrying
  `SteeringRole` valid on the date; the fact this module adds); is in the primary income band (income at or
  below the passend-toewijzen limit of the parameters valid on the date, as `engine.rules.income_band` decides).
- A household's mix category is the first category (by position) whose rule it meets; derived here for counts
  only, never stored or shown per household.
- Inflow: the last N lettings (tenancies started) per complex within the last five years, with the household as
  it was at letting: a marker valid on the start date, and income at start against the limits valid then.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, OuterRef, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext_lazy as _

from buurtbalans.engine.parameters import ParameterSet, allowance_income_limit_name, set_in_force
from buurtbalans.households.models import SelectionMethod, Tenancy
from buurtbalans.households.selectors import marker_exists_on
from buurtbalans.portfolio.composition import Composition
from buurtbalans.portfolio.composition import composition_by_complex as stock_composition_by_complex
from buurtbalans.portfolio.composition import flag as flag
from buurtbalans.portfolio.models import Complex
from buurtbalans.rules.parameters import parameter_sets
from buurtbalans.steering.models import CategoryRule, ComplexProfile, MixCategory, SteeringRole, SteeringRoleKind

# Openbaar Belang (Zwolle): 50% regular, 35% needing some extra attention, 15% residents who carry the community.
# Listed by position: a household with a marker counts as "extra attention" even when it also carries.
DEFAULT_MAX_VULNERABLE_SHARE = Decimal("0.35")
DEFAULT_MAX_PRIMARY_SHARE = Decimal("0.75")
DEFAULT_LETTINGS = 10
LETTING_CHOICES = (5, 10, 20, 50)
INFLOW_YEARS = 5
# Lettings by these methods chose the household for what it brings to the community.
CARRYING_SELECTION_METHODS = (SelectionMethod.MOTIVATION, SelectionMethod.CO_OPTATION)


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    rule: str
    position: int
    default_share: Decimal


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category(
        "extra_attention", str(_("Needs some extra attention")), CategoryRule.VULNERABILITY_MARKER, 1, Decimal("0.35")
    ),
    Category("carrying", str(_("Carrying residents")), CategoryRule.CARRYING_ROLE, 2, Decimal("0.15")),
    Category("regular", str(_("Regular")), CategoryRule.REST, 3, Decimal("0.50")),
)


def default_categories() -> tuple[Category, ...]:
    """The built-in categories, their names in the active language."""
    labels = {
        "extra_attention": _("Needs some extra attention"),
        "carrying": _("Carrying residents"),
        "regular": _("Regular"),
    }
    return tuple(Category(c.code, str(labels[c.code]), c.rule, c.position, c.default_share) for c in DEFAULT_CATEGORIES)


def categories_for(corporation_id: int) -> tuple[Category, ...]:
    """The corporation's mix categories by position; the built-in ones while it has none of its own."""
    rows = MixCategory.objects.filter(corporation_id=corporation_id).order_by("position", "code")
    stored = tuple(Category(r.code, r.label, r.rule, r.position, r.default_share) for r in rows)
    return stored or default_categories()


def category_of(categories: tuple[Category, ...], *, marked: bool, carrying: bool, primary: bool) -> str | None:
    """The code of the first category whose rule these facts meet (None when no category takes them)."""
    for category in categories:
        if (
            category.rule == CategoryRule.REST
            or (category.rule == CategoryRule.VULNERABILITY_MARKER and marked)
            or (category.rule == CategoryRule.CARRYING_ROLE and carrying)
            or (category.rule == CategoryRule.LOWEST_INCOME and primary)
        ):
            return category.code
    return None


# --- profiles ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """The targets that apply to a complex (its own newest decision, the corporation's default, or built-in)."""

    target_mix: dict[str, Decimal]
    max_vulnerable_share: Decimal
    max_primary_share: Decimal
    source: str  # "complex", "default" or "builtin"
    decided_on: date | None = None
    decided_by: str = ""
    note: str = ""
    pk: int | None = None


def builtin_profile(categories: tuple[Category, ...]) -> Profile:
    return Profile(
        target_mix={c.code: c.default_share for c in categories},
        max_vulnerable_share=DEFAULT_MAX_VULNERABLE_SHARE,
        max_primary_share=DEFAULT_MAX_PRIMARY_SHARE,
        source="builtin",
    )


def _profile(row: dict, source: str) -> Profile:
    return Profile(
        target_mix={code: Decimal(str(share)) for code, share in (row["target_mix"] or {}).items()},
        max_vulnerable_share=row["max_vulnerable_share"],
        max_primary_share=row["max_primary_share"],
        source=source,
        decided_on=row["decided_on"],
        decided_by=row["decided_by_name"],
        note=row["note"],
        pk=row["pk"],
    )


@dataclass(frozen=True)
class Profiles:
    default: Profile
    by_complex: dict[int, Profile]

    def for_complex(self, complex_id: int) -> Profile:
        return self.by_complex.get(complex_id, self.default)


def profiles_for(
    corporation_id: int, categories: tuple[Category, ...], complex_ids=None, on: date | None = None
) -> Profiles:
    """The profile in force per complex: the newest decision (by decision date, then by when it was recorded);
    with `on`, only decisions dated on or before that day (a decision dated ahead applies from its date)."""
    rows = ComplexProfile.objects.filter(corporation_id=corporation_id)
    if on is not None:
        rows = rows.filter(decided_on__lte=on)
    if complex_ids is not None:
        rows = rows.filter(Q(complex_id__in=list(complex_ids)) | Q(complex__isnull=True))
    default: Profile | None = None
    by_complex: dict[int, Profile] = {}
    fields = (
        "pk",
        "complex_id",
        "target_mix",
        "max_vulnerable_share",
        "max_primary_share",
        "decided_on",
        "decided_by_name",
        "note",
    )
    for row in rows.order_by("-decided_on", "-created", "-id").values(*fields):
        if row["complex_id"] is None:
            default = default or _profile(row, "default")
        elif row["complex_id"] not in by_complex:
            by_complex[row["complex_id"]] = _profile(row, "complex")
    return Profiles(default or builtin_profile(categories), by_complex)


# --- composition and inflow ----------------------------------------------------------------------------------


def _active_role_q(reference_date: date) -> Q:
    """The tenancy has a carrying role valid on the date. An uncorrelated IN, which PostgreSQL hashes once, instead
    of an EXISTS it would run for each of 100k tenancies."""
    roles = SteeringRole.objects.filter(role=SteeringRoleKind.CARRYING, valid_from__lte=reference_date).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=reference_date)
    )
    return Q(pk__in=roles.values("tenancy_id"))


@dataclass
class Counts:
    """Households of one complex (or buurt) by the three facts, and per mix category."""

    households: int = 0
    vulnerable: int = 0
    primary: int = 0
    carrying: int = 0
    categories: dict[str, int] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        self.households += other.households
        self.vulnerable += other.vulnerable
        self.primary += other.primary
        self.carrying += other.carrying
        for code, n in other.categories.items():
            self.categories[code] = self.categories.get(code, 0) + n


def _compositions(
    corporation_id: int, reference_date: date, complex_ids=None
) -> dict[int, Composition]:
    """The complexes' compositions, with the households counted by "carrying" as well (the mix's own fact)."""
    carrying = Q(selection_method__in=CARRYING_SELECTION_METHODS) | _active_role_q(reference_date)
    return stock_composition_by_complex(
        corporation_id, reference_date, complex_ids=complex_ids, facts={"carrying": carrying}
    )


def _counts(composition: Composition, categories: tuple[Category, ...]) -> Counts:
    counts = Counts()
    for (band, marked, carrying), n in composition.groups.items():
        primary = band == "primary"
        counts.households += n
        counts.vulnerable += n if marked else 0
        counts.carrying += n if carrying else 0
        counts.primary += n if primary else 0
        code = category_of(categories, marked=marked, carrying=carrying, primary=primary)
        if code is not None:
            counts.categories[code] = counts.categories.get(code, 0) + n
    return counts


def composition_by_complex(
    corporation_id: int, reference_date: date, categories: tuple[Category, ...], complex_ids=None
) -> dict[int, Counts]:
    """Per complex: households living there on `reference_date`, by marker, carrying role, primary band, category.

    The complexes with households; counted by `portfolio.composition.composition_by_complex` (one grouped query
    over the current tenancies), the categories derived here from the facts.
    """
    return {
        pk: _counts(composition, categories)
        for pk, composition in _compositions(corporation_id, reference_date, complex_ids).items()
        if composition.groups
    }


def _primary_at_letting(limit_of, start: date, income, size, is_pension) -> bool:
    """Whether a letting went to the primary target group: income at start at or below the passend-toewijzen limit
    of the parameter set valid on the start date, for the household's type at letting.

    Decided in Python on the few lettings a complex shows (at most `lettings` each): a condition per parameter set
    and household type, OR-ed in SQL, took Django longer to compile than the database to run (issue 12 item 7).
    A letting whose type, income or limit is unknown, or that lies before the first set, is not counted as primary.
    """
    if income is None or size is None or is_pension is None:
        return False
    limit = limit_of(start, allowance_income_limit_name(size, is_pension))
    return limit is not None and income <= limit


def _limits_in_force(sets: tuple[ParameterSet, ...]):
    """`limit_of(date, name)`: the value of `name` in the set valid on the date (None before the first set),
    remembered per date and name: a corporation's lettings share their start dates."""

    @functools.cache
    def limit_of(day: date, name: str):
        try:
            return getattr(set_in_force(sets, day), name)
        except LookupError:
            return None

    return limit_of


@dataclass
class Inflow:
    lettings: int = 0
    vulnerable: int = 0
    primary: int = 0

    def add(self, other: Inflow) -> None:
        self.lettings += other.lettings
        self.vulnerable += other.vulnerable
        self.primary += other.primary


def inflow_by_complex(corporation_id: int, reference_date: date, lettings: int, complex_ids=None) -> dict[int, Inflow]:
    """Per complex: the last `lettings` lettings (tenancies started on or before the date, within five years),
    how many went to a household with a marker at letting and how many to the primary income band."""
    since = reference_date - timedelta(days=round(365.25 * INFLOW_YEARS))
    tenancies = Tenancy.objects.filter(
        corporation_id=corporation_id,
        start_date__gt=since,
        start_date__lte=reference_date,
        dwelling__complex__isnull=False,
    )
    if complex_ids is not None:
        tenancies = tenancies.filter(dwelling__complex_id__in=list(complex_ids))
    ranked = (
        tenancies.alias(
            l_income=Coalesce("income_at_start", "household__assessed_income"),
            l_size=Coalesce("household_size_at_start", "household__size"),
            l_pension=Coalesce("is_pension_age_at_start", "household__is_pension_age_household"),
        )
        .annotate(
            complex_ref=F("dwelling__complex_id"),
            position=Window(
                RowNumber(), partition_by=[F("dwelling__complex_id")], order_by=[F("start_date").desc(), F("pk").desc()]
            ),
            marked=marker_exists_on(OuterRef("start_date")),
            income=F("l_income"),
            size=F("l_size"),
            pension=F("l_pension"),
        )
        .filter(position__lte=lettings)
        .order_by()
        .values_list("complex_ref", "marked", "start_date", "income", "size", "pension")
    )
    limit_of = _limits_in_force(parameter_sets())
    result: dict[int, Inflow] = defaultdict(Inflow)
    for complex_ref, marked, start, income, size, pension in ranked:
        inflow = result[complex_ref]
        inflow.lettings += 1
        inflow.vulnerable += bool(marked)
        inflow.primary += _primary_at_letting(limit_of, start, income, size, pension)
    return dict(result)


# --- rows for the screens ------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class MixRow:
    """One complex (or buurt) of the concentration view: composition, recent inflow, targets, distance."""

    key: object
    code: str
    name: str
    neighbourhood_code: str
    neighbourhood_name: str
    counts: Counts
    inflow: Inflow
    vacant: int
    profile: Profile
    complexes: int = 1

    @property
    def households(self) -> int:
        return self.counts.households

    @property
    def vulnerable_share(self) -> float | None:
        return _share(self.counts.vulnerable, self.counts.households)

    @property
    def primary_share(self) -> float | None:
        return _share(self.counts.primary, self.counts.households)

    @property
    def inflow_vulnerable_share(self) -> float | None:
        return _share(self.inflow.vulnerable, self.inflow.lettings)

    @property
    def inflow_primary_share(self) -> float | None:
        return _share(self.inflow.primary, self.inflow.lettings)

    @property
    def vulnerable_excess(self) -> float:
        share = self.vulnerable_share
        return max(0.0, share - float(self.profile.max_vulnerable_share)) if share is not None else 0.0

    @property
    def primary_excess(self) -> float:
        share = self.primary_share
        return max(0.0, share - float(self.profile.max_primary_share)) if share is not None else 0.0

    @property
    def excess(self) -> float:
        """The labelling plan's measure: how far over its two limits (share points, summed)."""
        return self.vulnerable_excess + self.primary_excess

    def category_share(self, code: str) -> float | None:
        return _share(self.counts.categories.get(code, 0), self.counts.households)

    @property
    def mix_deviation(self) -> float | None:
        """Half the summed absolute difference between the actual and target category shares (0 = on target,
        1 = entirely different): the share of households that would have to be in another category."""
        if not self.counts.households:
            return None
        codes = set(self.profile.target_mix) | set(self.counts.categories)
        return 0.5 * sum(
            abs((self.category_share(code) or 0.0) - float(self.profile.target_mix.get(code, 0))) for code in codes
        )


MIX_SORTS = {
    "excess": lambda r: r.excess,
    "mix": lambda r: r.mix_deviation,
    "vulnerable": lambda r: r.vulnerable_share,
    "primary": lambda r: r.primary_share,
    "inflow_vulnerable": lambda r: r.inflow_vulnerable_share,
    "inflow_primary": lambda r: r.inflow_primary_share,
    "households": lambda r: r.households,
    "vacant": lambda r: r.vacant,
    "name": lambda r: r.name.lower(),
    "code": lambda r: r.code,
    "neighbourhood": lambda r: r.neighbourhood_name.lower(),
}
DEFAULT_MIX_SORT = "-excess"


def sort_rows(rows: list[MixRow], sort: str) -> tuple[list[MixRow], str]:
    """Rows sorted by a key of MIX_SORTS ("-" for descending, unknown values last); ties: mix deviation, code."""
    key = sort.lstrip("-")
    if key not in MIX_SORTS:
        sort, key = DEFAULT_MIX_SORT, DEFAULT_MIX_SORT.lstrip("-")
    descending = sort.startswith("-")
    read = MIX_SORTS[key]
    rows = sorted(rows, key=lambda r: (-(r.mix_deviation or 0.0), r.code))
    known = [r for r in rows if read(r) is not None]
    unknown = [r for r in rows if read(r) is None]
    known.sort(key=read, reverse=descending)
    return known + unknown, sort


def complex_mix_rows(
    corporation_id: int, reference_date: date, *, lettings: int = DEFAULT_LETTINGS, complex_ids=None
) -> list[MixRow]:
    """Every complex of the corporation (or those in `complex_ids`) with its mix. Six queries in all."""
    categories = categories_for(corporation_id)
    complexes = Complex.objects.filter(corporation_id=corporation_id)
    if complex_ids is not None:
        complexes = complexes.filter(pk__in=list(complex_ids))
    info = list(
        complexes.order_by("external_id").values_list(
            "pk", "external_id", "name", "neighbourhood__cbs_code", "neighbourhood__name"
        )
    )
    ids = [pk for pk, *_ in info] if complex_ids is not None else None
    compositions = _compositions(corporation_id, reference_date, ids)
    inflow = inflow_by_complex(corporation_id, reference_date, lettings, ids)
    profiles = profiles_for(corporation_id, categories, ids, on=reference_date)
    return [
        MixRow(
            key=pk,
            code=code,
            name=name,
            neighbourhood_code=bu_code or "",
            neighbourhood_name=bu_name or "",
            counts=_counts(compositions.get(pk) or Composition(), categories),
            inflow=inflow.get(pk, Inflow()),
            vacant=(compositions.get(pk) or Composition()).vacant_count,
            profile=profiles.for_complex(pk),
        )
        for pk, code, name, bu_code, bu_name in info
    ]


def neighbourhood_rows(complex_rows: list[MixRow]) -> list[MixRow]:
    """The complexes summed per buurt; a buurt's limits and target mix are its complexes' weighted by households
    (an unweighted mean when none has households). Complexes without a buurt form one row of their own."""
    groups: dict[str, list[MixRow]] = defaultdict(list)
    for row in complex_rows:
        groups[row.neighbourhood_code].append(row)
    result = []
    for bu_code, rows in groups.items():
        counts, inflow = Counts(), Inflow()
        for row in rows:
            counts.add(row.counts)
            inflow.add(row.inflow)
        total = sum(r.households for r in rows)
        weights = [Decimal(r.households) / total for r in rows] if total else [Decimal(1) / len(rows)] * len(rows)

        def weighted(read, rows=rows, weights=weights):
            return sum((read(r) * w for r, w in zip(rows, weights, strict=True)), Decimal(0))

        codes = {code for r in rows for code in r.profile.target_mix}
        profile = Profile(
            target_mix={
                code: weighted(lambda r, code=code: r.profile.target_mix.get(code, Decimal(0))) for code in codes
            },
            max_vulnerable_share=weighted(lambda r: r.profile.max_vulnerable_share),
            max_primary_share=weighted(lambda r: r.profile.max_primary_share),
            source="neighbourhood",
        )
        result.append(
            MixRow(
                key=bu_code,
                code=bu_code,
                name=rows[0].neighbourhood_name or str(_("No neighbourhood")),
                neighbourhood_code=bu_code,
                neighbourhood_name=rows[0].neighbourhood_name,
                counts=counts,
                inflow=inflow,
                vacant=sum(r.vacant for r in rows),
                profile=profile,
                complexes=len(rows),
            )
        )
    return result


# --- is there room for a vulnerable household? ---------------------------------------------------------------

# Within this many share points below the maximum after one more placement, the answer is "borderline".
ROOM_MARGIN = 0.02
# The recent inflow only counts as a warning from this many lettings on.
ROOM_MIN_INFLOW_LETTINGS = 3


class RoomAnswer:
    YES = "yes"
    NO = "no"
    BORDERLINE = "borderline"


class Measure:
    """The limits of a complex profile the room check weighs (docs/steering.md, "Is there room here …")."""

    VULNERABLE = "vulnerable"
    PRIMARY = "primary"


# The profile field that holds each measure's maximum, in the order the reasons name them.
MEASURE_LIMITS = {Measure.VULNERABLE: "max_vulnerable_share", Measure.PRIMARY: "max_primary_share"}
# Grounds for "no", then for "borderline", most serious first.
NO_GROUNDS = ("max_zero", "at_max")
BORDERLINE_GROUNDS = ("one_more_over", "close_to_max", "inflow_high")


@dataclass(frozen=True)
class MeasureCheck:
    """One measure of the profile against its maximum: the count now, what one more placement would do, inflow."""

    measure: str
    households: int
    count: int
    maximum: Decimal
    inflow_lettings: int
    inflow_count: int
    grounds: tuple[str, ...]

    @property
    def share_now(self) -> float | None:
        return _share(self.count, self.households)

    @property
    def share_after_one(self) -> float:
        return (self.count + 1) / (self.households + 1)

    @property
    def inflow_share(self) -> float | None:
        return _share(self.inflow_count, self.inflow_lettings)

    @property
    def answer(self) -> str:
        if set(self.grounds) & set(NO_GROUNDS):
            return RoomAnswer.NO
        if set(self.grounds) & set(BORDERLINE_GROUNDS):
            return RoomAnswer.BORDERLINE
        return RoomAnswer.YES

    @property
    def over_by(self) -> float:
        """How far (share points) the complex is over this maximum now, or would be after one more (negative:
        still below it). Orders the binding measures: the furthest over first."""
        now = self.share_now
        return (now if now is not None else self.share_after_one) - float(self.maximum)


def check_measure(
    measure: str, households: int, count: int, maximum: Decimal, inflow_lettings: int, inflow_count: int
) -> MeasureCheck:
    """One measure: no when the maximum is 0 or the complex is at or above it now; borderline when one more
    household counted in it would take it over or to within 2 share points below it, or the recent lettings
    (at least 3) brought it at a share above the maximum; yes otherwise."""
    now = _share(count, households)
    after = (count + 1) / (households + 1)
    grounds: list[str] = []
    if maximum <= 0:
        grounds.append("max_zero")
    elif now is not None and now >= float(maximum):
        grounds.append("at_max")
    if not grounds:
        if after > float(maximum):
            grounds.append("one_more_over")
        elif float(maximum) - after < ROOM_MARGIN:
            grounds.append("close_to_max")
        inflow = _share(inflow_count, inflow_lettings)
        if inflow_lettings >= ROOM_MIN_INFLOW_LETTINGS and inflow is not None and inflow > float(maximum):
            grounds.append("inflow_high")
    return MeasureCheck(measure, households, count, maximum, inflow_lettings, inflow_count, tuple(grounds))


@dataclass(frozen=True)
class Room:
    """The answer for one vacancy and the figures behind it (complex-level aggregates only).

    `checks` has one `MeasureCheck` per limit of the profile; `binding` names the measures that decide the
    answer (those whose own answer equals it), furthest over their maximum first; empty for "yes".
    """

    answer: str
    checks: tuple[MeasureCheck, ...]
    inflow: Inflow
    binding: tuple[str, ...]

    def check(self, measure: str) -> MeasureCheck:
        return next(c for c in self.checks if c.measure == measure)

    @property
    def households(self) -> int:
        return self.checks[0].households

    # The vulnerable measure's figures, as the answer had them before it weighed every measure.
    @property
    def vulnerable(self) -> int:
        return self.check(Measure.VULNERABLE).count

    @property
    def max_share(self) -> Decimal:
        return self.check(Measure.VULNERABLE).maximum

    @property
    def share_after_one(self) -> float:
        return self.check(Measure.VULNERABLE).share_after_one

    @property
    def grounds(self) -> tuple[str, ...]:
        """Every measure's grounds, most serious first ("room" when there are none)."""
        found = {g for c in self.checks for g in c.grounds}
        ordered = tuple(g for g in (*NO_GROUNDS, *BORDERLINE_GROUNDS) if g in found)
        return ordered or ("room",)


def room_for_vulnerable(row: MixRow) -> Room:
    """Is there room in this complex for one more household with a vulnerability marker?

    Weighs every limit of the complex profile: the share with a vulnerability marker and the share of the lowest
    incomes (a household placed with support almost always has one of the lowest incomes, so one more placement
    counts in both). The answer is the worst of the measures' answers (`check_measure`): no before borderline
    before yes.
    """
    checks = (
        check_measure(
            Measure.VULNERABLE, row.counts.households, row.counts.vulnerable, row.profile.max_vulnerable_share,
            row.inflow.lettings, row.inflow.vulnerable,
        ),
        check_measure(
            Measure.PRIMARY, row.counts.households, row.counts.primary, row.profile.max_primary_share,
            row.inflow.lettings, row.inflow.primary,
        ),
    )
    answer = next(
        (a for a in (RoomAnswer.NO, RoomAnswer.BORDERLINE) if any(c.answer == a for c in checks)), RoomAnswer.YES
    )
    binding = tuple(
        c.measure for c in sorted(checks, key=lambda c: -c.over_by) if c.answer == answer and answer != RoomAnswer.YES
    )
    return Room(answer, checks, row.inflow, binding)
