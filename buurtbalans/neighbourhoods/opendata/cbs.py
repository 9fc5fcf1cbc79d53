"""CBS Kerncijfers wijken en buurten (KWB): data as CSV or OData JSON, columns resolved by title.

CBS publishes KWB as one table per year (85984NED for 2024) and renumbers the column keys each year
(`AantalInwoners_5`), so a key means nothing without the table's metadata. The `DataProperties` file (OData
`/DataProperties`, a JSON list or `{"value": [...]}`) gives every key its title, unit and type; we find our
indicators by title (`indicators.CBS_TITLE_KEYS`). Which metadata belongs to which data file: the one whose keys the
data's columns use; when several do (consecutive years share many keys), the table id in the data (OData's
`odata.metadata` URL) or in the file names decides, then the folder.

Also read: `TableInfos` (table id and period, when the DataProperties file name lacks them) and the region
dimension (`WijkenEnBuurten`: code -> name), which names the wijken.

A data file may use the keys as headers (OData, the CSV in the test data) or the titles (a StatLine CSV export,
"Bevolking/Aantal inwoners (aantal)"). The region code is in the column titled "Codering", in the `WijkenEnBuurten`
dimension or in a `code` column; rows of other municipalities are ignored. Values in "x 1 000 euro" are stored in
euros.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from buurtbalans.neighbourhoods.indicators import CBS_KWB as CBS_DATASET
from buurtbalans.neighbourhoods.indicators import CBS_TITLE_KEYS, normalise_title
from buurtbalans.neighbourhoods.opendata.common import (
    AREA_CODE,
    CBS_KWB,
    CBS_METADATA,
    FileResult,
    LoadedFile,
    Problems,
    Value,
    belongs_to,
    clean_code,
    looks_like_ours,
    not_a_number,
    parse_number,
    parse_year,
)

TABLE_ID = re.compile(r"(?<![0-9A-Z])(\d{5}[A-Z]{3})(?![0-9A-Z])")
# CBS keys: CamelCase with a running number (`AantalInwoners_5`, `k_0Tot15Jaar_8`); our plain tables use snake_case.
CBS_KEY = re.compile(r"^(k_)?[A-Z][A-Za-z0-9]*_\d+$")
REGION_CODE = re.compile(r"^(NL\d{2}|LD\d{2}|PV\d{2}|GM\d{4}|WK\d{6}|BU\d{8})$")
CODE_HEADERS = ("codering", "code", "gwb_code", "gwb_code_10", "regiocode", "statcode", "bu_code", "wk_code",
                "gm_code", "wijkenenbuurten")
NAME_HEADERS = ("wijken en buurten", "regio's", "regios", "regio", "naam", "regionaam", "gwb_naam", "statnaam")
PERIOD_HEADERS = ("perioden", "periode", "jaar", "year")
DIMENSION_TYPES = {"Dimension", "GeoDimension", "TimeDimension", "GeoDetail"}


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    unit: str


@dataclass
class CbsMetadata:
    """One table's DataProperties."""

    name: str
    directory: Path
    table_id: str | None
    year: int | None
    topics: dict[str, Topic] = field(default_factory=dict)  # key -> topic (Type "Topic": a figure)
    dimensions: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (type, title)
    titles: dict[str, list[str]] = field(default_factory=dict)  # normalised title -> topic keys

    def resolve(self, header: str) -> Topic | None:
        """The topic a column header means: a key, or a title that only one topic has."""
        if header in self.topics:
            return self.topics[header]
        for title in _header_titles(header):
            keys = self.titles.get(title, [])
            if len(keys) == 1:
                return self.topics[keys[0]]
        return None

    def column_with_title(self, headers: list[str], *titles: str) -> str | None:
        wanted = set(titles)
        for header in headers:
            if header in self.topics and normalise_title(self.topics[header].title) in wanted:
                return header
            if header in self.dimensions and normalise_title(self.dimensions[header][1]) in wanted:
                return header
            if any(t in wanted for t in _header_titles(header)):
                return header
        return None

    @property
    def label(self) -> str:
        return self.table_id or self.name


def _header_titles(header: str) -> list[str]:
    """A StatLine export header "Bevolking/Aantal inwoners (aantal)" as titles to try: full, last part, no unit."""
    title = normalise_title(header)
    last = title.rsplit("/", 1)[-1].strip()
    no_unit = re.sub(r"\s*\([^()]*\)$", "", last).strip()
    return list(dict.fromkeys([title, last, no_unit]))


def _items(document) -> list | None:
    """The list of records in an OData document (`{"value": [...]}`) or a bare JSON list."""
    if isinstance(document, dict) and isinstance(document.get("value"), list):
        return document["value"]
    if isinstance(document, list):
        return document
    return None


def _table_id_in(*texts) -> str | None:
    for text in texts:
        match = TABLE_ID.search(str(text or ""))
        if match:
            return match.group(1)
    return None


def is_data_properties(loaded: LoadedFile) -> bool:
    items = _items(loaded.json)
    return bool(items) and all(isinstance(i, dict) for i in items[:20]) and any(
        {"Key", "Title", "Type"} <= set(i) for i in items[:20]
    )


def is_table_infos(loaded: LoadedFile) -> bool:
    items = _items(loaded.json)
    return bool(items) and isinstance(items[0], dict) and "Identifier" in items[0] and "Title" in items[0]


def is_region_dimension(loaded: LoadedFile) -> bool:
    items = _items(loaded.json)
    return (
        bool(items)
        and isinstance(items[0], dict)
        and {"Key", "Title"} <= set(items[0])
        and "Type" not in items[0]
        and any(REGION_CODE.match(clean_code(i.get("Key"))) for i in items[:50] if isinstance(i, dict))
    )


def read_data_properties(loaded: LoadedFile) -> CbsMetadata:
    document = loaded.json
    url = document.get("odata.metadata") if isinstance(document, dict) else None
    metadata = CbsMetadata(loaded.name, loaded.path.parent, _table_id_in(url, loaded.path.name), None)
    for item in _items(document) or []:
        if not isinstance(item, dict) or not isinstance(item.get("Type"), str | None):
            continue
        kind, key, title = item.get("Type"), str(item.get("Key") or ""), str(item.get("Title") or "")
        if kind == "GeoDetail" and item.get("MapYear"):
            with contextlib.suppress(ValueError):  # no year: the TableInfos or a Perioden column may give it
                metadata.year = parse_year(item["MapYear"])
        if not key:
            continue
        if kind == "Topic":
            metadata.topics[key] = Topic(key, title.strip(), str(item.get("Unit") or "").strip())
            metadata.titles.setdefault(normalise_title(title), []).append(key)
        elif kind in DIMENSION_TYPES:
            metadata.dimensions[key] = (kind, title)
    return metadata


def apply_table_infos(loaded: LoadedFile, metadata: list[CbsMetadata]) -> FileResult:
    """Fill in the table id and year of the DataProperties that belong to this TableInfos."""
    result = FileResult(loaded.name, CBS_METADATA)
    for info in _items(loaded.json) or []:
        if not isinstance(info, dict):
            continue
        table_id = str(info.get("Identifier") or "").strip()
        period = re.search(r"\b(19|20)\d{2}\b", f"{info.get('Period') or ''} {info.get('Title') or ''}")
        for candidate in metadata:
            same_table = candidate.table_id == table_id
            # A DataProperties without a table id in its name is matched to the TableInfos in its own folder.
            orphan = candidate.table_id is None and candidate.directory == loaded.path.parent
            if same_table or orphan:
                candidate.table_id = candidate.table_id or table_id or None
                if candidate.year is None and period:
                    candidate.year = int(period.group(0))
                result.rows += 1
    return result


def read_region_dimension(loaded: LoadedFile, municipality_code: str) -> FileResult:
    """Names of the municipality's areas from CBS's region dimension (OData `WijkenEnBuurten`)."""
    result = FileResult(loaded.name, CBS_METADATA)
    for item in _items(loaded.json) or []:
        if not isinstance(item, dict):
            continue
        code = clean_code(item.get("Key"))
        title = str(item.get("Title") or "").strip()
        if AREA_CODE.match(code) and belongs_to(code, municipality_code) and title:
            result.names[code] = title
            result.rows += 1
    return result


def data_rows(loaded: LoadedFile, table) -> tuple[list[str], list[tuple[int, dict]]] | None:
    """Headers and (row number, {header: cell}) of a CSV table or an OData JSON document."""
    if table is not None:
        return table.header, [
            (number, dict(zip(table.header, cells, strict=False))) for number, cells in table.rows
        ]
    items = _items(loaded.json)
    if not items or not all(isinstance(i, dict) for i in items[:20]):
        return None
    headers = list(dict.fromkeys(k for item in items[:50] for k in item))
    return headers, [(number, item) for number, item in enumerate(items, start=1)]


def looks_like_cbs(headers: list[str]) -> list[str]:
    """Headers that look like CBS keys (to explain why a file without matching metadata is skipped)."""
    return [h for h in headers if CBS_KEY.match(h)]


def choose_metadata(
    loaded: LoadedFile, headers: list[str], metadata: list[CbsMetadata]
) -> tuple[CbsMetadata | None, str | None]:
    """The DataProperties for a data file, or (None, why not)."""
    scored = []
    for candidate in metadata:
        by_key = sum(1 for h in headers if h in candidate.topics)
        by_title = sum(1 for h in headers if h not in candidate.topics and candidate.resolve(h) is not None)
        if by_key >= 1 or by_title >= 2:
            scored.append((by_key + by_title, candidate))
    if not scored:
        return None, None
    if len(scored) == 1:
        return scored[0][1], None
    url = loaded.json.get("odata.metadata") if isinstance(loaded.json, dict) else None
    table_id = _table_id_in(url, loaded.path.name)
    narrowed = [(s, m) for s, m in scored if table_id and m.table_id == table_id] or scored
    if len(narrowed) > 1:
        narrowed = [(s, m) for s, m in narrowed if m.directory == loaded.path.parent] or narrowed
    best = max(s for s, _m in narrowed)
    narrowed = [(s, m) for s, m in narrowed if s == best]
    if len(narrowed) == 1:
        return narrowed[0][1], None
    tables = ", ".join(sorted(m.label for _s, m in narrowed))
    return None, _(
        "its columns match the metadata of several CBS tables (%(tables)s); put each table in its own folder "
        "or its table id in the file name"
    ) % {"tables": tables}


def _code_column(headers, rows, metadata: CbsMetadata) -> str | None:
    candidates = []
    for title in ("codering",):
        found = metadata.column_with_title(headers, title)
        if found:
            candidates.append(found)
    candidates += [k for k, (kind, _t) in metadata.dimensions.items() if kind == "GeoDimension" and k in headers]
    lowered = {h.lower(): h for h in headers}
    candidates += [lowered[h] for h in CODE_HEADERS if h in lowered]
    for column in dict.fromkeys(candidates):
        sample = [clean_code(row.get(column)) for _n, row in rows[:20] if row.get(column) not in (None, "")]
        if sample and all(REGION_CODE.match(code) for code in sample):
            return column
    return None


def _text_column(headers, rows, metadata: CbsMetadata, titles: tuple[str, ...], names: tuple[str, ...]):
    """A column of names (not codes), found by CBS title or by header."""
    candidates = []
    found = metadata.column_with_title(headers, *titles)
    if found:
        candidates.append(found)
    lowered = {h.lower(): h for h in headers}
    candidates += [lowered[h] for h in names if h in lowered]
    for column in dict.fromkeys(candidates):
        sample = [str(row.get(column) or "").strip() for _n, row in rows[:20]]
        if any(sample) and not any(REGION_CODE.match(clean_code(s)) for s in sample if s):
            return column
    return None


def _scale(unit: str) -> float:
    """CBS gives money in thousands ("x 1 000 euro"); we store euros."""
    normalised = normalise_title(unit).replace("\u00a0", " ")
    if normalised.startswith("x 1 000 000") or normalised.startswith("x 1 mln"):
        return 1_000_000.0
    if normalised.startswith("x 1 000") or normalised.startswith("x 1000"):
        return 1_000.0
    return 1.0


def read_cbs_data(
    loaded: LoadedFile,
    headers: list[str],
    rows: list[tuple[int, dict]],
    metadata: CbsMetadata,
    municipality_code: str,
    problems: Problems,
) -> FileResult:
    """KWB figures of the municipality, its wijken and buurten, under our stable keys."""
    result = FileResult(loaded.name, CBS_KWB)
    code_column = _code_column(headers, rows, metadata)
    if code_column is None:
        problems.error(loaded.name, _("%(file)s: no column with CBS area codes (Codering, WijkenEnBuurten or code)")
                       % {"file": loaded.name})
        return result
    name_column = _text_column(headers, rows, metadata, ("wijken en buurten", "regio's"), NAME_HEADERS)
    municipality_name_column = _text_column(headers, rows, metadata, ("gemeentenaam",), ("gemeentenaam", "gm_naam"))
    period_column = next(
        (k for k, (kind, _t) in metadata.dimensions.items() if kind == "TimeDimension" and k in headers), None
    ) or next((h for h in headers if h.lower() in PERIOD_HEADERS), None)
    if metadata.year is None and period_column is None:
        problems.error(loaded.name, _(
            "%(file)s: the year of CBS table %(table)s is unknown: add its TableInfos file or a Perioden column"
        ) % {"file": loaded.name, "table": metadata.label})
        return result

    # The metadata file's name may lack the table id that the data's OData URL gives.
    url = loaded.json.get("odata.metadata") if isinstance(loaded.json, dict) else None
    table_id = metadata.table_id or _table_id_in(url, loaded.path.name)

    columns: list[tuple[str, Topic, str]] = []  # (header, topic, our key)
    unknown = 0
    for header in headers:
        topic = metadata.resolve(header)
        if topic is None:
            continue
        key = CBS_TITLE_KEYS.get(normalise_title(topic.title))
        if key is not None and len(metadata.titles.get(normalise_title(topic.title), [])) > 1:
            # The same title under two headings ("Appartement" under gas and under electricity): ambiguous.
            key = None
        if key is None:
            unknown += 1
            continue
        columns.append((header, topic, key))
    if unknown:
        result.notes.append(
            _("%(count)d CBS columns without a known indicator were not imported") % {"count": unknown}
        )

    seen: dict[tuple[str, int], int] = {}
    for number, row in rows:
        code = clean_code(row.get(code_column))
        if not AREA_CODE.match(code):
            if looks_like_ours(code, municipality_code):
                problems.error(loaded.name, _('%(file)s row %(row)d, %(column)s: "%(value)s" is not a CBS area code')
                               % {"file": loaded.name, "row": number, "column": code_column, "value": code})
            continue
        if not belongs_to(code, municipality_code):
            continue
        if period_column is not None and row.get(period_column) not in (None, ""):
            try:
                year = parse_year(row.get(period_column))
            except ValueError:
                problems.error(loaded.name, _('%(file)s row %(row)d, %(column)s: "%(value)s" is not a year') % {
                    "file": loaded.name, "row": number, "column": period_column, "value": row.get(period_column)})
                continue
        else:
            year = metadata.year
        if (code, year) in seen:
            problems.error(loaded.name, _("%(file)s row %(row)d: %(code)s %(year)d appears twice (also row %(other)d)")
                           % {"file": loaded.name, "row": number, "code": code, "year": year,
                              "other": seen[(code, year)]})
            continue
        seen[(code, year)] = number
        result.rows += 1
        if name_column and row.get(name_column):
            result.names[code] = str(row[name_column]).strip()
        elif code.startswith("GM") and municipality_name_column and row.get(municipality_name_column):
            result.names[code] = str(row[municipality_name_column]).strip()
        for header, topic, key in columns:
            raw = row.get(header)
            try:
                value, decimals = parse_number(raw)
            except ValueError:
                problems.error(loaded.name, not_a_number(loaded.name, number, header, raw))
                continue
            if value is None:
                continue
            scale = _scale(topic.unit)
            if scale != 1.0:
                value = round(value * scale, 6)
                decimals = max(0, decimals - round(math.log10(scale)))
            result.values.append(Value(
                area_code=code,
                key=key,
                year=year,
                value=value,
                source=_cbs_source(table_id, year, topic, loaded.name),
                dataset=CBS_DATASET,
                decimals=decimals,
                where=f"{loaded.name} row {number}",
            ))
    return result


def _cbs_source(table_id: str | None, year: int, topic: Topic, file_name: str) -> str:
    if table_id:
        return f"CBS {table_id} ({year}), {topic.key}"
    return f"CBS ({year}) {file_name}, {topic.key}"
