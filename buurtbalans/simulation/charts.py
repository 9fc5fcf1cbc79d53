"""Charts of a study's result: per measure a line per policy (the mean over the runs) with its 90 % band (p5-p95).

As liveability/charts.py: a Vega-Lite specification (offered as JSON) and the same data drawn as inline SVG on the
server, with the same axis rules (the axis holds every value of every series and band), and a data table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from buurtbalans.liveability.charts import (
    STYLES,
    VEGA_LITE_SCHEMA,
    PlotFrame,
    _nice_ticks,
)

# The liveability charts' four colour-and-dash styles, and two more: two studies compared may have six policies.
SERIES_STYLES = (*STYLES, ("#6a3d9a", "1 3"), ("#00727d", "8 2 2 2"))


@dataclass(frozen=True)
class BandSeries:
    name: str
    points: tuple[tuple[int, float, float, float], ...]  # (year, mean, p5, p95); undefined years left out


def series_of(result: dict, measure: str) -> list[BandSeries]:
    """One series per policy of the result document."""
    series = []
    for policy in result.get("policies", []):
        points = []
        for row in policy.get("years", []):
            cell = row.get(measure) or {}
            if cell.get("mean") is None:
                continue
            points.append((int(row["year"]), float(cell["mean"]), float(cell["p5"]), float(cell["p95"])))
        series.append(BandSeries(policy["name"], tuple(points)))
    return series


def merged_result(named: list[tuple[str, dict]]) -> dict:
    """Several results as one, each policy named "<study>: <policy>" (the comparison of two studies draws them in one
    chart and one table)."""
    return {"policies": [{**policy, "name": f"{name}: {policy['name']}"}
                         for name, result in named for policy in result.get("policies", [])]}


def vega_lite_spec(*, title: str, y_title: str, series: list[BandSeries], percent: bool = False) -> dict:
    """A Vega-Lite v5 chart: per series an area from p5 to p95 and a line of the mean (colour and dash per series)."""
    values = [{"series": s.name, "year": year, "mean": mean, "p5": p5, "p95": p95}
              for s in series for year, mean, p5, p95 in s.points]
    axis = {"axis": {"format": ".0%"}} if percent else {}
    colour = {"field": "series", "type": "nominal", "title": None}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "data": {"values": values},
        "encoding": {"x": {"field": "year", "type": "ordinal", "title": "year"}, "color": colour},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.18},
             "encoding": {"y": {"field": "p5", "type": "quantitative", "title": y_title, **axis,
                                "scale": {"zero": False}},
                          "y2": {"field": "p95"}}},
            {"mark": {"type": "line", "point": True},
             "encoding": {"y": {"field": "mean", "type": "quantitative"},
                          "strokeDash": {"field": "series", "type": "nominal", "title": None},
                          "tooltip": [{"field": "series"}, {"field": "year"}, {"field": "mean"},
                                      {"field": "p5"}, {"field": "p95"}]}},
        ],
    }


def band_axes(series: list[BandSeries]) -> tuple[list[int], list[float]]:
    """The years of the x axis and the ticks of the y axis: from a round tick at or below the lowest p5 to one at or
    above the highest p95 of every series, so no line or band leaves the plot (the page's SVG and the PDF alike)."""
    points = [p for s in series for p in s.points]
    values = [v for p in points for v in p[1:]]
    return sorted({p[0] for p in points}), _nice_ticks(min(values), max(values))


def band_chart(series: list[BandSeries], *, width: int = 560, height: int = 240, percent: bool = False,
               decimals: int = 1) -> dict | None:
    """SVG geometry: axes with ticks, per series a band polygon (p5-p95) and a polyline of the mean, and a legend.

    The y axis runs from a round tick at or below the lowest p5 to one at or above the highest p95 of all series,
    so no line or band leaves the plot. Returns None when there is nothing to draw.
    """
    if not any(s.points for s in series):
        return None
    years, ticks = band_axes(series)
    frame = PlotFrame(width, height, tuple(years), tuple(ticks), percent)
    x, y, label = frame.x, frame.y, frame.label
    lines = []
    for index, s in enumerate(series):
        colour, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        upper = [f"{x(yr)},{y(p95)}" for yr, _m, _p5, p95 in s.points]
        lower = [f"{x(yr)},{y(p5)}" for yr, _m, p5, _p95 in reversed(s.points)]
        lines.append({
            "name": s.name, "colour": colour, "dash": dash,
            "points": " ".join(f"{x(yr)},{y(m)}" for yr, m, _a, _b in s.points),
            "band": " ".join(upper + lower),
            "dots": [{"x": x(yr), "y": y(m),
                      "title": f"{s.name} {yr}: {label(m, decimals)} ({label(p5, decimals)} – {label(p95, decimals)})"}
                     for yr, m, p5, p95 in s.points],
        })
    legend = [{"name": line["name"], "colour": line["colour"], "dash": line["dash"], "width": 3} for line in lines]
    return frame.geometry(lines, legend)
