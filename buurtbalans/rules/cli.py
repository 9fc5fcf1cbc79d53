"""The `buurtbalans rules` and `buurtbalans compliance` command-line contract (issue 3), without Django.

`rules_main(argv)` and `compliance_main(argv)` take the arguments after the command name and return
`(exit_code, text)`: JSON for stdout on success (exit 0), or a message for stderr on bad input (exit 2).
The management commands are thin wrappers; the argument definitions are shared (`add_rules_arguments`,
`add_compliance_arguments`) so `--help` is the same in both. The commands pass in what needs the database:
the effective parameter sets (`rules.parameters.parameter_sets`) and, without `--lettings`, the lettings of
`--corporation` (`rules.compliance`); called here without them, the built-in parameter table is used.

JSON conventions: amounts are strings with two decimals ("633.25"), shares decimal strings ("0.95", rounded
down to at most 4 decimals when computed), unknown values null.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from buurtbalans.core import safeinput
from buurtbalans.core.safeinput import InputError
from buurtbalans.engine.compliance import (
    EXCEPTION_REASONS,
    ComplianceFigures,
    ComplianceReport,
    Letting,
    compliance_for_year,
)
from buurtbalans.engine.parameters import ParameterSet, builtin_parameter_sets, set_in_force, source_urls
from buurtbalans.engine.rules import (
    HouseholdFacts,
    RentBasis,
    RentFacts,
    affordability_fit,
    daeb_target_group,
    income_band,
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2
NO_LETTINGS_SOURCE = (
    "say where the lettings come from: --corporation CODE reads them from the database, --lettings FILE.csv "
    "from a file (columns: letting_id, date, municipality, dwelling_id, base_rent, is_daeb_dwelling, "
    "household_size, assessed_income, is_pension_age_household, assets, exception_reason)"
)
DATABASE_NEEDS_COMMAND = "reading lettings from the database needs the management command `buurtbalans compliance`"
LETTING_COLUMNS = (
    "letting_id",
    "date",
    "municipality",
    "dwelling_id",
    "base_rent",
    "is_daeb_dwelling",
    "household_size",
    "assessed_income",
    "is_pension_age_household",
    "assets",
    "exception_reason",
)
OPTIONAL_COLUMNS = frozenset({"assets", "exception_reason"})
MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")
TRUE_WORDS = {"true", "1", "yes", "y", "ja", "j"}
FALSE_WORDS = {"false", "0", "no", "n", "nee"}


class BadInput(ValueError):
    """Input the contract refuses; the message is shown to the user (exit 2)."""


# --- value parsers (argparse `type=` functions and CSV cells share them) -------------------------------------


def parse_date(raw: str) -> date:
    if not ISO_DATE.match(raw.strip()):
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {raw!r}")
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a valid date: {raw!r}") from exc


def parse_amount(raw: str) -> Decimal:
    """A non-negative amount in euros with at most two decimals, written with a decimal point."""
    text = raw.strip()
    if text.startswith("-"):
        raise argparse.ArgumentTypeError(f"cannot be negative: {raw!r}")
    if not AMOUNT.match(text):
        raise argparse.ArgumentTypeError(f"not an amount in euros such as 1234.56: {raw!r}")
    return Decimal(text)


def parse_household_size(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or int(text) < 1 or int(text) > 30:
        raise argparse.ArgumentTypeError(f"not a household size (a whole number from 1 to 30): {raw!r}")
    return int(text)


def parse_year(raw: str) -> int:
    text = raw.strip()
    if not re.fullmatch(r"\d{4}", text):
        raise argparse.ArgumentTypeError(f"not a year such as 2025: {raw!r}")
    return int(text)


def parse_municipality(raw: str) -> str:
    text = raw.strip().upper()
    if not MUNICIPALITY_CODE.match(text):
        raise argparse.ArgumentTypeError(f"not a CBS municipality code such as GM0193: {raw!r}")
    return text


def parse_bool(raw: str) -> bool:
    text = raw.strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise argparse.ArgumentTypeError(f"not true or false: {raw!r}")


# --- argument definitions ------------------------------------------------------------------------------------


def add_rules_arguments(parser: argparse.ArgumentParser) -> None:
    """`rules show --date D` and `rules check --date D --household-size N --income X --base-rent R ...`."""
    actions = parser.add_subparsers(dest="action", metavar="{show,check}")
    actions.required = True
    show = actions.add_parser("show", help="the legal parameters valid on a date")
    show.add_argument("--date", required=True, type=parse_date, help="reference date, YYYY-MM-DD")
    check = actions.add_parser("check", help="income band, DAEB target group and passend toewijzen for one case")
    check.add_argument("--date", required=True, type=parse_date, help="letting date, YYYY-MM-DD")
    check.add_argument("--household-size", required=True, type=parse_household_size, help="persons, children too")
    check.add_argument(
        "--income", required=True, type=parse_amount, help="assessed yearly income (without children's income)"
    )
    check.add_argument("--base-rent", required=True, type=parse_amount, help="base rent (kale huur) per month")
    check.add_argument(
        "--pension-age", action="store_true", help="someone in the household has AOW age on 1 January of the year"
    )
    check.add_argument("--assets", type=parse_amount, default=None, help="household assets (rekenvermogen)")
    check.add_argument("--allowance-rent", type=parse_amount, default=None, help="rekenhuur per month")
    check.add_argument(
        "--rent-basis",
        choices=[b.value for b in RentBasis],
        default=RentBasis.BASE_RENT.value,
        help="which rent is tested against the cap (default: base_rent)",
    )


def add_compliance_arguments(parser: argparse.ArgumentParser) -> None:
    """`compliance --year Y (--corporation CODE | --lettings FILE.csv) [--municipality GM....] ...`."""
    parser.add_argument("--year", required=True, type=parse_year, help="calendar year, e.g. 2025")
    parser.add_argument("--lettings", type=Path, default=None, help="CSV of lettings (see docs/rules/)")
    parser.add_argument(
        "--corporation",
        default=None,
        metavar="CODE",
        help="the corporation whose lettings (tenancies started in the year) are read from the database; with "
        "--lettings, only its recorded performance agreements are used",
    )
    parser.add_argument("--municipality", type=parse_municipality, default=None, help="only this CBS code")
    parser.add_argument(
        "--performance-agreement",
        type=parse_municipality,
        action="append",
        default=[],
        metavar="GM....",
        help="a municipality whose performance agreement raises the free allocation room (repeatable)",
    )


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises BadInput instead of exiting."""

    def error(self, message: str):  # noqa: D102 - argparse API
        raise BadInput(f"{self.prog}: {message}")


def _parse(prog: str, add_arguments, argv: list[str]) -> argparse.Namespace | str:
    """Parse argv; a `--help` request returns the help text instead of a namespace."""
    parser = _Parser(prog=prog)
    add_arguments(parser)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            return parser.parse_args(argv)
    except SystemExit:  # --help
        return out.getvalue()


# --- formatting ----------------------------------------------------------------------------------------------


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01'))}"


def share(value: Decimal | None) -> str | None:
    """A share as a decimal string: "0.95", "0.925", "1.00"; computed shares are cut (not rounded) to 4 decimals."""
    if value is None:
        return None
    value = value.quantize(Decimal("0.0001"), rounding=ROUND_FLOOR).normalize()
    if value.as_tuple().exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return f"{value:f}"


def source_references(source: str) -> list[dict[str, str | None]]:
    """A value's source as [{"key", "url"}]: source keys ("S23 S26") resolve to their URLs; an administrator's
    URL is its own key; any other text (e.g. "Staatscourant 2025, 41234") is one entry without a URL."""
    urls = source_urls()
    tokens = source.split()
    if tokens and all(token in urls or token.startswith(("https://", "http://")) for token in tokens):
        references: list[dict[str, str | None]] = []
        for token in tokens:
            if token in urls:
                references += [{"key": token, "url": url} for url in urls[token]]
            else:
                references.append({"key": token, "url": token})
        return references
    return [{"key": source.strip(), "url": None}] if source.strip() else []


def sources_json(params: ParameterSet, names: list[str]) -> dict[str, list[dict[str, str | None]]]:
    return {name: source_references(params.sources.get(name, "")) for name in names}


def show_json(params: ParameterSet) -> dict[str, Any]:
    """The `rules show` document (exact keys from issue 3)."""
    return {
        "valid_from": params.valid_from.isoformat(),
        "allowance_cap_low": money(params.allowance_cap_low),
        "allowance_cap_high": money(params.allowance_cap_high),
        "quality_discount_limit": money(params.quality_discount_limit),
        "daeb_rent_limit": money(params.daeb_rent_limit),
        "allowance_income_limit": {
            "single": money(params.allowance_income_limit_single),
            "multi": money(params.allowance_income_limit_multi),
            "single_pension": money(params.allowance_income_limit_single_pension),
            "multi_pension": money(params.allowance_income_limit_multi_pension),
        },
        "daeb_income_limit": {
            "single": money(params.daeb_income_limit_single),
            "multi": money(params.daeb_income_limit_multi),
        },
        "affordability_fit_quota": share(params.affordability_fit_quota),
        "daeb_target_share": share(params.daeb_target_share),
        "free_allocation_share_max": share(params.free_allocation_share_max),
        "sources": sources_json(
            params,
            [
                "allowance_cap_low",
                "allowance_cap_high",
                "quality_discount_limit",
                "daeb_rent_limit",
                "allowance_income_limit_single",
                "allowance_income_limit_multi",
                "allowance_income_limit_single_pension",
                "allowance_income_limit_multi_pension",
                "daeb_income_limit_single",
                "daeb_income_limit_multi",
                "affordability_fit_quota",
                "daeb_target_share",
                "free_allocation_share_max",
            ],
        ),
    }


def check_json(options: argparse.Namespace, params: ParameterSet) -> dict[str, Any]:
    """The `rules check` document (exact keys from issue 3)."""
    household = HouseholdFacts(
        household_size=options.household_size,
        assessed_income=options.income,
        is_pension_age_household=options.pension_age,
        assets=options.assets,
    )
    basis = RentBasis(options.rent_basis)
    if basis is RentBasis.ALLOWANCE_RENT and options.allowance_rent is None:
        raise BadInput("--rent-basis allowance_rent needs --allowance-rent")
    rent = RentFacts(base_rent=options.base_rent, allowance_rent=options.allowance_rent)
    band = income_band(household, params)
    target = daeb_target_group(household, params)
    fit = affordability_fit(household, rent, params, rent_basis=basis)
    reason = fit.reason
    if band.band is None:
        reason += f"; income band: {band.reason}"
    if target.is_daeb_target_group is None:
        reason += f"; DAEB target group: {target.reason}"
    return {
        "income_band": None if band.band is None else band.band.value,
        "is_daeb_target_group": target.is_daeb_target_group,
        "affordability_fit": None if fit.outcome is None else fit.outcome.value,
        "reason": reason,
    }


def figures_json(figures: ComplianceFigures) -> dict[str, Any]:
    """One municipality or the total (exact keys from issue 3)."""
    return {
        "lettings": figures.lettings,
        "low_income_lettings": figures.low_income_lettings,
        "fit": figures.fit,
        "fit_share": share(figures.fit_share),
        "fit_norm_met": figures.fit_norm_met,
        "daeb_lettings": figures.daeb_lettings,
        "daeb_target_group_lettings": figures.daeb_target_group_lettings,
        "daeb_target_share": share(figures.daeb_target_share),
        "daeb_norm_met": figures.daeb_norm_met,
        "non_fitting": [
            {"letting_id": n.letting_id, "reason": n.exception_reason or None} for n in figures.non_fitting
        ],
    }


def room_json(figures: ComplianceFigures) -> dict[str, Any]:
    """Free allocation room and exception budget, for planning (outside the fixed key set)."""
    return {
        "daeb_norm": share(figures.daeb_norm),
        "free_room_used": figures.free_room_used,
        "free_room_allowed": figures.free_room_allowed,
        "free_room_left": figures.free_room_left,
        "exception_budget_used": figures.exception_budget_used,
        "exception_budget_left": figures.exception_budget_left,
        "missing_parameters": list(figures.missing_parameters),
    }


def report_json(report: ComplianceReport) -> dict[str, Any]:
    """The `compliance` document: the fixed key set per municipality and in total, plus planning figures."""
    return {
        "year": report.year,
        "parameter_versions": list(report.parameter_versions),
        "rent_basis": report.rent_basis.value,
        "affordability_fit_quota": share(report.affordability_fit_quota),
        "municipalities": {code: figures_json(f) for code, f in report.municipalities.items()},
        "total": figures_json(report.total),
        "room": {
            "municipalities": {code: room_json(f) for code, f in report.municipalities.items()},
            "total": room_json(report.total),
        },
        "non_fitting_explained": [
            {
                "letting_id": n.letting_id,
                "municipality": n.municipality,
                "exception_reason": n.exception_reason or None,
                "explanation": n.reason,
            }
            for n in report.total.non_fitting
        ],
        "missing_parameters": list(report.total.missing_parameters),
    }


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


# --- lettings CSV --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LettingsFile:
    lettings: tuple[Letting, ...]
    errors: tuple[str, ...]
    unreadable: bool = False  # the file itself could not be read (one error, naming it)


def read_lettings_csv(path: Path) -> LettingsFile:
    """Read and check a lettings CSV; every bad cell is reported as "file row N, column: problem".

    Rows are numbered as a spreadsheet shows them (the header is row 1). A comma, a semicolon (Dutch spreadsheet
    exports) or a tab (Excel's "Unicode text") separates the columns. Nothing is returned when any row is bad.
    """
    name = path.name
    if not path.exists():
        return LettingsFile((), (f"{name}: file not found",), unreadable=True)
    try:
        # Any encoding Excel writes (UTF-8, UTF-16 "Unicode text", Windows-1252) and any newline convention.
        text = safeinput.decode_text(safeinput.read_bytes(path, name), name)
        header, records = safeinput.csv_table(text, name, candidates=(",", ";", "\t"))
    except InputError as exc:
        return LettingsFile((), (str(exc),), unreadable=True)
    missing = [c for c in LETTING_COLUMNS if c not in header]
    if missing:
        return LettingsFile((), (f"{name} row 1: missing column(s): {', '.join(missing)}",))
    errors: list[str] = []
    lettings: list[Letting] = []
    seen: dict[str, int] = {}
    row_count = 0
    try:
        rows = [(number, cells) for number, cells in records if cells]
    except InputError as exc:
        return LettingsFile((), (str(exc),))
    for row_number, cells in rows:
        row_count += 1
        if len(cells) > len(header):
            errors.append(f"{name} row {row_number}: more cells than columns")
            continue
        cells = _Cells(name, row_number, {key: value.strip() for key, value in zip(header, cells, strict=False)})
        cell, row_errors = cells.get, cells.errors
        letting_id = cell("letting_id", text_cell)
        if letting_id is not None:
            if letting_id in seen:
                row_errors.append(f"{name} row {row_number}, letting_id: {letting_id!r} also on row {seen[letting_id]}")
            else:
                seen[letting_id] = row_number
        values = {
            "letting_date": cell("date", parse_date),
            "municipality": cell("municipality", parse_municipality),
            "dwelling_id": cell("dwelling_id", text_cell),
            "base_rent": cell("base_rent", parse_amount),
            "is_daeb_dwelling": cell("is_daeb_dwelling", parse_bool),
            "household_size": cell("household_size", parse_household_size),
            "assessed_income": cell("assessed_income", parse_amount),
            "is_pension_age_household": cell("is_pension_age_household", parse_bool),
            "assets": cell("assets", parse_amount, optional=True),
            "exception_reason": cell("exception_reason", exception_cell, optional=True) or "",
        }
        if row_errors:
            errors.extend(row_errors)
            continue
        household = HouseholdFacts(
            household_size=values.pop("household_size"),
            assessed_income=values.pop("assessed_income"),
            is_pension_age_household=values.pop("is_pension_age_household"),
            assets=values.pop("assets"),
        )
        lettings.append(Letting(letting_id=letting_id, household=household, **values))
    if row_count == 0:
        errors.append(f"{name}: no lettings (only a header)")
    if errors:
        return LettingsFile((), tuple(errors))
    return LettingsFile(tuple(lettings), ())


class _Cells:
    """One CSV row's cells, parsed one by one; problems collect in `errors` instead of stopping the row."""

    def __init__(self, file_name: str, row_number: int, values: dict[str, str]):
        self.file_name, self.row_number, self.values = file_name, row_number, values
        self.errors: list[str] = []

    def get(self, column: str, parser, *, optional: bool = False):
        raw = self.values.get(column, "")
        if raw == "":
            if not optional:
                self.errors.append(f"{self.file_name} row {self.row_number}, {column}: empty")
            return None
        try:
            return parser(raw)
        except argparse.ArgumentTypeError as exc:
            self.errors.append(f"{self.file_name} row {self.row_number}, {column}: {exc}")
            return None


def text_cell(raw: str) -> str:
    return raw


def exception_cell(raw: str) -> str:
    if raw not in EXCEPTION_REASONS:
        raise argparse.ArgumentTypeError(f"unknown exception reason {raw!r} (one of: {', '.join(EXCEPTION_REASONS)})")
    return raw


# --- entry points --------------------------------------------------------------------------------------------


def run_rules(options: argparse.Namespace, sets: tuple[ParameterSet, ...] | None = None) -> tuple[int, str]:
    """Execute parsed `rules` options with `sets` (default: the built-in parameter table)."""
    try:
        params = set_in_force(builtin_parameter_sets() if sets is None else sets, options.date)
    except LookupError as exc:
        return EXIT_BAD_INPUT, f"error: {exc}"
    try:
        document = show_json(params) if options.action == "show" else check_json(options, params)
    except (BadInput, ValueError) as exc:
        return EXIT_BAD_INPUT, f"error: {exc}"
    return EXIT_OK, _dump(document)


def run_compliance(
    options: argparse.Namespace,
    lettings: tuple[Letting, ...] | None = None,
    *,
    sets: tuple[ParameterSet, ...] | None = None,
    performance_agreements: frozenset[str] = frozenset(),
) -> tuple[int, str]:
    """Execute parsed `compliance` options for a lettings file (or `lettings` read elsewhere).

    Args:
        options: the parsed arguments.
        lettings: lettings read elsewhere; default: read `--lettings`.
        sets: the parameter sets; default the built-in table.
        performance_agreements: CBS codes with a recorded performance agreement, besides `--performance-agreement`.
    """
    if lettings is None:
        if options.lettings is None:
            if getattr(options, "corporation", None):
                return EXIT_BAD_INPUT, f"error: {DATABASE_NEEDS_COMMAND}"
            return EXIT_BAD_INPUT, f"error: {NO_LETTINGS_SOURCE}"
        read = read_lettings_csv(options.lettings)
        if read.unreadable:
            return EXIT_BAD_INPUT, f"error: {read.errors[0]}"
        if read.errors:
            listing = "\n".join(f"  {e}" for e in read.errors)
            return (
                EXIT_BAD_INPUT,
                f"error: {options.lettings} refused, nothing computed ({len(read.errors)} errors):\n{listing}",
            )
        lettings = read.lettings
    try:
        report = compliance_for_year(
            lettings,
            options.year,
            parameter_sets=builtin_parameter_sets() if sets is None else sets,
            # An agreement named on the command line raises the free room to the legal maximum.
            agreed_free_shares=dict.fromkeys(frozenset(options.performance_agreement) | performance_agreements),
            municipalities=frozenset({options.municipality}) if options.municipality else None,
        )
    except LookupError as exc:
        return EXIT_BAD_INPUT, f"error: {exc}"
    return EXIT_OK, _dump(report_json(report))


def rules_main(argv: list[str]) -> tuple[int, str]:
    """`buurtbalans rules ...` with the arguments after `rules`."""
    try:
        parsed = _parse("buurtbalans rules", add_rules_arguments, argv)
    except BadInput as exc:
        return EXIT_BAD_INPUT, f"error: {exc}"
    if isinstance(parsed, str):
        return EXIT_OK, parsed
    return run_rules(parsed)


def compliance_main(argv: list[str]) -> tuple[int, str]:
    """`buurtbalans compliance ...` with the arguments after `compliance`."""
    try:
        parsed = _parse("buurtbalans compliance", add_compliance_arguments, argv)
    except BadInput as exc:
        return EXIT_BAD_INPUT, f"error: {exc}"
    if isinstance(parsed, str):
        return EXIT_OK, parsed
    return run_compliance(parsed)
