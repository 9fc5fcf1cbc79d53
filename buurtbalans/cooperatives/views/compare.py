"""How a cooperative's complexes fare next to comparable complexes of the corporation."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from buurtbalans.cooperatives import selectors
from buurtbalans.cooperatives.comparison import cooperative_comparison
from buurtbalans.cooperatives.tables import comparison_columns
from buurtbalans.cooperatives.views.common import page_context
from buurtbalans.core.exports import export_response, requested_format


@require_GET
def comparison(request, pk: int):
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    result = cooperative_comparison(user, cooperative, today=timezone.localdate())
    export_format = requested_format(request)
    if export_format:
        group_coop, group_other = _("Complexes of the cooperative"), _("Comparable complexes")
        rows = [(group_coop, f) for f in result.cooperative] + [(group_other, f) for f in result.comparable]
        return export_response(
            export_format=export_format, name=f"{cooperative.name}-comparison", columns=comparison_columns(), rows=rows
        )
    turnover = [(a.year, a.turnover_per_100, b.turnover_per_100) for a, b in result.rows]
    return render(
        request,
        "cooperatives/comparison.html",
        page_context(
            request,
            cooperative,
            result=result,
            chart=_line_chart(turnover),
        ),
    )


def _line_chart(points: list[tuple[int, float | None, float | None]], width: int = 480, height: int = 180) -> dict:
    """Coordinates of two lines (cooperative, comparable) for an inline SVG; the data table shows the figures."""
    values = [v for _year, a, b in points for v in (a, b) if v is not None]
    top = max(values + [1.0])
    left, bottom, right = 40, height - 24, width - 24
    step = (right - left) / max(len(points) - 1, 1)

    def y(value):
        return round(bottom - (bottom - 10) * value / top, 1)

    series = []
    for index in (1, 2):
        coordinates = [(round(left + i * step, 1), y(p[index])) for i, p in enumerate(points) if p[index] is not None]
        series.append(" ".join(f"{cx},{cy}" for cx, cy in coordinates))
    labels = [{"x": round(left + i * step, 1), "year": p[0]} for i, p in enumerate(points)]
    return {
        "width": width,
        "height": height,
        "cooperative": series[0],
        "comparable": series[1],
        "labels": labels,
        "top": round(top, 1),
        "bottom": bottom,
        "left": left,
        "label_y": height - 6,
    }
