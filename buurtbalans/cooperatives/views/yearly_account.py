"""The yearly account: the board writes and hands it in (which closes the year's log); the corporation reads it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from buurtbalans.cooperatives import selectors, services
from buurtbalans.cooperatives.account import AccountContent, account_pdf, account_workbook
from buurtbalans.cooperatives.forms import AccountForm
from buurtbalans.cooperatives.models import cooperative_scope
from buurtbalans.cooperatives.tables import commitment_year_columns
from buurtbalans.cooperatives.views.common import check_year, file_response, page_context, refused
from buurtbalans.core.exports import XLSX_CONTENT_TYPE, export_filename, export_response, requested_format


def _account_content(user, cooperative, year: int, today) -> AccountContent:
    return AccountContent(
        cooperative=cooperative,
        year=year,
        account=selectors.account_get(user, cooperative, year),
        figures=selectors.cooperative_year_figures(user, cooperative, year, today=today),
        reviews=[r for r in selectors.review_list(user, cooperative) if r.period_start.year == year],
        activities=list(selectors.activity_list(user, cooperative, year=year).order_by("day", "pk")),
    )


@require_http_methods(["GET", "POST"])
def account(request, pk: int, year: int):
    """The yearly account: the board writes and hands it in; the corporation reads it; Excel and PDF for both."""
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    today = timezone.localdate()
    check_year(year, today)
    content = _account_content(user, cooperative, year, today)
    export_format = requested_format(request)
    if export_format == "xlsx":
        filename = export_filename(f"{cooperative.name}-account-{year}", "xlsx")
        return FileResponse(
            account_workbook(content), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
        )
    if export_format == "csv":
        return export_response(
            export_format="csv",
            name=f"{cooperative.name}-account-{year}",
            columns=commitment_year_columns(),
            rows=content.figures,
        )
    scope = cooperative_scope(user)
    is_own_board = scope is not None and scope.cooperative_id == cooperative.pk
    may_edit = is_own_board and not (content.account and content.account.is_submitted)
    form = None
    if may_edit:
        form = AccountForm(request.POST or None, request.FILES or None, instance=content.account)
    elif request.method == "POST":
        services.require_board(user, cooperative)
        messages.error(request, _("The yearly account of %(year)s has been handed in already.") % {"year": year})
        return redirect("cooperative_account", pk=cooperative.pk, year=year)
    if request.method == "POST" and form is not None and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.account_save(
                actor=user,
                cooperative=cooperative,
                year=year,
                data=form.data_for_service(),
                upload=form.cleaned_data.get("file"),
                submit=submit,
                today=today,
            )
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(
                request,
                _("The yearly account has been handed in. Thank you.") if submit else _("The draft has been saved."),
            )
            return redirect("cooperative_account", pk=cooperative.pk, year=year)
    return render(
        request,
        "cooperatives/account.html",
        page_context(
            request,
            cooperative,
            year=year,
            content=content,
            form=form,
            may_submit=year < today.year,
        ),
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
def account_pdf_view(request, pk: int, year: int):
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    today = timezone.localdate()
    check_year(year, today)
    content = _account_content(user, cooperative, year, today)
    pdf = account_pdf(content, generated=timezone.localtime())
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = export_filename(f"{cooperative.name}-account-{year}", "pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def account_file(request, pk: int, year: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    row = selectors.account_get(request.user, cooperative, year)
    if row is None:
        raise Http404
    return file_response(row)
