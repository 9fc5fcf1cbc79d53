"""The banner that tells administrators which legal parameters in force are missing or only demo values.

It addresses whoever can act on it. The platform administrator (`MANAGE_SHARED_PARAMETERS`) enters the shared
values: the banner links to the form. A corporation's administrator (`MANAGE_LOCAL_PARAMETERS`) cannot change
them, but answers for the corporation's decisions: the banner says the platform administrator enters them. Other
roles see none: the decisions they make already name a missing parameter. The check is cheap: the parameter sets
are built once per process (`rules.parameters`), asking whether they changed costs one small query per request,
and the result is kept on the request, so a page that renders several templates checks once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from buurtbalans.core.permissions import Action, actions_of
from buurtbalans.engine.parameters import VALUE_FIELDS, ParameterSet, set_in_force
from buurtbalans.rules.labels import PARAMETER_ORDER, parameter_label
from buurtbalans.rules.parameters import is_demo_value, parameter_sets

_ORDER = {key: index for index, key in enumerate(PARAMETER_ORDER)}


@dataclass(frozen=True)
class ParameterNotice:
    """What is wrong with the parameters in force on `checked`.

    `valid_from` is the set in force then; None when no set starts on `checked` (1 January next year, asked in
    December, before anyone entered the new year's values).
    """

    checked: date
    valid_from: date | None
    missing: tuple[str, ...] = ()
    demo: tuple[str, ...] = ()

    @property
    def missing_labels(self) -> list[str]:
        return [parameter_label(key) for key in self.missing]

    @property
    def demo_labels(self) -> list[str]:
        return [parameter_label(key) for key in self.demo]


def _notice(params: ParameterSet, checked: date) -> ParameterNotice | None:
    missing = sorted(params.missing_parameters(), key=_ORDER.__getitem__)
    # A demo "does not exist this year" is as much a guess as a demo amount.
    demo = sorted(
        (
            name
            for name in VALUE_FIELDS
            if (getattr(params, name) is not None or name in params.not_applicable) and is_demo_value(params, name)
        ),
        key=_ORDER.__getitem__,
    )
    if not missing and not demo:
        return None
    return ParameterNotice(checked, params.valid_from, tuple(missing), tuple(demo))


def parameter_notices(sets: tuple[ParameterSet, ...], today: date) -> tuple[ParameterNotice, ...]:
    """The notices for the set in force `today` and, in December, for 1 January next year.

    Args:
        sets: the effective parameter sets (`rules.parameters.parameter_sets()`).
        today: the local date.
    """
    try:
        current = set_in_force(sets, today)
    except LookupError:
        return ()
    notices = [_notice(current, today)]
    if today.month == 12:
        new_year = date(today.year + 1, 1, 1)
        upcoming = set_in_force(sets, new_year)
        if upcoming.valid_from.year < new_year.year:
            # The yearly figures start on 1 January; without a set of their own the old year's would be used.
            notices.append(ParameterNotice(new_year, None))
        else:
            notices.append(_notice(upcoming, new_year))
    return tuple(n for n in notices if n is not None)


def parameter_banner(request) -> dict:
    """`parameter_notices` for the platform administrator (who enters the values: `parameter_notices_may_enter`)
    and for a corporation's administrator (who is told who enters them); nothing for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_parameter_notices", None)
    if cached is None:
        notices, may_enter = (), False
        rights = actions_of(user)
        if Action.MANAGE_SHARED_PARAMETERS in rights or Action.MANAGE_LOCAL_PARAMETERS in rights:
            notices = parameter_notices(parameter_sets(), timezone.localdate())
            may_enter = Action.MANAGE_SHARED_PARAMETERS in rights
        cached = request._parameter_notices = (notices, may_enter)
    return {"parameter_notices": cached[0], "parameter_notices_may_enter": cached[1]}
