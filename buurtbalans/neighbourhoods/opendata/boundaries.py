"""Area boundaries from a GeoJSON FeatureCollection, in WGS84 or in RD New (EPSG:28992), reprojected to WGS84.

Recognised by content: a FeatureCollection whose features carry a CBS area code in their properties (`bu_code`,
`buurtcode`, `statcode`, ... in any case). Features of other municipalities are ignored. A feature with a buurt code
is a buurt (its wijk and gemeente follow from the code); one with only a wijk code is a wijk, one with only a gemeente
code a gemeente, so a CBS wijk layer gives the districts their outlines.

The coordinate system comes from the `crs` member (the old GeoJSON 2008 form that QGIS and ogr2ogr still write for
RD New) or, without one, from the coordinates: longitudes and latitudes are at most 180, RD New coordinates are
metres in the ranges of the Netherlands.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import gettext as _

from buurtbalans.engine.geo import geometry_polygons, interior_point, map_positions, polygon_area
from buurtbalans.neighbourhoods.opendata.common import (
    AREA_CODE,
    BOUNDARIES,
    Boundary,
    FileResult,
    LoadedFile,
    Problems,
    belongs_to,
    clean_code,
    district_of,
    looks_like_ours,
)

WGS84 = "EPSG:4326"
RD_NEW = "EPSG:28992"

# Property names, lower case, in order of preference.
CODE_PROPERTIES = {
    "BU": ("bu_code", "buurtcode", "statcode", "code"),
    "WK": ("wk_code", "wijkcode", "statcode", "code"),
    "GM": ("gm_code", "gemeentecode", "statcode", "code"),
}
NAME_PROPERTIES = {
    "BU": ("bu_naam", "buurtnaam", "statnaam", "naam", "name"),
    "WK": ("wk_naam", "wijknaam", "statnaam", "naam", "name"),
    "GM": ("gm_naam", "gemeentenaam", "statnaam", "naam", "name"),
}
# RD New's valid area (EPSG:28992 bounds, metres) and the part of it a Dutch area can be in.
RD_X = (-7_000.0, 300_000.0)
RD_Y = (289_000.0, 629_000.0)
# 6 decimals of a degree is 0.1 m: more would only make the JSON bigger.
PRECISION = 6


def is_feature_collection(loaded: LoadedFile) -> bool:
    return loaded.is_json and isinstance(loaded.json, dict) and loaded.json.get("type") == "FeatureCollection"


def _properties(feature) -> dict:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    return {str(k).lower(): v for k, v in properties.items()} if isinstance(properties, dict) else {}


def _first(properties: dict, names: tuple[str, ...], prefix: str | None = None) -> str | None:
    for name in names:
        value = properties.get(name)
        if value is None or str(value).strip() == "":
            continue
        if prefix is None or clean_code(value).startswith(prefix):
            return str(value).strip()
    return None


def area_code_of(properties: dict) -> str | None:
    """The most detailed CBS code among the feature's properties (a buurt feature names its wijk too)."""
    for level in ("BU", "WK", "GM"):
        value = _first(properties, CODE_PROPERTIES[level], prefix=level)
        if value is not None:
            return clean_code(value)
    return None


def has_area_codes(loaded: LoadedFile) -> bool:
    features = loaded.json.get("features")
    return isinstance(features, list) and any(area_code_of(_properties(f)) for f in features[:50])


def _crs_name(collection: dict) -> str | None:
    crs = collection.get("crs")
    if isinstance(crs, dict):
        properties = crs.get("properties") or {}
        return str(properties.get("name") or properties.get("code") or "") or None
    return None


def _first_position(collection: dict):
    for feature in collection.get("features") or []:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        while isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], list):
            coordinates = coordinates[0]
        if isinstance(coordinates, list) and len(coordinates) >= 2 and all(
            isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates[:2]
        ):
            return coordinates
    return None


def detect_crs(collection: dict) -> str:
    """WGS84 or RD New, from the `crs` member or the coordinate ranges.

    Raises:
        ValueError: with a message for the user, for any other coordinate system.
    """
    name = _crs_name(collection)
    if name:
        upper = name.upper()
        if upper.endswith(("28992", "RDNEW", "RD_NEW")) or "EPSG::28992" in upper:
            return RD_NEW
        if upper.endswith(("4326", "CRS84", "CRS:84")):
            return WGS84
        raise ValueError(_("coordinate system %(crs)s is not supported (WGS84 or RD New expected)") % {"crs": name})
    position = _first_position(collection)
    if position is None:
        return WGS84
    x, y = float(position[0]), float(position[1])
    if -180 <= x <= 180 and -90 <= y <= 90:
        return WGS84
    if RD_X[0] <= x <= RD_X[1] and RD_Y[0] <= y <= RD_Y[1]:
        return RD_NEW
    raise ValueError(
        _("coordinates such as (%(x)s, %(y)s) are neither WGS84 nor RD New (EPSG:28992)") % {"x": x, "y": y}
    )


@lru_cache(maxsize=1)
def _rd_to_wgs84():
    from pyproj import Transformer

    # always_xy: GeoJSON is (longitude, latitude) whatever EPSG:4326's official axis order says.
    return Transformer.from_crs(RD_NEW, WGS84, always_xy=True)


def _to_wgs84(geometry: dict, crs: str) -> dict:
    def transform(xs, ys):
        if crs == RD_NEW:
            xs, ys = _rd_to_wgs84().transform(xs, ys)
        return [round(float(x), PRECISION) for x in xs], [round(float(y), PRECISION) for y in ys]

    return map_positions(geometry, transform)


def _check_geometry(geometry) -> str | None:
    """Why the geometry cannot be used, or None."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        return _("the geometry is %(kind)s, not a Polygon or MultiPolygon") % {"kind": kind or _("missing")}
    try:
        polygons = geometry_polygons(geometry)
        for polygon in polygons:
            for ring in polygon:
                if len(ring) < 4 or any(len(p) < 2 or not all(isinstance(c, int | float) for c in p[:2]) for p in ring):
                    return _("a ring has fewer than 4 positions or a position is not a pair of numbers")
        if not polygons or sum(polygon_area(p) for p in polygons) <= 0:
            return _("the polygon has no area")
    except (TypeError, IndexError, KeyError):
        return _("the coordinates are not a valid polygon")
    return None


def read_boundaries(loaded: LoadedFile, municipality_code: str, problems: Problems) -> FileResult:
    """The municipality's areas from a recognised FeatureCollection (see is_feature_collection, has_area_codes)."""
    result = FileResult(loaded.name, BOUNDARIES)
    collection = loaded.json
    try:
        crs = detect_crs(collection)
    except ValueError as exc:
        problems.error(loaded.name, f"{loaded.name}: {exc}")
        return result
    if crs == RD_NEW:
        result.notes.append(_("reprojected from RD New (EPSG:28992) to WGS84"))
    seen: dict[str, str] = {}
    for number, feature in enumerate(collection["features"], start=1):  # a list: has_area_codes
        properties = _properties(feature)
        code = area_code_of(properties)
        where = _("%(file)s feature %(number)d") % {"file": loaded.name, "number": number}
        if code is None:
            continue
        if not AREA_CODE.match(code):
            if looks_like_ours(code, municipality_code):
                problems.error(loaded.name, _('%(where)s: "%(code)s" is not a CBS area code') % {
                    "where": where, "code": code})
            continue
        if not belongs_to(code, municipality_code):
            continue
        where = f"{where} ({code})"
        level = code[:2]
        if level == "BU":
            stated_district = _first(properties, CODE_PROPERTIES["WK"][:2])
            if stated_district and clean_code(stated_district) != district_of(code):
                problems.error(loaded.name, _("%(where)s: wijk code %(wk)s does not match buurt code %(bu)s") % {
                    "where": where, "wk": stated_district, "bu": code})
                continue
        if code in seen:
            problems.error(loaded.name, _("%(where)s: %(code)s appears twice (also %(other)s)") % {
                "where": where, "code": code, "other": seen[code]})
            continue
        seen[code] = where
        geometry = feature.get("geometry")
        reason = _check_geometry(geometry)
        if reason:
            problems.error(loaded.name, f"{where}: {reason}")
            continue
        geometry = _to_wgs84(geometry, crs)
        try:
            point = interior_point(geometry)
            point = (round(point[0], PRECISION), round(point[1], PRECISION))
        except ValueError as exc:
            problems.error(loaded.name, f"{where}: {exc}")
            continue
        name = _first(properties, NAME_PROPERTIES[level])
        result.rows += 1
        result.boundaries.append(
            Boundary(
                code=code,
                name=name,
                geometry=geometry,
                point=point,
                district_name=_first(properties, NAME_PROPERTIES["WK"][:2]) if level == "BU" else None,
                municipality_name=_first(properties, NAME_PROPERTIES["GM"][:2]) if level != "GM" else None,
                where=where,
            )
        )
        if name:
            result.names[code] = name
    return result
