"""The map without a tile server: buurt polygons (GeoJSON, WGS84) projected in Python into SVG paths.

Projection: equirectangular around the municipality's middle latitude (x = longitude × cos(latitude₀), y = −latitude),
scaled to a fixed width. Over a municipality (tens of kilometres) this keeps shapes and areas true to within a few
per mille, which is all a choropleth needs. Coordinates are rounded to 0.1 SVG unit and repeated points dropped, so
Zwolle's 78 buurten make about 60 kB of SVG.

Classes: five classes with equal numbers of buurten (quintiles of the values shown), ordered from worst to best in
the indicator's direction, so the same colour always means the same thing ("the worst fifth"). The vitality score has
fixed classes instead, because its scale (0-100) means the same everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from buurtbalans.engine.geo import geometry_polygons

WIDTH = 800.0
MARGIN = 10.0
# From worst to best (ColorBrewer RdYlBu, 5 classes: readable for the common colour-vision deficiencies together
# with the legend's words and the table).
CLASS_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")
NO_VALUE_COLOUR = "#e6e6e6"
# Vitality score: fixed class bounds (lower bounds, worst first).
SCORE_BOUNDS = (0.0, 60.0, 75.0, 85.0, 95.0)


@dataclass(frozen=True)
class Projection:
    lon0: float
    lat0: float
    cos_lat: float
    scale: float
    height: float

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x = MARGIN + (lon - self.lon0) * self.cos_lat * self.scale
        y = MARGIN + (self.lat0 - lat) * self.scale
        return round(x, 1), round(y, 1)


def projection_for(geometries: list[dict]) -> Projection | None:
    """The projection that fits every geometry into WIDTH, or None without geometries."""
    xs: list[float] = []
    ys: list[float] = []
    for geometry in geometries:
        for polygon in geometry_polygons(geometry):
            for lon, lat, *_ in polygon[0]:
                xs.append(lon)
                ys.append(lat)
    if not xs:
        return None
    cos_lat = math.cos(math.radians((min(ys) + max(ys)) / 2))
    span_x = (max(xs) - min(xs)) * cos_lat or 1e-9
    scale = (WIDTH - 2 * MARGIN) / span_x
    height = (max(ys) - min(ys)) * scale + 2 * MARGIN
    return Projection(min(xs), max(ys), cos_lat, scale, round(height, 1))


def svg_path(geometry: dict, projection: Projection) -> str:
    """The SVG path data of a (Multi)Polygon; holes are drawn with the even-odd rule (`fill-rule="evenodd"`)."""
    parts = []
    for polygon in geometry_polygons(geometry):
        for ring in polygon:
            points = []
            for lon, lat, *_ in ring:
                point = projection.point(lon, lat)
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) < 3:
                continue
            first, *rest = points
            parts.append(f"M{first[0]} {first[1]}" + "".join(f"L{x} {y}" for x, y in rest) + "Z")
    return "".join(parts)


def quantile_bounds(values: list[float], higher_is_better: bool, classes: int = 5) -> list[float]:
    """Lower bounds of equal-count classes, worst class first (in the indicator's direction)."""
    ordered = sorted(values, reverse=not higher_is_better)  # worst first
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, (len(ordered) * k) // classes)] for k in range(classes)]


def class_of(value: float | None, bounds: list[float], higher_is_better: bool) -> int | None:
    """The class (0 = worst) of a value, given the lower bounds (worst class first) of `quantile_bounds`."""
    if value is None or not bounds:
        return None
    chosen = 0
    for index, bound in enumerate(bounds):
        if (value >= bound) if higher_is_better else (value <= bound):
            chosen = index
    return chosen


def spread(centre: tuple[float, float], count: int, spacing: float = 7.0) -> list[tuple[float, float]]:
    """Positions for `count` markers around a buurt's point: a sunflower spiral, so markers do not cover each other."""
    golden = math.pi * (3 - math.sqrt(5))
    points = []
    for index in range(count):
        radius = spacing * math.sqrt(index)
        angle = index * golden
        points.append((round(centre[0] + radius * math.cos(angle), 1), round(centre[1] + radius * math.sin(angle), 1)))
    return points


def svg_layers(data: dict, *, buurt_url, complex_url, buurt_label, complex_label) -> tuple[str, str]:
    """The buurten and complex markers as SVG markup (escaped), built here rather than in a template loop.

    A template loop over 1,200 markers with their accessible names took a quarter of a second; string building
    takes a few milliseconds. Each buurt and each complex is an `<a>` (reachable with Tab) whose `aria-label` is
    its name and value; `<title>` gives the same text on hover.

    Args:
        data: `selectors.map_data` with each buurt's "colour" and each complex's "rx", "ry" set by the view.
        buurt_url, complex_url: functions from a buurt code / complex id to its page.
        buurt_label, complex_label: functions from a buurt / complex dict to its accessible name.
    """
    # The standard library's escape: what django.utils.html.escape does inside, without its lazy-text wrapper
    # (thousands of calls a page).
    from html import escape

    buurten = []
    for buurt in data["buurten"]:
        label = escape(buurt_label(buurt))
        buurten.append(
            f'<a href="{escape(buurt_url(buurt["code"]))}" aria-label="{label}" data-code="{escape(buurt["code"])}">'
            f'<path d="{buurt["path"]}" fill="{buurt["colour"]}" fill-rule="evenodd"><title>{label}</title></path></a>'
        )
    markers = []
    for item in data["complexes"]:
        label = escape(complex_label(item))
        if item["warning_count"]:
            shape = (f'<rect x="{item["rx"]}" y="{item["ry"]}" width="8" height="8" '
                     f'transform="rotate(45 {item["x"]} {item["y"]})" class="bb-marker bb-marker--warning"></rect>')
        else:
            shape = f'<circle cx="{item["x"]}" cy="{item["y"]}" r="3.5" class="bb-marker"></circle>'
        markers.append(f'<a href="{escape(complex_url(item["id"]))}" aria-label="{label}" '
                       f'data-complex="{item["id"]}">{shape}<title>{label}</title></a>')
    return "".join(buurten), "".join(markers)
