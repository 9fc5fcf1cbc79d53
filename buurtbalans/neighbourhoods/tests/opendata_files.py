"""Small synthetic open-data files for the importer's tests (written into tmp_path)."""

from __future__ import annotations

import json
from pathlib import Path

# Amersfoort's RD New origin area: (155000, 463000) is 52.1552 N, 5.3872 E.
AMERSFOORT_RD = (155_000.0, 463_000.0)
AMERSFOORT_WGS84 = (5.3872, 52.1552)


def square(x: float, y: float, half: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half],
                         [x - half, y - half]]],
    }


def feature(properties: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write_json(path: Path, document) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def zwolle_boundaries(path: Path, *, with_wijk_names: bool = True) -> Path:
    """Three buurten in two wijken of GM0193 and one buurt of Kampen (GM0166), in WGS84."""
    def props(bu, name, wk, wk_name):
        base = {"bu_code": bu, "bu_naam": name, "wk_code": wk, "gm_code": "GM0193", "gm_naam": "Zwolle"}
        if with_wijk_names:
            base["wk_naam"] = wk_name
        return base

    return write_json(path, {"type": "FeatureCollection", "features": [
        feature(props("BU01931000", "Binnenstad-Zuid", "WK019310", "Binnenstad"), square(6.09, 52.51, 0.004)),
        feature(props("BU01931010", "Binnenstad-Noord", "WK019310", "Binnenstad"), square(6.10, 52.52, 0.004)),
        feature(props("BU01933020", "Holtenbroek II", "WK019330", "Holtenbroek"), square(6.08, 52.53, 0.004)),
        feature({"bu_code": "BU01660000", "bu_naam": "Kampen-Centrum", "wk_code": "WK016600", "gm_code": "GM0166"},
                square(5.91, 52.55, 0.004)),
    ]})


KERNCIJFERS = """bu_code,bu_naam,wk_code,jaar,woningen,inwoners,pct_hh_onder_105_sociaal_minimum
BU01931000,Binnenstad-Zuid,WK019310,2023,1500,2300,9
BU01931000,Binnenstad-Zuid,WK019310,2024,1575,2373,
BU01931010,Binnenstad-Noord,WK019310,2024,715,975,.
BU01933020,Holtenbroek II,WK019330,2024,1400,2650,21
BU01660000,Kampen-Centrum,WK016600,2024,900,1800,12
"""

LEEFBAAROMETER = """bu_code,bu_naam,versie,jaar,lbm,afw,won,fys,vrz,soc,onv
BU01933020,Holtenbroek II,Leefbaarometer 2.0,2016,3.95,-0.15,,,,,
BU01933020,Holtenbroek II,Leefbaarometer 3.0,2018,3.9267,-0.1756,-0.0842,0.0101,0.0312,-0.0727,-0.06
BU01933020,Holtenbroek II,Leefbaarometer 3.0,2020,3.9040,-0.1983,-0.0640,0.0050,0.0300,-0.0893,-0.08
BU01931000,Binnenstad-Zuid,Leefbaarometer 3.0,2020,4.1912,0.0889,0.0232,0.0396,0.1850,-0.0222,-0.1367
"""


def data_properties(table_id: str = "85618NED", year: int = 2023) -> list[dict]:
    """A KWB DataProperties document whose keys differ from 2024's (the importer must go by title)."""
    return [
        {"Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten", "MapYear": year},
        {"Type": "TopicGroup", "Key": "", "Title": "Regioaanduiding"},
        {"Type": "Topic", "Key": "Gemeentenaam_1", "Title": "Gemeentenaam", "Unit": "naam"},
        {"Type": "Topic", "Key": "Codering_3", "Title": "Codering", "Unit": "code"},
        {"Type": "Topic", "Key": "AantalInwoners_7", "Title": "Aantal inwoners", "Unit": "aantal"},
        {"Type": "Topic", "Key": "Woningvoorraad_40", "Title": "Woningvoorraad ", "Unit": "aantal"},
        {"Type": "Topic", "Key": "GemiddeldInkomenPerInwoner_77", "Title": "Gemiddeld inkomen per inwoner  ",
         "Unit": "x 1 000 euro"},
        {"Type": "Topic", "Key": "HuishoudensMetEenLaagInkomen_81", "Title": "Huishoudens met een laag inkomen",
         "Unit": "%"},
        {"Type": "Topic", "Key": "Motorfietsen_111", "Title": "Motorfietsen", "Unit": "aantal"},
    ]


def odata_rows(table_id: str = "85618NED") -> dict:
    def row(i, code, name, inhabitants, dwellings, income, low_income):
        return {"ID": i, "WijkenEnBuurten": f"{code}  ", "Gemeentenaam_1": f"{name}   ", "Codering_3": f"{code}  ",
                "AantalInwoners_7": inhabitants, "Woningvoorraad_40": dwellings,
                "GemiddeldInkomenPerInwoner_77": income, "HuishoudensMetEenLaagInkomen_81": low_income,
                "Motorfietsen_111": 12}

    return {
        "odata.metadata": f"https://opendata.cbs.nl/ODataApi/OData/{table_id}/$metadata#Cbs.OData.WebAPI.TypedDataSet",
        "value": [
            row(0, "NL00", "Nederland", 17811291, 8061000, 33.0, 8.0),
            row(1, "GM0166", "Kampen", 54700, 22900, 29.1, 6.0),
            row(2, "GM0193", "Zwolle", 132000, 60500, 31.2, 8.5),
            row(3, "WK019310", "Zwolle", 4200, 2800, 35.5, None),
            row(4, "WK019330", "Zwolle", 9900, 5050, ".", 15.5),
        ],
    }


def region_dimension() -> dict:
    return {"value": [
        {"Key": "GM0193    ", "Title": "Zwolle", "Description": ""},
        {"Key": "WK019310  ", "Title": "Wijk 10 Binnenstad", "Description": ""},
        {"Key": "WK019330  ", "Title": "Wijk 30 Holtenbroek", "Description": ""},
        {"Key": "WK016600  ", "Title": "Wijk 00 Kampen", "Description": ""},
    ]}
