"""Writing public context data: the only place that changes municipalities, districts, buurten and their figures.

Service API (used by `import_open_data`, the demo generator and the UI):

    open_data_import(*, directory: Path, municipality_code: str, actor=None, dry_run=False) -> OpenDataReport

Reads every recognised file under `directory` (boundaries as GeoJSON in WGS84 or RD New; CBS Kerncijfers wijken en
buurten as CSV or OData JSON with its DataProperties metadata; plain per-buurt tables; Leefbaarometer 3.0 scores;
see `neighbourhoods.opendata` and docs/open-data.md) and imports what concerns one municipality (`GM0193`; other
rows are ignored), in one transaction:

- `Municipality`, `District` and `Neighbourhood` rows from the boundaries, with WGS84 geometry and, for buurten, a
  point inside the polygon (`centroid_lon`/`centroid_lat`) for map markers. District names come from the boundary
  file, else from CBS data, else the code.
- one `PublicIndicator(area_code, key, year, value, source, dataset)` per figure. Re-importing updates figures in
  place (unique per area, key and year) and never duplicates; figures absent from the files are left alone; missing
  values (empty cells, CBS's ".") are never stored.
- one AuditEvent OPEN_DATA_IMPORTED (actor, or "cli:<user>" without one) listing the files and counts.

If any file has a bad row (a number that is not a number, a code that is not a code, a geometry that is not a polygon),
every such problem is listed in `report.errors` and nothing is written. `dry_run=True` reads and validates and
counts what would change, and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent
from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood, PublicIndicator
from buurtbalans.neighbourhoods.opendata.common import BOUNDARIES, normalise_municipality_code
from buurtbalans.neighbourhoods.opendata.reader import OpenDataBundle, read_open_data


@dataclass(frozen=True)
class UsedFile:
    """A file the import read for this municipality, with what it gave (shown in the report and audit event)."""

    name: str  # relative to the imported folder
    kind: str  # boundaries, cbs_kwb, cbs_metadata, table, leefbaarometer
    rows: int  # rows (features) of this municipality read
    values: int  # figures read
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkippedFile:
    """A file under the folder the import did not use, and why in words (not a text file, no area codes, ...)."""

    name: str
    reason: str


@dataclass
class OpenDataReport:
    """What an open-data import read, wrote (or would write, in a dry run) and found wrong."""

    directory: str
    municipality_code: str
    dry_run: bool
    files_used: list[UsedFile] = field(default_factory=list)
    files_skipped: list[SkippedFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0  # more than len(errors) when a file had too many to list
    warnings: list[str] = field(default_factory=list)
    # Areas with a boundary, and figures read, per kind of file (boundaries, cbs_kwb, table, leefbaarometer).
    values_by_kind: dict[str, int] = field(default_factory=dict)
    # municipalities/districts/neighbourhoods/indicators _created/_updated, indicators_unchanged.
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the import found no errors; when False nothing was written."""
        return not self.errors

    def summary(self) -> str:
        """One line for the command and the job log."""
        c = self.counts
        if not self.ok:
            return _("%(code)s: %(count)d errors, nothing imported") % {
                "code": self.municipality_code, "count": max(self.error_count, len(self.errors))}
        text = _(
            "%(code)s: %(buurten)d buurten (%(bu_new)d new, %(bu_changed)d changed), %(wijken)d wijken, "
            "%(figures)d figures (%(new)d new, %(changed)d changed, %(same)d unchanged) from %(used)d files; "
            "%(skipped)d files skipped"
        ) % {
            "code": self.municipality_code,
            "buurten": c.get("neighbourhoods_created", 0) + c.get("neighbourhoods_updated", 0)
            + c.get("neighbourhoods_unchanged", 0),
            "bu_new": c.get("neighbourhoods_created", 0),
            "bu_changed": c.get("neighbourhoods_updated", 0),
            "wijken": c.get("districts_created", 0) + c.get("districts_updated", 0) + c.get("districts_unchanged", 0),
            "figures": sum(c.get(f"indicators_{s}", 0) for s in ("created", "updated", "unchanged")),
            "new": c.get("indicators_created", 0),
            "changed": c.get("indicators_updated", 0),
            "same": c.get("indicators_unchanged", 0),
            "used": len(self.files_used),
            "skipped": len(self.files_skipped),
        }
        return (_("Dry run, nothing written: ") + text) if self.dry_run else text


def open_data_import(
    *, directory: Path, municipality_code: str, actor=None, dry_run: bool = False
) -> OpenDataReport:
    """Import the open data in `directory` for one municipality (see the module docstring).

    Args:
        directory: folder with the files (searched recursively; file names do not matter).
        municipality_code: CBS code of the gemeente, e.g. "GM0193" (also "0193").
        actor: the user who imports, or None for a command (audited as "cli:<user>").
        dry_run: read, validate and count, but write nothing.

    Returns:
        The report; `report.ok` is False when nothing was written because of errors.
    """
    directory = Path(directory)
    report = OpenDataReport(str(directory), municipality_code, dry_run)
    try:
        code = normalise_municipality_code(municipality_code)
    except ValueError as exc:
        report.errors.append(str(exc))
        return report
    report.municipality_code = code
    known = dict(Neighbourhood.objects.filter(municipality__cbs_code=code).values_list("cbs_code", "name"))
    bundle = read_open_data(directory, code, known)
    _describe(bundle, report)
    if not report.ok:
        return report
    imported_buurten = {c for c in bundle.boundaries if c.startswith("BU")}
    stale = sorted(set(known) - imported_buurten) if imported_buurten else []
    if stale:
        # Complexes may still point at them, so they stay; the user decides (a new buurt division, a wrong file).
        report.warnings.append(_(
            "%(count)d buurten stored earlier are not in the boundary files and were kept: %(codes)s"
        ) % {"count": len(stale), "codes": ", ".join(stale[:5]) + (", ..." if len(stale) > 5 else "")})
    if not bundle.boundaries and not bundle.values:
        report.warnings.append(_("no boundaries or figures for %(code)s in %(dir)s") % {"code": code, "dir": directory})

    if dry_run:
        report.counts = _write(bundle, write=False)
        return report
    with transaction.atomic():
        report.counts = _write(bundle, write=True)
        audit_record(
            actor=actor,
            event=AuditEvent.Type.OPEN_DATA_IMPORTED,
            corporation=None,
            subject_type="open_data_import",
            purpose="import",
            subject_label=f"{code} ({directory.name})",
            data={
                "municipality": code,
                "directory": str(directory),
                "files": [{"name": f.name, "kind": f.kind, "rows": f.rows, "values": f.values}
                          for f in report.files_used],
                "skipped": [f.name for f in report.files_skipped],
                "counts": report.counts,
                "values_by_kind": report.values_by_kind,
                "warnings": report.warnings[:20],
            },
        )
    return report


def _describe(bundle: OpenDataBundle, report: OpenDataReport) -> None:
    report.errors = list(bundle.problems.errors)
    report.error_count = bundle.problems.error_count
    report.warnings = list(bundle.problems.warnings)
    report.files_skipped = [SkippedFile(name, reason) for name, reason in bundle.skipped]
    by_kind: dict[str, int] = {}
    for result in bundle.files:
        report.files_used.append(UsedFile(result.name, result.kind, result.rows, len(result.values),
                                          tuple(result.notes)))
        if result.kind == BOUNDARIES:
            by_kind[BOUNDARIES] = by_kind.get(BOUNDARIES, 0) + len(result.boundaries)
        elif result.values:
            by_kind[result.kind] = by_kind.get(result.kind, 0) + len(result.values)
    report.values_by_kind = by_kind


def _area_name(bundle: OpenDataBundle, code: str, current: str | None) -> str:
    """A name from this import, else the stored one unless it is only the code, else the code."""
    return bundle.area_names.get(code) or (current if current and current != code else None) or code


def _write(bundle: OpenDataBundle, *, write: bool) -> dict[str, int]:
    counts: dict[str, int] = {}

    def count(what: str, outcome: str) -> None:
        counts[f"{what}_{outcome}"] = counts.get(f"{what}_{outcome}", 0) + 1

    code = bundle.municipality_code
    buurten = {c: b for c, b in bundle.boundaries.items() if c.startswith("BU")}
    district_codes = {c for c in bundle.boundaries if c.startswith("WK")} | {"WK" + c[2:8] for c in buurten}
    # Wijken already stored that CBS now names (imported earlier from a boundary file without wijk names).
    district_codes |= {
        c for c in District.objects.filter(municipality__cbs_code=code).values_list("cbs_code", flat=True)
        if c in bundle.area_names
    }

    municipality = Municipality.objects.filter(cbs_code=code).first()
    if district_codes or code in bundle.boundaries or code in bundle.area_names:
        fields = {"name": _area_name(bundle, code, municipality.name if municipality else None)}
        if code in bundle.boundaries:
            fields["geometry"] = bundle.boundaries[code].geometry
        municipality, outcome = _upsert(Municipality, municipality, {"cbs_code": code}, fields, write)
        count("municipalities", outcome)

    districts = {d.cbs_code: d for d in District.objects.filter(cbs_code__in=district_codes)}
    for district_code in sorted(district_codes):
        current = districts.get(district_code)
        fields = {"name": _area_name(bundle, district_code, current.name if current else None),
                  "municipality": municipality}
        if district_code in bundle.boundaries:
            fields["geometry"] = bundle.boundaries[district_code].geometry
        districts[district_code], outcome = _upsert(District, current, {"cbs_code": district_code}, fields, write)
        count("districts", outcome)

    stored = {n.cbs_code: n for n in Neighbourhood.objects.filter(cbs_code__in=list(buurten))}
    for buurt_code, boundary in sorted(buurten.items()):
        current = stored.get(buurt_code)
        fields = {
            "name": boundary.name or (current.name if current else buurt_code),
            "district": districts["WK" + buurt_code[2:8]],
            "municipality": municipality,
            "geometry": boundary.geometry,
            "centroid_lon": boundary.point[0] if boundary.point else None,
            "centroid_lat": boundary.point[1] if boundary.point else None,
        }
        _n, outcome = _upsert(Neighbourhood, current, {"cbs_code": buurt_code}, fields, write)
        count("neighbourhoods", outcome)

    digits = code[2:]
    existing = {
        (row[1], row[2], row[3]): row
        for row in PublicIndicator.objects.filter(
            Q(area_code=code) | Q(area_code__startswith=f"WK{digits}") | Q(area_code__startswith=f"BU{digits}")
        ).values_list("pk", "area_code", "key", "year", "value", "source", "dataset")
    }
    new, changed = [], []
    for slot, value in sorted(bundle.values.items()):
        row = existing.get(slot)
        if row is None:
            new.append(PublicIndicator(area_code=value.area_code, key=value.key, year=value.year, value=value.value,
                                       source=value.source[:300], dataset=value.dataset))
        elif (row[4], row[5], row[6]) != (value.value, value.source[:300], value.dataset):
            changed.append(PublicIndicator(pk=row[0], area_code=value.area_code, key=value.key, year=value.year,
                                           value=value.value, source=value.source[:300], dataset=value.dataset))
        else:
            count("indicators", "unchanged")
    counts["indicators_created"] = len(new)
    counts["indicators_updated"] = len(changed)
    if write:
        PublicIndicator.objects.bulk_create(new, batch_size=2000)
        PublicIndicator.objects.bulk_update(changed, ["value", "source", "dataset"], batch_size=500)
    return counts


def _upsert(model, current, lookup: dict, fields: dict, write: bool):
    """(row, "created" | "updated" | "unchanged"); in a dry run the row is not saved."""
    if current is None:
        row = model(**lookup, **fields)
        if write:
            row.save()
        return row, "created"
    differs = [name for name, value in fields.items() if getattr(current, name) != value]
    if not differs:
        return current, "unchanged"
    for name in differs:
        setattr(current, name, fields[name])
    if write:
        current.save(update_fields=differs)
    return current, "updated"
