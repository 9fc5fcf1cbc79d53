"""The open-data importer on small synthetic files (the real Zwolle files: test_open_data_zwolle.py)."""

import getpass

import pytest
from django.core.management import CommandError, call_command

from buurtbalans.core.models import AuditEvent
from buurtbalans.engine.geo import point_in_polygon
from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood, PublicIndicator
from buurtbalans.neighbourhoods.opendata.common import parse_number
from buurtbalans.neighbourhoods.services import open_data_import
from buurtbalans.neighbourhoods.tests.opendata_files import (
    AMERSFOORT_RD,
    AMERSFOORT_WGS84,
    KERNCIJFERS,
    LEEFBAAROMETER,
    data_properties,
    feature,
    odata_rows,
    region_dimension,
    square,
    write_json,
    write_text,
    zwolle_boundaries,
)


def figures(area_code=None):
    queryset = PublicIndicator.objects.all()
    if area_code:
        queryset = queryset.filter(area_code=area_code)
    return {(p.area_code, p.key, p.year): p.value for p in queryset}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", (1234.0, 0)),
        ("12.5", (12.5, 1)),
        ("12,5", (12.5, 1)),  # Dutch decimal comma
        ("1.234,56", (1234.56, 2)),
        ("1,234.56", (1234.56, 2)),
        ("1.234.567", (1234567.0, 0)),
        ("-0.0842", (-0.0842, 4)),
        ("7%", (7.0, 0)),
        (3.5, (3.5, 1)),
        ("", (None, 0)),
        (".", (None, 0)),  # CBS: unknown or secret
        ("x", (None, 0)),
        (None, (None, 0)),
    ],
)
def test_numbers_are_read_in_dutch_and_english_notation(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["6l2,50", "12..5", "1.23.4", "abc", "1,2,3"])
def test_a_cell_that_is_not_a_number_is_refused(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_imports_boundaries_tables_and_leefbaarometer_for_one_municipality(folder):
    report = open_data_import(directory=folder, municipality_code="GM0193")

    assert report.ok, report.errors
    assert {f.name: f.kind for f in report.files_used} == {
        "grenzen.geojson": "boundaries", "tabellen/kerncijfers.csv": "table", "lbm.csv": "leefbaarometer"}
    # Kampen's buurt is in every file but is not Zwolle.
    assert sorted(Neighbourhood.objects.values_list("cbs_code", flat=True)) == [
        "BU01931000", "BU01931010", "BU01933020"]
    assert not PublicIndicator.objects.filter(area_code__startswith="BU0166").exists()
    holtenbroek = Neighbourhood.objects.get(cbs_code="BU01933020")
    assert holtenbroek.name == "Holtenbroek II"
    assert holtenbroek.district.name == "Holtenbroek"
    assert holtenbroek.municipality.name == "Zwolle"
    assert point_in_polygon((holtenbroek.centroid_lon, holtenbroek.centroid_lat), holtenbroek.geometry["coordinates"])
    stored = PublicIndicator.objects.get(area_code="BU01933020", key="pct_hh_onder_105_sociaal_minimum", year=2024)
    assert (stored.value, stored.source, stored.dataset) == (
        21.0, "tabellen/kerncijfers.csv, pct_hh_onder_105_sociaal_minimum", "table")
    assert PublicIndicator.objects.get(area_code="BU01933020", key="lbm_onv", year=2020).value == -0.08


@pytest.mark.django_db
def test_missing_values_are_skipped_never_stored_as_zero(folder):
    open_data_import(directory=folder, municipality_code="GM0193")

    # An empty cell (2024 Binnenstad-Zuid) and CBS's "." (Binnenstad-Noord) leave no figure at all.
    assert not PublicIndicator.objects.filter(key="pct_hh_onder_105_sociaal_minimum", year=2024,
                                              area_code__in=["BU01931000", "BU01931010"]).exists()
    assert PublicIndicator.objects.get(area_code="BU01931000", key="pct_hh_onder_105_sociaal_minimum",
                                       year=2023).value == 9


@pytest.mark.django_db
def test_only_leefbaarometer_3_scores_are_imported(folder):
    report = open_data_import(directory=folder, municipality_code="GM0193")

    assert sorted(PublicIndicator.objects.filter(key="lbm", area_code="BU01933020").values_list("year", flat=True)) \
        == [2018, 2020]
    lbm = next(f for f in report.files_used if f.kind == "leefbaarometer")
    assert any("Leefbaarometer 2.0 (1)" in note for note in lbm.notes)


@pytest.mark.parametrize("with_crs_member", [True, False], ids=["crs member", "coordinate ranges"])
@pytest.mark.django_db
def test_rd_new_boundaries_are_reprojected_to_wgs84(tmp_path, with_crs_member):
    x, y = AMERSFOORT_RD
    document = {"type": "FeatureCollection", "features": [
        feature({"BUURTCODE": "BU03070101", "BUURTNAAM": "Stadskern", "WIJKCODE": "WK030701",
                 "GEMEENTECODE": "GM0307", "GEMEENTENAAM": "Amersfoort"}, square(x, y, 100)),
    ]}
    if with_crs_member:
        document["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    write_json(tmp_path / "buurten_rd.json", document)

    report = open_data_import(directory=tmp_path, municipality_code="GM0307")

    assert report.ok, report.errors
    buurt = Neighbourhood.objects.get(cbs_code="BU03070101")
    assert buurt.centroid_lon == pytest.approx(AMERSFOORT_WGS84[0], abs=1e-4)
    assert buurt.centroid_lat == pytest.approx(AMERSFOORT_WGS84[1], abs=1e-4)
    lon, lat = buurt.geometry["coordinates"][0][0]
    # 100 m south-west of the centre is about 0.0015 degrees of longitude and 0.0009 of latitude away.
    assert lon == pytest.approx(AMERSFOORT_WGS84[0] - 0.00147, abs=1e-4)
    assert lat == pytest.approx(AMERSFOORT_WGS84[1] - 0.0009, abs=1e-4)
    assert buurt.municipality.name == "Amersfoort"
    # No wijk name anywhere: the code stands in.
    assert buurt.district.name == "WK030701"


@pytest.mark.django_db
def test_an_unknown_coordinate_system_is_an_error(tmp_path):
    write_json(tmp_path / "b.geojson", {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
        "features": [feature({"bu_code": "BU01931000"}, square(680000, 6890000, 100))],
    })

    report = open_data_import(directory=tmp_path, municipality_code="GM0193")

    assert not report.ok
    assert "EPSG::3857" in report.errors[0]
    assert not Neighbourhood.objects.exists()


@pytest.mark.django_db
def test_cbs_odata_json_is_resolved_by_title_from_the_metadata(tmp_path):
    zwolle_boundaries(tmp_path / "buurten.geojson", with_wijk_names=False)
    write_json(tmp_path / "cbs" / "meta.json", {"odata.metadata": "x", "value": data_properties("85618NED", 2023)})
    write_json(tmp_path / "cbs" / "typed.json", odata_rows("85618NED"))
    write_json(tmp_path / "cbs" / "regions.json", region_dimension())

    report = open_data_import(directory=tmp_path, municipality_code="GM0193")

    assert report.ok, report.errors
    inhabitants = PublicIndicator.objects.get(area_code="WK019330", key="inhabitants", year=2023)
    assert inhabitants.value == 9900
    assert inhabitants.source == "CBS 85618NED (2023), AantalInwoners_7"
    assert inhabitants.dataset == "cbs_kwb"
    # "x 1 000 euro" is stored in euros; the padded title "Woningvoorraad " still matches.
    assert figures("GM0193")[("GM0193", "average_income_per_inhabitant", 2023)] == 31200
    assert figures("GM0193")[("GM0193", "dwellings", 2023)] == 60500
    # null and "." are missing values; Kampen and the Netherlands are not Zwolle; motorcycles are no indicator of ours.
    assert ("WK019310", "low_income_households_share", 2023) not in figures("WK019310")
    assert ("WK019330", "average_income_per_inhabitant", 2023) not in figures("WK019330")
    assert not PublicIndicator.objects.filter(area_code__in=["GM0166", "NL00"]).exists()
    assert not PublicIndicator.objects.filter(source__contains="Motorfietsen").exists()
    # The boundary file names no wijken, so CBS's region names do.
    assert District.objects.get(cbs_code="WK019330").name == "Wijk 30 Holtenbroek"


@pytest.mark.django_db
def test_a_cbs_csv_with_keys_and_one_with_title_headers_both_resolve(tmp_path):
    write_json(tmp_path / "DataProperties.json", data_properties("85618NED", 2023))
    write_text(tmp_path / "keys.csv", "code;AantalInwoners_7;Woningvoorraad_40\nGM0193;132000;60500\n")
    write_text(tmp_path / "statline" / "export.csv",
               '"Codering";"Bevolking/Aantal inwoners (aantal)";"Wonen/Woningvoorraad (aantal)"\n'
               '"WK019310  ";"4 200";"2800"\n')

    report = open_data_import(directory=tmp_path, municipality_code="GM0193")

    assert report.ok, report.errors
    assert figures() == {
        ("GM0193", "inhabitants", 2023): 132000, ("GM0193", "dwellings", 2023): 60500,
        ("WK019310", "inhabitants", 2023): 4200, ("WK019310", "dwellings", 2023): 2800,
    }


@pytest.mark.django_db
def test_cbs_data_without_its_metadata_is_skipped_with_the_reason(tmp_path):
    write_text(tmp_path / "kwb.csv", "code,AantalInwoners_5,Woningvoorraad_35\nGM0193,133141,61187\n")

    report = open_data_import(directory=tmp_path, municipality_code="GM0193")

    assert report.ok
    assert [(s.name, "DataProperties" in s.reason) for s in report.files_skipped] == [("kwb.csv", True)]
    assert not PublicIndicator.objects.exists()


@pytest.mark.django_db
def test_files_are_recognised_by_content_and_the_rest_is_skipped_with_a_reason(tmp_path):
    write_text(tmp_path / "export (3).txt", KERNCIJFERS)  # a table, whatever its name
    write_text(tmp_path / "corop.csv", "Woonplaatscode,Woonplaats,Gemeentecode\n1000,Hoogerheide,0873\n")
    write_text(tmp_path / "wide.csv", "bu_code,inwoners_2021\nBU01931000,2338\n")
    (tmp_path / "kaart.xlsx").write_bytes(b"PK\x03\x04\x00\x00binary")
    write_json(tmp_path / "other.geojson", {"type": "FeatureCollection", "features": [
        feature({"name": "park"}, square(6.1, 52.5, 0.001))]})
    write_text(tmp_path / ".hidden.csv", KERNCIJFERS)

    report = open_data_import(directory=tmp_path, municipality_code="GM0193")

    assert [f.name for f in report.files_used] == ["export (3).txt"]
    reasons = {s.name: s.reason for s in report.files_skipped}
    assert set(reasons) == {"corop.csv", "wide.csv", "kaart.xlsx", "other.geojson"}
    assert "area codes" in reasons["corop.csv"]
    assert "year" in reasons["wide.csv"]
    assert "not a text file" in reasons["kaart.xlsx"]
    assert "GeoJSON" in reasons["other.geojson"]


@pytest.mark.django_db
def test_bad_rows_are_all_reported_at_once_and_nothing_is_written(folder, tmp_path_factory):
    open_data_import(directory=folder, municipality_code="GM0193")
    before = figures()
    buurten_before = list(Neighbourhood.objects.values_list("cbs_code", "name", "geometry"))
    events_before = AuditEvent.objects.count()

    bad = tmp_path_factory.mktemp("bad")
    zwolle_boundaries(bad / "grenzen.geojson")
    write_json(bad / "extra.geojson", {"type": "FeatureCollection", "features": [
        feature({"bu_code": "BU01939999", "bu_naam": "Punt"}, {"type": "Point", "coordinates": [6.1, 52.5]})]})
    write_text(bad / "kerncijfers.csv", KERNCIJFERS.replace("1400,2650,21", "1400,6l2,21")
               .replace("BU01931010,Binnenstad-Noord,WK019310,2024", "BU0193101,Binnenstad-Noord,WK019310,2024")
               + "BU01931000,Binnenstad-Zuid,WK019310,twintig,1,1,1\n")
    write_text(bad / "lbm.csv", LEEFBAAROMETER.replace("3.9040", "3.9O40"))

    report = open_data_import(directory=bad, municipality_code="GM0193")

    assert not report.ok
    assert sorted(report.errors) == sorted([
        'kerncijfers.csv row 4, bu_code: "BU0193101" is not a CBS area code',
        'kerncijfers.csv row 5, inwoners: "6l2" is not a number',
        'kerncijfers.csv row 7, jaar: "twintig" is not a year',
        'lbm.csv row 4, lbm: "3.9O40" is not a number',
        "extra.geojson feature 1 (BU01939999): the geometry is Point, not a Polygon or MultiPolygon",
    ])
    assert report.summary() == "GM0193: 5 errors, nothing imported"
    assert figures() == before
    assert list(Neighbourhood.objects.values_list("cbs_code", "name", "geometry")) == buurten_before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
def test_reimport_updates_in_place_and_never_duplicates(folder):
    first = open_data_import(directory=folder, municipality_code="GM0193")
    count = PublicIndicator.objects.count()
    second = open_data_import(directory=folder, municipality_code="GM0193")

    assert first.counts["indicators_created"] == count
    assert (second.counts.get("indicators_created"), second.counts.get("indicators_updated"),
            second.counts.get("indicators_unchanged")) == (0, 0, count)
    assert second.counts["neighbourhoods_unchanged"] == 3
    assert PublicIndicator.objects.count() == count
    assert Neighbourhood.objects.count() == 3 and District.objects.count() == 2 and Municipality.objects.count() == 1

    # A corrected figure replaces the old one.
    write_text(folder / "tabellen" / "kerncijfers.csv", KERNCIJFERS.replace("1400,2650,21", "1400,2651,21"))
    third = open_data_import(directory=folder, municipality_code="GM0193")
    assert third.counts["indicators_updated"] == 1
    assert PublicIndicator.objects.count() == count
    assert PublicIndicator.objects.get(area_code="BU01933020", key="inwoners", year=2024).value == 2651


@pytest.mark.django_db
def test_a_dry_run_validates_and_counts_but_writes_nothing(folder):
    report = open_data_import(directory=folder, municipality_code="GM0193", dry_run=True)

    assert report.ok
    assert report.counts["neighbourhoods_created"] == 3
    assert report.counts["indicators_created"] > 0
    assert report.summary().startswith("Dry run")
    assert not PublicIndicator.objects.exists() and not Neighbourhood.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_import_is_audited_with_the_command_line_user(folder, alice):
    open_data_import(directory=folder, municipality_code="GM0193")
    open_data_import(directory=folder, municipality_code="GM0193", actor=alice)

    cli, web = AuditEvent.objects.filter(event_type=AuditEvent.Type.OPEN_DATA_IMPORTED).order_by("id")
    assert cli.actor is None and cli.actor_name == f"cli:{getpass.getuser()}"
    assert web.actor == alice and web.actor_name == "alice"
    assert cli.corporation is None
    assert cli.data["municipality"] == "GM0193"
    assert {f["name"] for f in cli.data["files"]} == {"grenzen.geojson", "tabellen/kerncijfers.csv", "lbm.csv"}


@pytest.mark.django_db
def test_two_files_that_disagree_give_a_warning(folder):
    write_text(folder / "lbm_landelijk.csv", "bu_code,jaar,lbm,afw\nBU01933020,2020,3.95,-0.1523\n")

    report = open_data_import(directory=folder, municipality_code="GM0193")

    assert report.ok
    assert any("disagree on 2 figures" in w for w in report.warnings), report.warnings


@pytest.mark.django_db
def test_buurt_names_that_differ_from_the_boundaries_are_reported(folder):
    write_text(folder / "lbm.csv", LEEFBAAROMETER.replace("Holtenbroek II", "Holtenbroek 2"))

    report = open_data_import(directory=folder, municipality_code="GM0193")

    assert report.ok
    assert any('BU01933020 "Holtenbroek 2" / "Holtenbroek II"' in w for w in report.warnings), report.warnings


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_command_prints_a_summary_and_fails_on_errors(folder, tmp_path_factory, capsys):
    call_command("import_open_data", str(folder), "--municipality", "0193", skip_checks=True)
    out = capsys.readouterr().out
    assert "GM0193: 3 buurten (3 new, 0 changed), 2 wijken" in out

    bad = tmp_path_factory.mktemp("bad")
    write_text(bad / "t.csv", "bu_code,jaar,inwoners\nBU01931000,2024,veel\n")
    with pytest.raises(CommandError, match="1 errors, nothing imported"):
        call_command("import_open_data", str(bad), "--municipality", "GM0193", skip_checks=True)
    assert 't.csv row 2, inwoners: "veel" is not a number' in capsys.readouterr().err

    with pytest.raises(CommandError):
        call_command("import_open_data", str(folder), "--municipality", "Zwolle", skip_checks=True)


@pytest.mark.django_db
def test_buurten_missing_from_new_boundaries_are_kept_and_reported(folder, tmp_path_factory):
    open_data_import(directory=folder, municipality_code="GM0193")
    newer = tmp_path_factory.mktemp("newer")
    write_json(newer / "buurten.geojson", {"type": "FeatureCollection", "features": [
        feature({"bu_code": "BU01931000", "bu_naam": "Binnenstad-Zuid"}, square(6.09, 52.51, 0.004))]})

    report = open_data_import(directory=newer, municipality_code="GM0193")

    assert report.ok
    assert any("2 buurten stored earlier" in w and "BU01931010, BU01933020" in w for w in report.warnings)
    assert Neighbourhood.objects.count() == 3
    # A file without wijk and gemeente names keeps the names stored earlier.
    assert District.objects.get(cbs_code="WK019310").name == "Binnenstad"
    assert Municipality.objects.get(cbs_code="GM0193").name == "Zwolle"


@pytest.mark.django_db
def test_a_file_wrong_throughout_lists_fifty_errors_and_counts_them_all(tmp_path):
    rows = "".join(f"BU0193{i:04d},2024,n/b?\n" for i in range(120))
    write_text(tmp_path / "t.csv", "bu_code,jaar,inwoners\n" + rows)

    report = open_data_import(directory=tmp_path, municipality_code="GM0193")

    assert len(report.errors) == 51
    assert report.errors[-1] == "t.csv: 70 more errors not listed"
    assert report.summary() == "GM0193: 120 errors, nothing imported"
