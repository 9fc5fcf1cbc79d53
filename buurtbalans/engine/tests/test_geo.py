import pytest

from buurtbalans.engine.geo import (
    interior_point,
    map_positions,
    point_in_polygon,
    polygon_area,
    polygon_centroid,
)

SQUARE = [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]]
SQUARE_WITH_HOLE = [SQUARE[0], [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]]
# A U shape: its centroid (3, 2.71) falls in the notch between the arms.
U_SHAPE = [[[0, 0], [6, 0], [6, 6], [4, 6], [4, 2], [2, 2], [2, 6], [0, 6], [0, 0]]]


@pytest.mark.parametrize(
    ("polygon", "area"),
    [
        (SQUARE, 16.0),
        ([list(reversed(SQUARE[0]))], 16.0),  # orientation does not matter
        (SQUARE_WITH_HOLE, 12.0),
        (U_SHAPE, 28.0),
    ],
)
def test_polygon_area(polygon, area):
    assert polygon_area(polygon) == pytest.approx(area)


@pytest.mark.parametrize(
    ("polygon", "centroid"),
    [
        (SQUARE, (2.0, 2.0)),
        (SQUARE_WITH_HOLE, (2.0, 2.0)),
        # arms 2x6 at x=1 and x=5 (weight 12 each, y=3), base 2x2 at (3, 1) (weight 4): y = (12*3*2 + 4*1) / 28
        (U_SHAPE, (3.0, 76 / 28)),
    ],
)
def test_polygon_centroid(polygon, centroid):
    assert polygon_centroid(polygon) == pytest.approx(centroid)


@pytest.mark.parametrize(
    ("point", "inside"),
    [((2, 2), False), ((0.5, 0.5), True), ((3.5, 2), True), ((5, 5), False)],
)
def test_point_in_polygon_respects_holes(point, inside):
    assert point_in_polygon(point, SQUARE_WITH_HOLE) is inside


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": SQUARE},
        {"type": "Polygon", "coordinates": SQUARE_WITH_HOLE},  # the centroid lies in the hole
        {"type": "Polygon", "coordinates": U_SHAPE},  # the centroid lies in the notch
        {"type": "MultiPolygon", "coordinates": [U_SHAPE, [[[10, 10], [11, 10], [11, 11], [10, 10]]]]},
    ],
)
def test_interior_point_lies_inside_the_largest_part(geometry):
    point = interior_point(geometry)
    polygon = geometry["coordinates"] if geometry["type"] == "Polygon" else geometry["coordinates"][0]
    assert point_in_polygon(point, polygon)


def test_interior_point_is_the_centroid_of_a_convex_polygon():
    assert interior_point({"type": "Polygon", "coordinates": SQUARE}) == pytest.approx((2.0, 2.0))


def test_interior_point_refuses_a_polygon_without_area():
    with pytest.raises(ValueError):
        interior_point({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]})


def test_map_positions():
    shifted = map_positions(
        {"type": "MultiPolygon", "coordinates": [SQUARE]},
        lambda xs, ys: ([x + 10 for x in xs], [y * 2 for y in ys]),
    )
    assert shifted["type"] == "MultiPolygon"
    assert shifted["coordinates"] == [[[[10, 0], [14, 0], [14, 8], [10, 8], [10, 0]]]]
    with pytest.raises(ValueError):
        map_positions({"type": "Point", "coordinates": [0, 0]}, lambda xs, ys: (xs, ys))
