"""The open-data import on the real public files (BUURTBALANS_OPEN_DATA_DIR), checked against known facts.

The facts come from the data folder's README. The whole folder (Zwolle files, national CBS and Leefbaarometer files,
unrelated WWS tables) is imported once for this module, inside a transaction that is rolled back afterwards, and
every test reads the database.
"""

import csv
import os
import statistics
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import translation

from buurtbalans.core.testing import require_environment
from buurtbalans.engine.geo import largest_polygon, point_in_polygon
from buurtbalans.neighbourhoods.indicators import LEEFBAAROMETER_DIMENSIONS
from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood, PublicIndicator
from buurtbalans.neighbourhoods.selectors import neighbourhood_context
from buurtbalans.neighbourhoods.services import open_data_import

ZWOLLE = "GM0193"


def open_data_dir() -> Path:
    directory = os.environ.get("BUURTBALANS_OPEN_DATA_DIR") or ""
    require_environment(bool(directory) and Path(directory, "zwolle").is_dir(),
                        "BUURTBALANS_OPEN_DATA_DIR does not point at the open-data folder (with zwolle/)")
    return Path(directory)


@pytest.fixture(scope="module")
def zwolle(django_db_setup, django_db_blocker):
    """One import of the whole folder for all tests here, rolled back when the module is done."""
    directory = open_data_dir()
    with django_db_blocker.unblock(), transaction.atomic():
        with translation.override("en"):
            report = open_data_import(directory=directory, municipality_code=ZWOLLE)
        yield report
        transaction.set_rollback(True)


def values(key: str, year: int, prefix: str = "BU0193") -> dict[str, float]:
    return dict(
        PublicIndicator.objects.filter(key=key, year=year, area_code__startswith=prefix).values_list("area_code",
                                                                                                      "value")
    )


@pytest.mark.django_db
def test_the_real_folder_imports_without_errors_and_says_what_it_skipped(zwolle):
    assert zwolle.ok, zwolle.errors
    used = {f.name: f.kind for f in zwolle.files_used}
    assert used["zwolle/zwolle_buurten.geojson"] == "boundaries"
    assert used["national/cbs_kwb_2024_gemeente_wijk_basis.csv"] == "cbs_kwb"
    assert used["zwolle/zwolle_leefbaarometer_buurt_2002_2020.csv"] == "leefbaarometer"
    assert used["national/leefbaarometer_3_0_buurt_2014_2018_2020.csv"] == "leefbaarometer"
    assert used["zwolle/zwolle_buurt_kerncijfers_2015_2024.csv"] == "table"
    assert used["zwolle/zwolle_buurt_energie_2015_2023.csv"] == "table"
    skipped = {s.name: s.reason for s in zwolle.files_skipped}
    assert "year" in skipped["zwolle/zwolle_demo_buurt_inkomen2021_lbm2020.csv"]
    assert all(name in skipped for name in used if name.startswith("national/wws/"))
    assert not zwolle.warnings


@pytest.mark.django_db
def test_all_78_zwolle_buurten_have_a_geometry_and_a_marker_inside_it(zwolle):
    buurten = list(Neighbourhood.objects.filter(municipality__cbs_code=ZWOLLE))

    assert len(buurten) == 78
    assert Municipality.objects.get(cbs_code=ZWOLLE).name == "Zwolle"
    assert District.objects.filter(municipality__cbs_code=ZWOLLE).count() == 16
    for buurt in buurten:
        assert buurt.geometry["type"] in ("Polygon", "MultiPolygon")
        # WGS84, in and around Zwolle.
        assert 5.9 < buurt.centroid_lon < 6.3 and 52.4 < buurt.centroid_lat < 52.7
        assert point_in_polygon((buurt.centroid_lon, buurt.centroid_lat), largest_polygon(buurt.geometry)), buurt


@pytest.mark.django_db
def test_stored_leefbaarometer_3_scores_keep_the_models_identities(zwolle):
    rows: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for area_code, key, year, value in PublicIndicator.objects.filter(
        area_code__startswith="BU0193", key__startswith="lbm"
    ).values_list("area_code", "key", "year", "value"):
        rows[(area_code, year)][key] = value

    # Only the comparable 3.0 measurements; 1.0 (2002, 2008) and 2.0 (2012, 2016) stay out.
    assert {year for _code, year in rows} == {2014, 2018, 2020}
    complete = [row for row in rows.values() if all(k in row for k in ("lbm", "lbm_afw", *LEEFBAAROMETER_DIMENSIONS))]
    assert len(complete) == 201
    for row in complete:
        assert sum(row[k] for k in LEEFBAAROMETER_DIMENSIONS) == pytest.approx(row["lbm_afw"], abs=2e-5)
        assert round(row["lbm"] - row["lbm_afw"], 4) == 4.1023


@pytest.mark.django_db
def test_2024_buurt_counts_add_up_to_the_cbs_figures_of_all_16_wijken(zwolle):
    inhabitants = defaultdict(float)
    dwellings = defaultdict(float)
    for code, value in values("inwoners", 2024).items():
        inhabitants["WK" + code[2:8]] += value
    for code, value in values("woningen", 2024).items():
        dwellings["WK" + code[2:8]] += value
    cbs_inhabitants = values("inhabitants", 2024, prefix="WK0193")
    cbs_dwellings = values("dwellings", 2024, prefix="WK0193")

    assert len(cbs_inhabitants) == len(cbs_dwellings) == 16
    assert set(inhabitants) == set(cbs_inhabitants)
    for wijk, cbs_value in cbs_inhabitants.items():
        # CBS rounds inhabitants of small areas to multiples of 5.
        assert abs(inhabitants[wijk] - cbs_value) <= 9, wijk
        assert abs(dwellings[wijk] - cbs_dwellings[wijk]) <= 1, wijk


@pytest.mark.django_db
def test_leefbaarometer_buurt_codes_and_names_match_the_boundaries(zwolle):
    path = open_data_dir() / "zwolle" / "zwolle_leefbaarometer_buurt_2002_2020.csv"
    with path.open(encoding="utf-8") as handle:
        names = {r["bu_code"]: r["bu_naam"] for r in csv.DictReader(handle)
                 if r["versie"] == "Leefbaarometer 3.0" and r["jaar"] == "2020"}
    stored = dict(Neighbourhood.objects.filter(cbs_code__in=names).values_list("cbs_code", "name"))

    assert len(names) == 74
    assert stored == names
    # The importer checks the same and would have warned.
    assert not [w for w in zwolle.warnings if "buurt division" in w]


@pytest.mark.django_db
def test_low_income_share_and_liveability_correlate_across_buurten(zwolle):
    inhabitants = values("inwoners", 2021)
    low_income = values("pct_hh_onder_105_sociaal_minimum", 2021)
    liveability = values("lbm", 2020)
    codes = sorted(c for c in low_income if c in liveability and inhabitants.get(c, 0) >= 200)

    assert len(codes) == 60
    r = statistics.correlation([low_income[c] for c in codes], [liveability[c] for c in codes])
    assert r == pytest.approx(-0.80, abs=0.01)


@pytest.mark.django_db
def test_every_figure_keeps_its_source_table_year_and_column(zwolle):
    cbs = PublicIndicator.objects.get(area_code="WK019330", key="inhabitants", year=2024)
    assert (cbs.value, cbs.source, cbs.dataset) == (10030, "CBS 85984NED (2024), AantalInwoners_5", "cbs_kwb")
    assert PublicIndicator.objects.get(area_code="GM0193", key="dwellings", year=2024).value == 61187
    table = PublicIndicator.objects.get(area_code="BU01933020", key="pct_hh_onder_105_sociaal_minimum", year=2021)
    assert table.source == "zwolle/zwolle_buurt_kerncijfers_2015_2024.csv, pct_hh_onder_105_sociaal_minimum"
    lbm = PublicIndicator.objects.get(area_code="BU01933020", key="lbm", year=2020)
    assert lbm.dataset == "leefbaarometer_3" and lbm.source.startswith("Leefbaarometer 3.0 (")
    assert not PublicIndicator.objects.exclude(dataset__in=["cbs_kwb", "leefbaarometer_3", "table"]).exists()


@pytest.mark.django_db
def test_the_buurt_page_context_of_holtenbroek_ii(zwolle):
    holtenbroek = Neighbourhood.objects.get(cbs_code="BU01933020")

    context = neighbourhood_context(holtenbroek)

    assert holtenbroek.name == "Holtenbroek II"
    assert context["indicators"]["inwoners"].year == 2024
    assert context["indicators"]["pct_hh_onder_105_sociaal_minimum"].year == 2021
    assert "lbm" not in context["indicators"]
    assert context["district_indicators"]["inhabitants"].value == 10030
    assert [row["year"] for row in context["leefbaarometer"]] == [2014, 2018, 2020]
    latest = context["leefbaarometer_latest"]
    assert latest["lbm"] == pytest.approx(3.904, abs=1e-3)
    assert sum(latest[d] for d in ("won", "fys", "vrz", "soc", "onv")) == pytest.approx(latest["afw"], abs=2e-5)
    assert len(context["credits"]) == 3
    years = PublicIndicator.objects.filter(area_code="BU01933020", key="inwoners").order_by("year")
    assert [p.year for p in years] == list(range(2015, 2025))
