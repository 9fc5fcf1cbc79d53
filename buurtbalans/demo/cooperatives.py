"""Two housing cooperatives for the demo corporation, with a year of activities (issue 7).

Called by `writer.demo_seed` after the stock and the logins are written, in the same transaction. Deterministic:
the same seed and reference date give the same cooperatives, commitments, log entries, reviews and accounts.

- "Wooncoöperatie De Groene Hof", a management cooperative (beheercoöperatie) managing one complex, with a
  management agreement, a demarcation list and a co-optation right, four commitments, and the demo login `coop`
  as its board member; lettings in its complex since the co-optation right are recorded as co-opted when they
  pass the legal checks.
- "Wooncoöperatie De Linde", an ownership cooperative (eigendomscoöperatie) that bought its complex, with three
  commitments; one of them (the neighbours' help desk) falls short, so the demo shows a "not met" review and an
  escalation step.

The log runs from 1 January of the previous year up to the reference date: the previous year is complete (reviewed
by the corporation, its yearly account handed in by the board), the current year is under way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils.translation import gettext as _

from buurtbalans.cooperatives.letting_check import facts_of_tenancy, letting_check
from buurtbalans.cooperatives.measure import suggested_verdict
from buurtbalans.cooperatives.models import (
    Activity,
    Arrangement,
    Commitment,
    CommitmentReview,
    CooperativeAgreement,
    CooperativeBoardMember,
    CooperativeComplex,
    CooperativeContact,
    CooperativeDocument,
    CooperativeType,
    CoOptation,
    DocumentKind,
    Escalation,
    HousingCooperative,
    YearlyAccount,
)
from buurtbalans.core.models import HousingCorporation
from buurtbalans.households.models import SelectionMethod, Tenancy
from buurtbalans.portfolio.models import Complex

BOARD_LOGIN = "coop"
REVIEWER = "demo: beleid"

# (theme, description, counted, target per year, rhythm, how much of the target the log reaches)
GROENE_HOF = (
    ("language_learning", "Taalcafé op dinsdagavond, open voor de buurt", "activities", 30, "quarterly", 1.1),
    (
        "sharing_giveaway",
        "Weggeefwinkel in de fietsenstalling, elke zaterdag open",
        "open_weeks",
        40,
        "quarterly",
        0.95,
    ),
    ("energy", "Energiecoaches helpen buren hun energierekening omlaag te krijgen", "participants", 40, "yearly", 1.2),
    ("green", "Moestuin op het binnenterrein met buurtbewoners", "buurt_participants", 60, "half_yearly", 0.8),
)
DE_LINDE = (
    ("food", "Samen eten met buurtbewoners, eens per maand", "activities", 12, "yearly", 1.0),
    ("culture", "Kunstroute en exposities in de gemeenschappelijke hal", "participants", 150, "yearly", 0.9),
    ("care", "Spreekuur burenhulp, elke week", "open_weeks", 40, "half_yearly", 0.45),
)
DESCRIPTIONS = {
    "language_learning": (
        "Taalcafé: gesprekstafels",
        "Taalcafé: voorlezen met kinderen",
        "Taalcafé: sollicitatiebrief",
    ),
    "sharing_giveaway": ("Weggeefwinkel open", "Weggeefwinkel open, extra kleding ingezameld"),
    "energy": ("Energiecoaches op huisbezoek", "Workshop energie besparen", "Radiatorfolie geplaatst bij buren"),
    "green": ("Moestuin: zaaien en planten", "Moestuin: oogstmiddag", "Moestuin: snoeien en opruimen"),
    "food": ("Buurtmaaltijd", "Samen koken en eten"),
    "culture": ("Expositie in de hal", "Kunstroute door de buurt", "Muziekmiddag"),
    "care": ("Spreekuur burenhulp", "Spreekuur burenhulp: klusjes verdeeld"),
}


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _entries(rng, theme: str, counted: str, target: int, reach: float, start: date, end: date):
    """(day, participants, from the buurt) for one commitment between start and end, reaching about `reach`."""
    days = _days(start, end)
    share_of_year = len(days) / 365
    if counted == "open_weeks":
        # One opening day a week (Saturday for the shop, Wednesday for the help desk), most weeks.
        weekday = 5 if theme == "sharing_giveaway" else 2
        chance = min(1.0, reach * target / 52)
        picked = [d for d in days if d.weekday() == weekday and rng.random() < chance]
    else:
        mean_participants = {"activities": 9, "participants": 12, "buurt_participants": 10}[counted]
        events = target if counted == "activities" else target / (mean_participants * 0.6)
        count = min(int(round(events * reach * share_of_year)), len(days))
        # Spread over the period as a board plans its activities, a few days either way.
        step = len(days) / count if count else 0
        picked = sorted(
            {days[min(len(days) - 1, max(0, int((i + 0.5) * step + rng.integers(-4, 5))))] for i in range(count)}
        )
    rows = []
    for day in picked:
        participants = int(rng.poisson(9)) + 2
        buurt = int(rng.binomial(participants, 0.6 if counted == "buurt_participants" else 0.35))
        rows.append((day, participants, buurt))
    return rows


def _complexes(corporation) -> list[Complex]:
    """Two complexes of 12 to 60 dwellings in different buurten, the first by code: stable for a seed."""
    candidates = (
        Complex.objects.filter(corporation=corporation)
        .annotate(n=Count("dwellings"))
        .filter(n__gte=12, n__lte=60)
        .order_by("external_id")
    )
    chosen: list[Complex] = []
    for complex_ in candidates:
        if all(c.neighbourhood_id != complex_.neighbourhood_id for c in chosen):
            chosen.append(complex_)
        if len(chosen) == 2:
            break
    return chosen


def demo_cooperatives_seed(
    *, corporation_code: str, reference_date: date, seed: int, say: Callable[[str], None] = lambda line: None
) -> dict[str, int]:
    """(Re)build the demo corporation's cooperatives; returns counts of what was written."""
    corporation = HousingCorporation.objects.get(code=corporation_code)
    # An earlier run's cooperatives go first (their complexes were rebuilt with new ids anyway).
    HousingCooperative.objects.filter(corporation=corporation).delete()
    complexes = _complexes(corporation)
    if len(complexes) < 2:
        say("cooperatives: the demo stock has no two complexes of 12-60 dwellings; none made")
        return {}
    rng = np.random.default_rng(np.random.SeedSequence([seed, 307]))
    first_year = reference_date.year - 1
    log_start = date(first_year, 1, 1)
    founded = date(reference_date.year - 5, 3, 1)
    counts = {"cooperatives": 0, "commitments": 0, "activities": 0, "reviews": 0, "co_optations": 0}
    specs = (
        ("Wooncoöperatie De Groene Hof", CooperativeType.MANAGEMENT, "70412378", Arrangement.MANAGED, GROENE_HOF),
        ("Wooncoöperatie De Linde", CooperativeType.OWNERSHIP, "68115502", Arrangement.OWNED, DE_LINDE),
    )
    made = []
    for (name, kind, kvk, arrangement, commitments), complex_ in zip(specs, complexes, strict=True):
        households = complex_.n
        cooperative = HousingCooperative.objects.create(
            corporation=corporation,
            name=name,
            cooperative_type=kind,
            kvk_number=kvk,
            founded_on=founded,
            members=households + int(rng.integers(0, 6)),
            households=households,
            note="Demo: een verzonnen coöperatie.",
        )
        start = date(founded.year + 1, 1, 1)
        CooperativeComplex.objects.create(
            cooperative=cooperative, complex=complex_, arrangement=arrangement, valid_from=start
        )
        for role, person in (("chair", "J. de Vries"), ("secretary", "A. Yılmaz"), ("treasurer", "M. Jansen")):
            CooperativeContact.objects.create(
                cooperative=cooperative, name=person, role=role, email=f"{role}@{kvk}.coop.example"
            )
        agreement_document = CooperativeDocument.objects.create(
            cooperative=cooperative,
            kind=DocumentKind.MANAGEMENT_AGREEMENT
            if kind == CooperativeType.MANAGEMENT
            else DocumentKind.COOPERATION_AGREEMENT,
            title="Beheerovereenkomst" if kind == CooperativeType.MANAGEMENT else "Samenwerkingsovereenkomst",
            signed_on=start - timedelta(days=30),
            valid_from=start,
            uploaded_by_name="demo",
            note="Papieren origineel op kantoor (demo).",
        )
        if kind == CooperativeType.MANAGEMENT:
            CooperativeDocument.objects.create(
                cooperative=cooperative,
                kind=DocumentKind.DEMARCATION_LIST,
                title="Demarcatielijst onderhoud",
                valid_from=start,
                uploaded_by_name="demo",
            )
            CooperativeDocument.objects.create(
                cooperative=cooperative,
                kind=DocumentKind.CO_OPTATION_RIGHT,
                title="Coöptatierecht nieuwe bewoners",
                valid_from=start,
                uploaded_by_name="demo",
            )
        agreement = CooperativeAgreement.objects.create(
            cooperative=cooperative, title="Maatschappelijke afspraken", document=agreement_document, valid_from=start
        )
        rows = []
        for theme, description, counted, target, rhythm, reach in commitments:
            commitment = Commitment.objects.create(
                agreement=agreement,
                theme=theme,
                description=description,
                target_kind=counted,
                target_per_year=target,
                valid_from=start,
                review_rhythm=rhythm,
            )
            counts["commitments"] += 1
            for day, participants, buurt in _entries(rng, theme, counted, target, reach, log_start, reference_date):
                texts = DESCRIPTIONS[theme]
                rows.append(
                    Activity(
                        cooperative=cooperative,
                        commitment=commitment,
                        day=day,
                        description=texts[int(rng.integers(0, len(texts)))],
                        participants=participants,
                        buurt_participants=buurt,
                        recorded_by_name=BOARD_LOGIN,
                    )
                )
        Activity.objects.bulk_create(rows)
        counts["activities"] += len(rows)
        counts["cooperatives"] += 1
        made.append(cooperative)
        _review_and_account(cooperative, first_year, counts)
        if kind == CooperativeType.MANAGEMENT:
            counts["co_optations"] += _co_optations(cooperative, complex_, start, reference_date)
    user = get_user_model().objects.filter(username=BOARD_LOGIN, membership__corporation=corporation).first()
    if user is not None:
        CooperativeBoardMember.objects.update_or_create(user=user, defaults={"cooperative": made[0]})
    say(
        _(
            "cooperatives: %(cooperatives)d with %(commitments)d commitments, %(activities)d activities, "
            "%(reviews)d reviews, %(co_optations)d co-optations; login %(login)s is on the board of %(name)s"
        )
        % {**counts, "login": BOARD_LOGIN, "name": made[0].name}
    )
    return counts


def _review_and_account(cooperative: HousingCooperative, year: int, counts: dict[str, int]) -> None:
    """The corporation's reviews of the previous year and the board's handed-in account of it."""
    from buurtbalans.cooperatives.selectors import year_figures_for

    figures = year_figures_for([cooperative.pk], year)[cooperative.pk]
    reviews = []
    short: list[Commitment] = []
    for item in figures:
        for period in item.periods:
            verdict = suggested_verdict(period.target, period.realised)
            reviews.append(
                CommitmentReview(
                    commitment=item.commitment,
                    period=period.period.label,
                    period_start=period.period.start,
                    period_end=period.period.end,
                    verdict=verdict.value,
                    target=period.target,
                    realised=period.realised,
                    notes="Beoordeeld op het logboek."
                    if verdict.value == "met"
                    else "Minder dan afgesproken volgens het logboek.",
                    follow_up="" if verdict.value == "met" else "Bespreken in het halfjaarlijkse overleg.",
                    reviewed_by_name=REVIEWER,
                )
            )
            if verdict.value == "not_met" and item.commitment not in short:
                short.append(item.commitment)
    CommitmentReview.objects.bulk_create(reviews)
    counts["reviews"] += len(reviews)
    for commitment in short:
        Escalation.objects.create(
            cooperative=cooperative,
            commitment=commitment,
            step=1,
            decided_on=date(year + 1, 1, 20),
            notes="Gesprek met het bestuur: het spreekuur vaker openen, vrijwilligers werven.",
            deadline=date(year + 1, 6, 30),
            recorded_by_name=REVIEWER,
        )
    YearlyAccount.objects.create(
        cooperative=cooperative,
        year=year,
        status=YearlyAccount.Status.SUBMITTED,
        summary="Een goed jaar met veel buren bij onze activiteiten. Het spreekuur liep minder goed: te weinig "
        "vrijwilligers."
        if short
        else "Een goed jaar: alle afspraken zijn nagekomen.",
        members_at_year_end=cooperative.members,
        households_at_year_end=cooperative.households,
        figures={str(f.commitment.pk): {"target": f.target, "realised": f.realised} for f in figures},
        submitted=datetime(year + 1, 1, 31, 12, tzinfo=UTC),
        submitted_by_name=BOARD_LOGIN,
    )


def _co_optations(cooperative, complex_, start: date, reference_date: date) -> int:
    """Record the lettings in the cooperative's complex since its co-optation right as co-opted, if they pass."""
    made = 0
    lettings = (
        Tenancy.objects.filter(
            dwelling__complex=complex_, start_date__gte=max(start, date(2021, 1, 1)), start_date__lte=reference_date
        )
        .select_related("dwelling", "household")
        .order_by("start_date", "external_id")
    )
    for tenancy in lettings:
        try:
            checks = letting_check(facts_of_tenancy(tenancy))
        except LookupError:
            continue
        if checks["passes"] is not True:
            continue  # the demo shows a co-optation only where the law allows it
        tenancy.selection_method = SelectionMethod.CO_OPTATION
        tenancy.save(update_fields=["selection_method"])
        CoOptation.objects.create(
            cooperative=cooperative,
            tenancy=tenancy,
            decided_on=tenancy.start_date - timedelta(days=21),
            note="Gekozen op de ledenvergadering (demo).",
            checks=checks,
            passes=True,
            recorded_by_name="demo",
        )
        made += 1
    return made
