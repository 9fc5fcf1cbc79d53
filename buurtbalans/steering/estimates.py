"""Estimating the labelling plan's inflow probabilities from the corporation's recent lettings.

The plan needs, per label, the expected share of vulnerable households (p) and of primary-band households (q)
among those who move in (docs/labelling.md). Until lettings carry a label, the corporation's lettings of the last
twelve months are read as if they were let without one (OPEN) and split by rent:

1. A letting is a tenancy that started in the window [composition date - 365 days, composition date].
2. Its facts at letting: the rent at start (else the dwelling's base rent), the household size, income and
   pension age at start (else the household's current values, as the compliance report does), and whether the
   household had a vulnerability marker valid on the start date.
3. Rent class: at or below the applicable cap (aftoppingsgrens laag for 1-2 persons, hoog for 3 or more, valid
   on the start date) is "affordable", above it "above the cap". A letting whose cap is unknown for its date
   (e.g. 2026 until an administrator enters it) or that has no rent cannot be classed and is left out (counted).
4. Primary band: `engine.rules.income_band` with the parameters of the start date; unknown income or limit:
   left out of the q estimates (counted).
5. Estimates, each with Laplace's rule of succession (k + 1) / (n + 2), so a class with few lettings gets a
   cautious value between its share and one half instead of 0 or 1:
     p_open = vulnerable among affordable lettings; p_above = vulnerable among lettings above the cap;
     q_open = primary among affordable lettings; q_reserved = primary among affordable lettings to vulnerable
     households; q_above = primary among lettings above the cap.
   Rounded to 4 decimals. The screen shows every estimate with its n and k; the analyst may override any.
6. p_no_vulnerable (issue 13): vulnerable among the lettings of vacancies listed with the label NO_VULNERABLE
   (the listing of the accepted offer that made the tenancy). Such a vacancy is not used for a placement, but
   nobody is excluded for a marker, so vulnerable households arrive on it through the regular route. Counted
   whether or not the rent could be classed (the label keeps it at or below the cap); also Laplace's rule, so with
   no such lettings yet it is 0.5, with n = 0 shown. These lettings still count in p_open as well, as every
   letting did before labels existed.
7. The form's starting values (`InflowEstimate.form_values`): the estimates, except that p_no_vulnerable starts at
   0 when there is no history (n = 0): the issue's default, which every plan before it meant. One half from
   Laplace's rule with nothing counted would say more than we know and change existing plans.
"Vulnerable" is a marker of a kind that counts for concentration, valid on the start date
(`households.selectors.marker_exists_on`; the default `status_holder` does not count).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import OuterRef, Subquery

from buurtbalans.allocation.models import Offer, OfferStatus
from buurtbalans.engine.parameters import allowance_cap_name
from buurtbalans.engine.rules import HouseholdFacts, IncomeBand, income_band
from buurtbalans.households.models import Tenancy
from buurtbalans.households.selectors import marker_exists_on
from buurtbalans.rules.parameters import parameters_for

WINDOW_DAYS = 365
PROBABILITIES = ("p_open", "p_above", "q_open", "q_reserved", "q_above", "p_no_vulnerable")
NO_VULNERABLE = "NO_VULNERABLE"
# Where an estimate starts on the form when there is no history at all (n = 0); see the module, 7.
NO_HISTORY_DEFAULTS = {"p_no_vulnerable": Decimal(0)}


def laplace(k: int, n: int) -> Decimal:
    """(k + 1) / (n + 2), rounded to 4 decimals."""
    return (Decimal(k + 1) / Decimal(n + 2)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Basis:
    """k of n lettings: the figures behind one estimate."""

    k: int
    n: int

    @property
    def estimate(self) -> Decimal:
        return laplace(self.k, self.n)


@dataclass(frozen=True)
class InflowEstimate:
    since: date
    until: date
    lettings: int
    unclassified_rent: int  # no rent or no cap known for the date
    unknown_income: int  # classed by rent, but no income band (income or limit unknown)
    p_open: Basis
    p_above: Basis
    q_open: Basis
    q_reserved: Basis
    q_above: Basis
    p_no_vulnerable: Basis

    def values(self) -> dict[str, Decimal]:
        return {name: getattr(self, name).estimate for name in PROBABILITIES}

    def has_history(self, name: str) -> bool:
        """Whether any letting counted for this estimate (n > 0)."""
        return getattr(self, name).n > 0

    def form_values(self) -> dict[str, Decimal]:
        """Where the plan form starts: the estimates, or the default of `NO_HISTORY_DEFAULTS` without history."""
        return {
            name: value if self.has_history(name) or name not in NO_HISTORY_DEFAULTS else NO_HISTORY_DEFAULTS[name]
            for name, value in self.values().items()
        }

    def as_json(self) -> dict:
        document = asdict(self)
        document["since"], document["until"] = self.since.isoformat(), self.until.isoformat()
        for name in PROBABILITIES:
            document[name]["estimate"] = str(getattr(self, name).estimate)
        # What the form started from, so a stored plan says why p_no_vulnerable was 0 without history.
        document["form_values"] = {name: str(value) for name, value in self.form_values().items()}
        return document


def inflow_estimate(corporation_id: int, composition_date: date) -> InflowEstimate:
    """The inflow probabilities from the corporation's lettings of the twelve months up to `composition_date`."""
    since = composition_date - timedelta(days=WINDOW_DAYS)
    marker_at_start = marker_exists_on(OuterRef("start_date"))
    # The label of the listing whose accepted offer made the tenancy (none for lettings from outside a round).
    label = Offer.objects.filter(tenancy_id=OuterRef("pk"), status=OfferStatus.ACCEPTED).values("listing__label")[:1]
    rows = (
        Tenancy.objects.filter(corporation_id=corporation_id, start_date__gte=since, start_date__lte=composition_date)
        .annotate(marked=marker_at_start, label=Subquery(label))
        .values_list(
            "start_date",
            "rent_at_start",
            "dwelling__base_rent",
            "income_at_start",
            "household__assessed_income",
            "household_size_at_start",
            "household__size",
            "is_pension_age_at_start",
            "household__is_pension_age_household",
            "marked",
            "label",
        )
    )
    counts = {key: [0, 0] for key in PROBABILITIES}  # [k, n]
    lettings = unclassified = unknown_income = 0
    params_cache: dict[date, object] = {}
    for start, rent, base_rent, income, income_now, size, size_now, pension, pension_now, marked, label in (
        rows.iterator(chunk_size=2000)
    ):
        lettings += 1
        if label == NO_VULNERABLE:
            counts["p_no_vulnerable"][0] += bool(marked)
            counts["p_no_vulnerable"][1] += 1
        params = params_cache.get(start)
        if params is None:
            try:
                params = params_cache[start] = parameters_for(start)
            except LookupError:
                unclassified += 1
                continue
        rent = rent if rent is not None else base_rent
        size = max(int(size if size is not None else size_now), 1)
        cap = getattr(params, allowance_cap_name(size))
        if rent is None or cap is None:
            unclassified += 1
            continue
        is_above = rent > cap
        income = income if income is not None else income_now
        pension = pension if pension is not None else pension_now
        primary_known = is_primary = False
        if income is not None:
            facts = HouseholdFacts(
                household_size=size, assessed_income=max(income, Decimal(0)), is_pension_age_household=bool(pension)
            )
            decision = income_band(facts, params)
            is_primary = decision.band == IncomeBand.PRIMARY
            # No band for want of a higher limit (2026's middle-income limit) still rules the primary band out.
            primary_known = decision.band is not None or not any(
                name.startswith("allowance_income_limit") for name in decision.missing_parameters
            )
        unknown_income += not primary_known
        p_key = "p_above" if is_above else "p_open"
        counts[p_key][0] += bool(marked)
        counts[p_key][1] += 1
        if primary_known:
            for q_key in ("q_above",) if is_above else ("q_open", *(("q_reserved",) if marked else ())):
                counts[q_key][0] += is_primary
                counts[q_key][1] += 1
    return InflowEstimate(
        since=since,
        until=composition_date,
        lettings=lettings,
        unclassified_rent=unclassified,
        unknown_income=unknown_income,
        **{key: Basis(k, n) for key, (k, n) in counts.items()},
    )
