"""What the steering screens say, in the user's language: figures under the small-cell rule, the answer to "is
there room for a vulnerable household?", why a vacancy got its label, and why a plan could not be made.

Small-cell rule (privacy): for users who may not read vulnerability markers or single households (policy
analysts, administrators), a count of fewer than 5 households, and the share computed from it, is shown as
"< 5"; so is a share expected after a plan that stands for fewer than 5 households (the rule and the number
formats are in core.figures, which every screen showing figures about households shares).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buurtbalans.core.figures import (
    Cell,
    euro,
    percent,
    points,
    small_share_text,
)
from buurtbalans.rules.labels import parameter_label
from buurtbalans.steering.mix import ROOM_MARGIN, MixRow, Room, RoomAnswer, room_for_vulnerable
from buurtbalans.steering.models import Label

# --- room for a vulnerable household -------------------------------------------------------------------------

ROOM_HEADLINES = {
    RoomAnswer.YES: lambda: _("Yes, there is room for a vulnerable household."),
    RoomAnswer.NO: lambda: _("No, there is no room for a vulnerable household."),
    RoomAnswer.BORDERLINE: lambda: _("Borderline: there is little room for a vulnerable household."),
}


def room_label(answer: str) -> str:
    return {RoomAnswer.YES: _("Yes"), RoomAnswer.NO: _("No"), RoomAnswer.BORDERLINE: _("Borderline")}[answer]


def room_reasons(room: Room, *, protected: bool) -> list[str]:
    """The answer and its reasons, one sentence each: current share against the maximum, what one more vulnerable
    household would do, and the recent inflow."""
    maximum = percent(room.max_share)
    now = Cell(room.vulnerable, room.households, protected)
    lines = [ROOM_HEADLINES[room.answer]()]
    if "max_zero" in room.grounds:
        lines.append(_("The profile of this complex allows no households with a vulnerability marker."))
        return lines
    if room.households == 0:
        lines.append(
            _("Nobody lives in this complex now. The maximum share with a vulnerability marker is %(max)s.")
            % {"max": maximum}
        )
    elif now.is_suppressed:
        lines.append(
            _(
                "Now fewer than 5 of the %(households)s households have a vulnerability marker. "
                "The maximum for this complex is %(max)s."
            )
            % {"households": room.households, "max": maximum}
        )
    else:
        lines.append(
            _(
                "Now %(count)s of the %(households)s households have a vulnerability marker (%(share)s). "
                "The maximum for this complex is %(max)s."
            )
            % {"count": room.vulnerable, "households": room.households, "share": now.share_text, "max": maximum}
        )
    if "at_max" not in room.grounds:
        after = room.share_after_one
        if now.is_suppressed:
            # The share after one more would give the count away.
            if after > float(room.max_share):
                lines.append(_("With one more vulnerable household the complex would go over its maximum."))
            else:
                lines.append(_("With one more vulnerable household the complex would stay within its maximum."))
        elif after > float(room.max_share):
            lines.append(
                _("With one more vulnerable household the share would be %(after)s: over the maximum.")
                % {"after": percent(after)}
            )
        elif "close_to_max" in room.grounds:
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
    inflow = room.inflow
    if inflow.lettings == 0:
        lines.append(_("There were no lettings in this complex in the last five years."))
    else:
        cell = Cell(inflow.vulnerable, inflow.lettings, protected)
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
        line = text % {"n": inflow.lettings, "k": inflow.vulnerable, "share": cell.share_text}
        if "inflow_high" in room.grounds:
            line += " " + _("That is more than the maximum: recent lettings raise the share.")
        lines.append(line)
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
        "excess_points": points(row.excess),
        "mix_deviation": percent(row.mix_deviation, 0) if row.mix_deviation is not None else "–",
    }
    if with_room:
        room = room_for_vulnerable(row)
        view["room"] = room
        view["room_label"] = room_label(room.answer)
        view["room_reasons"] = room_reasons(room, protected=protected)
    return view
