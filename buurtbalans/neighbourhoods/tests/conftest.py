import pytest
from django.utils import translation

from buurtbalans.neighbourhoods.tests.opendata_files import KERNCIJFERS, LEEFBAAROMETER, write_text, zwolle_boundaries


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English source text, whatever the Dutch catalogue holds by now."""
    with translation.override("en"):
        yield


@pytest.fixture
def folder(tmp_path):
    """Boundaries, a municipal table and Leefbaarometer scores for three Zwolle buurten (and one of Kampen)."""
    zwolle_boundaries(tmp_path / "grenzen.geojson")
    write_text(tmp_path / "tabellen" / "kerncijfers.csv", KERNCIJFERS)
    write_text(tmp_path / "lbm.csv", LEEFBAAROMETER)
    return tmp_path
