"""What the steering screens say, in the user's language: figures under the small-cell rule, the answer to "is
there room for a vulnerable household?", why a vacancy got its label, and why a plan could not be made.

Small-cell rule (privacy): for users who may not read vulnerability markers (policy analysts, administrators), a
count of fewer than 5 households is shown as "< 5" and its share rounded to 5 (or 10) percentage points, or "< 5"
in a very small complex; a share expected after a plan that stands for fewer than 5 households likewise (the rule
and the number formats are in core.figures, which every screen showing figures about households shares).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buurtbalans.core.figures import (
    ROUNDED_MARK,
    SMALL_CELL_TEXT,
    Cell,
    euro,
    percent,
    points,
    small_share_text,
)
from buurtbalans.rules.labels import parameter_label
from buurtbalans.steering.mix import (
    BORDERLINE_GROUNDS,
    NO_GROUNDS,
    ROOM_MARGIN,
    Measure,
    MeasureCheck,
    MixRow,
    Room,
    RoomAnswer,
    room_for_vulnerable,
)
from buurtbalans.steering.models import Label

# --- room for a vulnerable household -------------------------------------------------------------------------


def room_label(answer: str) -> str:
    return {RoomAnswer.YES: _("Yes"), RoomAnswer.NO: _("No"), RoomAnswer.BORDERLINE: _("Borderline")}[answer]


def measure_name(measure: str) -> str:
    return {
        Measure.VULNERABLE: _("the share with a vulnerability marker"),
        Measure.PRIMARY: _("the share of the lowest incomes"),
    }[measure]


def _binding_text(check: MeasureCheck, *, protected: bool) -> str:
    """Why this measure decides the answer, in a clause: its share (as this user may see it) and the maximum."""
    values = {"measure": measure_name(check.measure), "max": percent(check.maximum)}
    now = Cell(check.count, check.households, protected)
    ground = next(g for g in (*NO_GROUNDS, *BORDERLINE_GROUNDS) if g in check.grounds)
    if ground == "max_zero":
        if check.measure == Measure.VULNERABLE:
            return _("the profile allows no households with a vulnerability marker")
        return _("the profile allows no households with the lowest incomes")
    if ground == "at_max":
        if now.is_suppressed and not now.is_rounded:
            return _("%(measure)s is at or above the %(max)s the profile allows") % values
        return _("%(measure)s is %(share)s, the profile allows %(max)s") % {**values, "share": now.share_text}
    if ground in ("one_more_over", "close_to_max"):
        if now.is_suppressed:  # the share after one more would give the count away
            if ground == "one_more_over":
                return _("with one more, %(measure)s would go over the %(max)s the profile allows") % values
            return _("with one more, %(measure)s would come close to the %(max)s the profile allows") % values
        values["after"] = percent(check.share_after_one)
        if ground == "one_more_over":
            return _("with one more, %(measure)s would be %(after)s, the profile allows %(max)s") % values
        return _("with one more, %(measure)s would be %(after)s, close to the %(max)s the profile allows") % values
    return _("recent lettings brought %(measure)s above the %(max)s the profile allows") % values


def room_headline(room: Room, *, protected: bool) -> str:
    """The answer, naming the measure (or measures) that decide it: "No: the share of the lowest incomes is
    95.0%, the profile allows 60.0%."."""
    if room.answer == RoomAnswer.YES:
        return _("Yes, there is room for a vulnerable household: the complex stays within every limit of its profile.")
    clauses = "; ".join(_binding_text(room.check(m), protected=protected) for m in room.binding)
    if room.answer == RoomAnswer.NO:
        return _("No, there is no room for a vulnerable household: %(reasons)s.") % {"reasons": clauses}
    return _("Borderline, there is little room for a vulnerable household: %(reasons)s.") % {"reasons": clauses}


def _vulnerable_lines(room: Room, check: MeasureCheck, *, protected: bool) -> list[str]:
    maximum = percent(check.maximum)
    now = Cell(check.count, check.households, protected)
    lines = []
    if "max_zero" in check.grounds:
        return [_("The profile of this complex allows no households with a vulnerability marker.")]
    if check.households == 0:
        lines.append(
            _("Nobody lives in this complex now. The maximum share with a vulnerability marker is %(max)s.")
            % {"max": maximum}
        )
    elif now.is_rounded:
        lines.append(
            _(
                "Now fewer than 5 of the %(households)s households have a vulnerability marker (rounded: %(share)s). "
                "The maximum for this complex is %(max)s."
            )
            % {"households": check.households, "share": now.share_text, "max": maximum}
        )
    elif now.is_suppressed:
        lines.append(
            _(
                "Now fewer than 5 of the %(households)s households have a vulnerability marker. "
                "The maximum for this complex is %(max)s."
            )
            % {"households": check.households, "max": maximum}
        )
    else:
        lines.append(
            _(
                "Now %(count)s of the %(households)s households have a vulnerability marker (%(share)s). "
                "The maximum for this complex is %(max)s."
            )
            % {"count": check.count, "households": check.households, "share": now.share_text, "max": maximum}
        )
    if "at_max" not in check.grounds:
        after = check.share_after_one
        if now.is_suppressed:
            # The share after one more would give the count away.
            if after > float(check.maximum):
                lines.append(_("With one more vulnerable household the complex would go over its maximum."))
            else:
                lines.append(_("With one more vulnerable household the complex would stay within its maximum."))
        elif after > float(check.maximum):
            lines.append(
                _("With one more vulnerable household the share would be %(after)s: over the maximum.")
                % {"after": percent(after)}
            )
        elif "close_to_max" in check.grounds:
            lines.append(
                _(
                    "With one more vulnerable household the share would be %(after)s: less than %(margin)s points "
                    "below the maximum."
                )
                % {"after": percent(after), "margin": points(ROOM_MARGIN, 0)}
            )
        else:
            lines.append(
                _("With one more vulnerable household the share would be %(after)s: still within the maximum.")
                % {"after": percent(after)}
            )
    return lines


def _primary_lines(check: MeasureCheck, *, protected: bool) -> list[str]:
    """The lowest incomes: the share now against the maximum, and with one more (a placement almost always has
    one of the lowest incomes)."""
    if check.households == 0:
        return [_("The maximum share of the lowest incomes is %(max)s.") % {"max": percent(check.maximum)}]
    now = Cell(check.count, check.households, protected)
    values = {"households": check.households, "max": percent(check.maximum)}
    if now.is_suppressed:
        line = _("Fewer than 5 of the %(households)s households have one of the lowest incomes (%(share)s); the "
                 "maximum is %(max)s.") % {**values, "share": now.share_text}
    else:
        line = _("%(count)s of the %(households)s households have one of the lowest incomes (%(share)s); the maximum "
                 "is %(max)s.") % {**values, "count": check.count, "share": now.share_text}
    if "at_max" not in check.grounds and "max_zero" not in check.grounds and not now.is_suppressed:
        line += " " + _("With one more it would be %(after)s.") % {"after": percent(check.share_after_one)}
    return [line]


def _inflow_line(room: Room, check: MeasureCheck, *, protected: bool) -> str:
    inflow = room.inflow
    cell = Cell(check.inflow_count, inflow.lettings, protected)
    values = {"n": inflow.lettings, "k": check.inflow_count, "share": cell.share_text}
    if check.measure == Measure.VULNERABLE:
        if cell.is_suppressed:
            text = ngettext(
                "Of the last letting, fewer than 5 went to a household with a vulnerability marker.",
                "Of the last %(n)s lettings, fewer than 5 went to a household with a vulnerability marker.",
                inflow.lettings,
            )
        else:
            text = ngettext(
                "Of the last letting, %(k)s went to a household with a vulnerability marker (%(share)s).",
                "Of the last %(n)s lettings, %(k)s went to a household with a vulnerability marker (%(share)s).",
                inflow.lettings,
            )
        line = text % values
        if "inflow_high" in check.grounds:
            line += " " + _("That is more than the maximum: recent lettings raise the share.")
        return line
    if cell.is_suppressed:
        text = _("Recent lettings (%(n)s): fewer than 5 went to a household with one of the lowest incomes.")
    else:
        text = _("Recent lettings (%(n)s): %(k)s went to a household with one of the lowest incomes (%(share)s).")
    line = text % values
    if "inflow_high" in check.grounds:
        line += " " + _("That is more than the maximum of the lowest incomes: recent lettings raise that share.")
    return line


def room_reasons(room: Room, *, protected: bool) -> list[str]:
    """The answer naming the measure that decides it, then its reasons, one sentence each: per limit of the profile
    the share now against the maximum and what one more placement would do, and the recent inflow."""
    vulnerable, primary = room.check(Measure.VULNERABLE), room.check(Measure.PRIMARY)
    lines = [room_headline(room, protected=protected)]
    lines += _vulnerable_lines(room, vulnerable, protected=protected)
    lines += _primary_lines(primary, protected=protected)
    if room.inflow.lettings == 0:
        lines.append(_("There were no lettings in this complex in the last five years."))
    else:
        lines.append(_inflow_line(room, vulnerable, protected=protected))
        lines.append(_inflow_line(room, primary, protected=protected))
    return lines


# --- why a vacancy got its label -----------------------------------------------------------------------------


def label_name(label: str) -> str:
    return str(Label(label).label)


def cap_text(cap_name: str, cap) -> str:
    """The applicable rent cap in words, with its amount."""
    if cap_name == "allowance_cap_high":
        return _("the high rent cap %(cap)s (households of 3 or more)") % {"cap": euro(cap)}
    return _("the low rent cap %(cap)s") % {"cap": euro(cap)}


def _cap_text(proposal) -> str:
    return cap_text(proposal.cap_name, proposal.cap)


def _ceiling_text(proposal) -> str:
    if proposal.is_daeb and (proposal.max_base_rent is None or proposal.ceiling < proposal.max_base_rent):
        return _("the DAEB rent limit")
    return _("the legal maximum from the WWS points")


def vulnerable_text(pc, *, protected: bool) -> str:
    now = Cell(pc.vulnerable, pc.households, protected)
    values = {
        "now": now.share_text,
        "after": small_share_text(pc.projected_vulnerable_share, pc.households, protected),
        "max": percent(pc.target_vulnerable_max_share),
    }
    return _("vulnerable households %(now)s now, %(after)s after the plan, maximum %(max)s") % values


def primary_text(pc, *, protected: bool) -> str:
    now = Cell(pc.primary, pc.households, protected)
    values = {
        "now": now.share_text,
        "after": small_share_text(pc.projected_primary_share, pc.households, protected),
        "max": percent(pc.target_primary_max_share),
    }
    return _("lowest incomes %(now)s now, %(after)s after the plan, maximum %(max)s") % values


def label_reason(proposal, pc, *, protected: bool, label: str | None = None) -> str:
    """Why the plan gave this vacancy its label, and its rent, in plain language."""
    label = label or proposal.label
    vulnerable = vulnerable_text(pc, protected=protected)
    primary = primary_text(pc, protected=protected)
    within = (
        pc.projected_vulnerable_share <= pc.target_vulnerable_max_share
        and pc.projected_primary_share <= pc.target_primary_max_share
    )
    if label == Label.ABOVE_CAP:
        return _(
            "Let above %(cap)s at %(rent)s (%(ceiling)s), to a household with a slightly higher income. This lowers "
            "the share of the lowest incomes in the complex (%(primary)s). One dwelling fewer for the lowest incomes."
        ) % {
            "cap": _cap_text(proposal),
            "rent": euro(proposal.above_cap_rent),
            "ceiling": _ceiling_text(proposal),
            "primary": primary,
        }
    if label == Label.RESERVED_VULNERABLE:
        if pc.projected_vulnerable_share <= pc.target_vulnerable_max_share:
            why = _("For a placement (a household placed with support): the complex has room (%(vulnerable)s).")
        else:
            why = _(
                "For a placement (a household placed with support), to reach the minimum number of placements. "
                "The complex goes over its maximum, but here it adds least to the excess (%(vulnerable)s)."
            )
        why %= {"vulnerable": vulnerable}
    elif label == Label.NO_VULNERABLE:
        why = _(
            "Not used for a placement or an urgency allocation: with an open letting the complex would go (further) "
            "over its maximum (%(vulnerable)s). Anyone may react; nobody is excluded because of a marker."
        ) % {"vulnerable": vulnerable}
    elif within:
        why = _("Open to all: the complex stays within its limits (%(vulnerable)s; %(primary)s).") % {
            "vulnerable": vulnerable,
            "primary": primary,
        }
    else:
        why = _(
            "Open to all: within the rules of the plan no other label brings the complex closer to its limits "
            "(%(vulnerable)s; %(primary)s)."
        ) % {"vulnerable": vulnerable, "primary": primary}
    rent = proposal.affordable_rent
    if rent < proposal.current_rent:
        limit = _ceiling_text(proposal) if rent < proposal.cap else _cap_text(proposal)
        why += " " + _("Rent lowered from %(old)s to %(new)s: %(limit)s.") % {
            "old": euro(proposal.current_rent),
            "new": euro(rent),
            "limit": limit,
        }
    else:
        why += " " + _("Rent stays %(rent)s, at or below %(cap)s.") % {"rent": euro(rent), "cap": _cap_text(proposal)}
    if proposal.max_base_rent is None:
        why += " " + _("No legal maximum rent is known (no WWS points), so this dwelling is not let above the cap.")
    return why


# --- why no plan was made ------------------------------------------------------------------------------------


def plan_problem(plan) -> str:
    """Why a plan could not be made, in words an analyst can act on."""
    code = plan.problem_code
    if code == "parameter_missing":
        names = [parameter_label(n) for n in plan.missing_parameters if n != "all"]
        if not names:
            return _("No plan was made: no legal parameters are known for %(date)s.") % {
                "date": plan.reference_date.isoformat()
            }
        return _(
            "No plan was made: the legal parameters valid on %(date)s do not give %(names)s. An administrator can "
            "fill them in on the page of legal parameters."
        ) % {"date": plan.reference_date.isoformat(), "names": "; ".join(names)}
    if code == "infeasible":
        asked = plan.policy.get("min_vulnerable_placements", 0)
        if asked > plan.vacancy_count:
            return _(
                "No plan is possible with this policy: %(asked)s placements for vulnerable households are asked, but "
                "there are only %(vacancies)s vacancies. Lower the minimum number of placements."
            ) % {"asked": asked, "vacancies": plan.vacancy_count}
        return _("No plan is possible with this policy: %(detail)s") % {"detail": plan.problem}
    if code == "no_vacancies":
        text = _("No plan was made: there are no vacant dwellings with a complex and a base rent.")
        fixed = (plan.skipped or {}).get("fixed", 0)
        if fixed:
            text += " " + ngettext(
                "%(n)s vacant dwelling is fixed (offered or let) and gets no label.",
                "%(n)s vacant dwellings are fixed (offered or let) and get no label.",
                fixed,
            ) % {"n": fixed}
        return text
    if code == "solver":
        return _(
            "The solver stopped before it found the best plan (%(detail)s). Try again, or ask an administrator."
        ) % {"detail": plan.problem}
    return _("No plan was made: %(detail)s") % {"detail": plan.problem}


# --- the mix of one complex or buurt as shown -----------------------------------------------------------------


def shown_excess(pairs) -> float | None:
    """Share points over the limits computed from the shares as this user sees them ([(Cell, maximum)]): the
    rounded share where a cell is small (the exact excess is the share minus the maximum, so it would give a small
    cell away); None where a small share is not shown at all."""
    total = 0.0
    for cell, maximum in pairs:
        share = cell.shown_share
        if share is None:
            if cell.total:
                return None
            continue
        total += max(0.0, float(share) - float(maximum))
    return total


def _excess_shown(excess: float, pairs) -> tuple[str, object]:
    """The excess as text and for a download, under the small-cell rule."""
    if not any(cell.is_suppressed for cell, _max in pairs):
        return points(excess), round(100 * excess, 2)
    shown = shown_excess(pairs)
    if shown is None:
        return SMALL_CELL_TEXT, SMALL_CELL_TEXT
    return f"{ROUNDED_MARK}{points(shown, 0)}", round(100 * shown, 2)


def _mix_deviation_shown(row: MixRow, categories: list[dict]) -> tuple[str, object]:
    """Half the summed difference from the target mix, from the category shares as shown (a small category's
    share rounded; hidden where one is not shown at all)."""
    deviation = row.mix_deviation
    if deviation is None:
        return "–", None
    if not any(c["cell"].is_suppressed for c in categories):
        return percent(deviation, 0), round(deviation, 4)
    if any(c["cell"].shown_share is None for c in categories):
        return SMALL_CELL_TEXT, SMALL_CELL_TEXT
    shown = 0.5 * sum(abs(float(c["cell"].shown_share) - float(c["target"] or 0)) for c in categories)
    return f"{ROUNDED_MARK}{percent(shown, 0)}", round(shown, 4)


def mix_view(row: MixRow, categories, protected: bool, *, with_room: bool = False) -> dict:
    """The figures of one row for a template: counts as small-cell `Cell`s, targets, distance, and the room."""
    households = row.households
    view = {
        "row": row,
        "vulnerable": Cell(row.counts.vulnerable, households, protected),
        "primary": Cell(row.counts.primary, households, protected),
        "carrying": Cell(row.counts.carrying, households, protected),
        "categories": [
            {
                "category": c,
                "cell": Cell(row.counts.categories.get(c.code, 0), households, protected),
                "target": row.profile.target_mix.get(c.code),
            }
            for c in categories
        ],
        "inflow_vulnerable": Cell(row.inflow.vulnerable, row.inflow.lettings, protected),
        "inflow_primary": Cell(row.inflow.primary, row.inflow.lettings, protected),
    }
    limits = [(view["vulnerable"], row.profile.max_vulnerable_share), (view["primary"], row.profile.max_primary_share)]
    view["excess_points"], view["excess_export"] = _excess_shown(row.excess, limits)
    view["mix_deviation"], view["mix_deviation_export"] = _mix_deviation_shown(row, view["categories"])
    if with_room:
        room = room_for_vulnerable(row)
        view["room"] = room
        view["room_label"] = room_label(room.answer)
        view["room_reasons"] = room_reasons(room, protected=protected)
    return view
