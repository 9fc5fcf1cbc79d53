"""A synthetic town: wijken and buurten with public statistics, for a demo without real open data.

Pure Python + numpy: no Django, no clock, no global random state (see `generator.py`).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np

from buurtbalans.demo import names
from buurtbalans.demo.rows import AreaRow, IndicatorRow, NeighbourhoodContext, Town

# Public indicator keys, the same as the open-data import writes (neighbourhoods/indicators.py): CBS's
# inhabitants and dwelling stock, the municipal low-income table's own column name, and Leefbaarometer 3.0.
INDICATOR_INHABITANTS = "inhabitants"
INDICATOR_DWELLINGS = "dwellings"
INDICATOR_LOW_INCOME = "pct_hh_onder_105_sociaal_minimum"
# Leefbaarometer file column -> our key.
LEEFBAAROMETER_KEYS = {
    "lbm": "lbm", "afw": "lbm_afw", "won": "lbm_won", "fys": "lbm_fys", "vrz": "lbm_vrz", "soc": "lbm_soc",
    "onv": "lbm_onv",
}
LEEFBAAROMETER_DIMENSIONS = ("won", "fys", "vrz", "soc", "onv")
# Only the Leefbaarometer 3.0 measurements are comparable with each other.
LEEFBAAROMETER_YEARS = (2014, 2018, 2020)
# In Leefbaarometer 3.0, the score is the national reference plus the deviation: lbm = afw + 4.1023.
LBM_REFERENCE = 4.1023
FIRST_STATISTICS_YEAR = 2015

# A fictional town in the forest of the Veluwe, so its map shows no real streets under the buurten.
TOWN_ORIGIN = (5.78, 52.10)  # lon, lat of the south-west corner
CELL_SIZE = (0.0125, 0.0080)  # degrees lon, lat: about 850 m × 890 m


# A corporation owns about this share of its town's dwellings (a large one, in a town it dominates).
CORPORATION_SHARE_OF_TOWN = 0.3


def town_size_for(dwellings: int) -> tuple[int, int]:
    """How many buurten (20-40) and dwellings a synthetic town has for a corporation of this size."""
    return int(np.clip(dwellings // 400, 20, 40)), max(20_000, round(dwellings / CORPORATION_SHARE_OF_TOWN))


def _ring(points) -> list[list[float]]:
    ring = [[round(float(lon), 6), round(float(lat), 6)] for lon, lat in points]
    return ring + [ring[0]]


def _centroid(ring: list[list[float]]) -> tuple[float, float]:
    """Area-weighted centroid of a closed ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    return round(cx / (6 * area), 6), round(cy / (6 * area), 6)


def _block_ring(vertices: np.ndarray, rows: range, cols: range) -> list[list[float]]:
    """The outline of a rectangular block of grid cells, counter-clockwise (RFC 7946)."""
    r0, r1, c0, c1 = rows.start, rows.stop, cols.start, cols.stop
    points = [vertices[r0, c] for c in range(c0, c1 + 1)]
    points += [vertices[r, c1] for r in range(r0 + 1, r1 + 1)]
    points += [vertices[r1, c] for c in range(c1 - 1, c0 - 1, -1)]
    points += [vertices[r, c0] for r in range(r1 - 1, r0, -1)]
    return _ring(points)


def generate_town(
    rng: np.random.Generator,
    *,
    reference_date: date,
    neighbourhoods: int = 30,
    town_dwellings: int = 40_000,
    code: str = "GM9999",
    name: str = "Voorbeeldstad",
    source: str = "synthetic (buurtbalans seed_demo)",
) -> Town:
    """A synthetic municipality: wijken and buurten on a jittered grid, with public statistics per buurt.

    The buurten are the cells of a grid whose inner corners are moved at random, so neighbouring buurten
    share their edges and never overlap; a wijk is a block of about 2 × 2-3 cells. Each buurt gets a
    deprivation score (high around one post-war area, plus noise) from which its low-income share and its
    Leefbaarometer scores follow, so the two correlate as they do in real towns.

    Args:
        rng: the random generator.
        reference_date: statistics run up to the year before it.
        neighbourhoods: about how many buurten (rounded to fill the grid).
        town_dwellings: about how many dwellings the whole town has (all owners).
        code, name: the municipality's CBS code (GMxxxx) and name.
        source: what every indicator row says about where it came from.
    """
    rows = 5 if neighbourhoods >= 25 else 4
    cols = max(2, math.ceil(neighbourhoods / rows))
    vertices = _jittered_grid(rng, rows, cols)
    centre = np.array([(rows - 1) / 2, (cols - 1) / 2])
    municipality = AreaRow(
        cbs_code=code,
        name=name,
        geometry={"type": "Polygon", "coordinates": [_block_ring(vertices, range(rows), range(cols))]},
    )
    buurt_names = list(rng.permutation(names.NEIGHBOURHOOD_NAMES))
    hot_spot = np.array([rng.uniform(0, rows - 1), rng.uniform(0, cols - 1)])
    districts, buurten, cells = [], [], []
    for w, (rb, cb) in enumerate(_district_blocks(rows, cols, centre), start=1):
        district = AreaRow(
            cbs_code=f"WK{code[2:]}{w:02d}",
            name=names.DISTRICT_NAMES[(w - 1) % len(names.DISTRICT_NAMES)],
            geometry={"type": "Polygon", "coordinates": [_block_ring(vertices, rb, cb)]},
            municipality_code=code,
        )
        districts.append(district)
        for b, (r, c) in enumerate((r, c) for r in rb for c in cb):
            buurt_name = str(buurt_names[len(buurten) % len(buurt_names)])
            buurten.append(_buurt(vertices, r, c, f"BU{code[2:]}{w:02d}{b:02d}", buurt_name, district))
            cells.append((r, c))

    indicators = _town_indicators(rng, buurten, cells, hot_spot, centre, reference_date, town_dwellings, source)
    return Town(municipality, tuple(districts), tuple(buurten), tuple(indicators))


def _jittered_grid(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """The corners of a rows × cols grid of cells, inner corners moved at random so buurten look drawn by hand.

    Moving inner corners by less than a quarter cell keeps every quadrilateral simple and the tiling gap-free.
    """
    lon0, lat0 = TOWN_ORIGIN
    dlon, dlat = CELL_SIZE
    vertices = np.empty((rows + 1, cols + 1, 2))
    for r in range(rows + 1):
        for c in range(cols + 1):
            vertices[r, c] = lon0 + c * dlon, lat0 + r * dlat
    jitter = rng.uniform(-0.22, 0.22, size=(rows - 1, cols - 1, 2)) * np.array([dlon, dlat])
    vertices[1:rows, 1:cols] += jitter
    return vertices


def _district_blocks(rows: int, cols: int, centre: np.ndarray) -> list[tuple[range, range]]:
    """The wijken as blocks of about 2 × 2-3 cells (rows, columns), numbered from the town centre outwards."""
    row_bands = [range(0, rows // 2), range(rows // 2, rows)]
    col_bands = [range(c, min(c + 2, cols)) for c in range(0, cols, 2)]
    if len(col_bands) > 1 and len(col_bands[-1]) == 1:
        # A single column left over joins the block before it: a wijk of one cell wide would look odd.
        col_bands[-2] = range(col_bands[-2].start, cols)
        col_bands.pop()
    blocks = [(rb, cb) for rb in row_bands for cb in col_bands]

    def block_distance(block):
        rb, cb = block
        middle = np.array([(rb.start + rb.stop - 1) / 2, (cb.start + cb.stop - 1) / 2])
        return float(np.hypot(*(middle - centre)))

    return sorted(blocks, key=block_distance)


def _buurt(vertices: np.ndarray, r: int, c: int, cbs_code: str, name: str, district: AreaRow) -> AreaRow:
    """The buurt of grid cell (r, c), with its centroid for the map's labels."""
    ring = _ring([vertices[r, c], vertices[r, c + 1], vertices[r + 1, c + 1], vertices[r + 1, c]])
    lon, lat = _centroid(ring)
    return AreaRow(
        cbs_code=cbs_code,
        name=name,
        geometry={"type": "Polygon", "coordinates": [ring]},
        district_code=district.cbs_code,
        municipality_code=district.municipality_code,
        centroid_lon=lon,
        centroid_lat=lat,
    )


def _town_indicators(rng, buurten, cells, hot_spot, centre, reference_date, town_dwellings, source):
    """CBS counts, the low-income share and the Leefbaarometer per buurt, all driven by one deprivation score.

    One score behind both keeps low incomes and low liveability together, as in real towns; centrality (closeness
    to the centre) adds what a centre has more of: facilities, smaller households, more nuisance.
    """
    cells = np.array(cells, dtype=float)
    deprivation = 1.8 * np.exp(-np.sum((cells - hot_spot) ** 2, axis=1) / 2.0) + rng.normal(0, 0.55, len(buurten))
    deprivation -= deprivation.mean()
    centrality = np.exp(-np.sum((cells - centre) ** 2, axis=1) / 3.0)
    rows = _statistics(rng, buurten, deprivation, centrality, reference_date, town_dwellings, source)
    rows += _leefbaarometer(rng, buurten, deprivation, centrality, source)
    return rows


def _statistics(rng, buurten, deprivation, centrality, reference_date, town_dwellings, source) -> list[IndicatorRow]:
    """Dwellings, inhabitants and the low-income share per buurt and year, with the totals per wijk and town.

    The totals are summed from the buurten, as CBS's own figures add up, so a wijk's page agrees with its buurten.
    """
    n = len(buurten)
    last_year = reference_date.year - 1
    # Income statistics come out two to three years later than counts (as CBS publishes them).
    last_income_year = reference_date.year - 2
    size = rng.uniform(0.4, 1.6, n) * (1 + 0.6 * centrality)
    dwellings_last = np.round(town_dwellings * size / size.sum())
    persons_per_dwelling = np.clip(2.25 - 0.45 * centrality + rng.normal(0, 0.12, n), 1.5, 2.8)
    low_income_base = np.clip(7.5 + 4.5 * deprivation, 2, 30)

    rows: list[IndicatorRow] = []
    counts: dict[tuple[str, int], list[float]] = {}
    for year in range(FIRST_STATISTICS_YEAR, last_year + 1):
        growth = (1 - 0.007 * (last_year - year)) * (1 + rng.normal(0, 0.004, n))
        dwellings = np.round(dwellings_last * growth)
        inhabitants = np.round(dwellings * persons_per_dwelling * (1 + rng.normal(0, 0.01, n)))
        low_income = np.clip(np.round(low_income_base + rng.normal(0, 0.8, n)), 1, 40)
        for i, buurt in enumerate(buurten):
            rows.append(IndicatorRow(buurt.cbs_code, INDICATOR_DWELLINGS, year, float(dwellings[i]), source))
            rows.append(IndicatorRow(buurt.cbs_code, INDICATOR_INHABITANTS, year, float(inhabitants[i]), source))
            if year <= last_income_year:
                rows.append(IndicatorRow(buurt.cbs_code, INDICATOR_LOW_INCOME, year, float(low_income[i]), source))
            for area in (buurt.district_code, buurt.municipality_code):
                totals = counts.setdefault((area, year), [0.0, 0.0])
                totals[0] += float(dwellings[i])
                totals[1] += float(inhabitants[i])
    for (area, year), (dwellings_total, inhabitants_total) in sorted(counts.items()):
        rows.append(IndicatorRow(area, INDICATOR_DWELLINGS, year, dwellings_total, source))
        rows.append(IndicatorRow(area, INDICATOR_INHABITANTS, year, inhabitants_total, source))
    return rows


def _leefbaarometer(rng, buurten, deprivation, centrality, source) -> list[IndicatorRow]:
    """The Leefbaarometer 3.0 score, its deviation and its five dimensions per buurt, in the years it measured."""
    n = len(buurten)
    rows: list[IndicatorRow] = []
    for year in LEEFBAAROMETER_YEARS:
        drift = 0.004 * (year - LEEFBAAROMETER_YEARS[0]) / 6
        dims = {
            "won": 0.015 - 0.035 * deprivation + rng.normal(0, 0.015, n),
            "fys": 0.025 - 0.015 * deprivation - 0.03 * centrality + rng.normal(0, 0.015, n),
            "vrz": -0.02 + 0.16 * centrality + rng.normal(0, 0.02, n),
            "soc": -0.005 - 0.05 * deprivation + drift + rng.normal(0, 0.012, n),
            "onv": -0.02 - 0.045 * deprivation - 0.08 * centrality + drift + rng.normal(0, 0.015, n),
        }
        for i, buurt in enumerate(buurten):
            values = {key: round(float(dims[key][i]), 6) for key in LEEFBAAROMETER_DIMENSIONS}
            # The deviation is the sum of the five dimensions and the score adds the national reference.
            afw = values["won"] + values["fys"] + values["vrz"] + values["soc"] + values["onv"]
            values["afw"] = afw
            values["lbm"] = afw + LBM_REFERENCE
            for column, key in LEEFBAAROMETER_KEYS.items():
                rows.append(IndicatorRow(buurt.cbs_code, key, year, values[column], source))
    return rows


def town_contexts(town: Town) -> list[NeighbourhoodContext]:
    """The stock generator's view of a synthetic town: each buurt's latest low-income share and size."""
    latest: dict[tuple[str, str], tuple[int, float]] = {}
    for row in town.indicators:
        if row.key in (INDICATOR_LOW_INCOME, INDICATOR_DWELLINGS):
            known = latest.get((row.area_code, row.key))
            if known is None or row.year > known[0]:
                latest[(row.area_code, row.key)] = (row.year, row.value)
    return [
        NeighbourhoodContext(
            cbs_code=b.cbs_code,
            name=b.name,
            low_income_pct=latest.get((b.cbs_code, INDICATOR_LOW_INCOME), (0, None))[1],
            dwellings=latest.get((b.cbs_code, INDICATOR_DWELLINGS), (0, None))[1],
        )
        for b in town.neighbourhoods
    ]
