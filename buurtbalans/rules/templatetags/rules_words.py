"""The legal rules in plain words on screens: a decision's reason, a parameter version without its code."""

from __future__ import annotations

import re
from datetime import date

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from buurtbalans.rules.reasons import reason_text

register = template.Library()
_VERSION = re.compile(r"^(?P<source>[a-z_]+):(?P<day>\d{4}-\d{2}-\d{2}):(?P<hash>[0-9a-f]+)$")


@register.filter
def rule_reason(check) -> str:
    """The reason of a stored check ({"reason_code", "figures", ...}) in the reader's language; "" if it has none."""
    if not isinstance(check, dict):
        return ""
    return reason_text(check.get("reason_code", ""), check.get("figures"))


@register.filter
def version_words(version) -> str:
    """A parameter version ("database:2026-01-01:5eabe4cb") in words: "the legal values from 1 January 2026"."""
    match = _VERSION.match(str(version or ""))
    if match is None:
        return _("the legal values in force")
    day = date.fromisoformat(match["day"])
    return _("the legal values from %(date)s") % {"date": date_format(day, "j F Y")}


@register.simple_tag
def version_details(*versions) -> str:
    """The version codes behind a "details" element, for whoever needs to trace a decision to its values."""
    codes = [str(v) for v in versions if v]
    if not codes:
        return ""
    return format_html(
        '<details class="bb-details"><summary>{}</summary><p class="utrecht-paragraph">{} <code>{}</code></p>'
        "</details>",
        _("Technical details"), _("Version code of the legal values:"), ", ".join(codes),
    )
