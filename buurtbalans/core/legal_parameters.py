"""The legal parameters in force, for the apps below `rules` (households' income bands, the portfolio's counts).

Where the parameters come from (the built-in table, the platform administrator's values, a corporation's own
stricter values) is the rules app's business: `rules.parameters.parameters_for`, the product's one lookup. The
apps below rules may not import it (imports point down the layers, tests/test_layers.py), so rules hands its
lookup to this module when Django starts (`RulesConfig.ready`), and they ask here. There is no second lookup and
no fallback: without the rules app installed, asking is a configuration error, never the built-in table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ImproperlyConfigured

from buurtbalans.engine.parameters import ParameterSet

Lookup = Callable[..., ParameterSet]
_lookup: Lookup | None = None


def lookup_register(lookup: Lookup) -> None:
    """Called once by the rules app when Django starts: `lookup(reference_date, corporation=None)`."""
    global _lookup
    _lookup = lookup


def parameters_in_force(reference_date: date, corporation=None) -> ParameterSet:
    """`rules.parameters.parameters_for(reference_date, corporation)`, for apps that may not import rules.

    Raises:
        LookupError: when the date lies before the first parameter set.
    """
    if _lookup is None:
        raise ImproperlyConfigured("the legal parameters are looked up by buurtbalans.rules, which is not installed")
    return _lookup(reference_date, corporation)
