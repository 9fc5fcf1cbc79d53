"""Plane geometry on GeoJSON polygons: area, centroid, point-in-polygon and a label point inside a buurt.

Coordinates are (x, y) pairs, e.g. (longitude, latitude) in WGS84 or (x, y) metres in RD New. All functions work in
the plane. For a buurt (a few km across) that is fine in degrees too: the centroid and the choice of a label point are
unchanged by the affine stretch between degrees and metres at one latitude, and areas are only compared with each
other, never reported.

A GeoJSON polygon is a list of rings: the outer ring first, then holes; a ring is a list of positions whose last
position repeats the first. A MultiPolygon is a list of polygons (RFC 7946, section 3.1.6-3.1.7).
"""

from __future__ import annotations

from collections.abc import Sequence

Position = Sequence[float]
Ring = Sequence[Position]
Polygon = Sequence[Ring]


def ring_signed_area(ring: Ring) -> float:
    """Shoelace formula: positive for a counter-clockwise ring."""
    total = 0.0
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False):
        total += x1 * y2 - x2 * y1
    if len(ring) > 1 and tuple(ring[0][:2]) != tuple(ring[-1][:2]):
        # An unclosed ring (invalid GeoJSON, but common): close it implicitly.
        (x1, y1, *_), (x2, y2, *_) = ring[-1], ring[0]
        total += x1 * y2 - x2 * y1
    return total / 2.0


def polygon_area(polygon: Polygon) -> float:
    """Area of the outer ring minus its holes, whatever the rings' orientation."""
    if not polygon:
        return 0.0
    return abs(ring_signed_area(polygon[0])) - sum(abs(ring_signed_area(hole)) for hole in polygon[1:])


def polygon_centroid(polygon: Polygon) -> tuple[float, float]:
    """Centre of mass of a polygon with holes (may lie outside a concave polygon).

    Steps: the centroid of each ring by the shoelace moments, then the area-weighted mean with holes weighing
    negatively. A degenerate polygon (no area) gets the mean of its outer ring's vertices.
    """
    moment_x = moment_y = total_area = 0.0
    for index, ring in enumerate(polygon):
        area = 0.0
        cx = cy = 0.0
        closed = list(ring) if tuple(ring[0][:2]) == tuple(ring[-1][:2]) else [*ring, ring[0]]
        for (x1, y1, *_), (x2, y2, *_) in zip(closed, closed[1:], strict=False):
            cross = x1 * y2 - x2 * y1
            area += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
        area /= 2.0
        if area == 0:
            continue
        # The ring's own centroid is (cx / 6A, cy / 6A); weigh it by |A|, negatively for holes.
        sign = 1.0 if index == 0 else -1.0
        weight = sign * abs(area)
        moment_x += weight * cx / (6.0 * area)
        moment_y += weight * cy / (6.0 * area)
        total_area += weight
    if total_area == 0:
        outer = polygon[0]
        return (sum(p[0] for p in outer) / len(outer), sum(p[1] for p in outer) / len(outer))
    return (moment_x / total_area, moment_y / total_area)


def point_in_ring(point: Position, ring: Ring) -> bool:
    """Even-odd ray casting; points exactly on the boundary may fall either way."""
    x, y = point[0], point[1]
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_polygon(point: Position, polygon: Polygon) -> bool:
    """Inside the outer ring and in none of the holes."""
    if not polygon or not point_in_ring(point, polygon[0]):
        return False
    return not any(point_in_ring(point, hole) for hole in polygon[1:])


def geometry_polygons(geometry: dict) -> list[Polygon]:
    """The polygons of a GeoJSON Polygon or MultiPolygon geometry."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"not a polygon geometry: {kind}")


def largest_polygon(geometry: dict) -> Polygon:
    """The polygon with the largest area: the main land of a buurt drawn as a MultiPolygon (islands, exclaves).

    Raises:
        ValueError: when the geometry is not a Polygon or MultiPolygon, or holds no polygon.
    """
    return max(geometry_polygons(geometry), key=polygon_area)


def _scanline_intervals(polygon: Polygon, y: float) -> list[tuple[float, float]]:
    """The stretches of the horizontal line at height y that lie inside the polygon (holes excluded)."""
    crossings: list[float] = []
    for ring in polygon:
        n = len(ring)
        for i in range(n):
            (x1, y1), (x2, y2) = ring[i - 1][:2], ring[i][:2]
            if (y1 > y) != (y2 > y):
                crossings.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    crossings.sort()
    return list(zip(crossings[0::2], crossings[1::2], strict=False))


def interior_point(geometry: dict) -> tuple[float, float]:
    """A point inside a (Multi)Polygon for a map marker or label: the centroid when it lies inside.

    Steps (for the largest part of a MultiPolygon):
    1. The centroid, if it lies inside the polygon (true for most buurten, which are nearly convex).
    2. Otherwise (a crescent, a ring around a park): cut the polygon with horizontal lines at the centroid's height
       and at a few heights across the bounding box, and take the middle of the widest stretch inside it. The first
       line that crosses the polygon at all decides, so the result stays close to the centroid's height.
    This is the idea behind QGIS's "point on surface" without its iterative search (polylabel), which a marker
    does not need.

    Raises:
        ValueError: when the geometry is not a polygon or has no area.
    """
    polygon = largest_polygon(geometry)
    centroid = polygon_centroid(polygon)
    if point_in_polygon(centroid, polygon):
        return centroid
    ys = [p[1] for p in polygon[0]]
    low, high = min(ys), max(ys)
    if high == low:
        raise ValueError("the polygon has no area")
    heights = [centroid[1]] + [low + (high - low) * k / 16 for k in (8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)]
    for y in heights:
        intervals = [(a, b) for a, b in _scanline_intervals(polygon, y) if b > a]
        if intervals:
            left, right = max(intervals, key=lambda ab: ab[1] - ab[0])
            return ((left + right) / 2.0, y)
    raise ValueError("the polygon has no area")


def map_positions(geometry: dict, transform) -> dict:
    """A copy of a (Multi)Polygon with every position passed through `transform(xs, ys) -> (xs, ys)`.

    The transform gets one ring at a time as two lists, so a vectorised projection (pyproj) runs once per ring.
    """

    def ring_map(ring: Ring) -> list[list[float]]:
        xs, ys = transform([p[0] for p in ring], [p[1] for p in ring])
        return [[x, y] for x, y in zip(xs, ys, strict=True)]

    if geometry.get("type") == "Polygon":
        return {"type": "Polygon", "coordinates": [ring_map(r) for r in geometry["coordinates"]]}
    if geometry.get("type") == "MultiPolygon":
        return {
            "type": "MultiPolygon",
            "coordinates": [[ring_map(r) for r in polygon] for polygon in geometry["coordinates"]],
        }
    raise ValueError(f"not a polygon geometry: {geometry.get('type')}")
