"""Writes of the evaluation app: the interventions register (enter, change, end, import, record from the facts).

Interventions hold no personal data (what was done in a complex, from when). Each write is still audited, as the
social management records are, so a reader of an evaluation can see who put an intervention in the register and
when. The codes are the interventions' own (core.models.AuditEvent.Type 741-745: entered, changed, ended,
imported, recorded by Buurtbalans), with subject type "complex" and purpose "monitor".

Recorded by the product: `interventions_record_from_facts` reads what happened in the lower apps (decided labels
above the cap in steering, tenancies let on motivation or by intake in households, meeting places opened in
liveability, complexes a housing cooperative took on in cooperatives) and adds the interventions nobody entered.
The evaluation app sits above those apps in the layers, so it reads their facts; they never call it
(docs/evaluation.md explains why this is a nightly job and not a signal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from buurtbalans.cooperatives.models import CooperativeComplex
from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.models import AuditEvent, HousingCorporation
from buurtbalans.core.permissions import Action, require
from buurtbalans.evaluation.models import Intervention, InterventionKind, InterventionSource
from buurtbalans.households.models import SelectionMethod, Tenancy
from buurtbalans.liveability.models import MeetingPlace
from buurtbalans.portfolio.models import Complex
from buurtbalans.steering.models import Label, LabelDecision

# Who a recorded intervention says recorded it (the rows the product adds itself).
RECORDED_BY = "Buurtbalans"
PURPOSE = "monitor"


def _manager(actor, complex_: Complex):
    """The actor's membership, if they may manage interventions of this complex's corporation."""
    membership = require(actor, Action.MANAGE_INTERVENTIONS)
    if complex_.corporation_id != membership.corporation_id:
        raise PermissionDenied
    return membership


def _check(*, corporation, complex_: Complex, kind: str, started_on: date, ended_on: date | None,
           exclude: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in InterventionKind.values:
        errors["kind"] = [_("Choose a kind of intervention.")]
    if ended_on is not None and ended_on < started_on:
        errors["ended_on"] = [_("This date is before the start date.")]
    same = Intervention.objects.filter(corporation=corporation, complex=complex_, kind=kind, started_on=started_on)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        errors["started_on"] = [_("This complex already has an intervention of this kind starting on this date.")]
    if errors:
        raise ValidationError(errors)


# The audit code of each write of one intervention.
EVENTS = {"entered": AuditEvent.Type.INTERVENTION_ENTERED, "changed": AuditEvent.Type.INTERVENTION_CHANGED,
          "ended": AuditEvent.Type.INTERVENTION_ENDED}
# The audit code of `intervention_record` per source: a server command or the demo enters, a file imports, the
# product records.
SOURCE_EVENTS = {InterventionSource.ENTERED: AuditEvent.Type.INTERVENTION_ENTERED,
                 InterventionSource.IMPORTED: AuditEvent.Type.INTERVENTIONS_IMPORTED,
                 InterventionSource.RECORDED: AuditEvent.Type.INTERVENTIONS_RECORDED}


def _written(actor, corporation, intervention: Intervention, what: str, data: dict | None = None) -> None:
    audit_record(
        actor=actor,
        event=EVENTS[what],
        corporation=corporation,
        subject_type="complex",
        subject_ids=[intervention.complex.external_id],
        subject_label=f"intervention #{intervention.pk} {what}: {intervention.kind} from {intervention.started_on}",
        purpose=PURPOSE,
        data={"intervention": intervention.pk, "kind": intervention.kind, **(data or {})},
    )


@transaction.atomic
def intervention_create(*, actor, complex_: Complex, kind: str, started_on: date, ended_on: date | None = None,
                        description: str = "") -> Intervention:
    """Enter an intervention in a complex (policy analysts and neighbourhood managers).

    Raises:
        PermissionDenied: the actor may not manage interventions, or the complex is another corporation's.
        ValidationError: an unknown kind, an end before the start, or the same complex, kind and start again.
    """
    membership = _manager(actor, complex_)
    _check(corporation=membership.corporation, complex_=complex_, kind=kind, started_on=started_on, ended_on=ended_on)
    intervention = Intervention.objects.create(
        corporation=membership.corporation, complex=complex_, kind=kind, started_on=started_on, ended_on=ended_on,
        description=description, source=InterventionSource.ENTERED,
        created_by=actor if getattr(actor, "is_authenticated", False) else None, created_by_name=actor_label(actor),
    )
    _written(actor, membership.corporation, intervention, "entered")
    return intervention


@transaction.atomic
def intervention_update(*, actor, intervention: Intervention, kind: str, started_on: date,
                        ended_on: date | None = None, description: str = "") -> Intervention:
    """Change an intervention's kind, dates or description; the old values go into the audit row."""
    membership = _manager(actor, intervention.complex)
    if intervention.corporation_id != membership.corporation_id:
        raise PermissionDenied
    _check(corporation=membership.corporation, complex_=intervention.complex, kind=kind, started_on=started_on,
           ended_on=ended_on, exclude=intervention.pk)
    old = {"kind": intervention.kind, "started_on": str(intervention.started_on),
           "ended_on": str(intervention.ended_on or ""), "description": intervention.description}
    intervention.kind, intervention.started_on, intervention.ended_on = kind, started_on, ended_on
    intervention.description = description
    intervention.save(update_fields=["kind", "started_on", "ended_on", "description", "updated"])
    _written(actor, membership.corporation, intervention, "changed", {"old": old})
    return intervention


@transaction.atomic
def intervention_end(*, actor, intervention: Intervention, ended_on: date) -> Intervention:
    """End an intervention on a date (on or after its start)."""
    membership = _manager(actor, intervention.complex)
    if intervention.corporation_id != membership.corporation_id:
        raise PermissionDenied
    if ended_on < intervention.started_on:
        raise ValidationError({"ended_on": [_("This date is before the start date.")]})
    old = str(intervention.ended_on or "")
    intervention.ended_on = ended_on
    intervention.save(update_fields=["ended_on", "updated"])
    _written(actor, membership.corporation, intervention, "ended", {"old_ended_on": old})
    return intervention


@transaction.atomic
def intervention_record(*, corporation: HousingCorporation, complex_: Complex, kind: str, started_on: date,
                        ended_on: date | None = None, description: str = "",
                        source: str = InterventionSource.RECORDED, actor_name: str = RECORDED_BY) -> Intervention:
    """Put an intervention in the register without a user (the demo generator, a command on the server).

    The same checks as `intervention_create`; the audit row names `actor_name`.
    """
    if complex_.corporation_id != corporation.pk:
        raise PermissionDenied
    _check(corporation=corporation, complex_=complex_, kind=kind, started_on=started_on, ended_on=ended_on)
    intervention = Intervention.objects.create(
        corporation=corporation, complex=complex_, kind=kind, started_on=started_on, ended_on=ended_on,
        description=description, source=source, created_by_name=actor_name,
    )
    audit_record(
        actor=None, actor_name=actor_name, event=SOURCE_EVENTS.get(source, AuditEvent.Type.INTERVENTION_ENTERED),
        corporation=corporation,
        subject_type="complex", subject_ids=[complex_.external_id],
        subject_label=f"intervention #{intervention.pk} recorded: {kind} from {started_on}", purpose=PURPOSE,
        data={"intervention": intervention.pk, "kind": kind},
    )
    return intervention


# --- recorded by the product ---------------------------------------------------------------------------------


def intervention_facts(corporation: HousingCorporation) -> dict[str, dict[int, list[date]]]:
    """Per kind, per complex id, the days on which something happened that is that kind of intervention.

    - ABOVE_CAP_LABELS: a label decided as "above the rent cap" (steering.LabelDecision; the day of the decision);
    - MOTIVATION_LETTINGS: a tenancy let on motivation (households.Tenancy.selection_method; its start);
    - PLACEMENTS: a tenancy let by intake, a documented placement (the same field, "intake");
    - MEETING_PLACE: a meeting place of a complex opened (liveability.MeetingPlace.opened_on);
    - COOPERATIVE_START: a housing cooperative took the complex on (let to it, managed or owned by it:
      cooperatives.CooperativeComplex.valid_from), one per complex and start (see `_cooperative_links`).
    """
    facts: dict[str, dict[int, set[date]]] = defaultdict(lambda: defaultdict(set))
    decisions = (LabelDecision.objects.filter(corporation=corporation, label=Label.ABOVE_CAP)
                 .annotate(day=TruncDate("created")).values_list("dwelling__complex_id", "day").distinct())
    for complex_id, day in decisions:
        facts[InterventionKind.ABOVE_CAP_LABELS][complex_id].add(day)
    methods = {SelectionMethod.MOTIVATION: InterventionKind.MOTIVATION_LETTINGS,
               SelectionMethod.INTAKE: InterventionKind.PLACEMENTS}
    lettings = (Tenancy.objects.filter(corporation=corporation, selection_method__in=list(methods))
                .values_list("selection_method", "dwelling__complex_id", "start_date").distinct())
    for method, complex_id, day in lettings:
        facts[methods[method]][complex_id].add(day)
    places = (MeetingPlace.objects.filter(corporation=corporation, complex__isnull=False, opened_on__isnull=False)
              .values_list("complex_id", "opened_on"))
    for complex_id, day in places:
        facts[InterventionKind.MEETING_PLACE][complex_id].add(day)
    for (complex_id, day) in _cooperative_links(corporation):
        facts[InterventionKind.COOPERATIVE_START][complex_id].add(day)
    return {kind: {cid: sorted(days) for cid, days in per.items()} for kind, per in facts.items()}


def _cooperative_links(corporation: HousingCorporation) -> dict[tuple[int, date], tuple[date | None, str]]:
    """Per (complex id, start) of a cooperative in one of the corporation's complexes: its end and its name.

    A cooperative that takes on some dwellings of a complex starts in the complex too; two links of the same complex
    and day (dwellings added on the same day) are one start.
    """
    links: dict[tuple[int, date], tuple[date | None, str]] = {}
    for complex_id, start, end, name in (
        CooperativeComplex.objects.filter(cooperative__corporation=corporation, complex__corporation=corporation)
        .order_by("complex_id", "valid_from", "pk")
        .values_list("complex_id", "valid_from", "valid_until", "cooperative__name")
    ):
        known_end = links.get((complex_id, start), (end, name))[0]
        links[(complex_id, start)] = (None if end is None or known_end is None else max(end, known_end), name)
    return links


def _uncovered_starts(days: Iterable[date], periods: list[tuple[date, date | None]]) -> list[date]:
    """The days that start a new intervention: the first day not inside a known or newly started period.

    A new one runs on (no end), so every later day of the same complex and kind falls inside it: one intervention
    per complex, kind and start, however many lettings or decisions follow.
    """
    periods = list(periods)
    starts = []
    for day in sorted(days):
        if any(start <= day and (end is None or day <= end) for start, end in periods):
            continue
        starts.append(day)
        periods.append((day, None))
    return starts


@transaction.atomic
def interventions_record_from_facts(*, corporation: HousingCorporation, actor=None) -> dict[str, int]:
    """Add the interventions the product saw happen and nobody recorded yet (see `intervention_facts`).

    Idempotent: a second run adds nothing. An intervention entered or imported for the same complex and kind that
    covers a fact's day counts as recorded already.

    Returns:
        Per kind, how many interventions were added.
    """
    facts = intervention_facts(corporation)
    known: dict[tuple[int, str], list[tuple[date, date | None]]] = defaultdict(list)
    for complex_id, kind, start, end in Intervention.objects.filter(
            corporation=corporation, kind__in=list(facts)).values_list("complex_id", "kind", "started_on", "ended_on"):
        known[(complex_id, kind)].append((start, end))
    cooperatives = _cooperative_links(corporation) if InterventionKind.COOPERATIVE_START in facts else {}
    new = []
    for kind, per_complex in facts.items():
        for complex_id, days in per_complex.items():
            for start in _uncovered_starts(days, known[(complex_id, kind)]):
                # A cooperative's period in the complex is known: the intervention ends when it ends.
                ended_on, description = (cooperatives[(complex_id, start)] if kind == InterventionKind.COOPERATIVE_START
                                         else (None, ""))
                new.append(Intervention(
                    corporation=corporation, complex_id=complex_id, kind=kind, started_on=start, ended_on=ended_on,
                    description=description, source=InterventionSource.RECORDED, created_by_name=RECORDED_BY,
                ))
    if new:
        Intervention.objects.bulk_create(new, batch_size=500)
        codes = dict(Complex.objects.filter(pk__in={i.complex_id for i in new}).values_list("pk", "external_id"))
        audit_record(
            actor=actor, actor_name=None if actor is not None else RECORDED_BY,
            event=AuditEvent.Type.INTERVENTIONS_RECORDED, corporation=corporation, subject_type="complex",
            subject_ids=sorted({codes[i.complex_id] for i in new}),
            subject_label=f"{len(new)} interventions recorded from what happened", purpose=PURPOSE,
            data={"recorded": _count_by_kind(new)},
        )
    return _count_by_kind(new)


def _count_by_kind(interventions: list[Intervention]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for intervention in interventions:
        counts[intervention.kind] += 1
    return dict(counts)


# --- import ----------------------------------------------------------------------------------------------------


@transaction.atomic
def interventions_write(*, actor, corporation: HousingCorporation, rows: list[dict], file_name: str) -> dict:
    """Write the checked rows of an import (`importing.interventions_import`).

    A row with a code updates the intervention with that code, or the one of the same complex, kind and start; any
    other row is added.

    Returns:
        The counts {"new", "updated", "unchanged"}.
    """
    if actor is not None:
        require(actor, Action.MANAGE_INTERVENTIONS)
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    by_code = {i.external_id: i for i in Intervention.objects.filter(corporation=corporation).exclude(external_id="")}
    by_key = {(i.complex_id, i.kind, i.started_on): i for i in Intervention.objects.filter(corporation=corporation)}
    fields = ("kind", "started_on", "ended_on", "description", "external_id")
    for row in rows:
        existing = by_code.get(row["external_id"]) if row["external_id"] else None
        existing = existing or by_key.get((row["complex_id"], row["kind"], row["started_on"]))
        if existing is None:
            intervention = Intervention(
                corporation=corporation, complex_id=row["complex_id"], source=InterventionSource.IMPORTED,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                created_by_name=actor_label(actor), **{f: row[f] for f in fields},
            )
            counts["new"] += 1
        else:
            if all(getattr(existing, f) == row[f] for f in fields) and existing.complex_id == row["complex_id"]:
                counts["unchanged"] += 1
                continue
            intervention = existing
            intervention.complex_id = row["complex_id"]
            for f in fields:
                setattr(intervention, f, row[f])
            counts["updated"] += 1
        try:
            with transaction.atomic():
                intervention.save()
        except IntegrityError as exc:  # another row of the same complex, kind and start (checked before; a race)
            raise ValidationError(_("Two interventions of the same complex, kind and start.")) from exc
    audit_record(
        actor=actor, event=AuditEvent.Type.INTERVENTIONS_IMPORTED, corporation=corporation, subject_type="complex",
        subject_ids=sorted({r["complex_code"] for r in rows}), subject_label=f"interventions imported from {file_name}",
        purpose="import", data={"file": file_name, **counts},
    )
    return counts
