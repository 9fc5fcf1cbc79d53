"""Read a folder of open-data files for one municipality: recognise each file by its content, read it, merge.

Nothing here touches the database; `neighbourhoods.services.open_data_import` writes what this returns.

Steps:
1. Every file under the folder (sub-folders too, hidden files not), in name order, is loaded as JSON when it starts
   with `{` or `[`, else as CSV; a file that is not text is skipped with the reason. Text that cannot be read safely
   (`core.safeinput`: JSON that is invalid or nested too deeply, a CSV cell over the limit) is an error.
2. JSON: a FeatureCollection with CBS codes is boundaries; CBS DataProperties / TableInfos / region dimension are
   metadata, read first because data files need them; `{"value": [...]}` rows are CBS OData data.
3. CSV: columns `lbm` and `afw` make a Leefbaarometer file; columns that CBS metadata resolves make KWB data;
   otherwise an area code column and a year column make a plain indicator table.
4. Values from all files are merged per (area, key, year). Two files giving the same figure is fine (the more precise
   one is kept: the national Leefbaarometer file has 6 decimals, the municipal one 15); two files disagreeing gives a
   warning and the later file's figure.
5. Buurt codes and names in indicator files are checked against the boundaries (or the buurten already stored):
   a name that differs usually means the file uses another year's buurt division.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from buurtbalans.core.safeinput import InputError
from buurtbalans.neighbourhoods.opendata import boundaries as boundary_reader
from buurtbalans.neighbourhoods.opendata import cbs, tables
from buurtbalans.neighbourhoods.opendata.common import (
    BOUNDARIES,
    CBS_KWB,
    CBS_METADATA,
    LEEFBAAROMETER,
    TABLE,
    Boundary,
    FileResult,
    LoadedFile,
    Problems,
    Value,
    load_file,
    read_csv,
)

logger = logging.getLogger(__name__)

# How many codes or names a warning lists before "...".
EXAMPLES = 5


@dataclass
class OpenDataBundle:
    """Everything read from a folder for one municipality."""

    municipality_code: str
    files: list[FileResult] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    boundaries: dict[str, Boundary] = field(default_factory=dict)  # code -> boundary (BU, WK or GM)
    values: dict[tuple[str, str, int], Value] = field(default_factory=dict)
    area_names: dict[str, str] = field(default_factory=dict)  # WK/GM code -> name, for naming districts
    problems: Problems = field(default_factory=Problems)


def _files(directory: Path) -> list[Path]:
    found = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        found.append(path)
    return found


@contextmanager
def _unexpected_layout(name: str, problems: Problems):
    """A file that cannot be read safely, or whose JSON is laid out otherwise than the kind it was recognised as (a
    number where a list belongs, a list where a code belongs), is an error naming it, never a traceback."""
    try:
        yield
    except InputError as exc:
        problems.error(name, str(exc))
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError):
        # Public data: the traceback may go to the log, where a reader's own mistake would show.
        logger.warning("open-data file %s has an unexpected layout", name, exc_info=True)
        problems.error(name, _("%(file)s: a value has another type or shape than this kind of file has (for example "
                               "a number where a list belongs)") % {"file": name})


def _examples(items) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:EXAMPLES])
    return shown + (", ..." if len(items) > EXAMPLES else "")


def read_open_data(
    directory: Path, municipality_code: str, known_buurten: dict[str, str] | None = None
) -> OpenDataBundle:
    """Read every recognised file under `directory` for one municipality.

    Args:
        directory: the folder with open-data files (searched recursively).
        municipality_code: a normalised code such as GM0193.
        known_buurten: code -> name of the buurten already stored, to check indicator files against when the folder
            has no boundaries.

    Returns:
        The bundle; `bundle.problems.errors` lists every bad row or file (then nothing must be written).
    """
    bundle = OpenDataBundle(municipality_code)
    problems = bundle.problems
    if not directory.is_dir():
        problems.error(str(directory), _("%(dir)s is not a folder") % {"dir": directory})
        return bundle

    loaded: list[LoadedFile] = []
    for path in _files(directory):
        name = path.relative_to(directory).as_posix()
        try:
            content = load_file(path, name)
        except InputError as exc:
            problems.error(name, str(exc))
            continue
        if isinstance(content, str):
            bundle.skipped.append((name, content))
        else:
            loaded.append(content)

    # Metadata first: data files are read against it.
    metadata: list[cbs.CbsMetadata] = []
    rest: list[LoadedFile] = []
    infos: list[LoadedFile] = []
    for item in loaded:
        with _unexpected_layout(item.name, problems):
            if item.is_json and cbs.is_data_properties(item):
                metadata.append(cbs.read_data_properties(item))
                bundle.files.append(FileResult(item.name, CBS_METADATA, rows=len(metadata[-1].topics)))
            elif item.is_json and cbs.is_table_infos(item):
                infos.append(item)
            else:
                rest.append(item)
    for item in infos:
        with _unexpected_layout(item.name, problems):
            bundle.files.append(cbs.apply_table_infos(item, metadata))

    for item in rest:
        with _unexpected_layout(item.name, problems):
            result = _read_one(item, metadata, municipality_code, problems, bundle.skipped)
            if result is not None:
                bundle.files.append(result)
    bundle.files.sort(key=lambda r: r.name)

    _merge(bundle, known_buurten or {})
    problems.finish()
    return bundle


def _read_one(item: LoadedFile, metadata, municipality_code: str, problems: Problems, skipped) -> FileResult | None:
    def skip(reason: str) -> None:
        skipped.append((item.name, reason))

    if item.is_json:
        if boundary_reader.is_feature_collection(item):
            if not boundary_reader.has_area_codes(item):
                return skip(_("GeoJSON without CBS area codes (bu_code, buurtcode, ...) in its properties"))
            return boundary_reader.read_boundaries(item, municipality_code, problems)
        if cbs.is_region_dimension(item):
            return cbs.read_region_dimension(item, municipality_code)
        rows = cbs.data_rows(item, None)
        if rows is None:
            return skip(_("JSON that is neither GeoJSON nor CBS OData"))
        headers, records = rows
        return _read_cbs(item, headers, records, metadata, municipality_code, problems, skip)

    table = read_csv(item.text, item.name)
    if table is None:
        return skip(_("not a CSV table (no separator in the first line)"))
    has_code = tables.code_column(table) is not None
    has_year = tables.year_column(table) is not None
    if tables.is_leefbaarometer(table):
        if not (has_code and has_year):
            return skip(_("Leefbaarometer columns but no area code (bu_code) or year (jaar) column"))
        return tables.read_leefbaarometer(item, table, municipality_code, problems)
    headers, records = cbs.data_rows(item, table)
    chosen, _why = cbs.choose_metadata(item, headers, metadata)
    if chosen is not None or cbs.looks_like_cbs(headers):
        return _read_cbs(item, headers, records, metadata, municipality_code, problems, skip)
    if not has_code:
        return skip(_("no column with CBS area codes (bu_code, wk_code, gm_code or code)"))
    if not has_year:
        return skip(_("no year column (jaar)"))
    return tables.read_plain_table(item, table, municipality_code, problems)


def _read_cbs(item, headers, records, metadata, municipality_code, problems, skip):
    chosen, why = cbs.choose_metadata(item, headers, metadata)
    if chosen is None:
        if why:
            return skip(why)
        examples = cbs.looks_like_cbs(headers)
        if examples:
            return skip(_(
                "CBS columns (%(examples)s) but no DataProperties metadata in the folder that resolves them"
            ) % {"examples": _examples(examples)})
        return skip(_("JSON that is neither GeoJSON nor CBS OData"))
    return cbs.read_cbs_data(item, headers, records, chosen, municipality_code, problems)


def _merge(bundle: OpenDataBundle, known_buurten: dict[str, str]) -> None:
    problems = bundle.problems
    origin: dict[str, str] = {}
    for result in bundle.files:
        for boundary in result.boundaries:
            if boundary.code in bundle.boundaries:
                problems.error(result.name, _(
                    "%(code)s has a boundary in both %(first)s and %(second)s: keep one boundary file per area level"
                ) % {"code": boundary.code, "first": origin[boundary.code], "second": result.name})
                continue
            bundle.boundaries[boundary.code] = boundary
            origin[boundary.code] = result.name

    # Names for wijken and the gemeente: the boundary file's, else CBS's (data or region dimension).
    for result in bundle.files:
        if result.kind in (CBS_KWB, CBS_METADATA):
            for code, name in result.names.items():
                if code[:2] in ("WK", "GM"):
                    bundle.area_names.setdefault(code, name)
    for boundary in bundle.boundaries.values():
        if boundary.code[:2] in ("WK", "GM") and boundary.name:
            bundle.area_names[boundary.code] = boundary.name
        if boundary.code.startswith("BU"):
            district = "WK" + boundary.code[2:8]
            if boundary.district_name:
                bundle.area_names[district] = boundary.district_name
            if boundary.municipality_name:
                bundle.area_names[bundle.municipality_code] = boundary.municipality_name

    # Values: one per (area, key, year).
    disagreements: dict[tuple[str, str], list[str]] = {}
    for result in bundle.files:
        for value in result.values:
            slot = (value.area_code, value.key, value.year)
            held = bundle.values.get(slot)
            if held is None:
                bundle.values[slot] = value
                continue
            tolerance = 0.5 * 10 ** -min(held.decimals, value.decimals) + 1e-9 * abs(held.value)
            if abs(held.value - value.value) <= tolerance:
                if value.decimals > held.decimals:
                    bundle.values[slot] = value
                continue
            pair = (held.where.split(" row ")[0], result.name)
            disagreements.setdefault(pair, []).append(
                f"{value.area_code} {value.key} {value.year}: {held.value:g} / {value.value:g}"
            )
            bundle.values[slot] = value
    for (first, second), examples in disagreements.items():
        problems.warn(_("%(first)s and %(second)s disagree on %(count)d figures (%(examples)s); kept %(second)s")
                      % {"first": first, "second": second, "count": len(examples), "examples": _examples(examples)})

    # Indicator files against the buurt division.
    reference = {code: b.name for code, b in bundle.boundaries.items() if code.startswith("BU") and b.name}
    if not any(code.startswith("BU") for code in bundle.boundaries):
        reference = dict(known_buurten)
    if not reference:
        return
    for result in bundle.files:
        if result.kind not in (TABLE, LEEFBAAROMETER, CBS_KWB):
            continue
        codes = {v.area_code for v in result.values if v.area_code.startswith("BU")} | {
            c for c in result.names if c.startswith("BU")
        }
        unknown = sorted(codes - set(reference))
        if unknown:
            problems.warn(_("%(file)s: %(count)d buurt codes are not in the buurt division (%(codes)s)") % {
                "file": result.name, "count": len(unknown), "codes": _examples(unknown)})
        renamed = sorted(
            f'{code} "{name}" / "{reference[code]}"'
            for code, name in result.names.items()
            if code in reference and name.strip() != reference[code].strip()
        )
        if renamed:
            problems.warn(_("%(file)s: %(count)d buurten have another name than in the buurt division (%(names)s)")
                          % {"file": result.name, "count": len(renamed), "names": _examples(renamed)})


__all__ = ["BOUNDARIES", "OpenDataBundle", "read_open_data"]
