"""What every cooperative screen shares: the page context, the year asked for, the form page and file downloads."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from buurtbalans.cooperatives import files
from buurtbalans.cooperatives.models import cooperative_scope
from buurtbalans.core.permissions import actions_of

FIRST_YEAR = 2000


def page_context(request, cooperative=None, **extra) -> dict:
    """The context of every cooperative page: the navigation (staff or board), the user's rights, today."""
    scope = cooperative_scope(request.user)
    today = timezone.localdate()
    return {
        "nav": "cooperative_portal" if scope is not None and scope.is_board else "cooperatives",
        "is_board": scope is not None and scope.is_board,
        "coop_rights": {a.value for a in actions_of(request.user)},
        "cooperative": cooperative,
        "today": today,
        # The year the sub-navigation's account and review links open: the page's year, else this year.
        "nav_year": extra.get("year") or today.year,
        **extra,
    }


def requested_year(request, default: int) -> int:
    """The year in the query (or the form), else `default`; 404 for a year that is no number or out of range."""
    raw = request.GET.get("year") or request.POST.get("year")
    if raw is None or raw == "":
        return default
    try:
        year = int(raw)
    except ValueError as exc:
        raise Http404 from exc
    if not FIRST_YEAR <= year <= default + 1:
        raise Http404
    return year


def check_year(year: int, today) -> None:
    """A year in a URL (account, reviews): from FIRST_YEAR up to this year, else 404."""
    if not FIRST_YEAR <= year <= today.year:
        raise Http404


def form_page(
    request,
    *,
    cooperative,
    form,
    title: str,
    intro: str = "",
    submit: str,
    back: str,
    status=200,
    multipart: bool = False,
):
    """The one page every cooperative form is shown on."""
    return render(
        request,
        "cooperatives/form.html",
        page_context(
            request, cooperative, form=form, title=title, intro=intro, submit=submit, back=back, multipart=multipart
        ),
        status=status,
    )


def refused(form, exc: ValidationError) -> None:
    """Show a service's refusal on the form, above its fields."""
    for message in exc.messages:
        form.add_error(None, message)


def form_view(
    request,
    *,
    cooperative,
    form,
    save: Callable[[], object],
    saved: str,
    title: str,
    submit: str,
    intro: str = "",
    back: str | None = None,
    next_url: Callable[[object], str] | None = None,
    multipart: bool = False,
):
    """Show `form`; on a valid POST call `save()` (a service), say `saved` and go to `next_url(what save returned)`.

    A refusal of the service (ValidationError) is shown on the form, which comes back with status 400, as does a
    form with errors. `back` and `next_url` default to the cooperative's page.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(request, saved)
            return redirect(next_url(result) if next_url else detail_url(cooperative))
    return form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=title,
        intro=intro,
        submit=submit,
        back=back or detail_url(cooperative),
        status=400 if form.errors else 200,
        multipart=multipart,
    )


def detail_url(cooperative) -> str:
    """The cooperative's page: where most forms return to."""
    return reverse("cooperative_detail", args=[cooperative.pk])


def file_response(row):
    """The stored file a row (document, activity, yearly account) names, as a download; 404 without one."""
    if not row.has_file:
        raise Http404
    try:
        path = files.absolute(row.file_path)
        handle = path.open("rb")
    except OSError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=row.file_name or path.name,
        content_type=files.content_type(row.file_name or path.name),
    )
