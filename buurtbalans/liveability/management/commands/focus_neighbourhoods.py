"""`buurtbalans focus_neighbourhoods --municipality GM0193 [--year Y] [--format json|csv] [--all]`."""

from __future__ import annotations

import csv
import json

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy

from buurtbalans.core.management.base import Command as BaseCommand
from buurtbalans.liveability.focus import LOW_INCOME_DEFINITIONS, FocusRow, focus_neighbourhoods
from buurtbalans.neighbourhoods.opendata.common import normalise_municipality_code

HELP = gettext_lazy(
    "Rank a municipality's buurten by low-income share and Leefbaarometer score (each the latest year up to "
    "--year) among buurten with at least 200 inhabitants and both values known, and flag (focus: true) those in "
    "the worst quarter on both. Prints JSON (a list of objects) or CSV. Reads the imported open data "
    "(import_open_data). See docs/monitor.md."
)

FIELDS = [field for field in FocusRow.__dataclass_fields__]


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="CBS municipality code, e.g. GM0193 (Zwolle).")
        parser.add_argument("--year", type=int, default=None,
                            help="Use each value's latest year up to this one (default: the latest there is).")
        parser.add_argument("--format", choices=("json", "csv"), default="json", dest="output_format")
        parser.add_argument("--all", action="store_true", dest="include_excluded",
                            help="Also list the buurten that were not ranked, with the reason (field 'excluded').")

    def handle(self, *args, municipality: str, year: int | None, output_format: str, include_excluded: bool,
               **options):
        try:
            code = normalise_municipality_code(municipality)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        rows, low_key = focus_neighbourhoods(code, year=year, include_excluded=include_excluded)
        if not rows:
            raise CommandError(
                f"{code}: no buurten with at least 200 inhabitants and both a low-income share and a Leefbaarometer "
                "score; import the open data first (buurtbalans import_open_data)"
            )
        if output_format == "json":
            self.stdout.write(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        else:
            writer = csv.DictWriter(self.stdout, fieldnames=FIELDS, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.as_dict().items()})
        ranked = [r for r in rows if not r.excluded]
        self.stderr.write(
            f"{code}: {sum(r.focus for r in rows)} focus buurten of {len(ranked)} ranked; low-income share: "
            f"{LOW_INCOME_DEFINITIONS[low_key]} ({low_key})"
        )
