"""Steering screens: concentration per complex and buurt, vacancies with room and labels, profiles, plans, roles.

Views stay thin: they check the right, read with selectors, write through services, and render or export.
Figures about households go through the small-cell rule for users who may not read markers (`reasons.Cell`).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.figures import (
    ROUNDED_MARK,
    SMALL_CELL_TEXT,
    Cell,
    euro,
    is_protected,
    is_small_share,
    percent,
    points,
    protected_share,
    small_share_export,
    small_share_text,
)
from buurtbalans.core.jobs import job_error_message
from buurtbalans.core.models import Job
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, actions_of, can, require
from buurtbalans.rules.parameters import parameters_for
from buurtbalans.steering import mix, selectors, services
from buurtbalans.steering.estimates import NO_HISTORY_DEFAULTS, inflow_estimate
from buurtbalans.steering.forms import (
    PROBABILITY_LABELS,
    CategoryFormSet,
    ConcentrationFilterForm,
    LabelDecisionForm,
    PlanPolicyForm,
    ProfileForm,
    SteeringRoleForm,
    to_percent,
)
from buurtbalans.steering.listings import fixed_short_text
from buurtbalans.steering.models import CategoryRule, Label, PlanFixedDwelling
from buurtbalans.steering.reasons import label_name, label_reason, mix_view, plan_problem, room_label
from buurtbalans.steering.rents import above_cap_range, default_reason

ROWS_PER_PAGE = 50
# Where a complex's profile comes from (`mix.Profile.source`), as the profiles page says it; the Dutch CSV writes
# the words with the code next to them (issue 14).
PROFILE_SOURCES = {
    "complex": gettext_lazy("Own profile"),
    "default": gettext_lazy("Default profile"),
    "builtin": gettext_lazy("Standard profile"),
}


def _context(request, section: str, **extra) -> dict:
    return {
        "nav": "steering",
        "section": section,
        "steering_rights": {r.value for r in actions_of(request.user)},
        **extra,
    }


def _lettings(request) -> int:
    try:
        value = int(request.GET.get("lettings") or mix.DEFAULT_LETTINGS)
    except ValueError:
        return mix.DEFAULT_LETTINGS
    return value if value in mix.LETTING_CHOICES else mix.DEFAULT_LETTINGS


def concentration_columns(categories, level: str) -> list[Column]:
    columns = [
        Column(gettext_lazy("Code"), lambda v: v["row"].code),
        Column(gettext_lazy("Name"), lambda v: v["row"].name),
    ]
    if level == "complex":
        columns += [
            Column(gettext_lazy("Neighbourhood code"), lambda v: v["row"].neighbourhood_code),
            Column(gettext_lazy("Neighbourhood"), lambda v: v["row"].neighbourhood_name),
        ]
    else:
        columns.append(Column(gettext_lazy("Complexes"), lambda v: v["row"].complexes))
    columns += [
        Column(gettext_lazy("Households"), lambda v: v["row"].households),
        Column(gettext_lazy("Vacant dwellings"), lambda v: v["row"].vacant),
        Column(gettext_lazy("Households with a vulnerability marker"), lambda v: v["vulnerable"].export_count),
        Column(gettext_lazy("Share with a vulnerability marker"), lambda v: v["vulnerable"].export_share),
        Column(
            gettext_lazy("Maximum share with a vulnerability marker"), lambda v: v["row"].profile.max_vulnerable_share
        ),
        Column(gettext_lazy("Households with the lowest incomes"), lambda v: v["primary"].export_count),
        Column(gettext_lazy("Share of the lowest incomes"), lambda v: v["primary"].export_share),
        Column(gettext_lazy("Maximum share of the lowest incomes"), lambda v: v["row"].profile.max_primary_share),
    ]
    for i, category in enumerate(categories):
        columns.append(
            Column(
                gettext_lazy("Share: %(name)s") % {"name": category.label},
                lambda v, i=i: v["categories"][i]["cell"].export_share,
            )
        )
        columns.append(
            Column(
                gettext_lazy("Target: %(name)s") % {"name": category.label},
                lambda v, i=i: v["categories"][i]["target"],
            )
        )
    columns += [
        Column(gettext_lazy("Recent lettings"), lambda v: v["row"].inflow.lettings),
        Column(
            gettext_lazy("Of which to a household with a vulnerability marker"),
            lambda v: v["inflow_vulnerable"].export_count,
        ),
        Column(gettext_lazy("Of which to the lowest incomes"), lambda v: v["inflow_primary"].export_count),
        Column(gettext_lazy("Over the limits (share points)"), lambda v: v["excess_export"]),
        Column(gettext_lazy("Distance to the target mix"), lambda v: v["mix_deviation_export"]),
        Column(gettext_lazy("Profile"), lambda v: v["row"].profile.source, codes=PROFILE_SOURCES),
    ]
    return columns


@require_GET
def concentration(request):
    """The ranked list: complexes (or buurten) by how far they are over their limits, worst first."""
    user = request.user
    require(user, Action.VIEW_AGGREGATES)
    today = timezone.localdate()
    level = request.GET.get("level") if request.GET.get("level") in ("complex", "neighbourhood") else "complex"
    lettings = _lettings(request)
    form = ConcentrationFilterForm(data={"level": level, "lettings": lettings})
    rows, sort = selectors.concentration_list(
        user, reference_date=today, level=level, lettings=lettings, sort=request.GET.get("sort") or mix.DEFAULT_MIX_SORT
    )
    categories = selectors.mix_categories(user)
    protected = is_protected(user)
    export_format = requested_format(request)
    if export_format:
        return export_response(
            export_format=export_format,
            name=f"concentration-{level}",
            columns=concentration_columns(categories, level),
            rows=(mix_view(r, categories, protected) for r in rows),
        )
    page = paginate(request, rows, per_page=ROWS_PER_PAGE)
    page.object_list = [mix_view(r, categories, protected) for r in page.object_list]
    context = _context(
        request,
        "concentration",
        form=form,
        page=page,
        sort=sort,
        level=level,
        lettings=lettings,
        categories=categories,
        protected=protected,
        today=today,
        over=sum(1 for r in rows if r.excess > 0),
        total=len(rows),
    )
    return render(request, "steering/concentration.html", context)


# --- vacancies -----------------------------------------------------------------------------------------------


def vacancy_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Dwelling code"), lambda v: v["dwelling"].external_id),
        Column(gettext_lazy("Address"), lambda v: v["dwelling"].address),
        Column(gettext_lazy("Complex"), lambda v: v["dwelling"].complex.external_id if v["dwelling"].complex else ""),
        Column(gettext_lazy("Base rent (per month)"), lambda v: v["dwelling"].base_rent),
        Column(gettext_lazy("Room for a vulnerable household"), lambda v: v["room_label"]),
        Column(gettext_lazy("Proposed label"), lambda v: v["proposed"]),
        Column(gettext_lazy("Decided label"), lambda v: v["decided"]),
    ]


def _vacancy_views(user, dwellings, *, reference_date: date) -> list[dict]:
    rooms = selectors.rooms_for(user, dwellings, reference_date=reference_date)
    views = []
    for d in dwellings:
        row_room = rooms.get(d.complex_id)
        views.append(
            {
                "dwelling": d,
                "room": row_room[1] if row_room else None,
                "room_label": room_label(row_room[1].answer) if row_room else "–",
                "proposed": label_name(d.proposed_label) if d.proposed_label else "",
                "decided": label_name(d.decided_label) if d.decided_label else "",
            }
        )
    return views


@require_GET
def vacancies(request):
    """The vacant dwellings: is there room for a vulnerable household, the proposed label and the decision."""
    user = request.user
    require(user, Action.VIEW_AGGREGATES)
    today = timezone.localdate()
    sort = request.GET.get("sort") or "complex"
    dwellings = selectors.vacancy_list(user, sort=sort)
    export_format = requested_format(request)
    if export_format:
        rows = list(dwellings)
        return export_response(
            export_format=export_format,
            name="vacancies",
            columns=vacancy_columns(),
            rows=_vacancy_views(user, rows, reference_date=today),
        )
    page = paginate(request, dwellings, per_page=ROWS_PER_PAGE)
    page.object_list = _vacancy_views(user, page.object_list, reference_date=today)
    return render(request, "steering/vacancies.html", _context(request, "vacancies", page=page, sort=sort, today=today))


@require_http_methods(["GET", "POST"])
def vacancy_detail(request, pk: int):
    """One vacancy: room for a vulnerable household and why, the proposed label and why, the decision and history,
    and what a decision does to the dwelling's listing (or why no label can be decided: fixed, or bids)."""
    user = request.user
    dwelling = selectors.vacancy_get(user, pk)
    today = timezone.localdate()
    protected = is_protected(user)
    proposal = selectors.proposal_current(user, dwelling)
    is_vacant = dwelling.status == "vacant"
    effect = selectors.listing_effect_for(user, dwelling, on=today) if is_vacant else None
    above_cap = above_cap_range(proposal) if proposal is not None else None
    may_decide = can(user, Action.DECIDE_LABELS) and is_vacant and proposal is not None
    form = None
    if request.method == "POST":
        require(user, Action.DECIDE_LABELS)
        if proposal is None:
            raise Http404
    if may_decide:
        form = LabelDecisionForm(request.POST or None, proposal=proposal, above_cap=above_cap)
        if request.method == "POST" and form.is_valid():
            try:
                decision = services.vacancy_label_decide(
                    proposal=proposal,
                    actor=user,
                    label=form.cleaned_data["label"],
                    reason=form.cleaned_data["reason"],
                    base_rent=form.cleaned_data["base_rent"],
                    on=today,
                )
            except services.SteeringInputError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
                effect = selectors.listing_effect_for(user, dwelling, on=today)
            else:
                if decision.is_change:
                    messages.success(
                        request, _("The label was changed to “%(label)s”.") % {"label": label_name(decision.label)}
                    )
                else:
                    messages.success(
                        request,
                        _("The proposed label “%(label)s” was accepted.") % {"label": label_name(decision.label)},
                    )
                if decision.relabelled_listing is not None:
                    messages.success(
                        request,
                        _("Listing %(ref)s now has this label, base rent %(rent)s, its target groups and selection.")
                        % {"ref": decision.relabelled_listing.reference, "rent": euro(decision.base_rent)},
                    )
                return redirect("steering_vacancy", pk=dwelling.pk)
    mix_row = None
    if dwelling.complex_id:
        row = selectors.complex_mix_get(user, dwelling.complex, reference_date=today)
        mix_row = mix_view(row, selectors.mix_categories(user), protected, with_room=True)
    decisions = selectors.label_decision_list(user, dwelling)
    label_options = []
    if proposal is not None:
        for value, name in Label.choices:
            if value == Label.ABOVE_CAP:
                rent = above_cap.highest if above_cap is not None else None
            else:
                rent = proposal.affordable_rent
            label_options.append(
                {
                    "value": value,
                    "name": name,
                    "rent": rent,
                    "is_proposed": value == proposal.label,
                    "above_cap": above_cap if value == Label.ABOVE_CAP else None,
                    "rent_reason": default_reason(above_cap) if value == Label.ABOVE_CAP and above_cap else "",
                    "reason": label_reason(proposal, proposal.plan_complex, protected=protected, label=value)
                    if rent is not None
                    else "",
                }
            )
    context = _context(
        request,
        "vacancies",
        dwelling=dwelling,
        mix=mix_row,
        proposal=proposal,
        proposal_reason=label_reason(proposal, proposal.plan_complex, protected=protected) if proposal else "",
        label_options=label_options,
        decisions=decisions,
        current=decisions[0] if decisions else None,
        form=form,
        may_decide=may_decide,
        listing_effect=effect,
        may_list=can(user, Action.DECIDE_LABELS) and bool(decisions) and effect is not None and effect.kind == "none",
        listings=selectors.listing_list_for_dwelling(user, dwelling),
    )
    return render(
        request, "steering/vacancy_detail.html", context, status=400 if form is not None and form.errors else 200
    )


@require_POST
def vacancy_listing(request, pk: int):
    """List the vacancy for the allocation round with its decided label (through the allocation module)."""
    user = request.user
    require(user, Action.DECIDE_LABELS)
    dwelling = selectors.vacancy_get(user, pk)
    decisions = selectors.label_decision_list(user, dwelling)
    if not decisions:
        messages.error(request, _("Decide on the label first."))
        return redirect("steering_vacancy", pk=dwelling.pk)
    try:
        listing = services.vacancy_listing_create(decision=decisions[0], actor=user)
    except services.SteeringInputError as exc:
        messages.error(request, " ".join(exc.errors))
    else:
        messages.success(
            request,
            _("The dwelling is listed as %(reference)s with the label “%(label)s”.")
            % {"reference": listing.reference, "label": label_name(decisions[0].label)},
        )
    return redirect("steering_vacancy", pk=dwelling.pk)


# --- profiles and categories ---------------------------------------------------------------------------------


def profile_columns(categories) -> list[Column]:
    columns = [
        Column(gettext_lazy("Complex code"), lambda r: r["complex"].external_id),
        Column(gettext_lazy("Complex"), lambda r: r["complex"].name),
        Column(gettext_lazy("Profile"), lambda r: r["profile"].source, codes=PROFILE_SOURCES),
        Column(gettext_lazy("Maximum share with a vulnerability marker"), lambda r: r["profile"].max_vulnerable_share),
        Column(gettext_lazy("Maximum share of the lowest incomes"), lambda r: r["profile"].max_primary_share),
    ]
    for category in categories:
        columns.append(
            Column(
                gettext_lazy("Target: %(name)s") % {"name": category.label},
                lambda r, code=category.code: r["profile"].target_mix.get(code),
            )
        )
    columns += [
        Column(gettext_lazy("Decided on"), lambda r: r["profile"].decided_on),
        Column(gettext_lazy("Decided by"), lambda r: r["profile"].decided_by),
    ]
    return columns


@require_GET
def profiles(request):
    """Each complex's profile in force (its own or the default), the default profile and the categories."""
    user = request.user
    require(user, Action.VIEW_AGGREGATES)
    categories = selectors.mix_categories(user)
    complexes = selectors.complex_profile_list(user)
    export_format = requested_format(request)
    if export_format:
        rows = list(complexes)
        default, by_complex = selectors.profiles_in_force(user, rows, on=timezone.localdate())
        return export_response(
            export_format=export_format,
            name="complex-profiles",
            columns=profile_columns(categories),
            rows=({"complex": c, "profile": by_complex[c.pk]} for c in rows),
        )
    page = paginate(request, complexes, per_page=ROWS_PER_PAGE)
    default, by_complex = selectors.profiles_in_force(user, page.object_list, on=timezone.localdate())
    page.object_list = [{"complex": c, "profile": by_complex[c.pk]} for c in page.object_list]
    context = _context(
        request,
        "profiles",
        page=page,
        default=default,
        categories=categories,
        may_manage=can(user, Action.MANAGE_PROFILES),
    )
    return render(request, "steering/profiles.html", context)


def _profile_page(request, complex_):
    user = request.user
    membership = require(user, Action.VIEW_AGGREGATES)
    categories = selectors.mix_categories(user)
    may_manage = can(user, Action.MANAGE_PROFILES)
    if request.method == "POST":
        require(user, Action.MANAGE_PROFILES)
    if complex_ is not None:
        _default, by_complex = selectors.profiles_in_force(user, [complex_], on=timezone.localdate())
        profile = by_complex[complex_.pk]
    else:
        profile, _by_complex = selectors.profiles_in_force(user, [], on=timezone.localdate())
    form = None
    if may_manage:
        form = ProfileForm(request.POST or None, categories=categories, profile=profile, today=timezone.localdate())
        if request.method == "POST" and form.is_valid():
            try:
                services.complex_profile_decide(
                    corporation=membership.corporation,
                    actor=user,
                    complex_=complex_,
                    target_mix=form.target_mix(),
                    max_vulnerable_share=form.cleaned_data["max_vulnerable_share"] / 100,
                    max_primary_share=form.cleaned_data["max_primary_share"] / 100,
                    decided_on=form.cleaned_data["decided_on"],
                    note=form.cleaned_data["note"],
                )
            except services.SteeringInputError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            else:
                messages.success(request, _("The profile was saved."))
                if complex_ is not None:
                    return redirect("steering_profile_edit", pk=complex_.pk)
                return redirect("steering_profile_default")
    history = selectors.complex_profile_history(user, complex_)
    context = _context(
        request,
        "profiles",
        complex=complex_,
        profile=profile,
        form=form,
        history=history,
        categories=categories,
        may_manage=may_manage,
        history_rows=[{"profile": p, "targets": [(c, p.target_mix.get(c.code)) for c in categories]} for p in history],
    )
    return render(
        request, "steering/profile_edit.html", context, status=400 if form is not None and form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def profile_edit(request, pk: int):
    """A complex's profile: the one in force, its history, and (for analysts) a new decision."""
    return _profile_page(request, selectors.complex_get(request.user, pk))


@require_http_methods(["GET", "POST"])
def profile_default(request):
    """The corporation's default profile, for complexes without their own."""
    return _profile_page(request, None)


@require_http_methods(["GET", "POST"])
def categories(request):
    """The categories of the target mix and who belongs in each (the first that fits counts)."""
    user = request.user
    membership = require(user, Action.VIEW_AGGREGATES)
    current = selectors.mix_categories(user)
    may_manage = can(user, Action.MANAGE_PROFILES)
    if request.method == "POST":
        require(user, Action.MANAGE_PROFILES)
    formset = None
    errors: list[str] = []
    if may_manage:
        initial = [
            {"code": c.code, "label": c.label, "rule": c.rule, "default_share": to_percent(c.default_share)}
            for c in current
        ]
        formset = CategoryFormSet(request.POST or None, initial=initial, prefix="category")
        if request.method == "POST" and formset.is_valid():
            try:
                services.mix_categories_save(corporation=membership.corporation, actor=user, rows=formset.rows())
            except services.SteeringInputError as exc:
                errors = exc.errors
            else:
                messages.success(request, _("The categories were saved."))
                return redirect("steering_categories")
    invalid = bool(errors) or (formset is not None and formset.is_bound and not formset.is_valid())
    context = _context(
        request,
        "profiles",
        current=current,
        formset=formset,
        errors=errors,
        may_manage=may_manage,
        rule_labels=dict(CategoryRule.choices),
    )
    return render(request, "steering/categories.html", context, status=400 if invalid else 200)


# --- plans ---------------------------------------------------------------------------------------------------


def _plan_status(plan) -> str:
    if plan.is_done:
        return "done"
    if plan.problem_code:
        return "refused"
    # A failed job, or one that is gone (deleted with the task list), will not finish this plan.
    if plan.job is None or plan.job.status == "failed":
        return "failed"
    return "running"


@require_GET
def plans(request):
    user = request.user
    require(user, Action.VIEW_AGGREGATES)
    page = paginate(request, selectors.label_plan_list(user), per_page=ROWS_PER_PAGE)
    for plan in page.object_list:
        plan.status = _plan_status(plan)
    context = _context(request, "plans", page=page, may_plan=can(user, Action.PLAN_LABELS))
    return render(request, "steering/plans.html", context)


def _parameter_warning(reference_date: date) -> dict | None:
    """The legal parameters the plan needs but the date's set lacks, with the set's date for the link."""
    try:
        params = parameters_for(reference_date)
    except LookupError:
        return {"names": [], "valid_from": None}
    missing = [n for n in ("allowance_cap_low", "daeb_rent_limit") if getattr(params, n) is None]
    if not missing:
        return None
    from buurtbalans.rules.labels import parameter_label

    return {"names": [parameter_label(n) for n in missing], "valid_from": params.valid_from}


@require_http_methods(["GET", "POST"])
def plan_new(request):
    """Set the policy (the inflow probabilities start at their estimates) and start the plan as a background task."""
    user = request.user
    membership = require(user, Action.PLAN_LABELS)
    today = timezone.localdate()
    estimate = inflow_estimate(membership.corporation_id, today)
    form = PlanPolicyForm(request.POST or None, today=today, estimates=estimate.form_values())
    warning = None
    if form.is_bound and form.is_valid():
        start, end = form.period()
        warning = _parameter_warning(start)
        if warning is None:
            try:
                plan = services.label_plan_request(
                    corporation=membership.corporation,
                    actor=user,
                    period_start=start,
                    period_end=end,
                    composition_date=today,
                    policy=form.policy(),
                    estimates=estimate.as_json(),
                    overridden=form.overridden(),
                )
            except services.SteeringInputError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            else:
                return redirect("steering_plan", pk=plan.pk)
    elif not form.is_bound:
        choice = form.fields["quarter"].initial
        year, quarter = (int(p) for p in choice.split("-"))
        from buurtbalans.steering.forms import quarter_period

        warning = _parameter_warning(quarter_period(year, quarter)[0])
    # Each probability with the lettings behind it; without history p_no_vulnerable starts at 0 and the page says
    # there was nothing to estimate from (estimates.NO_HISTORY_DEFAULTS).
    estimates = [
        {"name": name, "field": form[name], "basis": getattr(estimate, name),
         "no_history": name in NO_HISTORY_DEFAULTS and not estimate.has_history(name)}
        for name in PROBABILITY_LABELS
    ]
    context = _context(request, "plans", form=form, estimate=estimate, estimates=estimates, warning=warning)
    status = 400 if form.is_bound and (form.errors or warning) else 200
    return render(request, "steering/plan_new.html", context, status=status)


def _is_fixed(row) -> bool:
    return isinstance(row, PlanFixedDwelling)


def proposal_columns(protected: bool) -> list[Column]:
    """The plan's export: a row per proposed label, then a row per fixed dwelling ("vast", no label)."""
    return [
        Column(gettext_lazy("Dwelling code"), lambda p: p.dwelling.external_id),
        Column(gettext_lazy("Address"), lambda p: p.dwelling.address),
        Column(gettext_lazy("Complex"), lambda p: p.complex_code if _is_fixed(p) else p.plan_complex.complex_code),
        Column(gettext_lazy("Label"), lambda p: _("fixed") if _is_fixed(p) else p.label),
        # The code is for machines; people read what it means ("No placement or urgency route").
        Column(gettext_lazy("Label name"), lambda p: "" if _is_fixed(p) else label_name(p.label)),
        Column(gettext_lazy("Proposed base rent"), lambda p: None if _is_fixed(p) else p.base_rent),
        Column(gettext_lazy("Current base rent"), lambda p: p.dwelling.base_rent if _is_fixed(p) else p.current_rent),
        Column(gettext_lazy("Decided label"), lambda p: "" if _is_fixed(p) else (p.decided_label or ""), codes=Label),
        Column(
            gettext_lazy("Reason"),
            lambda p: fixed_short_text(p) if _is_fixed(p) else label_reason(p, p.plan_complex, protected=protected),
        ),
    ]


def fixed_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Dwelling code"), lambda f: f.dwelling.external_id),
        Column(gettext_lazy("Address"), lambda f: f.dwelling.address),
        Column(gettext_lazy("Complex"), "complex_code"),
        Column(gettext_lazy("Label"), lambda f: _("fixed")),
        Column(gettext_lazy("Why"), fixed_short_text),
    ]


@require_GET
def plan_detail(request, pk: int):
    """A plan: its progress while it runs; then the totals and each vacancy's label, rent and reason, and the
    dwellings left out as fixed ("vast": offered, let or in a round already worked out)."""
    user = request.user
    plan = selectors.label_plan_get(user, pk)
    protected = is_protected(user)
    status = _plan_status(plan)
    label_filter = request.GET.get("label") if request.GET.get("label") in Label.values else ""
    sort = request.GET.get("sort") or "complex"
    proposals = selectors.proposed_label_list(user, plan, sort=sort, label=label_filter)
    fixed = selectors.plan_fixed_list(user, plan)
    export_format = requested_format(request)
    if export_format:
        if request.GET.get("table") == "fixed":
            return export_response(
                export_format=export_format, name=f"label-plan-{plan.pk}-fixed", columns=fixed_columns(), rows=fixed
            )
        if status != "done":
            raise Http404
        rows = proposals.iterator(chunk_size=500)
        return export_response(
            export_format=export_format,
            name=f"label-plan-{plan.pk}",
            columns=proposal_columns(protected),
            rows=rows if label_filter else itertools.chain(rows, fixed.iterator(chunk_size=500)),
        )
    page = None
    counts = {}
    if status == "done":
        page = paginate(request, proposals, per_page=ROWS_PER_PAGE)
        for p in page.object_list:
            p.reason_text = label_reason(p, p.plan_complex, protected=protected)
        counts = selectors.label_counts(user, plan)
    fixed_rows = list(fixed) if status in ("done", "refused") else []
    for f in fixed_rows:
        f.reason_text = fixed_short_text(f)
    job = plan.job
    context = _context(
        request,
        "plans",
        plan=plan,
        status=status,
        job=job,
        info={
            "progress_percent": job.progress_percent if job else 0,
            "status_label": job.get_status_display() if job else "",
        },
        problem=plan_problem(plan) if plan.problem_code else "",
        # Never the raw exception: our own message, or the plain one with the job's number for the administrator.
        error_message=job_error_message(job) if job is not None and job.status == Job.Status.FAILED else "",
        page=page,
        sort=sort,
        label_filter=label_filter,
        labels=[(value, name, counts.get(value, 0)) for value, name in Label.choices],
        fixed=fixed_rows,
        overridden=set(plan.overridden or []),
        policy_rows=_policy_rows(plan),
        excess_points=points(plan.excess_share_sum) if plan.excess_share_sum is not None else "–",
    )
    return render(request, "steering/plan_detail.html", context)


def _policy_rows(plan) -> list[tuple[str, str, bool]]:
    policy = plan.policy or {}
    rows = [
        (
            _("At least this many dwellings reserved for vulnerable households"),
            str(policy.get("min_vulnerable_placements", "–")),
            False,
        ),
        (
            _("At least this share of the vacancies at or below the rent cap (%)"),
            percent(policy.get("min_affordable_share")),
            False,
        ),
    ]
    for name, label in PROBABILITY_LABELS.items():
        # A plan asked for before p_no_vulnerable was on the form was planned with its default (0).
        value = policy.get(name, services.POLICY_DEFAULTS.get(name))
        rows.append((str(label), percent(value), name in (plan.overridden or [])))
    return rows


def _small_cells(pc, protected: bool) -> tuple[bool, bool]:
    """Whether a plan complex's figures now, and after the plan, stand for fewer than 5 households (small cells)."""
    now = any(Cell(count, pc.households, protected).is_suppressed for count in (pc.vulnerable, pc.primary))
    after = any(is_small_share(share, pc.households, protected)
                for share in (pc.projected_vulnerable_share, pc.projected_primary_share))
    return now, after


def _after_shown(share, households: int, protected: bool):
    """A share expected after the plan as this user may see it: exact, rounded (small-cell rule) or None."""
    if is_small_share(share, households, protected):
        return protected_share(share, households)
    return share


def _plan_excess(pc, protected: bool, *, after: bool):
    """Share points over the limits now or after the plan, from the shares as shown: computed from the rounded
    share where one is small (the exact excess is the share minus the maximum); None where one is not shown."""
    maxima = (pc.target_vulnerable_max_share, pc.target_primary_max_share)
    if after:
        shares = [_after_shown(getattr(pc, f"projected_{k}_share"), pc.households, protected)
                  for k in ("vulnerable", "primary")]
    else:
        shares = [Cell(getattr(pc, k), pc.households, protected).shown_share for k in ("vulnerable", "primary")]
    if any(share is None for share in shares) and pc.households:
        return None
    return sum(max(0.0, float(share or 0) - float(maximum)) for share, maximum in zip(shares, maxima, strict=True))


def _excess(pc, protected: bool, *, after: bool):
    """For a download: share points over the limits; under the small-cell rule from the rounded shares, "< 5"
    where a share is not shown."""
    small = _small_cells(pc, protected)[1 if after else 0]
    exact = pc.excess_after if after else pc.excess_before
    if not small or not exact:
        return round(100 * exact, 2)
    shown = _plan_excess(pc, protected, after=after)
    return SMALL_CELL_TEXT if shown is None else round(100 * shown, 2)


def _excess_text(pc, protected: bool, *, after: bool) -> str:
    small = _small_cells(pc, protected)[1 if after else 0]
    exact = pc.excess_after if after else pc.excess_before
    if not small or not exact:
        return percent(exact)
    shown = _plan_excess(pc, protected, after=after)
    return SMALL_CELL_TEXT if shown is None else f"{ROUNDED_MARK}{percent(shown, 0)}"


def plan_complex_columns(protected: bool) -> list[Column]:
    def cell(count_attr):
        return lambda pc: Cell(getattr(pc, count_attr), pc.households, protected).export_share

    def after(share_attr):
        return lambda pc: small_share_export(getattr(pc, share_attr), pc.households, protected)

    return [
        Column(gettext_lazy("Complex code"), "complex_code"),
        Column(gettext_lazy("Households"), "households"),
        Column(gettext_lazy("Vacancies"), "vacancies"),
        Column(gettext_lazy("Share with a vulnerability marker now"), cell("vulnerable")),
        Column(gettext_lazy("Share with a vulnerability marker after the plan"), after("projected_vulnerable_share")),
        Column(gettext_lazy("Maximum share with a vulnerability marker"), "target_vulnerable_max_share"),
        Column(gettext_lazy("Share of the lowest incomes now"), cell("primary")),
        Column(gettext_lazy("Share of the lowest incomes after the plan"), after("projected_primary_share")),
        Column(gettext_lazy("Maximum share of the lowest incomes"), "target_primary_max_share"),
        Column(gettext_lazy("Over the limits now (share points)"), lambda pc: _excess(pc, protected, after=False)),
        Column(
            gettext_lazy("Over the limits after the plan (share points)"),
            lambda pc: _excess(pc, protected, after=True),
        ),
    ]


@require_GET
def plan_complexes(request, pk: int):
    """Per complex of a finished plan: the shares now, after the plan and the maximum."""
    user = request.user
    plan = selectors.label_plan_get(user, pk)
    if not plan.is_done:
        return redirect("steering_plan", pk=plan.pk)
    protected = is_protected(user)
    sort = request.GET.get("sort") or "-vacancies"
    rows = selectors.plan_complex_list(user, plan, sort=sort)
    export_format = requested_format(request)
    if export_format:
        return export_response(
            export_format=export_format,
            name=f"label-plan-{plan.pk}-complexes",
            columns=plan_complex_columns(protected),
            rows=rows.iterator(chunk_size=500),
        )
    page = paginate(request, rows, per_page=ROWS_PER_PAGE)
    for pc in page.object_list:
        pc.vulnerable_cell = Cell(pc.vulnerable, pc.households, protected)
        pc.primary_cell = Cell(pc.primary, pc.households, protected)
        pc.projected_vulnerable_text = small_share_text(pc.projected_vulnerable_share, pc.households, protected)
        pc.projected_primary_text = small_share_text(pc.projected_primary_share, pc.households, protected)
        pc.excess_before_text = _excess_text(pc, protected, after=False)
        pc.excess_after_text = _excess_text(pc, protected, after=True)
    context = _context(request, "plans", plan=plan, page=page, sort=sort, protected=protected)
    return render(request, "steering/plan_complexes.html", context)


def _document_share(value) -> str:
    """A rounded share as the result document writes shares ("0.10"), or the text "< 5"."""
    return value if isinstance(value, str) else f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


def result_under_small_cells(user, plan, document: dict) -> dict:
    """The result document as the plan's pages show it to a user under the small-cell rule (`reasons.Cell`).

    A complex's share now, or after the plan, that stands for fewer than 5 households is rounded as on the pages
    (`core.figures`: to 5 or 10 percentage points, or "< 5" in a very small complex); a label of such a complex
    gets the reason its page gives (the engine's reason quotes the exact shares), in English as the document's
    other reasons.
    """
    complexes = {pc.complex_code: pc for pc in selectors.plan_complex_list(user, plan)}
    hidden: set[str] = set()
    rows = []
    for entry in document.get("complexes", []):
        pc, entry = complexes.get(entry["id"]), dict(entry)
        for key, count in (("vulnerable_share", "vulnerable"), ("primary_share", "primary")):
            if pc is None:
                entry[key] = entry[f"projected_{key}"] = SMALL_CELL_TEXT
                hidden.add(entry["id"])
                continue
            # The document writes shares as decimal strings ("0.10"); "< 5" where even rounding would tell.
            now = Cell(getattr(pc, count), pc.households, True)
            if now.is_suppressed:
                entry[key] = _document_share(now.export_share)
                hidden.add(entry["id"])
            if is_small_share(getattr(pc, f"projected_{key}"), pc.households, True):
                shown = small_share_export(getattr(pc, f"projected_{key}"), pc.households, True)
                entry[f"projected_{key}"] = _document_share(shown)
                hidden.add(entry["id"])
        rows.append(entry)
    proposals = {
        p.dwelling.external_id: p
        for p in selectors.proposed_label_list(user, plan).filter(plan_complex__complex_code__in=hidden)
    }
    labels = []
    with translation.override("en"):
        for entry in document.get("labels", []):
            proposal, entry = proposals.get(entry["vacancy"]), dict(entry)
            if proposal is not None:
                entry["reason"] = label_reason(proposal, proposal.plan_complex, protected=True, label=entry["label"])
            labels.append(entry)
    return {**document, "complexes": rows, "labels": labels}


@require_GET
def plan_result(request, pk: int):
    """The plan's result document (`buurtbalans.label-plan-result/1`), as a download; under the small-cell rule for
    users who may not read markers, as the plan's pages are."""
    plan = selectors.label_plan_get(request.user, pk, with_documents=True)
    if not plan.is_done or not plan.result_document:
        raise Http404
    document = plan.result_document
    if is_protected(request.user):
        document = result_under_small_cells(request.user, plan, document)
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="label-plan-{plan.pk}.json"'
    return response


# --- carrying roles ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def roles(request):
    """Carrying residents: who carries the community, recorded per tenancy (personal data: every write is logged)."""
    user = request.user
    membership = require(user, Action.VIEW_HOUSEHOLDS)
    may_record = can(user, Action.RECORD_STEERING_ROLES)
    if request.method == "POST":
        require(user, Action.RECORD_STEERING_ROLES)
    form = SteeringRoleForm(request.POST or None, initial={"valid_from": timezone.localdate()}) if may_record else None
    if request.method == "POST" and form.is_valid():
        tenancy = selectors.tenancy_for_role(
            user, form.cleaned_data["tenancy_code"], reference_date=form.cleaned_data["valid_from"]
        )
        if tenancy is None:
            form.add_error("tenancy_code", _("No tenancy with this contract code runs on that date."))
        else:
            try:
                services.steering_role_record(
                    corporation=membership.corporation,
                    actor=user,
                    tenancy=tenancy,
                    source=form.cleaned_data["source"],
                    valid_from=form.cleaned_data["valid_from"],
                    note=form.cleaned_data["note"],
                )
            except services.SteeringInputError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            else:
                messages.success(request, _("The carrying role was recorded."))
                return redirect("steering_roles")
    page = paginate(request, selectors.steering_role_list(user), per_page=ROWS_PER_PAGE)
    context = _context(request, "roles", page=page, form=form, may_record=may_record, today=timezone.localdate())
    return render(request, "steering/roles.html", context, status=400 if form is not None and form.errors else 200)


@require_POST
def role_end(request, pk: int):
    user = request.user
    require(user, Action.RECORD_STEERING_ROLES)
    role = selectors.steering_role_list(user).filter(pk=pk, valid_until__isnull=True).first()
    if role is None:
        raise Http404
    services.steering_role_end(role=role, actor=user, valid_until=timezone.localdate())
    messages.success(request, _("The carrying role was ended."))
    return redirect("steering_roles")
