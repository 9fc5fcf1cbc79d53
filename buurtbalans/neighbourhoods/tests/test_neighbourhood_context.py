"""What the buurt page and the map read: neighbourhood_context, indicator_series, the feature collection."""

import pytest

from buurtbalans.neighbourhoods.models import Neighbourhood
from buurtbalans.neighbourhoods.selectors import (
    indicator_series,
    neighbourhood_context,
    neighbourhood_feature_collection,
    neighbourhood_list,
)
from buurtbalans.neighbourhoods.services import open_data_import
from buurtbalans.neighbourhoods.tests.opendata_files import data_properties, odata_rows, write_json, write_text


@pytest.fixture
def imported(folder):
    write_json(folder / "cbs" / "85618NED_DataProperties.json", data_properties("85618NED", 2023))
    write_json(folder / "cbs" / "data.json", odata_rows("85618NED"))
    # A Leefbaarometer year with the total only.
    write_text(folder / "lbm_2014.csv", "bu_code,jaar,lbm,afw\nBU01933020,2014,3.8174,-0.2849\n")
    report = open_data_import(directory=folder, municipality_code="GM0193")
    assert report.ok, report.errors
    return report


@pytest.mark.django_db
def test_the_context_holds_the_latest_figure_per_indicator_and_the_leefbaarometer_per_year(imported):
    holtenbroek = Neighbourhood.objects.get(cbs_code="BU01933020")

    context = neighbourhood_context(holtenbroek)

    facts = context["indicators"]
    # Known indicators in the documented order; the Leefbaarometer is not among them.
    assert list(facts) == ["inwoners", "woningen", "pct_hh_onder_105_sociaal_minimum"]
    assert (facts["inwoners"].value, facts["inwoners"].year) == (2650, 2024)
    assert str(facts["pct_hh_onder_105_sociaal_minimum"].label) == "Households below 105% of the social minimum"
    assert facts["pct_hh_onder_105_sociaal_minimum"].unit == "%"
    assert context["district_indicators"]["inhabitants"].value == 9900
    assert context["municipality_indicators"]["average_income_per_inhabitant"].value == 31200
    assert context["leefbaarometer"] == [
        {"year": 2014, "lbm": 3.8174, "afw": -0.2849, "won": None, "fys": None, "vrz": None, "soc": None,
         "onv": None},
        {"year": 2018, "lbm": 3.9267, "afw": -0.1756, "won": -0.0842, "fys": 0.0101, "vrz": 0.0312, "soc": -0.0727,
         "onv": -0.06},
        {"year": 2020, "lbm": 3.904, "afw": -0.1983, "won": -0.064, "fys": 0.005, "vrz": 0.03, "soc": -0.0893,
         "onv": -0.08},
    ]
    assert context["leefbaarometer_latest"]["year"] == 2020
    assert [str(c) for c in context["credits"]] == [
        "Source: CBS (CC BY 4.0)",
        "Source: Leefbaarometer 3.0, Ministry of the Interior (BZK)",
        "Source: municipality (from BAG, BRP, CBS, Klimaatmonitor)",
    ]


@pytest.mark.django_db
def test_a_buurt_without_figures_has_an_empty_context(imported):
    noord = Neighbourhood.objects.get(cbs_code="BU01931010")

    context = neighbourhood_context(noord)

    assert context["leefbaarometer"] == [] and context["leefbaarometer_latest"] is None
    assert set(context["indicators"]) == {"inwoners", "woningen"}  # its low-income share is suppressed (".")


@pytest.mark.django_db
def test_a_series_runs_from_the_oldest_year(imported):
    assert [(p.year, p.value) for p in indicator_series("BU01931000", "inwoners")] == [(2023, 2300), (2024, 2373)]
    assert indicator_series("BU01931000", "no_such_key") == []


@pytest.mark.django_db
def test_the_map_gets_every_buurt_with_its_marker_and_latest_value(imported):
    collection = neighbourhood_feature_collection(municipality_code="GM0193", indicator_key="lbm")

    assert [f["properties"]["code"] for f in collection["features"]] == [
        b.cbs_code for b in neighbourhood_list(municipality_code="GM0193")]
    by_code = {f["properties"]["code"]: f["properties"] for f in collection["features"]}
    assert (by_code["BU01933020"]["value"], by_code["BU01933020"]["year"]) == (3.904, 2020)
    assert by_code["BU01931010"]["value"] is None
    assert by_code["BU01933020"]["marker"] == pytest.approx([6.08, 52.53])
