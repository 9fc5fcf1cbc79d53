"""The monitor's norms for the composition indicators come from the complex profile (issue 14 item 8).

Steering and the monitor read one set of limits: the complex profile in force (`steering.mix.profiles_for`: the
complex's own decision, else the corporation's default, else the built-in profile with at most 35% with a marker
and 75% lowest incomes). For the two composition indicators the profile's maximum is the monitor's **warning
level**: past it the monitor warns, and from it on steering's room check says "no" for that measure (at the
maximum the complex is full; past it, it is over). The **norm** (where the sub-score is still 100) lies below the
maximum by the distance set on the monitor's settings screen (`warning - norm`, by default 10 points for the
vulnerable share and 15 for the lowest incomes), so the score falls towards the limit before the warning comes.

Before issue 14 the monitor warned at its own 25% while steering's built-in profile allowed 35% (a complex at 30%
got "room: yes" and a warning), and a decided profile's maximum was the norm with the warning 10 points above it
(steering said "no" while the monitor stayed quiet). The profile is the decision an analyst records with its reason
and date; the monitor's own default was a placeholder. So the profile wins, also when only the built-in profile
applies, and the settings screen's warning level for these two indicators only sets the distance to the norm.

Kept apart from `services` (the recount work): `services._complex_rules` calls `complex_rules` here.
"""

from __future__ import annotations

from buurtbalans.engine.vitality import IndicatorRule

# Composition indicators whose warning level is a maximum of the complex profile (steering.mix.Profile fields).
PROFILE_NORMS = {"vulnerable_share": "max_vulnerable_share", "primary_share": "max_primary_share"}


def profile_rule(rule: IndicatorRule, maximum: float) -> IndicatorRule:
    """One composition indicator's rule with the profile's maximum as its warning level; the norm keeps the
    settings' distance below it (never below 0), the weight and tolerance stay."""
    gap = (rule.warning - rule.norm) if rule.warning is not None else 0.0
    norm = min(maximum, max(0.0, maximum - max(0.0, gap)))
    return IndicatorRule(rule.key, rule.direction, rule.weight, norm, rule.tolerance, maximum)


def complex_rules(rules: tuple[IndicatorRule, ...], profiles, complex_id: int) -> tuple[tuple, dict]:
    """The rules for one complex: the profile in force sets the composition indicators' warning level and norm.

    Args:
        rules: the corporation's indicator rules (`services.monitor_rules`).
        profiles: `steering.mix.Profiles` in force on the measurement date, or None (the rules as they are).
        complex_id: the complex.

    Returns:
        The rules, and per composition indicator where its limit came from ({"source", "decided_on"}; source
        "complex", "default" or "builtin").
    """
    if profiles is None:
        return rules, {}
    profile = profiles.for_complex(complex_id)
    adjusted, sources = [], {}
    for rule in rules:
        field_name = PROFILE_NORMS.get(rule.key)
        if field_name is None:
            adjusted.append(rule)
            continue
        adjusted.append(profile_rule(rule, float(getattr(profile, field_name))))
        sources[rule.key] = {
            "source": profile.source,
            "decided_on": profile.decided_on.isoformat() if profile.decided_on else None,
        }
    return tuple(adjusted), sources
