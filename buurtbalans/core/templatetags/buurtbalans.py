"""Small template helpers: sortable table headers, shares, money and the export links of a table."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _grouped(value: int) -> str:
    """A whole number with the language's thousands separator ("1.234"), as floatformat(value, "0g") writes it.

    floatformat goes through Decimal and the locale machinery for every call; the complex tables call this a few
    thousand times a page, so whole numbers (counts, almost every figure) take this short way.
    """
    text = f"{abs(value):,}".replace(",", get_format("THOUSAND_SEPARATOR"))
    return f"-{text}" if value < 0 else text


@register.filter
def share(part, whole):
    """`part` as a share of `whole` ("42%"), or an en dash when the share is not computable."""
    if part is None or not whole:
        return "–"
    if type(part) is int and type(whole) is int and part >= 0 and whole > 0:
        # Rounded half up, as floatformat rounds, in integers: (100 part / whole + 1/2) floored.
        return f"{(200 * part + whole) // (2 * whole)}%"
    return f"{floatformat(100 * Decimal(part) / Decimal(whole), 0)}%"


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
    if value is None:
        return "–"
    return f"{floatformat(100 * float(value), digits)}%"


@register.filter
def euro(value, digits=0):
    """An amount in euros with thousands separators ("€ 1.234"); an en dash when unknown."""
    if value is None or value == "":
        return "–"
    return f"€\u00a0{floatformat(value, f'{digits}g')}"


@register.filter
def number(value):
    """A figure rounded to a whole number with thousands separators ("1.234"); an en dash when unknown."""
    if value is None or value == "":
        return "–"
    if type(value) is int:
        return _grouped(value)
    return floatformat(value, "0g")


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
    """Segments of a stacked bar (x, width in SVG units) for [(band, label, Cell)] rows (`core.views`)."""
    segments = []
    x = 0.0
    for band, label, cell in rows:
        count = cell.count
        part = (width * count / total) if total else 0
        segments.append({"band": band, "label": label, "count": count, "x": round(x, 2), "width": round(part, 2)})
        x += part
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
        return "–"
    decimals = read("decimals") or 0
    number_text = floatformat(value, f"{decimals}g")
    unit = str(read("unit") or "")
    if unit == "%":
        return f"{number_text}%"
    if unit == "€":
        return f"€\u00a0{number_text}"
    return f"{number_text} {unit}".strip()


@register.filter
def signed(value, digits=3):
    """A score deviation with its sign ("+0,052", "−0,031"); an en dash for None."""
    if value is None:
        return "–"
    text = floatformat(abs(value), digits)
    return f"+{text}" if value >= 0 else f"−{text}"
