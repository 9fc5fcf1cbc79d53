"""What a study's result says, as rows for the pages, the downloads and the board's PDF (one source for all three).

Reads the engine's result document (`buurtbalans.simulation-result/1`, plus the per-complex chances
`complexes[].over_target_chance`) and never the database.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from buurtbalans.core.formatting import format_number, format_share, round_half_up
from buurtbalans.simulation.texts import MEASURE_BY_KEY, MEASURES, TYPE_NAMES, TYPES, band_text


def policy_names(result: dict) -> list[str]:
    return [p["name"] for p in result.get("policies", [])]


def last_year(result: dict) -> int | None:
    years = [row["year"] for p in result.get("policies", []) for row in p.get("years", [])]
    return max(years) if years else None


def measure_rows(result: dict, measure: str) -> list[dict]:
    """Per year: the year and per policy its cell {"mean", "p5", "p95"} (None when undefined)."""
    by_year: dict[int, list] = {}
    policies = result.get("policies", [])
    for index, policy in enumerate(policies):
        for row in policy.get("years", []):
            by_year.setdefault(row["year"], [None] * len(policies))[index] = row.get(measure)
    return [{"year": year, "cells": cells} for year, cells in sorted(by_year.items())]


def measure_table(result: dict, measure: str) -> list[dict]:
    """The same rows as text for the page: "mean (p5 – p95)" per policy."""
    m = MEASURE_BY_KEY[measure]
    return [{"year": row["year"], "cells": [band_text(m, c) for c in row["cells"]]}
            for row in measure_rows(result, measure)]


def long_rows(result: dict, measures=None) -> list[dict]:
    """Every measure, policy and year as one row (the download of the measure tables)."""
    rows = []
    for m in MEASURES:
        if measures and m.key not in measures:
            continue
        for policy in result.get("policies", []):
            for row in policy.get("years", []):
                cell = row.get(m.key) or {}
                rows.append({"measure": str(m.title), "measure_code": m.key, "policy": policy["name"],
                             "year": row["year"], "mean": cell.get("mean"), "p5": cell.get("p5"),
                             "p95": cell.get("p95")})
    return rows


def _last(policy: dict, measure: str) -> dict:
    years = policy.get("years") or []
    return (years[-1].get(measure) if years else None) or {}


def key_measure_rows(result: dict, measures) -> list[dict]:
    """Per policy the given measures in the last year, with their band (the board's summary)."""
    rows = []
    for policy in result.get("policies", []):
        rows.append({"policy": policy["name"], "kind": policy.get("kind", ""),
                     "cells": [(MEASURE_BY_KEY[k], _last(policy, k)) for k in measures]})
    return rows


def _wait_sentence(group: str, difference: Decimal | None, base_name: str) -> str:
    if difference is None:
        return _("%(group)s: not known (no lettings to this group in one of the two).") % {"group": group}
    rounded = round_half_up(difference, 1)
    amount = format_number(abs(rounded), 1)
    if rounded > 0:
        return _("%(group)s wait %(years)s years longer than with %(base)s.") % {
            "group": group, "years": amount, "base": base_name}
    if rounded < 0:
        return _("%(group)s wait %(years)s years shorter than with %(base)s.") % {
            "group": group, "years": amount, "base": base_name}
    return _("%(group)s wait as long as with %(base)s.") % {"group": group, "base": base_name}


def price_rows(result: dict) -> list[dict]:
    """"The price per group": per policy after the first, per group the median waiting time in the last year
    against the first policy, as figures and a sentence."""
    policies = result.get("policies", [])
    if not policies:
        return []
    base = policies[0]
    rows = []
    for policy in policies:
        for t in TYPES:
            measure = f"median_wait_{t}"
            own, theirs = _last(policy, measure).get("mean"), _last(base, measure).get("mean")
            difference = None if own is None or theirs is None else Decimal(str(own)) - Decimal(str(theirs))
            group = str(TYPE_NAMES[t])
            rows.append({
                "policy": policy["name"], "group": group, "group_code": t, "is_base": policy is base,
                "wait": own, "base_wait": theirs, "difference": difference,
                "sentence": "" if policy is base else _wait_sentence(group[:1].upper() + group[1:], difference,
                                                                     base["name"]),
            })
    return rows


def has_complex_chances(result: dict) -> bool:
    return any(p.get("complexes") for p in result.get("policies", []))


def complex_chance_rows(result: dict, names: dict[str, str] | None = None) -> list[dict]:
    """Per complex the chance to be over its limit for vulnerable households in the last year, per policy;
    highest chance (over the policies) first, then by code."""
    names = names or {}
    policies = result.get("policies", [])
    chances: dict[str, list] = {}
    for index, policy in enumerate(policies):
        for entry in policy.get("complexes") or []:
            values = entry.get("over_target_chance") or []
            chances.setdefault(str(entry["complex"]), [None] * len(policies))[index] = values[-1] if values else None
    rows = [{"complex": code, "name": names.get(code, ""), "chances": values,
             "texts": [format_share(v, 0) for v in values], "highest": max((v for v in values if v is not None),
                                                                           default=None)}
            for code, values in chances.items()]
    rows.sort(key=lambda r: (-(r["highest"] or 0), r["complex"]))
    return rows


def scenario_summary(document: dict) -> dict:
    complexes = document.get("complexes") or []
    return {
        "start_year": document.get("start_year"),
        "years": document.get("years"),
        "last_year": (document.get("start_year") or 0) + (document.get("years") or 1) - 1,
        "complexes": len(complexes),
        "dwellings": sum(int(c.get("dwellings") or 0) for c in complexes),
        "vulnerable": sum(int(c.get("V") or 0) for c in complexes),
    }
