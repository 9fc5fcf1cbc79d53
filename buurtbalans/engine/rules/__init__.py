"""Legal rules for letting social housing, as pure functions over frozen dataclasses (docs/rules/).

- `income_band`, `daeb_target_group` (income.py): docs/rules/income-bands.md, docs/rules/daeb-allocation.md
- `affordability_fit` (affordability.py): passend toewijzen, docs/rules/affordability-fit.md
- `rent_class`, `maximum_rent` (rent.py): huurklasse and maximale huurprijs, docs/rules/maximum-rent-wws.md
- `wws_points_for_eenheid` (wws.py): WWS points of a VERA `Eenheid` via the woningwaardering package

Each takes the parameter set (or the reference date) from the caller and records the parameter version it used.
"""

from buurtbalans.engine.rules.affordability import AffordabilityFitDecision, affordability_fit
from buurtbalans.engine.rules.facts import FitOutcome, HouseholdFacts, IncomeBand, RentBasis, RentClass, RentFacts
from buurtbalans.engine.rules.income import (
    DaebTargetGroupDecision,
    IncomeBandDecision,
    daeb_target_group,
    income_band,
)
from buurtbalans.engine.rules.rent import (
    MaximumRentDecision,
    RentClassDecision,
    maximum_rent,
    rent_class,
    round_wws_points,
)

__all__ = [
    "AffordabilityFitDecision",
    "DaebTargetGroupDecision",
    "FitOutcome",
    "HouseholdFacts",
    "IncomeBand",
    "IncomeBandDecision",
    "MaximumRentDecision",
    "RentBasis",
    "RentClass",
    "RentClassDecision",
    "RentFacts",
    "affordability_fit",
    "daeb_target_group",
    "income_band",
    "maximum_rent",
    "rent_class",
    "round_wws_points",
]
