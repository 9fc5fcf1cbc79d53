"""What the buurt page reads: neighbourhood_context."""

import pytest

from buurtbalans.neighbourhoods.models import Neighbourhood
from buurtbalans.neighbourhoods.selectors import neighbourhood_context
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
