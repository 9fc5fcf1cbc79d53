"""Reading cooperatives for users: every query is narrowed by `visible_to` (corporation, and for a board member
their own cooperative), and an object of anyone else gives 404.

`year_figures_for` is the one place that measures commitments against the log (with `measure`); the portal,
the review screen, the account (screen, Excel, PDF) and the `cooperative_report` command all use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from buurtbalans.cooperatives.measure import (
    LoggedActivity,
    Period,
    Verdict,
    overlap,
    period_target,
    realised_while_running,
    review_periods,
    suggested_verdict,
    year_status,
)
from buurtbalans.cooperatives.models import (
    Activity,
    Commitment,
    CommitmentReview,
    CooperativeAgreement,
    CooperativeBoardMember,
    CooperativeComplex,
    CooperativeContact,
    CooperativeDocument,
    CoOptation,
    Escalation,
    HousingCooperative,
    YearlyAccount,
    cooperative_scope,
)
from buurtbalans.core.panels import Panel
from buurtbalans.core.permissions import Action, can, require


def _first_or_404(queryset: QuerySet):
    row = queryset.first()
    if row is None:
        raise Http404
    return row


def _require_scope(user):
    scope = cooperative_scope(user)
    if scope is None:
        # Signed in without any cooperative right (or a board user not linked to a cooperative).
        if can(user, Action.COOPERATIVE_PORTAL):
            raise Http404
        require(user, Action.VIEW_COOPERATIVES)
    return scope


# --- the registry ---------------------------------------------------------------------------------------------


def cooperative_list(user) -> QuerySet:
    """The cooperatives the user may see, with how many complexes and commitments each has."""
    _require_scope(user)
    return (
        HousingCooperative.objects.visible_to(user)
        .annotate(
            complex_count=Count("complex_links", distinct=True),
            commitment_count=Count("agreements__commitments", distinct=True),
        )
        .order_by("name", "pk")
    )


def cooperative_get(user, pk: int) -> HousingCooperative:
    _require_scope(user)
    return _first_or_404(HousingCooperative.objects.visible_to(user).filter(pk=pk).select_related("corporation"))


def board_cooperative_get(user) -> HousingCooperative | None:
    """The cooperative whose portal the user keeps (a board member), or None."""
    if not can(user, Action.COOPERATIVE_PORTAL):
        return None
    link = CooperativeBoardMember.objects.filter(user_id=user.pk).select_related("cooperative").first()
    scope = cooperative_scope(user)
    if link is None or scope is None or link.cooperative.corporation_id != scope.corporation_id:
        return None
    return link.cooperative


def complex_link_list(user, cooperative: HousingCooperative) -> list[CooperativeComplex]:
    return list(
        CooperativeComplex.objects.visible_to(user)
        .filter(cooperative=cooperative)
        .select_related("complex", "complex__neighbourhood")
        .prefetch_related("dwellings")
    )


def contact_list(user, cooperative: HousingCooperative) -> list[CooperativeContact]:
    return list(CooperativeContact.objects.visible_to(user).filter(cooperative=cooperative))


def document_list(user, cooperative: HousingCooperative) -> list[CooperativeDocument]:
    return list(CooperativeDocument.objects.visible_to(user).filter(cooperative=cooperative))


def document_get(user, pk: int) -> CooperativeDocument:
    _require_scope(user)
    return _first_or_404(CooperativeDocument.objects.visible_to(user).filter(pk=pk).select_related("cooperative"))


def contact_get(user, pk: int) -> CooperativeContact:
    _require_scope(user)
    return _first_or_404(CooperativeContact.objects.visible_to(user).filter(pk=pk).select_related("cooperative"))


def complex_link_get(user, pk: int) -> CooperativeComplex:
    _require_scope(user)
    return _first_or_404(
        CooperativeComplex.objects.visible_to(user).filter(pk=pk).select_related("cooperative", "complex")
    )


def board_member_list(user, cooperative: HousingCooperative) -> list[CooperativeBoardMember]:
    return list(CooperativeBoardMember.objects.visible_to(user).filter(cooperative=cooperative).select_related("user"))


def board_member_get(user, pk: int) -> CooperativeBoardMember:
    _require_scope(user)
    return _first_or_404(
        CooperativeBoardMember.objects.visible_to(user).filter(pk=pk).select_related("cooperative", "user")
    )


def agreement_list(user, cooperative: HousingCooperative) -> list[CooperativeAgreement]:
    return list(
        CooperativeAgreement.objects.visible_to(user)
        .filter(cooperative=cooperative)
        .select_related("document")
        .prefetch_related("commitments")
    )


def agreement_get(user, pk: int) -> CooperativeAgreement:
    _require_scope(user)
    return _first_or_404(CooperativeAgreement.objects.visible_to(user).filter(pk=pk).select_related("cooperative"))


def commitment_get(user, pk: int) -> Commitment:
    _require_scope(user)
    return _first_or_404(
        Commitment.objects.visible_to(user).filter(pk=pk).select_related("agreement", "agreement__cooperative")
    )


# --- the activity log -------------------------------------------------------------------------------------------


def activity_list(user, cooperative: HousingCooperative, *, year: int | None = None) -> QuerySet:
    queryset = Activity.objects.visible_to(user).filter(cooperative=cooperative).select_related("commitment")
    if year is not None:
        queryset = queryset.filter(day__gte=date(year, 1, 1), day__lte=date(year, 12, 31))
    return queryset.order_by("-day", "-pk")


def activity_get(user, pk: int) -> Activity:
    _require_scope(user)
    return _first_or_404(
        Activity.objects.visible_to(user)
        .filter(pk=pk)
        .select_related("cooperative", "commitment", "commitment__agreement")
    )


def activity_years(user, cooperative: HousingCooperative, today: date) -> list[int]:
    """The years with log entries or commitments, newest first; always this year."""
    years = {today.year}
    years.update(d.year for d in Activity.objects.visible_to(user).filter(cooperative=cooperative).dates("day", "year"))
    for start, end in (
        Commitment.objects.visible_to(user)
        .filter(agreement__cooperative=cooperative)
        .values_list("valid_from", "valid_until")
    ):
        last = min((end or today).year, today.year)
        years.update(range(start.year, last + 1))
    return sorted(years, reverse=True)


def logged(queryset: QuerySet) -> list[LoggedActivity]:
    """Log entries as the measure needs them (one query, narrow rows)."""
    return [
        LoggedActivity(commitment_id=c, day=d, participants=p, buurt_participants=b)
        for c, d, p, b in queryset.values_list("commitment_id", "day", "participants", "buurt_participants")
    ]


# --- measuring commitments ----------------------------------------------------------------------------------------


@dataclass
class PeriodFigures:
    period: Period
    target: int
    realised: int
    suggested: Verdict
    review: CommitmentReview | None = None
    is_ended: bool = True


@dataclass
class CommitmentYear:
    """One commitment in one year: the yearly target and realised figure, its review periods and status."""

    commitment: Commitment
    year: int
    target: int
    realised: int
    periods: list[PeriodFigures] = field(default_factory=list)
    status: str = "not_reviewed"

    @property
    def suggested(self) -> Verdict:
        return suggested_verdict(self.target, self.realised)

    @property
    def share(self) -> float | None:
        return None if not self.target else self.realised / self.target


def year_figures_for(
    cooperative_ids: Iterable[int], year: int, *, today: date | None = None
) -> dict[int, list[CommitmentYear]]:
    """Per cooperative, each commitment that runs in `year` measured against the log (no scope check: callers
    pass cooperatives the reader may see, or a command's corporation)."""
    ids = list(cooperative_ids)
    start, end = date(year, 1, 1), date(year, 12, 31)
    commitments = list(
        Commitment.objects.filter(agreement__cooperative_id__in=ids, valid_from__lte=end)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .select_related("agreement")
        .order_by("agreement__cooperative_id", "agreement__valid_from", "theme", "pk")
    )
    entries = logged(Activity.objects.filter(cooperative_id__in=ids, day__gte=start, day__lte=end))
    by_commitment: dict[int, list[LoggedActivity]] = defaultdict(list)
    for entry in entries:
        by_commitment[entry.commitment_id].append(entry)
    reviews: dict[tuple[int, str], CommitmentReview] = {
        (r.commitment_id, r.period): r
        for r in CommitmentReview.objects.filter(
            commitment__in=[c.pk for c in commitments], period_start__gte=start, period_end__lte=end
        )
    }
    result: dict[int, list[CommitmentYear]] = {pk: [] for pk in ids}
    year_period = review_periods(year, "yearly")[0]
    for commitment in commitments:
        own = by_commitment.get(commitment.pk, [])
        figures = CommitmentYear(
            commitment=commitment,
            year=year,
            target=period_target(
                commitment.target_per_year, year_period, commitment.valid_from, commitment.valid_until
            ),
            realised=realised_while_running(
                commitment.target_kind, own, year_period, commitment.pk, commitment.valid_from, commitment.valid_until
            ),
        )
        running_periods = [
            p
            for p in review_periods(year, commitment.review_rhythm)
            if overlap(p, commitment.valid_from, commitment.valid_until) is not None
        ]
        for period in running_periods:
            target = period_target(commitment.target_per_year, period, commitment.valid_from, commitment.valid_until)
            achieved = realised_while_running(
                commitment.target_kind, own, period, commitment.pk, commitment.valid_from, commitment.valid_until
            )
            figures.periods.append(
                PeriodFigures(
                    period=period,
                    target=target,
                    realised=achieved,
                    suggested=suggested_verdict(target, achieved),
                    review=reviews.get((commitment.pk, period.label)),
                    is_ended=today is None or period.end < today,
                )
            )
        figures.status = year_status(
            {p.period.label: (p.review.verdict if p.review else None) for p in figures.periods}, running_periods
        )
        result.setdefault(commitment.agreement.cooperative_id, []).append(figures)
    return result


def cooperative_year_figures(user, cooperative: HousingCooperative, year: int, *, today: date) -> list[CommitmentYear]:
    """The user's view of one cooperative's commitments in a year (404 unless the user may see it)."""
    visible = cooperative_get(user, cooperative.pk)
    return year_figures_for([visible.pk], year, today=today)[visible.pk]


# --- account, reviews, escalations, co-optations ---------------------------------------------------------------


def account_get(user, cooperative: HousingCooperative, year: int) -> YearlyAccount | None:
    return YearlyAccount.objects.visible_to(user).filter(cooperative=cooperative, year=year).first()


def account_list(user, cooperative: HousingCooperative) -> list[YearlyAccount]:
    return list(YearlyAccount.objects.visible_to(user).filter(cooperative=cooperative).order_by("-year"))


def review_list(user, cooperative: HousingCooperative) -> list[CommitmentReview]:
    return list(
        CommitmentReview.objects.visible_to(user)
        .filter(commitment__agreement__cooperative=cooperative)
        .select_related("commitment")
        .order_by("-period_start", "commitment_id")
    )


def escalation_list(user, cooperative: HousingCooperative) -> list[Escalation]:
    return list(Escalation.objects.visible_to(user).filter(cooperative=cooperative).select_related("commitment"))


def co_optation_list(user, cooperative: HousingCooperative) -> list[CoOptation]:
    """The cooperative's co-opted lettings, for the corporation's staff only (a board sees no lettings)."""
    if cooperative_scope(user) is None or cooperative_scope(user).is_board:
        return []
    return list(
        CoOptation.objects.visible_to(user)
        .filter(cooperative=cooperative)
        .select_related("tenancy", "tenancy__dwelling", "tenancy__household")
    )


# --- on a complex's page -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplexCooperative:
    link: CooperativeComplex
    cooperative: HousingCooperative
    dwellings: tuple[str, ...]
    is_current: bool


def complex_panel(user, complex_, *, reference_date: date) -> Panel | None:
    """The complex page's cooperative section: the cooperatives that hold (or held) this complex, newest first;
    None without VIEW_COOPERATIVES or when no cooperative ever held it."""
    if not can(user, Action.VIEW_COOPERATIVES):
        return None
    links = (
        CooperativeComplex.objects.visible_to(user)
        .filter(complex=complex_)
        .select_related("cooperative")
        .prefetch_related("dwellings")
        .order_by("-valid_from")
    )
    cooperatives = [
        ComplexCooperative(
            link=link,
            cooperative=link.cooperative,
            dwellings=tuple(d.address for d in link.dwellings.all()),
            is_current=link.valid_from <= reference_date
            and (link.valid_until is None or link.valid_until >= reference_date),
        )
        for link in links
    ]
    if not cooperatives:
        return None
    return Panel("cooperatives/complex_cooperative.html", {"complex_cooperatives": cooperatives})


def cooperative_map_rows(user, *, today: date) -> list[ComplexCooperative]:
    """Every complex a cooperative of the user's corporation holds today, with its buurt and municipality."""
    _require_scope(user)
    require(user, Action.VIEW_COOPERATIVES)
    links = (
        CooperativeComplex.objects.visible_to(user)
        .filter(valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("cooperative", "complex", "complex__neighbourhood", "complex__neighbourhood__municipality")
        .defer("complex__neighbourhood__geometry", "complex__neighbourhood__municipality__geometry")
        .prefetch_related("dwellings")
        .order_by("cooperative__name", "complex__external_id")
    )
    return [
        ComplexCooperative(link=link, cooperative=link.cooperative,
                           dwellings=tuple(d.address for d in link.dwellings.all()), is_current=True)
        for link in links
    ]
