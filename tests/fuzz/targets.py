"""Every way a file or JSON document enters Buurtbalans, as a target the fuzz tests can feed.

A target knows a small valid input (`sample`), how to feed it a file (`run`, returning an `Outcome`), and what kind
of file it is (CSV text, zip, xlsx, JSON), which decides the malformed variants it gets. `run` lets through only
what the entry point declares: services return a report, commands raise CommandError with exit code 2, views
answer a page. Anything else (a traceback, an HTTP 500) fails the test that called it.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from buurtbalans.engine.tests.allocation_support import golden_scenarios
from buurtbalans.neighbourhoods.tests import opendata_files
from buurtbalans.portfolio.tests.test_import_support import DATA as PORTFOLIO_DATA
from buurtbalans.portfolio.tests.test_import_support import csv_folder_to_xlsx
from tests.fuzz import malformed

ROUND_INPUT = next(folder for folder in golden_scenarios() if folder.name == "registration_basic") / "input.json"

PLAN = {
    "format": "buurtbalans.label-plan/1",
    "reference_date": "2025-03-01",
    "policy": {"min_vulnerable_placements": 1, "min_affordable_share": "0.5", "p_open": "0.3", "p_above": "0.05",
               "q_open": "0.8", "q_reserved": "0.9", "q_above": "0.1"},
    "complexes": [{"id": "C1", "households": 20, "vulnerable": 7, "primary": 15,
                   "target_vulnerable_max_share": "0.25", "target_primary_max_share": "0.7"}],
    "vacancies": [{"id": "V1", "complex": "C1", "base_rent": "700.00", "max_base_rent": "850.00", "is_daeb": True,
                   "household_size_min": 1, "leaving_household_vulnerable": False,
                   "leaving_household_primary": True}],
}
LETTINGS = (
    "letting_id,date,municipality,dwelling_id,base_rent,is_daeb_dwelling,household_size,assessed_income,"
    "is_pension_age_household,assets,exception_reason\n"
    "L1,2025-02-01,GM0193,D1,650.00,true,1,25000,false,,\n"
    "L2,2025-03-01,GM0193,D2,700.00,true,2,30000,false,,rehousing\n"
)
PARAMETERS = (
    "valid_from,key,value,source,note\n"
    "2026-01-01,allowance_cap_low,713.57,https://example.org/staatscourant-2025,\n"
    "2026-01-01,allowance_cap_high,764.73,https://example.org/staatscourant-2025,checked twice\n"
)
KERNCIJFERS = (
    "bu_code,bu_naam,wk_code,jaar,woningen,inwoners\n"
    "BU01930001,Buurt A,WK019300,2023,1500,2300\n"
    "BU01930001,Buurt A,WK019300,2024,1575,2373\n"
)
BOUNDARIES = {"type": "FeatureCollection", "features": [{
    "type": "Feature",
    "properties": {"bu_code": "BU01931000", "bu_naam": "Binnenstad-Zuid", "wk_code": "WK019310", "gm_code": "GM0193"},
    "geometry": {"type": "Polygon", "coordinates": [[[6.086, 52.506], [6.094, 52.506], [6.094, 52.514],
                                                     [6.086, 52.514], [6.086, 52.506]]]},
}]}


@dataclass
class Outcome:
    accepted: bool
    text: str  # every message the user is shown
    # The open-data import skips a file it does not recognise (and says why): the import itself succeeds and is
    # audited, with nothing from that file.
    skipped: bool = False
    # False for an upload form's own error (an empty file), shown beside the file field rather than naming it.
    names_file: bool = True


@dataclass
class World:
    """What the targets need: a corporation with stock, an open round, users, a logged-in test client."""

    corporation: object
    stock: object
    listings: list
    users: dict
    client: object
    folder: Path
    runs: int = 0

    def place(self, name: str, data: bytes, companions: dict[str, bytes] | None = None) -> Path:
        """`data` as file `name` in a folder of its own (the open-data import reads a folder), with `companions`."""
        self.runs += 1
        folder = self.folder / f"run{self.runs}"
        folder.mkdir()
        for other, content in (companions or {}).items():
            (folder / other).write_bytes(content)
        path = folder / name
        path.write_bytes(data)
        return path


@dataclass
class Target:
    name: str
    kind: str  # "csv", "zip", "xlsx" or "json"
    file_name: str
    sample: Callable[[World], bytes]
    run: Callable[[World, Path], Outcome]
    delimiter: str = ","
    # Models whose rows must not change when the input is refused (besides AuditEvent).
    models: tuple[str, ...] = ()
    csv_members: Callable[[World], dict[str, bytes]] | None = field(default=None, repr=False)
    # Valid files placed beside the fed one (the CBS metadata a data file is read against).
    companions: Callable[[World], dict[str, bytes]] | None = field(default=None, repr=False)


# --- runners ----------------------------------------------------------------------------------------------------


def _report_outcome(report) -> Outcome:
    return Outcome(report.is_valid and (report.written or report.dry_run), "\n".join(str(e) for e in report.errors))


def _command(name: str, *args, stdout: io.StringIO | None = None) -> Outcome:
    out, err = stdout or io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as exc:
        assert exc.returncode == 2, f"{name} exit code {exc.returncode}: {exc}"
        return Outcome(False, f"{err.getvalue()}\n{exc}")
    except SystemExit as exc:  # argparse
        assert exc.code in (0, 2), exc
        return Outcome(exc.code == 0, err.getvalue())
    return Outcome(True, err.getvalue())


def run_portfolio_service(world: World, path: Path) -> Outcome:
    from buurtbalans.portfolio.services import portfolio_import

    return _report_outcome(portfolio_import(source=path, corporation=world.corporation, actor=None, dry_run=False))


def run_portfolio_command(world: World, path: Path) -> Outcome:
    return _command("import_portfolio", str(path), "--corporation", world.corporation.code)


def run_bids_service(world: World, path: Path) -> Outcome:
    from buurtbalans.allocation.importing import bids_import

    return _report_outcome(bids_import(path=path, corporation=world.corporation, actor=world.users["alice"]))


def run_bids_view(world: World, path: Path) -> Outcome:
    world.client.force_login(world.users["alice"])
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = world.client.post(reverse("allocation_bid_import"), {"file": upload})
    assert response.status_code in (200, 400), response.status_code
    report = response.context["report"]
    if report is None:  # refused by the form
        return Outcome(False, str(response.context["form"].errors), names_file=False)
    return _report_outcome(report)


def run_social_records_service(world: World, path: Path) -> Outcome:
    from buurtbalans.liveability.services import social_records_import

    return _report_outcome(social_records_import(source=path, corporation=world.corporation, actor=None,
                                                 dry_run=False))


def run_social_records_job(world: World, path: Path) -> Outcome:
    """The upload page's route: the file is checked in a job (dry run), whose result page lists the errors."""
    from buurtbalans.core.jobs import job_enqueue, run_pending_jobs
    from buurtbalans.core.models import Job

    job = job_enqueue(kind="social_records_import", corporation=world.corporation, user=world.users["nina"],
                      params={"path": str(path), "dry_run": True, "file_name": path.name})
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, (job.status, job.error if hasattr(job, "error") else "")
    world.client.force_login(world.users["nina"])
    response = world.client.get(reverse("monitor_records_import_result", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    result = job.result or {}
    return Outcome(bool(result.get("is_valid")), "\n".join(e["text"] for e in result.get("errors", [])))


def _open_data_outcome(report, path: Path) -> Outcome:
    used = [f.name for f in report.files_used]
    skipped = [f"{s.name}: {s.reason}" for s in report.files_skipped]
    return Outcome(report.ok and path.name in used, "\n".join([*report.errors, *skipped]),
                   skipped=report.ok and path.name not in used)


def run_open_data_service(world: World, path: Path) -> Outcome:
    from buurtbalans.neighbourhoods.services import open_data_import

    return _open_data_outcome(open_data_import(directory=path.parent, municipality_code="GM0193"), path)


def run_open_data_command(world: World, path: Path) -> Outcome:
    out = io.StringIO()
    outcome = _command("import_open_data", str(path.parent), "--municipality", "GM0193", stdout=out)
    if outcome.accepted and f"skipped {path.name}" in out.getvalue():
        return Outcome(False, out.getvalue(), skipped=True)
    return outcome


def run_parameter_upload(world: World, path: Path) -> Outcome:
    """The upload page: a readable file is shown as the changes it would make (stored after a confirmation)."""
    world.client.force_login(world.users["paula"])
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = world.client.post(reverse("rules_parameter_upload"), {"file": upload})
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 302:
        return Outcome(True, "")
    context = response.context
    form_errors = [str(e) for e in context["form"].errors.values()] if "form" in context else []
    errors = [*(context["errors"] if "errors" in context else []), *form_errors]
    # "2026-01-01: a limit must be below another" is about the set the file would make with the stored values.
    about_the_set = bool(errors) and all(re.match(r"\d{4}-\d{2}-\d{2}: ", error) for error in errors)
    return Outcome(not errors and "diffs" in context, "\n".join(errors),
                   names_file=not form_errors and not about_the_set)


def run_compliance_command(world: World, path: Path) -> Outcome:
    return _command("compliance", "--year", "2025", "--lettings", str(path))


def run_round_command(world: World, path: Path) -> Outcome:
    output = path.with_name("result.json")
    outcome = _command("run_allocation_round", str(path), "--output", str(output))
    assert outcome.accepted == output.exists(), "a refused round file must write no result"
    return outcome


def run_plan_command(world: World, path: Path) -> Outcome:
    output = path.with_name("plan-result.json")
    outcome = _command("plan_labels", str(path), "--output", str(output), "--time-limit", "5")
    assert outcome.accepted == output.exists(), "a refused plan file must write no result"
    return outcome


# --- samples ----------------------------------------------------------------------------------------------------


def households_csv(world: World) -> bytes:
    return (PORTFOLIO_DATA / "good" / "households.csv").read_bytes()


def portfolio_members(world: World) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((PORTFOLIO_DATA / "good").glob("*.csv"))}


def portfolio_zip(world: World) -> bytes:
    return malformed.zip_of(portfolio_members(world))


def portfolio_xlsx(world: World) -> bytes:
    path = world.folder / "portfolio-sample.xlsx"
    if not path.exists():
        csv_folder_to_xlsx(PORTFOLIO_DATA / "good", path)
    return path.read_bytes()


def bids_rows(world: World) -> list[list[str]]:
    first, second = world.listings
    return [["Publicatie", "Inschrijfnummer", "Volgorde", "Reactiedatum"],
            [first.reference, "W-001", "1", "26-05-2025 09:15"],
            [second.reference, "W-001", "2", "2025-05-26T09:16:00+02:00"],
            [first.reference, "W-002", "1", "2025-05-27"]]


def bids_csv(world: World) -> bytes:
    return ("\n".join(";".join(row) for row in bids_rows(world)) + "\n").encode("utf-8")


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bids_xlsx(world: World) -> bytes:
    return _xlsx({"reacties": bids_rows(world)})


SIGNALS = [["code", "complexcode", "soort", "datum", "afgehandeld_op", "toelichting"],
           ["S1", "A-C1", "overlast", "03-02-2025", "10-02-2025", "geluid in portiek"],
           ["", "A-C1", "zwerfvuil", "2025-03-01", "", ""]]


def signals_csv(world: World) -> bytes:
    return ("\n".join(";".join(row) for row in SIGNALS) + "\n").encode("utf-8")


def signals_members(world: World) -> dict[str, bytes]:
    return {"signalen.csv": signals_csv(world)}


def signals_zip(world: World) -> bytes:
    return malformed.zip_of(signals_members(world))


def signals_xlsx(world: World) -> bytes:
    return _xlsx({"signalen": SIGNALS})


def text(value: str) -> Callable[[World], bytes]:
    return lambda world: value.encode("utf-8")


def parameter_csv(world: World) -> bytes:
    try:  # an uploaded file lists every parameter of its dates (issue 11)
        from buurtbalans.rules.tests.files import CAPS_2026, full_file
    except ImportError:
        return PARAMETERS.encode("utf-8")
    return full_file("2026-01-01", CAPS_2026).encode("utf-8")


def _document(build) -> Callable[[World], bytes]:
    return lambda world: json.dumps(build()).encode("utf-8")


def odata_companions(world: World) -> dict[str, bytes]:
    return {"85618NED_DataProperties.json": json.dumps(opendata_files.data_properties()).encode("utf-8")}


def data_properties_companions(world: World) -> dict[str, bytes]:
    return {"kwb_85618NED.json": json.dumps(opendata_files.odata_rows()).encode("utf-8")}


def round_json(world: World) -> bytes:
    return ROUND_INPUT.read_bytes()


PORTFOLIO_MODELS = ("portfolio.Complex", "portfolio.Dwelling", "households.Household", "households.Tenancy",
                    "households.VulnerabilityMarker", "households.Applicant")
SOCIAL_MODELS = ("liveability.Signal", "liveability.Visit", "liveability.Activity", "liveability.MeetingPlace")
OPEN_DATA_MODELS = ("neighbourhoods.PublicIndicator", "neighbourhoods.Neighbourhood", "neighbourhoods.District")

TARGETS = [
    Target("portfolio-service-csv", "csv", "households.csv", households_csv, run_portfolio_service, ";",
           PORTFOLIO_MODELS),
    Target("portfolio-service-zip", "zip", "portfolio.zip", portfolio_zip, run_portfolio_service, ";",
           PORTFOLIO_MODELS, csv_members=portfolio_members),
    Target("portfolio-service-xlsx", "xlsx", "stock.xlsx", portfolio_xlsx, run_portfolio_service, ";",
           PORTFOLIO_MODELS),
    Target("import-portfolio-command", "csv", "households.csv", households_csv, run_portfolio_command, ";",
           PORTFOLIO_MODELS),
    Target("import-portfolio-command-zip", "zip", "portfolio.zip", portfolio_zip, run_portfolio_command, ";",
           PORTFOLIO_MODELS, csv_members=portfolio_members),
    Target("bids-service-csv", "csv", "reacties.csv", bids_csv, run_bids_service, ";", ("allocation.Bid",)),
    Target("bids-service-xlsx", "xlsx", "reacties.xlsx", bids_xlsx, run_bids_service, ";", ("allocation.Bid",)),
    Target("bids-web-csv", "csv", "reacties.csv", bids_csv, run_bids_view, ";", ("allocation.Bid",)),
    Target("bids-web-xlsx", "xlsx", "reacties.xlsx", bids_xlsx, run_bids_view, ";", ("allocation.Bid",)),
    Target("social-records-service-csv", "csv", "signalen.csv", signals_csv, run_social_records_service, ";",
           SOCIAL_MODELS),
    Target("social-records-service-zip", "zip", "records.zip", signals_zip, run_social_records_service, ";",
           SOCIAL_MODELS, csv_members=signals_members),
    Target("social-records-service-xlsx", "xlsx", "records.xlsx", signals_xlsx, run_social_records_service, ";",
           SOCIAL_MODELS),
    Target("social-records-upload-job-csv", "csv", "signalen.csv", signals_csv, run_social_records_job, ";",
           SOCIAL_MODELS),
    Target("open-data-service-csv", "csv", "kerncijfers.csv", text(KERNCIJFERS), run_open_data_service, ",",
           OPEN_DATA_MODELS),
    Target("open-data-service-json", "json", "buurten.geojson", text(json.dumps(BOUNDARIES)), run_open_data_service,
           models=OPEN_DATA_MODELS),
    Target("open-data-service-odata-json", "json", "kwb_85618NED.json", _document(opendata_files.odata_rows),
           run_open_data_service, models=OPEN_DATA_MODELS, companions=odata_companions),
    Target("open-data-service-dataproperties-json", "json", "85618NED_DataProperties.json",
           _document(opendata_files.data_properties), run_open_data_service, models=OPEN_DATA_MODELS,
           companions=data_properties_companions),
    Target("open-data-service-regions-json", "json", "regions.json", _document(opendata_files.region_dimension),
           run_open_data_service, models=OPEN_DATA_MODELS),
    Target("import-open-data-command-csv", "csv", "kerncijfers.csv", text(KERNCIJFERS), run_open_data_command, ",",
           OPEN_DATA_MODELS),
    Target("import-open-data-command-json", "json", "buurten.geojson", text(json.dumps(BOUNDARIES)),
           run_open_data_command, models=OPEN_DATA_MODELS),
    Target("parameter-upload-web", "csv", "caps.csv", parameter_csv, run_parameter_upload, ",",
           ("rules.ParameterValue",)),
    Target("compliance-lettings-command", "csv", "lettings.csv", text(LETTINGS), run_compliance_command, ","),
    Target("run-allocation-round-command", "json", "round.json", round_json, run_round_command),
    Target("plan-labels-command", "json", "plan.json", text(json.dumps(PLAN, indent=1)), run_plan_command),
]
BY_NAME = {target.name: target for target in TARGETS}


def targets(*kinds: str) -> list[Target]:
    return [target for target in TARGETS if target.kind in kinds]
