"""The home page (`/`): for each role the work that waits for it, with counts and links (issue 14 item 1).

Every app offers its part as `<app>.worklist.work_items(user, *, today)` (`core.worklist`); the page asks them in
the order below and shows first what waits, then what is done. The stock overview that used to be the home page
is one click away (`/stock/`), and so are the places of roles whose work is not counted (a privacy officer's
requests, the auditor's log).
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from buurtbalans.accountability import worklist as accountability_work
from buurtbalans.allocation import worklist as allocation_work
from buurtbalans.cooperatives import worklist as cooperatives_work
from buurtbalans.core import worklist as core_work
from buurtbalans.core.permissions import Action, can
from buurtbalans.core.worklist import WorkItem
from buurtbalans.liveability import worklist as liveability_work
from buurtbalans.placements import worklist as placements_work
from buurtbalans.rules import worklist as rules_work
from buurtbalans.simulation import worklist as simulation_work
from buurtbalans.steering import worklist as steering_work

# The order on the page: letting first (people wait for an answer), then the neighbourhoods, then administration.
WORK = (allocation_work, steering_work, placements_work, accountability_work, liveability_work, cooperatives_work,
        rules_work, simulation_work, core_work)


def places(user) -> list[WorkItem]:
    """Where each role's screens start, as links without a count (the nav has them too, this names them)."""
    links = [
        (Action.VIEW_AGGREGATES, "stock", _("Overview of our stock"), "stock_overview",
         _("Dwellings, households and the mix per complex.")),
        (Action.VIEW_MONITOR, "monitor", _("Liveability monitor"), "monitor_overview",
         _("Vitality per complex and neighbourhood.")),
        (Action.VIEW_ALLOCATION, "allocation", _("Allocation rounds"), "allocation_round_list",
         _("Listings, bids, rounds and letters.")),
        (Action.EXPORT_SUBJECT_DATA, "privacy", _("Requests from households"), "privacy_home",
         _("Look up a household, download everything about it or erase it.")),
        (Action.VIEW_AUDIT, "audit", _("Audit log"), "audit_log",
         _("Who read or changed personal data, and when.")),
        (Action.COOPERATIVE_PORTAL, "portal", _("Our cooperative"), "cooperative_portal",
         _("The activity log and the yearly account.")),
        (Action.MANAGE_SHARED_PARAMETERS, "legal", _("Legal values"), "rules_parameters",
         _("The limits and amounts every corporation uses.")),
    ]
    return [WorkItem(key, title, reverse(name), None, text) for action, key, title, name, text in links
            if can(user, action)]


@require_GET
def home(request):
    """What waits for the signed-in user, and where their screens start."""
    user = request.user
    today = timezone.localdate()
    items = [item for app in WORK for item in app.work_items(user, today=today)]
    waiting = sorted((i for i in items if i.is_waiting), key=lambda i: not i.urgent)  # urgent first, stable
    return render(request, "screens/home.html", {
        "nav": "home",
        "today": today,
        "waiting": waiting,
        "done": [i for i in items if not i.is_waiting],
        "places": places(user),
    })
