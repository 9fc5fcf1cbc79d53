"""Helpers of the parameter tests: a complete parameter file, the form as the page fills it in, confirming."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.urls import reverse

from buurtbalans.engine.parameters import VALUE_FIELDS, amount_text
from buurtbalans.rules.parameters import parameters_for

# A correction of the 2026 caps (made-up figures: the tests are about the screens, not the law).
CAPS_2026 = {
    "allowance_cap_low": ("713.57", "https://example.org/staatscourant-2025", ""),
    "allowance_cap_high": ("764.73", "https://example.org/staatscourant-2025", "checked twice"),
}


def full_file(day: str = "2026-01-01", changes: dict | None = None, *, without: tuple[str, ...] = ()) -> str:
    """A parameter file with every parameter of the set in force on `day`, with `changes` (key -> (value, source,
    note)) applied and the keys in `without` left out. An uploaded file must list every parameter of its dates."""
    params = parameters_for(date.fromisoformat(day))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["valid_from", "key", "value", "source", "note"])
    for key in VALUE_FIELDS:
        if key in without:
            continue
        value = getattr(params, key)
        current = "-" if key in params.not_applicable else ("n/f" if value is None else amount_text(value))
        text, source, note = (changes or {}).get(key, (current, params.sources.get(key, ""), params.notes.get(key, "")))
        writer.writerow([day, key, text, source, note])
    return out.getvalue()


def form_data(client, url) -> dict:
    """The form's fields as the page fills them in."""
    form = client.get(url).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def confirm(client, shown):
    """Post the confirmation page `shown` (the response that lists the change) as its button does."""
    form = shown.context["confirm"]
    return client.post(
        reverse("rules_parameter_confirm"),
        {"proposal": form["proposal"].value(), "shown": form["shown"].value()},
    )
