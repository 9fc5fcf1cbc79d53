"""The yearly report per cooperative and commitment (command `cooperative_report`): target, realised, review.

Read for a corporation (or all of them), not for a user: the command runs on the server by an operator. The figures
come from `selectors.year_figures_for`, the same function the screens use.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from buurtbalans.cooperatives.models import HousingCooperative
from buurtbalans.cooperatives.selectors import year_figures_for

CSV_COLUMNS = (
    "corporation",
    "cooperative",
    "kvk_number",
    "commitment_id",
    "theme",
    "description",
    "counted",
    "target",
    "realised",
    "review_status",
    "reviews",
)


@dataclass(frozen=True)
class ReportRow:
    corporation: str
    cooperative: str
    kvk_number: str
    commitment_id: int
    theme: str
    description: str
    counted: str
    target: int
    realised: int
    review_status: str
    periods: tuple[dict, ...]


def report_rows(year: int, corporation=None) -> list[ReportRow]:
    """One row per cooperative and commitment that runs in `year`, ordered by corporation, cooperative, theme."""
    cooperatives = HousingCooperative.objects.select_related("corporation").order_by("corporation__code", "name", "pk")
    if corporation is not None:
        cooperatives = cooperatives.filter(corporation=corporation)
    cooperatives = list(cooperatives)
    figures = year_figures_for([c.pk for c in cooperatives], year)
    rows = []
    for cooperative in cooperatives:
        for item in figures.get(cooperative.pk, []):
            commitment = item.commitment
            rows.append(
                ReportRow(
                    corporation=cooperative.corporation.code,
                    cooperative=cooperative.name,
                    kvk_number=cooperative.kvk_number,
                    commitment_id=commitment.pk,
                    theme=commitment.theme,
                    description=commitment.description,
                    counted=commitment.target_kind,
                    target=item.target,
                    realised=item.realised,
                    review_status=item.status,
                    periods=tuple(
                        {
                            "period": p.period.label,
                            "target": p.target,
                            "realised": p.realised,
                            "verdict": p.review.verdict if p.review else None,
                        }
                        for p in item.periods
                    ),
                )
            )
    return rows


def report_json(year: int, rows: list[ReportRow]) -> str:
    cooperatives: list[dict] = []
    for row in rows:
        if not cooperatives or (cooperatives[-1]["corporation"], cooperatives[-1]["cooperative"]) != (
            row.corporation,
            row.cooperative,
        ):
            cooperatives.append(
                {
                    "corporation": row.corporation,
                    "cooperative": row.cooperative,
                    "kvk_number": row.kvk_number,
                    "commitments": [],
                }
            )
        cooperatives[-1]["commitments"].append(
            {
                "id": row.commitment_id,
                "theme": row.theme,
                "description": row.description,
                "counted": row.counted,
                "target": row.target,
                "realised": row.realised,
                "review_status": row.review_status,
                "periods": list(row.periods),
            }
        )
    return json.dumps({"year": year, "cooperatives": cooperatives}, indent=2, ensure_ascii=False)


def report_csv(rows: list[ReportRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        reviews = "; ".join(f"{p['period']}={p['verdict'] or 'not_reviewed'}" for p in row.periods)
        writer.writerow(
            [
                row.corporation,
                row.cooperative,
                row.kvk_number,
                row.commitment_id,
                row.theme,
                row.description,
                row.counted,
                row.target,
                row.realised,
                row.review_status,
                reviews,
            ]
        )
    return buffer.getvalue()
