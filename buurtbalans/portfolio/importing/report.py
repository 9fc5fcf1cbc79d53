"""What an import found and did: the errors (file, row, column, message), counts per sheet, timings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

# The report keeps this many errors; beyond that it only counts them (a file where every cell is wrong
# would otherwise hold millions of messages).
MAX_KEPT_ERRORS = 10_000


@dataclass(frozen=True)
class ImportError:  # noqa: A001 - the name the UI and the job result use; it is a record, not an exception
    """One problem with the input, as a spreadsheet user can find it.

    `row` counts as a spreadsheet does (the header is row 1); it is None for a problem with a whole
    file or column. `column` is the header as written in the file (or our column name when missing).
    """

    file: str
    row: int | None
    column: str | None
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        values = {"file": self.file, "row": self.row, "column": self.column, "message": self.message}
        if self.row is not None and self.column:
            return _("%(file)s row %(row)s, %(column)s: %(message)s") % values
        if self.row is not None:
            return _("%(file)s row %(row)s: %(message)s") % values
        if self.column:
            return _("%(file)s, column %(column)s: %(message)s") % values
        return _("%(file)s: %(message)s") % values

    def as_dict(self) -> dict:
        return {**asdict(self), "text": str(self)}


def empty_counts() -> dict[str, int]:
    return {"new": 0, "updated": 0, "unchanged": 0}


@dataclass
class ImportReport:
    """The outcome of `portfolio_import`.

    Attributes:
        errors: the problems found (at most MAX_KEPT_ERRORS; `error_count` counts all), sorted by
            sheet, row and column.
        error_count: how many problems there were in total.
        counts: per sheet present in the input, {"new", "updated", "unchanged"} row counts (what was
            written, or for a dry run or an invalid file, what would have been).
        warnings: things that did not stop the import (an ignored column or sheet).
        columns: per sheet, the file's header -> our column name, for a preview.
        written: whether the rows were written (False for a dry run or when there were errors).
        dry_run: whether this was a dry run.
        timings: seconds per phase ("read", "check", "write", "total").
        rows_read: per sheet, how many rows the file holds (with errors or not).
        subjects: per sheet of special-category data (markers), the household codes it names, for the audit
            of a check; never part of `as_dict`.
    """

    source: str = ""
    errors: list[ImportError] = field(default_factory=list)
    error_count: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    written: bool = False
    dry_run: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)
    subjects: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return self.error_count == 0

    @property
    def rows(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def add_error(self, error: ImportError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(error)

    def shown_counts(self, hidden: tuple[str, ...] | frozenset[str] = ()) -> dict[str, dict[str, int]]:
        """The counts per sheet, with only {"rows": n} for the `hidden` sheets.

        Whether a row is new, changed or unchanged tells what is stored already: for a sheet of special-category
        data (markers) only a user who may read that data learns it.
        """
        return {
            sheet: {"rows": self.rows_read.get(sheet, sum(c.values()))} if sheet in hidden else c
            for sheet, c in self.counts.items()
        }

    def counts_line(self, hidden: tuple[str, ...] | frozenset[str] = ()) -> str:
        parts = []
        for sheet, c in self.shown_counts(hidden).items():
            if "rows" in c:
                parts.append(_("%(sheet)s %(rows)d rows read and checked") % {"sheet": sheet, **c})
            else:
                parts.append(
                    _("%(sheet)s %(new)d new, %(updated)d updated, %(unchanged)d unchanged") % {"sheet": sheet, **c}
                )
        return "; ".join(parts)

    def as_dict(self, *, max_errors: int = 500, hidden: tuple[str, ...] | frozenset[str] = ()) -> dict:
        """A JSON-ready dict (for `Job.result`), with at most `max_errors` errors listed.

        Args:
            hidden: sheets whose counts are given only as {"rows": n} (see `shown_counts`).
        """
        listed = [e.as_dict() for e in self.errors[:max_errors]]
        return {
            "source": self.source,
            "is_valid": self.is_valid,
            "written": self.written,
            "dry_run": self.dry_run,
            "error_count": self.error_count,
            "errors": listed,
            "errors_truncated": self.error_count > len(listed),
            "counts": self.shown_counts(hidden),
            "warnings": self.warnings,
            "columns": self.columns,
            "timings": {k: round(t, 3) for k, t in self.timings.items()},
        }
