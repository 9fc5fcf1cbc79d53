"""Trend charts: a Vega-Lite specification (offered as JSON) and the same data drawn as inline SVG on the server.

There is no CDN and no JavaScript chart library: the page draws the lines itself (`line_chart`) and offers the
Vega-Lite spec (`vega_lite_spec`) for download, for anyone who wants to open it in the Vega editor or a notebook.
Both come from the same `Series`, and every chart on a page has a data table with the same figures beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from buurtbalans.core.formatting import format_number, format_share

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
    """Round ticks from at or below `low` to at or above `high` (the axis holds every value; issue 14 item 4)."""
    if high == low:
        # One value (or all the same): a band around it, not below zero for a figure that cannot be negative.
        pad = abs(low) * 0.1 or 1.0
        low, high = (max(0.0, low - pad) if low >= 0 else low - pad), high + pad
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _label_decimals(ticks: list[float], scale: int) -> int:
    """The fewest decimals that write every tick exactly (2.5% needs one, 60 none)."""
    for decimals in range(0, 7):
        factor = scale * 10 ** decimals
        if all(abs(t * factor - round(t * factor)) < 1e-6 for t in ticks):
            return decimals
    return 6


# Legend rows below the plot: one line per series (and the norm), swatch and label on one baseline.
LEGEND_ROW = 18
LEGEND_SWATCH = 28
NORM_COLOUR = "#4b5c6b"
NORM_DASH = "1 3"


@dataclass(frozen=True)
class PlotFrame:
    """The plot box of a line or band chart: years along x, round ticks along y, labels in the reader's language.

    Shared by `line_chart` and `simulation.charts.band_chart`. `ticks` must cover every value drawn (so nothing
    leaves the plot); `height` is the plot's box, the legend adds a row per item below it.
    """

    width: int
    height: int
    years: tuple[int, ...]
    ticks: tuple[float, ...]
    percent: bool = False
    left: int = 56
    right: int = 12
    top: int = 10
    bottom: int = 28

    def x(self, year: int) -> float:
        plot_w = self.width - self.left - self.right
        if len(self.years) == 1:
            return round(self.left + plot_w / 2, 1)
        return round(self.left + plot_w * (year - self.years[0]) / (self.years[-1] - self.years[0]), 1)

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        plot_h = self.height - self.top - self.bottom
        return round(self.top + plot_h * (1 - (value - low) / (high - low)), 1)

    def label(self, value: float, places: int) -> str:
        return format_share(value, places) if self.percent else format_number(value, places)

    def geometry(self, lines: list[dict], legend: list[dict], **extra) -> dict:
        """The template's dict: the box, the ticks, the lines and the legend placed in rows under the plot."""
        for row, item in enumerate(legend):
            item["y"] = self.height + LEGEND_ROW * row + LEGEND_ROW // 2
            item["x1"], item["x2"] = self.left, self.left + LEGEND_SWATCH
            item["text_x"] = self.left + LEGEND_SWATCH + 6
        tick_decimals = _label_decimals(list(self.ticks), 100 if self.percent else 1)
        return {
            "width": self.width, "height": self.height + LEGEND_ROW * len(legend) + 4, "left": self.left,
            "right": self.width - self.right, "top": self.top, "bottom": self.height - self.bottom,
            "x_label_y": self.height - 8,
            "x_ticks": [{"x": self.x(year), "label": str(year)} for year in self.years],
            "y_ticks": [{"y": self.y(t), "label": self.label(t, tick_decimals)} for t in self.ticks],
            "lines": lines,
            "legend": legend,
            **extra,
        }


def line_chart(series: list[Series], *, width: int = 560, height: int = 220, percent: bool = False,
               decimals: int = 2, norm: float | None = None, norm_label: str = "") -> dict | None:
    """SVG geometry for a line chart: axes with ticks, one polyline per series, an optional norm line and the
    legend (coordinates never localised; labels in the reader's language, rounded by `core.formatting`).

    The y axis runs from a round tick at or below the lowest value to one at or above the highest, over every
    series and the norm, so nothing is drawn outside the plot. `height` is the plot's box; the legend adds a row
    per line below it.

    Returns None when there is nothing to draw.
    """
    points = [(year, value) for s in series for year, value in s.points]
    if not points:
        return None
    values = [v for _y, v in points] + ([norm] if norm is not None else [])
    frame = PlotFrame(width, height, tuple(sorted({year for year, _v in points})),
                      tuple(_nice_ticks(min(values), max(values))), percent)
    lines = []
    for index, s in enumerate(series):
        colour, dash = STYLES[index % len(STYLES)]
        coords = [(frame.x(year), frame.y(value), year, value) for year, value in s.points]
        lines.append({
            "name": s.name, "colour": colour, "dash": dash,
            "points": " ".join(f"{x},{y}" for x, y, _yr, _v in coords),
            "dots": [{"x": x, "y": y, "title": f"{s.name} {yr}: {frame.label(v, decimals)}"}
                     for x, y, yr, v in coords],
        })
    legend = [{"name": line["name"], "colour": line["colour"], "dash": line["dash"], "width": 3} for line in lines]
    norm_line = None
    if norm is not None:
        norm_line = {"y": frame.y(norm), "label": frame.label(norm, decimals)}
        legend.append({"name": f"{norm_label} ({norm_line['label']})" if norm_label else norm_line["label"],
                       "colour": NORM_COLOUR, "dash": NORM_DASH, "width": 2})
    return frame.geometry(lines, legend, norm=norm_line)
