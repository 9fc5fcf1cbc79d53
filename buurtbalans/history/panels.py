"""The steering power of one complex next to its vitality trend, on the monitor's complex page (issue 16 item 2).

`complex_steering_power(user, complex_)` gives the context of `history/_complex_steering_power.html`: the owned share
per year as a line against the threshold, a marker from the year it fell under, the data table (year, owned share,
sold, owners' association, vitality score) and one sentence that says what it means. None when the user may not
see the monitor or the complex has no ownership history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from buurtbalans.core.formatting import format_number, format_score, format_share
from buurtbalans.core.panels import Panel
from buurtbalans.core.permissions import Action, actions_of
from buurtbalans.history.selectors import SteeringPower, ownership_series, steering_power_for_complex
from buurtbalans.liveability.charts import Series, line_chart


@dataclass(frozen=True)
class HeaderOnly:
    """A column of the chart's data table that is not drawn (the template reads only its name)."""

    name: str


def marker_x(chart: dict | None, year: int | None) -> float | None:
    """The x of `year` on the chart's axis (None when the chart has no such year)."""
    if chart is None or year is None:
        return None
    return next((tick["x"] for tick in chart["x_ticks"] if tick["label"] == str(year)), None)


def association_text(value: bool | None) -> str:
    return "–" if value is None else (_("yes") if value else _("no"))


def steering_sentence(power: SteeringPower) -> str:
    """What the owned share means for steering, in one or two sentences a board reads."""
    values = {"threshold": format_share(power.threshold), "share": format_share(power.latest_share),
              "sold": format_number(power.latest.sold_count if power.latest else 0)}
    if not power.is_under:
        return _("The corporation owns %(share)s of the dwellings in this complex (%(sold)s sold). Under "
                 "%(threshold)s it can no longer steer who comes to live here.") % values
    values["year"] = power.under_since
    if power.under_from_start:
        text = _("Since %(year)s at the latest (the first year we know) the corporation has owned less than "
                 "%(threshold)s of the dwellings in this complex (now %(share)s, %(sold)s sold): its means to steer "
                 "have gone.") % values
    else:
        text = _("Since %(year)s the corporation has owned less than %(threshold)s of the dwellings in this complex "
                 "(now %(share)s, %(sold)s sold): its means to steer have gone.") % values
    before, latest = power.score_before, power.score_latest
    if before is not None and latest is not None and latest[0] >= power.under_since:
        text += " " + _("The vitality score was %(before)s in %(before_year)s and is %(after)s in %(after_year)s.") % {
            "before": format_score(before[1]), "before_year": before[0],
            "after": format_score(latest[1]), "after_year": latest[0],
        }
    return text


def complex_steering_power(user, complex_) -> dict | None:
    """The section's context (see the module), or None."""
    if Action.VIEW_MONITOR not in actions_of(user):
        return None
    power = steering_power_for_complex(user, complex_)
    if power is None:
        return None
    _years, series = ownership_series(complex_.corporation_id, [complex_.pk])
    rows = series.get(complex_.pk, {})
    # The years of the ownership history and the later years with a vitality score: a year without an import keeps
    # what the last one said (as `ownership_on` reads it), so the share and the score stand side by side.
    years = sorted(set(rows) | {year for year in power.scores if year > max(rows)})
    carried, row = {}, None
    for year in years:
        row = rows.get(year, row)
        carried[year] = row
    title = _("Share of the dwellings the corporation owns")
    points = tuple((year, r.owned_share) for year, r in carried.items() if r.owned_share is not None)
    chart = line_chart([Series(title, points)], percent=True, decimals=0, norm=power.threshold,
                       norm_label=_("Threshold"))
    table = [
        {"year": year, "cells": [format_share(r.owned_share), format_number(r.sold_count),
                                 association_text(r.has_owners_association), format_score(power.scores.get(year))]}
        for year, r in carried.items()
    ]
    marker = None
    if power.is_under:
        x = marker_x(chart, power.under_since)
        # The label goes on the side of the line with room for it.
        right_half = chart is not None and x is not None and x > (chart["left"] + chart["right"]) / 2
        marker = {"x": x, "year": power.under_since, "anchor": "end" if right_half else "start",
                  "dx": -4 if right_half else 4}
    return {
        "power": power,
        "sentence": steering_sentence(power),
        "chart": chart,
        "marker": marker,
        "chart_series": [HeaderOnly(title), HeaderOnly(_("Sold")), HeaderOnly(_("Owners' association (VvE)")),
                         HeaderOnly(_("Vitality score"))],
        "chart_table": table,
    }


def complex_steering_power_panel(user, complex_) -> Panel | None:
    """The section on the monitor's complex page (registered in HistoryConfig.ready, `liveability.sections`)."""
    context = complex_steering_power(user, complex_)
    return None if context is None else Panel("history/_complex_steering_power.html", {"steering_power": context})
