"""Trend charts: a Vega-Lite specification (offered as JSON) and the same data drawn as inline SVG on the server.

There is no CDN and no JavaScript chart library: the page draws the lines itself (`line_chart`) and offers the
Vega-Lite spec (`vega_lite_spec`) for download, for anyone who wants to open it in the Vega editor or a notebook.
Both come from the same `Series`, and every chart on a page has a data table with the same figures beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import number_format

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Line styles per series (colour, dash): distinguishable without colour too, and named in the legend.
STYLES = (("#1d4e89", ""), ("#b3261e", "6 4"), ("#2f7d32", "2 3"), ("#8a5a00", "10 3 2 3"))


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[int, float], ...]  # (year, value), oldest first; unknown years left out


def vega_lite_spec(*, title: str, y_title: str, series: list[Series], percent: bool = False) -> dict:
    """A Vega-Lite v5 line chart of the series (one colour and dash per series; points with tooltips)."""
    values = [
        {"series": s.name, "year": year, "value": value} for s in series for year, value in s.points
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "year"},
            "y": {"field": "value", "type": "quantitative", "title": y_title,
                  **({"axis": {"format": ".0%"}} if percent else {}), "scale": {"zero": False}},
            "color": {"field": "series", "type": "nominal", "title": None},
            "strokeDash": {"field": "series", "type": "nominal", "title": None},
            "tooltip": [{"field": "series"}, {"field": "year"},
                        {"field": "value", **({"format": ".1%"} if percent else {"format": ".3~f"})}],
        },
    }


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high == low:
        high = low + (abs(low) or 1) * 0.1
        low = low - (abs(low) or 1) * 0.1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
    return ticks


def line_chart(series: list[Series], *, width: int = 560, height: int = 220, percent: bool = False,
               decimals: int = 2) -> dict | None:
    """SVG geometry for a line chart: axes with ticks and one polyline per series (coordinates never localised).

    Returns None when there is nothing to draw.
    """
    points = [(year, value) for s in series for year, value in s.points]
    if not points:
        return None
    left, right, top, bottom = 56, 12, 10, 28
    years = sorted({year for year, _v in points})
    ticks = _nice_ticks(min(v for _y, v in points), max(v for _y, v in points))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(year: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return round(left + plot_w * (year - years[0]) / (years[-1] - years[0]), 1)

    def y_of(value: float) -> float:
        return round(top + plot_h * (1 - (value - low) / (high - low)), 1)

    def label(value: float) -> str:
        # Text in the reader's language (decimal comma in Dutch); only coordinates stay unlocalised.
        if percent:
            return f"{number_format(value * 100, 0)}%"
        return number_format(value, decimals)

    lines = []
    for index, s in enumerate(series):
        colour, dash = STYLES[index % len(STYLES)]
        coords = [(x_of(year), y_of(value), year, value) for year, value in s.points]
        lines.append({
            "name": s.name, "colour": colour, "dash": dash,
            "points": " ".join(f"{x},{y}" for x, y, _yr, _v in coords),
            "dots": [{"x": x, "y": y, "title": f"{s.name} {yr}: {label(v)}"} for x, y, yr, v in coords],
        })
    return {
        "width": width, "height": height, "left": left, "right": width - right, "top": top,
        "bottom": height - bottom,
        "x_ticks": [{"x": x_of(year), "label": str(year)} for year in years],
        "y_ticks": [{"y": y_of(t), "label": label(t)} for t in ticks],
        "lines": lines,
    }
