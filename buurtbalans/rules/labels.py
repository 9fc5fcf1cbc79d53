"""How the legal parameters and compliance figures are named on screen, in exports and in the PDF."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from buurtbalans.engine.parameters import SHARE_FIELDS, VALUE_FIELDS

# In the order the screens list them; every engine parameter has a label (a test checks this).
PARAMETER_LABELS = {
    "quality_discount_limit": _("Quality discount limit (kwaliteitskortingsgrens)"),
    "allowance_cap_low": _("Allowance cap low, 1-2 persons (aftoppingsgrens laag)"),
    "allowance_cap_high": _("Allowance cap high, 3 or more persons (aftoppingsgrens hoog)"),
    "daeb_rent_limit": _("DAEB rent limit (liberalisatiegrens)"),
    "middle_rent_limit": _("Middle rent limit (Wet betaalbare huur)"),
    "allowance_income_limit_single": _("Income limit passend toewijzen, 1 person"),
    "allowance_income_limit_multi": _("Income limit passend toewijzen, 2 or more persons"),
    "allowance_income_limit_single_pension": _("Income limit passend toewijzen, 1 person at pension age"),
    "allowance_income_limit_multi_pension": _("Income limit passend toewijzen, 2 or more persons at pension age"),
    "daeb_income_limit_single": _("DAEB income limit, 1 person"),
    "daeb_income_limit_multi": _("DAEB income limit, 2 or more persons"),
    "daeb_income_limit_extended": _("Upper income limit of the 10% room (2021 only)"),
    "middle_income_limit_single": _("Middle income limit, 1 person"),
    "middle_income_limit_multi": _("Middle income limit, 2 or more persons"),
    "pension_assets_limit_single": _("Assets limit for pension-age households, 1 person"),
    "pension_assets_limit_multi": _("Assets limit for pension-age households, 2 or more persons"),
    "affordability_fit_quota": _("Passend toewijzen norm (share that must fit)"),
    "daeb_target_share": _("DAEB norm (share to the target group)"),
    "free_allocation_share": _("Free allocation share"),
    "free_allocation_share_max": _("Free allocation share with a performance agreement (maximum)"),
}
PARAMETER_ORDER = tuple(PARAMETER_LABELS) + tuple(k for k in VALUE_FIELDS if k not in PARAMETER_LABELS)


def parameter_label(key: str) -> str:
    return str(PARAMETER_LABELS.get(key, key))


def is_share(key: str) -> bool:
    return key in SHARE_FIELDS


def parameter_unit(key: str) -> str:
    """What a value is measured in, for the screens."""
    if key in SHARE_FIELDS:
        return str(_("share (0.95 = 95%)"))
    if key.endswith("rent_limit") or key.startswith(("allowance_cap", "quality_discount")):
        return str(_("euros per month"))
    return str(_("euros per year"))


UNKNOWN_MUNICIPALITY = "unknown"
UNKNOWN_MUNICIPALITY_LABEL = _("Municipality unknown")
TOTAL_LABEL = _("Corporation total")

FALLBACK_LABELS = {
    "rent_at_start": _("rent at start missing: the dwelling's current base rent was used"),
    "household_size_at_start": _("household size at start missing: the current size was used"),
    "income_at_start": _("income at start missing: the household's current income was used"),
    "is_pension_age_at_start": _("pension age at start missing: the current value was used"),
}
