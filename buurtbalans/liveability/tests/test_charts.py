"""Charts that hold their data (issue 14 item 4): rendered with extreme values, every point and line lies inside the
plot, the y axis covers every series and the norm, each legend swatch sits on its label's baseline, and the data
table stays next to the chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from buurtbalans.core.figures import Cell
from buurtbalans.liveability.charts import Series, line_chart

SVG = "{http://www.w3.org/2000/svg}"
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)


def svg_of(html: str) -> ET.Element:
    match = re.search(r"<svg viewBox=.*?</svg>", html, re.S)
    assert match, "no chart drawn"
    text = match.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ET.fromstring(text)


def tag(element: ET.Element) -> str:
    return element.tag.replace(SVG, "")


def render_line_chart(series: list[Series], **kwargs) -> tuple[str, dict]:
    chart = line_chart(series, **kwargs)
    table = [{"year": year, "cells": [str(dict(s.points).get(year, "–")) for s in series]}
             for year in sorted({y for s in series for y, _v in s.points})]
    html = render_to_string("liveability/_line_chart.html", {
        "chart": chart, "chart_series": series, "chart_table": table, "chart_id": "trend", "chart_title": "Trend"})
    return html, chart


def plot_box(chart: dict) -> tuple[float, float, float, float]:
    return chart["left"], chart["right"], chart["top"], chart["bottom"]


def assert_inside(chart: dict, svg: ET.Element) -> None:
    left, right, top, bottom = plot_box(chart)
    polylines = [e for e in svg.iter() if tag(e) == "polyline"]
    circles = [e for e in svg.iter() if tag(e) == "circle"]
    assert polylines and circles
    for polyline in polylines:
        for pair in polyline.get("points").split():
            x, y = (float(v) for v in pair.split(","))
            assert left <= x <= right and top <= y <= bottom, (x, y, chart["y_ticks"])
    for circle in circles:
        x, y = float(circle.get("cx")), float(circle.get("cy"))
        assert left <= x <= right and top <= y <= bottom, (x, y)
    for line in (e for e in svg.iter() if tag(e) == "line" and e.get("class") in ("bb-norm", "bb-grid")):
        y = float(line.get("y1"))
        assert top <= y <= bottom and line.get("y1") == line.get("y2")


def assert_legend_aligned(chart: dict, svg: ET.Element, names: list[str]) -> None:
    legend = next(e for e in svg.iter() if tag(e) == "g" and e.get("class") == "bb-chart-legend")
    children = list(legend)
    swatches = [e for e in children if tag(e) == "line"]
    labels = [e for e in children if tag(e) == "text"]
    assert [label.text for label in labels][: len(names)] == names
    assert len(swatches) == len(labels)
    width, height = (float(v) for v in svg.get("viewBox").split()[2:])
    for swatch, label in zip(swatches, labels, strict=True):
        # One baseline: the swatch's middle is the label's middle, the label just right of the swatch.
        assert swatch.get("y1") == swatch.get("y2") == label.get("y")
        assert label.get("dominant-baseline") == "middle"
        assert float(swatch.get("x2")) < float(label.get("x"))
        # Below the plot and inside the picture.
        assert chart["bottom"] < float(label.get("y")) < height
        assert float(swatch.get("x1")) >= 0 and float(swatch.get("x2")) <= width
    assert len({label.get("y") for label in labels}) == len(labels)  # rows do not overlap


def flat(value: float) -> Series:
    return Series("Complex", tuple((year, value) for year in YEARS))


CASES = {
    "all zero": ([flat(0.0)], {}),
    "all 100": ([flat(100.0)], {}),
    "one point": ([Series("Complex", ((2024, 59.7),))], {}),
    "above the old axis": ([Series("Complex", tuple(zip(YEARS, (50.0, 70.0, 88.0, 93.0, 97.5, 99.9), strict=True)))],
                           {}),
    "comparison at 91-93, complex at 50-60": (
        [Series("Complex", tuple(zip(YEARS, (50.0, 52.5, 55.0, 57.0, 59.0, 60.0), strict=True))),
         Series("Our complexes in Zwolle", tuple(zip(YEARS, (91.0, 91.5, 92.0, 92.4, 92.8, 93.0), strict=True))),
         Series("All our complexes", tuple(zip(YEARS, (91.2, 91.9, 92.3, 92.6, 92.9, 92.95), strict=True)))],
        {"norm": 60.0, "norm_label": "Warning level", "decimals": 0}),
    "norm far above the series": ([flat(10.0)], {"norm": 95.0, "norm_label": "Norm"}),
    "shares with a norm": ([Series("Complex", tuple(zip(YEARS, (0.0, 0.02, 0.31, 0.999, 1.0, 0.5), strict=True)))],
                           {"percent": True, "decimals": 1, "norm": 0.25, "norm_label": "Norm"}),
    "negative scores": ([Series("Buurt", tuple(zip(YEARS, (-0.21, -0.05, 0.0, 0.034, 0.151, -0.3), strict=True)))],
                        {"decimals": 3, "norm": 0.0, "norm_label": "Norm"}),
    "big numbers": ([Series("Complex", tuple(zip(YEARS, (0.0, 1e6, 2.5e6, 12345.6, 7.0, 3e6), strict=True)))], {}),
}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_point_and_line_lies_inside_the_plot_and_the_legend_is_aligned(case, language):
    series, kwargs = CASES[case]
    with translation.override(language):
        html, chart = render_line_chart(series, **kwargs)
    svg = svg_of(html)
    assert_inside(chart, svg)
    names = [s.name for s in series]
    assert_legend_aligned(chart, svg, names)
    # The axis covers every value and the norm: its ticks run from the lowest to the highest.
    ticks = [t["y"] for t in chart["y_ticks"]]
    assert max(ticks) == chart["bottom"] and min(ticks) == chart["top"]
    # Tick labels are distinct (no "3%, 3%" from too few decimals).
    labels = [t["label"] for t in chart["y_ticks"]]
    assert len(set(labels)) == len(labels)
    # The chart keeps its data table: one column per series, one row per year.
    assert 'id="trend-table"' in html
    assert html.count('<th scope="row"') == len({y for s in series for y, _v in s.points})


def test_a_norm_line_is_drawn_and_named_with_its_value():
    series, kwargs = CASES["comparison at 91-93, complex at 50-60"]
    with translation.override("nl"):
        html, chart = render_line_chart(series, **kwargs)
    svg = svg_of(html)
    norm = [e for e in svg.iter() if tag(e) == "line" and e.get("class") == "bb-norm"]
    assert len(norm) == 1 and float(norm[0].get("y1")) == chart["norm"]["y"]
    assert chart["legend"][-1]["name"] == "Warning level (60)"


def test_nothing_to_draw_says_so():
    assert line_chart([]) is None
    html = render_to_string("liveability/_line_chart.html", {"chart": None, "chart_series": [], "chart_table": [],
                                                            "chart_id": "trend", "chart_title": "Trend"})
    assert "<svg viewBox" not in html and "trend-table" in html


COMPOSITIONS = {
    "one band holds everyone": [1000, 0, 0, 0, 0],
    "thirds": [1, 1, 1, 0, 0],
    "sixths": [1, 2, 1, 1, 1],
    "tiny next to huge": [99_999, 1, 1, 1, 1],
    "no households": [0, 0, 0, 0, 0],
}


@pytest.mark.parametrize("case", list(COMPOSITIONS))
def test_the_stacked_bar_stays_inside_its_frame(case):
    counts = COMPOSITIONS[case]
    total = sum(counts)
    bands = ("primary", "secondary", "middle", "high", "unknown")
    rows = [(band, band.title(), Cell(count, total, False)) for band, count in zip(bands, counts, strict=True)]
    html = render_to_string("core/_composition_chart.html", {
        "composition_rows": rows, "household_total": total, "chart_id": "bands", "chart_title": "Bands"})
    svg = svg_of(html)
    frame_x, frame_w = 0.0, 400.0
    segments = [e for e in svg.iter() if tag(e) == "rect" and e.get("class")]
    ends = []
    for rect in segments:
        x, width = float(rect.get("x")), float(rect.get("width"))
        assert frame_x <= x and x + width <= frame_x + frame_w + 1e-9, (x, width)
        ends.append((x, x + width))
    for (_a, end), (start, _b) in zip(ends, ends[1:], strict=False):
        assert abs(end - start) < 1e-9  # no gap, no overlap
    if total:
        assert abs(ends[-1][1] - frame_w) < 1e-9 and ends[0][0] == 0
    else:
        assert not segments
    # The chart keeps its data table.
    assert html.count('<th scope="row"') == len(bands) + 1
