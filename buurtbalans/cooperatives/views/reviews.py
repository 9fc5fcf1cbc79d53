"""The corporation's judgement: a verdict per commitment and ended period, and the escalation steps after it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from buurtbalans.cooperatives import selectors, services
from buurtbalans.cooperatives.forms import EscalationForm, ReviewForm
from buurtbalans.cooperatives.models import cooperative_scope
from buurtbalans.cooperatives.views.common import check_year, form_view, page_context
from buurtbalans.core.permissions import Action, can, require


@require_http_methods(["GET", "POST"])
def review_year(request, pk: int, year: int):
    """Per commitment and review period of `year`: the log's figures, the suggestion and the corporation's verdict."""
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    today = timezone.localdate()
    check_year(year, today)
    if cooperative_scope(user).is_board and request.method == "POST":
        require(user, Action.REVIEW_COOPERATIVES)
    may_review = can(user, Action.REVIEW_COOPERATIVES)
    if request.method == "POST":
        services.require_staff(user, cooperative, Action.REVIEW_COOPERATIVES)
        if _review_saved(request, cooperative, today):
            return redirect("cooperative_reviews", pk=cooperative.pk, year=year)
    return render(
        request,
        "cooperatives/review_year.html",
        page_context(
            request,
            cooperative,
            year=year,
            rows=_review_rows(user, cooperative, year, today, may_review),
            may_review=may_review,
            years=[y for y in selectors.activity_years(user, cooperative, today) if y <= today.year],
        ),
    )


def _review_saved(request, cooperative, today) -> bool:
    """Save the posted verdict; a refusal or an incomplete form is said in a message (the page shows all periods)."""
    user = request.user
    posted = ReviewForm(request.POST)
    if not posted.is_valid():
        messages.error(request, _("Choose a verdict."))
        return False
    commitment = selectors.commitment_get(user, posted.cleaned_data["commitment"])
    if commitment.agreement.cooperative_id != cooperative.pk:
        raise Http404
    try:
        services.commitment_review(
            actor=user,
            commitment=commitment,
            period_label=posted.cleaned_data["period"],
            verdict=posted.cleaned_data["verdict"],
            notes=posted.cleaned_data["notes"],
            follow_up=posted.cleaned_data["follow_up"],
            today=today,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, _("The review has been saved."))
    return True


def _review_rows(user, cooperative, year: int, today, may_review: bool) -> list[tuple]:
    """(figures of a commitment, one of its periods, a form for the verdict when it may be given now) per period."""
    rows = []
    for item in selectors.cooperative_year_figures(user, cooperative, year, today=today):
        for period in item.periods:
            form = None
            if may_review and period.is_ended:
                initial = {
                    "commitment": item.commitment.pk,
                    "period": period.period.label,
                    "verdict": period.review.verdict if period.review else period.suggested.value,
                    "notes": period.review.notes if period.review else "",
                    "follow_up": period.review.follow_up if period.review else "",
                }
                form = ReviewForm(initial=initial, prefix=f"c{item.commitment.pk}-{period.period.label}")
            rows.append((item, period, form))
    return rows


@require_http_methods(["GET", "POST"])
def escalation_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.REVIEW_COOPERATIVES)
    form = EscalationForm(request.POST or None, cooperative=cooperative, initial={"decided_on": timezone.localdate()})
    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=lambda: services.escalation_record(
            actor=request.user, cooperative=cooperative, data=form.data_for_service()
        ),
        saved=_("The escalation step has been recorded."),
        title=_("Record an escalation step"),
        intro=_(
            "Steps: a conversation, a written notice, an improvement plan, the corporation takes "
            "over a task, notice to end the management agreement. Steps cannot be removed."
        ),
        submit=_("Record"),
    )
