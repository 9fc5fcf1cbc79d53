"""Small template helpers: sortable table headers, shares, money and the export links of a table.

Every figure filter here writes through `buurtbalans.core.formatting` (one rounding rule: half up, once, in the
reader's language), as the exports and PDF reports do.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from buurtbalans.core.formatting import (
    UNKNOWN,
    format_euro,
    format_number,
    format_percent,
    format_ratio,
    format_score,
    format_share,
    format_signed,
)
from buurtbalans.core.periods import period_display

register = template.Library()


@register.filter
def share(part, whole):
    """`part` as a share of `whole` ("42%"), or an en dash when the share is not computable."""
    return format_ratio(part, whole)


@register.filter
def cell_share(cell):
    """The share of a `steering.reasons.Cell` as `share` shows it ("42%"), or "< 5" under the small-cell rule."""
    return cell.share_text if cell.is_suppressed else share(cell.count, cell.total)


@register.filter
def cell_count(cell):
    """The count of a `steering.reasons.Cell` ("1.234"), or "< 5" under the small-cell rule."""
    return cell.count_text if cell.is_suppressed else number(cell.count)


@register.filter
def any_suppressed(rows):
    """Whether a figure of the [(band, label, Cell)] rows is hidden by the small-cell rule."""
    return any(cell.is_suppressed for _band, _label, cell in rows)


@register.filter
def percent(value, digits=0):
    """A fraction (0.42) shown as a percentage ("42%"); an en dash for None."""
    return format_share(value, int(digits))


@register.filter
def pct(value, digits=0):
    """A figure already in percent (12.5) as "12,5%" (with `digits` decimals); an en dash for None."""
    return format_percent(value, int(digits))


@register.filter
def euro(value, digits=0):
    """An amount in euros with thousands separators ("€ 1.234"); an en dash when unknown."""
    return format_euro(value, int(digits))


@register.filter
def number(value, digits=0):
    """A figure rounded half up (to `digits` places, none by default) with thousands separators ("1.234");
    an en dash when unknown."""
    return format_number(value, int(digits))


@register.filter
def score(value):
    """A vitality score as a whole number ("60" for 59.5); an en dash when unknown."""
    return format_score(value)


@register.filter
def period(code):
    """A stored period code ("2026-H1") in words ("1e helft 2026")."""
    return period_display(str(code or ""))


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def sort_header(context, label, key, current, numeric=False):
    """A <th> whose link sorts the table by `key`, announcing the current order with aria-sort.

    The first click sorts ascending (numbers: descending, the largest first is what people look for);
    clicking the current column reverses it. The page number is dropped: a new order starts on page 1.
    """
    request = context["request"]
    current_key = (current or "").lstrip("-")
    is_current = current_key == key
    is_descending = bool(current) and current.startswith("-")
    if is_current:
        next_sort = key if is_descending else f"-{key}"
        aria = ' aria-sort="descending"' if is_descending else ' aria-sort="ascending"'
    else:
        next_sort = f"-{key}" if numeric else key
        aria = ""
    query = request.GET.copy()
    query["sort"] = next_sort
    query.pop("page", None)
    query.pop("format", None)
    classes = "utrecht-table__header-cell"
    if numeric:
        classes += " utrecht-table__header-cell--numeric-column"
    arrow = ""
    if is_current:
        arrow = " ▼" if is_descending else " ▲"
    hint = _("sort")
    return format_html(
        '<th scope="col" class="{}"{}><a class="utrecht-link" href="?{}">{}<span aria-hidden="true">{}</span>'
        '<span class="bb-visually-hidden"> ({})</span></a></th>',
        classes,
        mark_safe(aria),
        query.urlencode(),
        label,
        arrow,
        hint,
    )


@register.inclusion_tag("core/_export_links.html", takes_context=True)
def export_links(context, table=None, label=None):
    """Links that download the table on this page (same view, `?format=`): first CSV for Dutch Excel (`csv-nl`: `;`,
    decimal commas), then the CSV "internationaal" (`csv`: `,`, decimal points, ISO dates, as before issue 14) and
    Excel; see `core.exports`."""
    request = context["request"]
    links = []
    for export_format, text, hint in (
        ("csv-nl", "CSV", _("for Excel in Dutch: columns split by semicolons, decimal commas")),
        ("csv", _("CSV (international)"), _("columns split by commas, decimal points, dates as yyyy-mm-dd")),
        ("xlsx", "Excel", ""),
    ):
        query = request.GET.copy()
        query["format"] = export_format
        query.pop("page", None)
        if table:
            query["table"] = table
        links.append({"href": f"?{query.urlencode()}", "text": text, "format": export_format, "hint": hint})
    return {"links": links, "label": label, "table": table}


@register.simple_tag
def band_segments(rows, total, width=400):
    """Segments of a stacked bar (x, width in SVG units) for [(band, label, Cell)] rows (`core.views`).

    Each segment runs between rounded running totals, so the segments meet without gaps or overlap and the last
    ends exactly at `width`: the bar never leaves its frame (issue 14 item 4).
    """
    segments = []
    counted = 0
    start = 0.0
    for band, label, cell in rows:
        count = cell.count
        counted += count
        end = round(width * counted / total, 2) if total else 0.0
        segments.append({"band": band, "label": label, "count": count, "x": start, "width": round(end - start, 2)})
        start = end
    return segments


@register.simple_tag
def band_cell(cell):
    """A composition cell (a `steering.reasons.Cell`): the share, with the count as a tooltip; "< 5" without one
    under the small-cell rule (the tooltip would give the count away)."""
    if cell.is_suppressed:
        return cell.share_text
    return format_html('<span title="{}">{}</span>', cell.count, share(cell.count, cell.total))


@register.simple_tag
def subject_ids_summary(event):
    """The first household codes of an audit event and how many more (an import can list 100k).

    Reads the `subject_id_<i>` / `subject_count` annotations of `core.selectors.with_subject_summary`.
    """
    count = getattr(event, "subject_count", None) or 0
    if not count:
        return "–"
    shown_ids = []
    for i in range(5):
        value = getattr(event, f"subject_id_{i}", None)
        if value is not None:
            shown_ids.append(str(value))
    shown = ", ".join(shown_ids)
    if count <= len(shown_ids):
        return shown
    return _("%(shown)s and %(more)s more") % {"shown": shown, "more": count - len(shown_ids)}


@register.filter
def indicator_value(fact):
    """A public figure with its unit and precision: "12,3%", "€ 31.400", "1.234 persons"."""
    def read(name):
        return fact.get(name) if isinstance(fact, dict) else getattr(fact, name, None)

    value = read("value")
    if value is None:
        return UNKNOWN
    decimals = read("decimals") or 0
    number_text = format_number(value, decimals)
    unit = str(read("unit") or "")
    if unit == "%":
        return f"{number_text}%"
    if unit == "€":
        return f"€\u00a0{number_text}"
    return f"{number_text} {unit}".strip()


@register.filter
def signed(value, digits=3):
    """A score deviation with its sign ("+0,052", "−0,031"); an en dash for None."""
    return format_signed(value, int(digits))
