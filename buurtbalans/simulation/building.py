"""A simulation scenario built from the corporation's data, each estimated value with its basis (issue 15).

`build_scenario(corporation, on=..., years=...)` reads the corporation's stock, households, lettings and waiting
list as they were on `on` and returns a `buurtbalans.simulation/1` document the analyst then edits on the scenario
page, with every estimated value (`Estimate`: n, k, a 90 % interval and a sentence on what it rests on) and the
problems met on the way. The rules (docs/simulation.md, "A scenario from the corporation's data"):

1. Complexes: the corporation's complexes with lettable dwellings (not sold or demolished), by complex code, counted
   as the monitor and steering count them (`portfolio.composition.composition_by_complex`): V = households with a
   marker of a kind that counts for concentration valid on `on`; P = households in the primary income band, not V;
   O = the other households plus the vacant dwellings (a vacancy is let within the simulated year, so the model
   has no empty dwellings; counted as O, and `problems` says how many). Targets: the complex profile in force on
   `on` (`steering.mix.profiles_for`: the complex's decision, else the corporation's default, else built-in), the
   limits the room check and the monitor use.
2. Turnover per complex: tenancies ended in the three years before `on` per household-year lived there in those
   years, shrunk towards the corporation's rate with PRIOR_YEARS pseudo household-years:
   (moves + PRIOR_YEARS x rate) / (household-years + PRIOR_YEARS); clamped to [0, 1], 6 decimals.
3. Inflow per label from the lettings of the last 12 months (`steering.estimates.inflow_estimate`, Laplace's rule
   (k + 1) / (n + 2), lettings at or below the cap): OPEN.V = p_open; NO_VULNERABLE.V = p_no_vulnerable (0 without
   such lettings, steering's default); RESERVED_VULNERABLE.V = 1 (the label's definition, as the labelling plan
   assumes). P = (1 - V) x the primary share among the lettings to households without a marker (Laplace again);
   O = 1 - V - P, so each label sums to exactly 1. Without any letting to estimate from, the shares of the
   households living in the complexes on `on`.
4. Arrivals per type: applicants whose first bid on the corporation's listings fell in the 365 days up to `on`
   (the bids of the last year show who started looking), typed by their household on `on`; without any bid in
   that year, the applicants registered in it (said in `problems`).
5. Initial queue per type: whole years since registration on `on` of each applicant registered by then and not
   housed on `on` (no allocation profile, or one on the waiting list, or housed after `on`).
6. start_year: the year after `on` when `on` is after 1 July, else `on`'s year. Policies: open letting and the room
   check, whose minimum is the number of lettings to V households in the 365 days up to `on`.

Reads only, for a corporation (the caller checks the user's right). Grouped counts whatever the size (per
complex, per registration date and type), never a query per complex; `inflow_estimate` reads the year's lettings
once and looks up the legal parameters once per letting date (cached). 0.6 s on the 100k-dwelling demo on
PostgreSQL, 1.4 s when the composition is not yet counted in this process (docs/simulation.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Min, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import ApplicantProfile, ApplicantStatus, Bid
from buurtbalans.core.formatting import format_number
from buurtbalans.engine.simulation.intervals import garwood, wilson
from buurtbalans.engine.simulation.scenario import SCENARIO_FORMAT, TYPES
from buurtbalans.households.models import Applicant, Tenancy
from buurtbalans.households.selectors import active_marker_q, marker_exists_on
from buurtbalans.portfolio.composition import band_case, composition_by_complex, flag
from buurtbalans.portfolio.models import Complex
from buurtbalans.steering.estimates import WINDOW_DAYS, Basis, inflow_estimate
from buurtbalans.steering.mix import categories_for, profiles_for

# Pseudo household-years of the corporation's own rate added to each complex's turnover: a complex with 10
# households seen for three years (30 household-years) keeps three quarters of its own rate, one with 2 households
# (6) less than half. Chosen, not fitted: enough to stop a small complex with one move from getting 0.5.
PRIOR_YEARS = Decimal(10)
TURNOVER_YEARS = 3
DAYS_PER_YEAR = Decimal("365.25")
# Without any tenancy to measure turnover on: about the sector's yearly turnover (mutatiegraad) of social rent.
FALLBACK_TURNOVER = Decimal("0.07")
SHARE = Decimal("0.000001")  # 6 decimals: what the result's numbers carry
OPEN, NO_VULNERABLE, RESERVED = "OPEN", "NO_VULNERABLE", "RESERVED_VULNERABLE"
POLICY_OPEN = "Open"
POLICY_ROOM = "Ruimte per complex"


@dataclass(frozen=True)
class Estimate:
    """One estimated value, shown with its confidence on the scenario page.

    Attributes:
        key: where it goes in the document: "inflow.OPEN.V", "arrivals.P", "turnover.<complex id>", "turnover"
            (the corporation's rate), "policies.<name>.min_vulnerable_placements".
        value: the value put in the document.
        n: how many observations it rests on (lettings, applicants, household-years).
        k: how many of them counted (None for rates and counts that are not a share).
        low, high: the 90 % interval (Wilson for shares, Garwood for counts and rates); None when n = 0.
        note: in plain language (the active language, Dutch by default) what it was estimated from.
    """

    key: str
    value: Decimal
    n: int
    k: int | None
    low: Decimal | None
    high: Decimal | None
    note: str


@dataclass(frozen=True)
class BuiltScenario:
    """A scenario from the corporation's data: the document, its estimates, the day read and what was missing."""

    document: dict
    estimates: list[Estimate]
    on: date
    problems: list[str]


class ScenarioBuildError(ValueError):
    """No scenario can be built (the corporation has no complex with lettable dwellings); the message is for the
    user."""


def _round(value: Decimal | float, step: Decimal = SHARE) -> Decimal:
    return Decimal(str(value)).quantize(step, rounding=ROUND_HALF_EVEN)


def _clamp(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value))


def _laplace(k: int, n: int) -> Decimal:
    return _round(Decimal(k + 1) / Decimal(n + 2))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def whole_years(since: date, on: date) -> int:
    """Whole years from `since` to `on` (0 for a date after `on`)."""
    years = on.year - since.year - ((on.month, on.day) < (since.month, since.day))
    return max(0, years)


def start_year_for(on: date) -> int:
    """The first simulated year: the next year when `on` is after 1 July, else `on`'s own year."""
    return on.year + 1 if on > date(on.year, 7, 1) else on.year


def build_scenario(corporation, *, on: date, years: int = 10) -> BuiltScenario:
    """The corporation's scenario on `on`, with every estimate and the problems met (module docstring).

    Args:
        corporation: the HousingCorporation.
        on: the day the data is read on (composition, markers, income limits, waiting list).
        years: the number of years to simulate.

    Returns:
        A BuiltScenario whose document `engine.simulation.parse_scenario` accepts.

    Raises:
        ScenarioBuildError: the corporation has no complex with lettable dwellings.
    """
    corporation_id = corporation.pk
    problems: list[str] = []
    estimates: list[Estimate] = []
    complexes, living = _complexes(corporation_id, on, problems)
    if not complexes:
        raise ScenarioBuildError(_("There is no complex with dwellings that can be let, so there is nothing to "
                                   "simulate."))
    turnover = _turnover(corporation_id, on, complexes, estimates, problems)
    for row in complexes:
        row["turnover"] = turnover[row["pk"]]
    inflow = _inflow(corporation_id, on, living, estimates, problems)
    arrivals = _arrivals(corporation_id, on, estimates, problems)
    queue = _initial_queue(corporation_id, on)
    minimum = _vulnerable_lettings(corporation_id, on, estimates)
    document = {
        "format": SCENARIO_FORMAT,
        "start_year": start_year_for(on),
        "years": years,
        "complexes": [{key: row[key] for key in ("id", "dwellings", "V", "P", "O", "turnover", "target_V_max_share",
                                                 "target_P_max_share")} for row in complexes],
        "inflow": inflow,
        "arrivals": arrivals,
        "initial_queue": queue,
        "policies": [
            {"name": POLICY_OPEN, "kind": "open"},
            {"name": POLICY_ROOM, "kind": "room_check", "min_vulnerable_placements": minimum},
        ],
    }
    return BuiltScenario(document=document, estimates=estimates, on=on, problems=problems)


# --- 1. complexes ------------------------------------------------------------------------------------------------


def _complexes(corporation_id: int, on: date, problems: list[str]) -> tuple[list[dict], dict[str, int]]:
    """The complexes with lettable dwellings, their V, P, O and targets; and the households living there by type."""
    compositions = composition_by_complex(corporation_id, on)
    info = list(Complex.objects.filter(corporation_id=corporation_id).order_by("external_id", "pk")
                .values_list("pk", "external_id"))
    profiles = profiles_for(corporation_id, categories_for(corporation_id), on=on)
    rows, living = [], dict.fromkeys(TYPES, 0)
    vacant = left_out = extra = 0
    for pk, code in info:
        composition = compositions.get(pk)
        lettable = composition.lettable_count if composition else 0
        if lettable == 0:
            left_out += 1
            continue
        v = p = o = 0
        for (band, marked, *_facts), n in composition.groups.items():
            if marked:
                v += n
            elif band == "primary":
                p += n
            else:
                o += n
        households = v + p + o
        if households > lettable:
            # A household counted where its dwelling is sold or demolished: the complex keeps it.
            extra += households - lettable
        dwellings = max(lettable, households)
        vacant += dwellings - households
        profile = profiles.for_complex(pk)
        rows.append({
            "pk": pk, "id": code, "dwellings": dwellings, "V": v, "P": p, "O": o + dwellings - households,
            "target_V_max_share": profile.max_vulnerable_share.normalize(),
            "target_P_max_share": profile.max_primary_share.normalize(),
        })
        living["V"] += v
        living["P"] += p
        living["O"] += o
    if vacant:
        problems.append((
            _("%(n)s dwelling is empty on %(day)s. The simulation has no empty dwellings: it is counted as a "
              "household of the group 'others' (O).") if vacant == 1 else
            _("%(n)s dwellings are empty on %(day)s. The simulation has no empty dwellings: they are counted as "
              "households of the group 'others' (O).")) % {"n": format_number(vacant), "day": _day(on)})
    if left_out:
        problems.append((
            _("%(n)s complex has no dwelling that can be let (all sold or demolished) and is left out.")
            if left_out == 1 else
            _("%(n)s complexes have no dwelling that can be let (all sold or demolished) and are left out."))
            % {"n": format_number(left_out)})
    if extra:
        problems.append((
            _("%(n)s household lives in a dwelling that is sold or demolished. Its complex counts it as a "
              "dwelling.") if extra == 1 else
            _("%(n)s households live in a dwelling that is sold or demolished. Their complexes count them as "
              "dwellings.")) % {"n": format_number(extra)})
    return rows, living


def _day(day: date) -> str:
    return date_format(day, "j F Y")


# --- 2. turnover -------------------------------------------------------------------------------------------------


def _turnover(corporation_id: int, on: date, complexes: list[dict], estimates: list[Estimate],
              problems: list[str]) -> dict[int, Decimal]:
    """Per complex pk: the shrunk yearly turnover (rule 2), each with its estimate; the corporation's rate too."""
    since = _years_before(on, TURNOVER_YEARS)
    day = DateField()
    # The part of each tenancy inside [since, on]: from the later of its start and `since` to the earlier of its
    # end and `on`. Summed per complex in the database (a duration: days on PostgreSQL, microseconds on SQLite).
    lived = ExpressionWrapper(
        Least(Coalesce(F("end_date"), Value(on, output_field=day)), Value(on, output_field=day))
        - Greatest(F("start_date"), Value(since, output_field=day)),
        output_field=DurationField(),
    )
    moved = Q(end_date__gte=since, end_date__lt=on)
    rows = (
        Tenancy.objects.filter(corporation_id=corporation_id, dwelling__complex__isnull=False, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
        .values("dwelling__complex_id")
        .order_by()
        .annotate(lived=Sum(lived), moves=Count("pk", filter=moved))
    )
    observed = {r["dwelling__complex_id"]: (r["moves"], _household_years(r["lived"])) for r in rows}
    included = {row["pk"] for row in complexes}
    total_moves = sum(m for pk, (m, _e) in observed.items() if pk in included)
    total_years = sum((e for pk, (_m, e) in observed.items() if pk in included), Decimal(0))
    if total_years > 0:
        rate = total_moves / total_years
        low, high = garwood(total_moves, float(total_years))
        estimates.append(Estimate(
            "turnover", _round(_clamp(rate)), _whole_number(total_years), None, _round(_clamp(Decimal(low))),
            _round(_clamp(Decimal(high))),
            _("all complexes: %(moves)s move-outs in %(years)s household-years in the last three years")
            % {"moves": format_number(total_moves), "years": format_number(total_years)},
        ))
    else:
        rate = FALLBACK_TURNOVER
        problems.append(_("No tenancy ran in the last three years, so turnover cannot be measured. Every complex "
                          "gets %(rate)s per year, about the usual turnover in social rent.")
                        % {"rate": format_number(FALLBACK_TURNOVER * 100, -1) + "%"})
        estimates.append(Estimate("turnover", FALLBACK_TURNOVER, 0, None, None, None,
                                  _("no tenancies to measure: the usual turnover in social rent")))
    result = {}
    for row in complexes:
        moves, household_years = observed.get(row["pk"], (0, Decimal(0)))
        if total_years > 0:
            prior = PRIOR_YEARS * rate
            value = _round(_clamp((moves + prior) / (household_years + PRIOR_YEARS)))
            low, high = garwood(float(moves + prior), float(household_years + PRIOR_YEARS))
            low_high = (_round(_clamp(Decimal(low))), _round(_clamp(Decimal(high))))
            note = _("%(moves)s move-outs in %(years)s household-years in the last three years, weighed with the "
                     "rate of all complexes") % {"moves": format_number(moves), "years": format_number(household_years)}
        else:
            value, low_high = FALLBACK_TURNOVER, (None, None)
            note = _("no tenancies to measure: the usual turnover in social rent")
        n = _whole_number(household_years)
        result[row["pk"]] = value
        estimates.append(Estimate(f"turnover.{row['id']}", value, n, None, *(low_high if n else (None, None)), note))
    return result


def _household_years(lived) -> Decimal:
    if lived is None:
        return Decimal(0)
    if isinstance(lived, timedelta):
        days = Decimal(lived.days) + Decimal(lived.seconds) / 86400
    else:  # a backend that returns the number of days
        days = Decimal(lived)
    return max(Decimal(0), days) / DAYS_PER_YEAR


def _whole_number(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))




# --- 3. inflow ---------------------------------------------------------------------------------------------------


def _inflow(corporation_id: int, on: date, living: dict[str, int], estimates: list[Estimate],
            problems: list[str]) -> dict[str, dict[str, Decimal]]:
    """The inflow distribution per label (rule 3), each share with its estimate."""
    found = inflow_estimate(corporation_id, on)
    households = sum(living.values())
    # Households without a marker among the lettings with a known income band: the basis of P for every label.
    non_v = Basis(found.q_open.k - found.q_reserved.k, found.q_open.n - found.q_reserved.n)
    inflow = {}

    # P | not V: the primary share among the lettings to households without a marker.
    if non_v.n:
        p_given_not_v = _laplace(non_v.k, non_v.n)
        p_interval = wilson(non_v.k, non_v.n)
        p_note = _("%(k)s of %(n)s lettings in the last 12 months to households without a marker went to the "
                   "lowest incomes") % {"k": format_number(non_v.k), "n": format_number(non_v.n)}
    else:
        others = living["P"] + living["O"]
        p_given_not_v = _round(Decimal(living["P"]) / others) if others else Decimal("0.5")
        p_interval = None
        p_note = _("no lettings with a known income: the share of the lowest incomes among the households without "
                   "a marker living in the complexes")

    # V per label.
    if found.p_open.n:
        v_open = _laplace(found.p_open.k, found.p_open.n)
        v_open_note = _("%(k)s of %(n)s lettings in the last 12 months at or below the cap went to a household "
                        "with a marker") % {"k": format_number(found.p_open.k), "n": format_number(found.p_open.n)}
    else:
        v_open = _round(Decimal(living["V"]) / households) if households else Decimal(0)
        v_open_note = _("no lettings to estimate from: the share with a marker among the households living in the "
                        "complexes")
        problems.append(_("There were no lettings at or below the cap in the last 12 months (%(lettings)s lettings "
                          "in all, %(unclassified)s without a known rent or cap). The inflow of open vacancies is "
                          "taken from the households living in the complexes now.")
                        % {"lettings": format_number(found.lettings),
                           "unclassified": format_number(found.unclassified_rent)})
    if found.p_no_vulnerable.n:
        v_no = _laplace(found.p_no_vulnerable.k, found.p_no_vulnerable.n)
        v_no_note = _("%(k)s of %(n)s lettings in the last 12 months of vacancies labelled 'No placement or "
                      "urgency route' went to a household with a marker") % {
            "k": format_number(found.p_no_vulnerable.k), "n": format_number(found.p_no_vulnerable.n)}
    else:
        v_no = Decimal(0)
        v_no_note = _("no vacancies labelled 'No placement or urgency route' were let: 0 assumed")
        problems.append(_("No vacancy labelled 'No placement or urgency route' was let in the last 12 months. "
                          "The simulation assumes none of them goes to a household with a marker."))
    if non_v.n == 0:
        problems.append(_("No letting of the last 12 months has a known income. The share of the lowest incomes "
                          "among new households is taken from the households living in the complexes now."))

    for label, v, v_basis, v_note in (
        (OPEN, v_open, found.p_open, v_open_note),
        (NO_VULNERABLE, v_no, found.p_no_vulnerable, v_no_note),
        (RESERVED, Decimal(1), None, _("by definition: a vacancy reserved for a vulnerable household goes to one")),
    ):
        p = _round((1 - v) * p_given_not_v)
        o = 1 - v - p
        inflow[label] = {"V": v, "P": p, "O": o}
        if v_basis is not None and v_basis.n:
            low, high = wilson(v_basis.k, v_basis.n)
            estimates.append(Estimate(f"inflow.{label}.V", v, v_basis.n, v_basis.k, _round(low), _round(high), v_note))
        else:
            estimates.append(Estimate(f"inflow.{label}.V", v, 0, 0 if v_basis is not None else None, None, None,
                                      v_note))
        if p_interval is not None and v < 1:
            p_low, p_high = ((1 - v) * Decimal(bound) for bound in p_interval)
            o_low, o_high = ((1 - v) * (1 - Decimal(bound)) for bound in reversed(p_interval))
            estimates.append(Estimate(f"inflow.{label}.P", p, non_v.n, non_v.k, _round(p_low), _round(p_high),
                                      p_note))
            estimates.append(Estimate(f"inflow.{label}.O", o, non_v.n, non_v.n - non_v.k, _round(o_low),
                                      _round(o_high), _rest_note()))
        else:
            note = p_note if v < 1 else _("by definition: a vacancy reserved for a vulnerable household goes to one")
            estimates.append(Estimate(f"inflow.{label}.P", p, 0, None, None, None, note))
            estimates.append(Estimate(f"inflow.{label}.O", o, 0, None, None, None, _rest_note()))
    return inflow


def _rest_note() -> str:
    return _("what is left: 100% minus the vulnerable and the lowest incomes")


# --- 4, 5. arrivals and the waiting list -------------------------------------------------------------------------


def _typed_applicants(corporation_id: int, on: date):
    """The corporation's applicants registered by `on`, with their household's V and primary facts on `on`."""
    return Applicant.objects.filter(corporation_id=corporation_id, registration_date__lte=on).annotate(
        marked=flag(active_marker_q("household_id", on)),
        band=band_case(on),
    )


def _type_of(marked: bool, band: str) -> str:
    return "V" if marked else ("P" if band == "primary" else "O")


def _arrivals(corporation_id: int, on: date, estimates: list[Estimate], problems: list[str]) -> dict[str, int]:
    """New seekers of the last year per type (rule 4), each with a Garwood interval.

    From the bids: an applicant whose first bid on the corporation's listings fell in the 365 days up to `on` joined
    the seekers that year (registered long ago or not: only a bid shows someone is looking). Without any bid in that
    year (bids not imported), the registrations of the year stand in, said in `problems`.
    """
    since = on - timedelta(days=WINDOW_DAYS)
    # Days as the corporation's clock reads them (the site's time zone), like every other date here.
    window_end = timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))
    window_start = timezone.make_aware(datetime.combine(since + timedelta(days=1), time.min))
    bids = Bid.objects.filter(corporation_id=corporation_id, submitted_at__lt=window_end)
    first_bids = bids.values("applicant_id").order_by().annotate(first=Min("submitted_at"))
    from_bids = bids.filter(submitted_at__gte=window_start).exists()
    applicants = _typed_applicants(corporation_id, on)
    if from_bids:
        new_seekers = first_bids.filter(first__gte=window_start).values("applicant_id")
        applicants = applicants.filter(pk__in=new_seekers)
        note = _("%(n)s applicants of this group made their first bid in the last 12 months")
    else:
        applicants = applicants.filter(registration_date__gt=since)
        note = _("%(n)s applicants of this group registered in the last 12 months")
        problems.append(_("There are no bids of the last 12 months, so the new seekers per year are the applicants "
                          "who registered in that time."))
    rows = applicants.values_list("marked", "band").order_by().annotate(n=Count("pk"))
    counts = dict.fromkeys(TYPES, 0)
    for marked, band, n in rows:
        counts[_type_of(bool(marked), band)] += n
    for t in TYPES:
        n = counts[t]
        low, high = garwood(n) if n else (None, None)
        estimates.append(Estimate(
            f"arrivals.{t}", Decimal(n), n, None,
            _round(low, Decimal("0.01")) if n else None, _round(high, Decimal("0.01")) if n else None,
            note % {"n": format_number(n)},
        ))
    return counts


def _initial_queue(corporation_id: int, on: date) -> dict[str, list[int]]:
    """Per type the whole waiting years on `on` of each applicant not housed on `on` (rule 5), longest first."""
    housed = ApplicantProfile.objects.filter(
        corporation_id=corporation_id, status=ApplicantStatus.HOUSED
    ).filter(Q(housed_on__isnull=True) | Q(housed_on__lte=on))
    rows = (
        _typed_applicants(corporation_id, on).exclude(pk__in=housed.values("applicant_id"))
        .values_list("registration_date", "marked", "band").order_by().annotate(n=Count("pk"))
    )
    waits: dict[str, dict[int, int]] = {t: defaultdict(int) for t in TYPES}
    for registered, marked, band, n in rows:
        waits[_type_of(bool(marked), band)][whole_years(registered, on)] += n
    return {t: [years for years in sorted(waits[t], reverse=True) for _n in range(waits[t][years])] for t in TYPES}


# --- 6. the room check's minimum ---------------------------------------------------------------------------------


def _vulnerable_lettings(corporation_id: int, on: date, estimates: list[Estimate]) -> int:
    """Lettings (tenancies started) in the 365 days up to `on` to households with a marker valid at the start."""
    since = on - timedelta(days=WINDOW_DAYS)
    lettings = Tenancy.objects.filter(corporation_id=corporation_id, start_date__gte=since, start_date__lte=on)
    n = lettings.count()
    k = lettings.filter(marker_exists_on(OuterRef("start_date"))).count() if n else 0
    low, high = garwood(k) if k else (None, None)
    estimates.append(Estimate(
        f"policies.{POLICY_ROOM}.min_vulnerable_placements", Decimal(k), n, k,
        _round(low, Decimal("0.01")) if k else None, _round(high, Decimal("0.01")) if k else None,
        _("%(k)s of %(n)s lettings in the last 12 months went to a household with a marker")
        % {"k": format_number(k), "n": format_number(n)},
    ))
    return k
