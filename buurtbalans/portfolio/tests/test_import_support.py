"""Fixtures and helpers shared by the import and export tests (this module holds no tests itself)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl

from buurtbalans.core.safeinput import decode_text
from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood

DATA = Path(__file__).parent / "data"


def make_buurt() -> Neighbourhood:
    """The buurt the test portfolios refer to (BU01930001, as in the stock_a fixture)."""
    municipality, _ = Municipality.objects.get_or_create(cbs_code="GM0193", defaults={"name": "Zwolle"})
    district, _ = District.objects.get_or_create(
        cbs_code="WK019300", defaults={"name": "Centrum", "municipality": municipality}
    )
    neighbourhood, _ = Neighbourhood.objects.get_or_create(
        cbs_code="BU01930001", defaults={"name": "Buurt A", "district": district, "municipality": municipality}
    )
    return neighbourhood


def copy_data(name: str, tmp_path: Path) -> Path:
    """A copy of tests/data/<name> in tmp_path, so a test may change files without touching the originals."""
    target = tmp_path / name
    shutil.copytree(DATA / name, target)
    return target


def csv_folder_to_xlsx(folder: Path, path: Path) -> Path:
    """The CSV files of `folder` as the sheets of one workbook, every cell as the text it was."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for file in sorted(folder.glob("*.csv")):
        text = decode_text(file.read_bytes(), file.name)
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        sheet = workbook.create_sheet(file.stem)
        for row in csv.reader(text.splitlines(), delimiter=delimiter):
            sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, header: list[str], *rows: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path
