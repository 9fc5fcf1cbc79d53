"""The activity log: the board logs what the cooperative did; the commitments are measured against it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.cooperatives import selectors, services
from buurtbalans.cooperatives.forms import ActivityForm
from buurtbalans.cooperatives.models import cooperative_scope
from buurtbalans.cooperatives.tables import activity_columns
from buurtbalans.cooperatives.views.common import file_response, form_view, page_context, requested_year
from buurtbalans.core.exports import export_response, requested_format
from buurtbalans.core.pagination import paginate

ACTIVITIES_PER_PAGE = 50


def _log_url(cooperative_id: int, day) -> str:
    """The log of the year of `day`: where an added, changed or removed entry is seen (or missed)."""
    return f"{reverse('cooperative_activities', args=[cooperative_id])}?year={day.year}"


@require_GET
def activity_list(request, pk: int):
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    today = timezone.localdate()
    year = requested_year(request, today.year)
    activities = selectors.activity_list(user, cooperative, year=year)
    export_format = requested_format(request)
    if export_format:
        return export_response(
            export_format=export_format,
            name=f"{cooperative.name}-activities-{year}",
            columns=activity_columns(),
            rows=activities.iterator(chunk_size=500),
        )
    page = paginate(request, activities, per_page=ACTIVITIES_PER_PAGE)
    scope = cooperative_scope(user)
    return render(
        request,
        "cooperatives/activity_list.html",
        page_context(
            request,
            cooperative,
            year=year,
            years=selectors.activity_years(user, cooperative, today),
            page=page,
            may_log=scope is not None and scope.cooperative_id == cooperative.pk,
        ),
    )


@require_http_methods(["GET", "POST"])
def activity_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_board(request.user, cooperative)
    today = timezone.localdate()
    form = ActivityForm(request.POST or None, request.FILES or None, cooperative=cooperative, initial={"day": today})
    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=lambda: services.activity_record(
            actor=request.user,
            cooperative=cooperative,
            data=form.data_for_service(),
            upload=form.cleaned_data.get("file"),
            today=today,
        ),
        saved=_("The activity has been added to the log."),
        next_url=lambda activity: _log_url(cooperative.pk, activity.day),
        title=_("Log an activity"),
        intro=_("What happened, for which agreement, and how many people took part."),
        submit=_("Add to the log"),
        back=reverse("cooperative_activities", args=[cooperative.pk]),
        multipart=True,
    )


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    activity = selectors.activity_get(request.user, pk)
    cooperative = activity.cooperative
    services.require_board(request.user, cooperative)
    today = timezone.localdate()
    form = ActivityForm(request.POST or None, request.FILES or None, cooperative=cooperative, instance=activity)
    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=lambda: services.activity_update(
            actor=request.user,
            activity=activity,
            data=form.data_for_service(),
            upload=form.cleaned_data.get("file"),
            remove_file=form.cleaned_data.get("remove_file", False),
            today=today,
        ),
        saved=_("The activity has been changed."),
        next_url=lambda changed: _log_url(cooperative.pk, changed.day),
        title=_("Change an activity"),
        submit=_("Save"),
        back=reverse("cooperative_activities", args=[cooperative.pk]),
        multipart=True,
    )


@require_POST
def activity_delete(request, pk: int):
    activity = selectors.activity_get(request.user, pk)
    try:
        services.activity_delete(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The activity has been removed from the log."))
    return redirect(_log_url(activity.cooperative_id, activity.day))


@require_GET
def activity_file(request, pk: int):
    return file_response(selectors.activity_get(request.user, pk))
