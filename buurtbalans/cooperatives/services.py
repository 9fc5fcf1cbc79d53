"""Writes of the cooperatives app: each checks who may write what, changes the rows and records an audit event.

Two kinds of writer:
- the corporation (MANAGE_COOPERATIVES: registry, stock, contacts, documents, agreements, board links;
  REVIEW_COOPERATIVES: reviews and escalation steps; RECORD_CO_OPTATION: co-optations), for any cooperative of
  its own corporation;
- the board (COOPERATIVE_PORTAL), only for the cooperative its link names: the activity log and the yearly account.

A year's log closes when the board hands in that year's account, and a period's log closes for a commitment once
the corporation reviewed that period: the figures a judgement was made on cannot change afterwards.
Services raise `PermissionDenied` for a missing right, `Http404` for another corporation's (or cooperative's) row,
and `ValidationError` (with a message for the user) for a write the rules refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.cooperatives import files
from buurtbalans.cooperatives.letting_check import facts_of_tenancy, letting_check
from buurtbalans.cooperatives.measure import Period, period_by_label, period_target, realised_while_running
from buurtbalans.cooperatives.models import (
    Activity,
    CommitmentReview,
    CooperativeAgreement,
    CooperativeBoardMember,
    CooperativeComplex,
    CooperativeContact,
    CooperativeDocument,
    CoOptation,
    DocumentKind,
    Escalation,
    HousingCooperative,
    YearlyAccount,
    cooperative_scope,
)
from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.models import AuditEvent, Membership, Role
from buurtbalans.core.permissions import Action, require
from buurtbalans.households.models import SelectionMethod, Tenancy
from buurtbalans.portfolio.models import Dwelling

REGISTRY_FIELDS = ("name", "cooperative_type", "kvk_number", "founded_on", "members", "households", "note")


def _audit(actor, event, cooperative, label: str, data: dict | None = None, subject_ids: Iterable[str] = ()):
    audit_record(
        actor=actor,
        event=event,
        corporation=cooperative.corporation,
        subject_type="cooperative",
        subject_ids=subject_ids,
        subject_label=f"{cooperative.name}: {label}"[:300],
        purpose="cooperatives",
        data={"cooperative": cooperative.pk, **(data or {})},
    )


def _staff_cooperative(actor, cooperative: HousingCooperative, action: Action) -> HousingCooperative:
    """The cooperative, if `actor` may do `action` for it (its own corporation's); 404 or 403 otherwise."""
    membership = require(actor, action)
    if cooperative.corporation_id != membership.corporation_id:
        raise Http404
    return cooperative


def _board_cooperative(actor, cooperative: HousingCooperative) -> HousingCooperative:
    """The cooperative, if `actor` is a board member of exactly this cooperative; 404 or 403 otherwise."""
    require(actor, Action.COOPERATIVE_PORTAL)
    scope = cooperative_scope(actor)
    if scope is None or scope.cooperative_id != cooperative.pk or scope.corporation_id != cooperative.corporation_id:
        raise Http404
    return cooperative


def require_staff(actor, cooperative: HousingCooperative, action: Action) -> HousingCooperative:
    """For views: the cooperative if `actor` may do `action` for it (before showing a form); 403/404 otherwise."""
    return _staff_cooperative(actor, cooperative, action)


def require_board(actor, cooperative: HousingCooperative) -> HousingCooperative:
    """For views: the cooperative if `actor` is one of its board members (before showing a form)."""
    return _board_cooperative(actor, cooperative)


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- registry --------------------------------------------------------------------------------------------------


@transaction.atomic
def cooperative_create(*, actor, data: dict) -> HousingCooperative:
    """Register a cooperative of the actor's corporation. `data` holds REGISTRY_FIELDS."""
    membership = require(actor, Action.MANAGE_COOPERATIVES)
    cooperative = HousingCooperative(
        corporation=membership.corporation, **{k: data[k] for k in REGISTRY_FIELDS if k in data}
    )
    cooperative.full_clean()
    cooperative.save()
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_WRITTEN,
        cooperative,
        "registered",
        {"new": {k: _json_value(getattr(cooperative, k)) for k in REGISTRY_FIELDS}},
    )
    return cooperative


@transaction.atomic
def cooperative_update(*, actor, cooperative: HousingCooperative, data: dict) -> HousingCooperative:
    """Change a cooperative's registry entry; the audit event keeps each changed field's old and new value.

    Args:
        actor: a user with MANAGE_COOPERATIVES at the cooperative's corporation.
        cooperative: the cooperative to change.
        data: any of REGISTRY_FIELDS; fields left out keep their value.

    Raises:
        ValidationError: a value the model refuses (`full_clean`).
    """
    _staff_cooperative(actor, cooperative, Action.MANAGE_COOPERATIVES)
    old = {k: _json_value(getattr(cooperative, k)) for k in REGISTRY_FIELDS}
    for key in REGISTRY_FIELDS:
        if key in data:
            setattr(cooperative, key, data[key])
    cooperative.full_clean()
    cooperative.save()
    new = {k: _json_value(getattr(cooperative, k)) for k in REGISTRY_FIELDS}
    changed = {k: {"old": old[k], "new": new[k]} for k in REGISTRY_FIELDS if old[k] != new[k]}
    _audit(actor, AuditEvent.Type.COOPERATIVE_WRITTEN, cooperative, "changed", {"changed": changed})
    return cooperative


@transaction.atomic
def cooperative_complex_add(
    *,
    actor,
    cooperative: HousingCooperative,
    complex_,
    arrangement: str,
    valid_from: date,
    valid_until: date | None = None,
    dwellings: Iterable[Dwelling] = (),
) -> CooperativeComplex:
    """Record that the cooperative rents, manages or owns a complex (or some of its dwellings) from a date.

    Raises:
        ValidationError: another corporation's complex, dwellings outside the complex, or a complex that belongs
            to another cooperative in an overlapping period.
    """
    _staff_cooperative(actor, cooperative, Action.MANAGE_COOPERATIVES)
    if complex_.corporation_id != cooperative.corporation_id:
        raise Http404
    dwellings = list(dwellings)
    if any(d.complex_id != complex_.pk for d in dwellings):
        raise ValidationError(_("Choose dwellings of this complex only."))
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError(_("The end date is before the start date."))
    overlapping = CooperativeComplex.objects.filter(complex=complex_).exclude(valid_until__lt=valid_from)
    if valid_until is not None:
        overlapping = overlapping.exclude(valid_from__gt=valid_until)
    other = overlapping.select_related("cooperative").first()
    if other is not None:
        raise ValidationError(
            _("This complex already belongs to %(name)s in that period.") % {"name": other.cooperative.name}
        )
    link = CooperativeComplex.objects.create(
        cooperative=cooperative,
        complex=complex_,
        arrangement=arrangement,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if dwellings:
        link.dwellings.set(dwellings)
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_WRITTEN,
        cooperative,
        f"complex {complex_.external_id} added",
        {
            "complex": complex_.external_id,
            "arrangement": arrangement,
            "from": valid_from.isoformat(),
            "until": _json_value(valid_until),
            "dwellings": [d.external_id for d in dwellings],
        },
    )
    return link


@transaction.atomic
def cooperative_complex_remove(*, actor, link: CooperativeComplex) -> None:
    """Take a complex out of the cooperative's stock; the audit event names the complex, as the link is gone."""
    cooperative = _staff_cooperative(actor, link.cooperative, Action.MANAGE_COOPERATIVES)
    external_id = link.complex.external_id
    link.delete()
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_WRITTEN,
        cooperative,
        f"complex {external_id} removed",
        {"complex": external_id},
    )


@transaction.atomic
def contact_add(*, actor, cooperative: HousingCooperative, data: dict) -> CooperativeContact:
    """Add a contact person of the cooperative (name, e-mail, phone: personal data, so the write is audited).

    Raises:
        ValidationError: a value the model refuses (`full_clean`).
    """
    _staff_cooperative(actor, cooperative, Action.MANAGE_COOPERATIVES)
    contact = CooperativeContact(cooperative=cooperative, **data)
    contact.full_clean()
    contact.save()
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_CONTACTS_WRITTEN,
        cooperative,
        "contact added",
        {"contact": contact.pk, "role": contact.role},
    )
    return contact


@transaction.atomic
def contact_delete(*, actor, contact: CooperativeContact) -> None:
    """Remove a contact person; the audit event keeps only the row's id, not the personal data that is gone."""
    cooperative = _staff_cooperative(actor, contact.cooperative, Action.MANAGE_COOPERATIVES)
    pk = contact.pk
    contact.delete()
    _audit(actor, AuditEvent.Type.COOPERATIVE_CONTACTS_WRITTEN, cooperative, "contact removed", {"contact": pk})


@transaction.atomic
def document_add(*, actor, cooperative: HousingCooperative, data: dict, upload=None) -> CooperativeDocument:
    """Record a document (management agreement, demarcation list, co-optation right, ...), with its file if any."""
    _staff_cooperative(actor, cooperative, Action.MANAGE_COOPERATIVES)
    document = CooperativeDocument(cooperative=cooperative, uploaded_by_name=actor_label(actor), **data)
    document.full_clean()
    with _attached(document, upload, cooperative.corporation_id):
        document.save()
        _audit(
            actor,
            AuditEvent.Type.COOPERATIVE_DOCUMENT_WRITTEN,
            cooperative,
            f"document added: {document.title}",
            {"document": document.pk, "kind": document.kind, "file": document.file_sha256 or None},
        )
    return document


@transaction.atomic
def document_delete(*, actor, document: CooperativeDocument) -> None:
    """Remove a document and, once the removal is committed, its stored file (a rollback keeps the file)."""
    cooperative = _staff_cooperative(actor, document.cooperative, Action.MANAGE_COOPERATIVES)
    path, pk, title = document.file_path, document.pk, document.title
    document.delete()
    transaction.on_commit(lambda: files.remove(path))
    _audit(
        actor, AuditEvent.Type.COOPERATIVE_DOCUMENT_WRITTEN, cooperative, f"document removed: {title}", {"document": pk}
    )


@contextmanager
def _attached(row, upload, corporation_id: int):
    """Store `upload` (checked) and name it on `row`; the file is removed again if the block raises.

    The services are the outermost transaction, so an exception here means nothing was committed. Should the
    commit itself fail after the block (rare), an unreferenced file stays behind under VAR_DIR: harmless, never
    served, as files are only served through a row that names them.
    """
    if upload is None:
        yield
        return
    files.upload_check(upload)
    stored = files.store(upload, corporation_id=corporation_id)
    row.file_path, row.file_name, row.file_size, row.file_sha256 = stored.path, stored.name, stored.size, stored.sha256
    try:
        yield
    except BaseException:
        files.remove(stored.path)
        raise


# --- agreements and commitments -----------------------------------------------------------------------------


@transaction.atomic
def agreement_create(*, actor, cooperative: HousingCooperative, data: dict) -> CooperativeAgreement:
    """Record an agreement with the cooperative; its commitments are added afterwards (`commitment_save`).

    Raises:
        ValidationError: a document of another cooperative, or a value the model refuses.
    """
    _staff_cooperative(actor, cooperative, Action.MANAGE_COOPERATIVES)
    document = data.get("document")
    if document is not None and document.cooperative_id != cooperative.pk:
        raise ValidationError(_("Choose a document of this cooperative."))
    agreement = CooperativeAgreement(cooperative=cooperative, **data)
    agreement.full_clean()
    agreement.save()
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_AGREEMENT_WRITTEN,
        cooperative,
        f"agreement: {agreement.title}",
        {"agreement": agreement.pk},
    )
    return agreement


COMMITMENT_FIELDS = (
    "theme",
    "description",
    "target_kind",
    "target_per_year",
    "valid_from",
    "valid_until",
    "review_rhythm",
)


@transaction.atomic
def commitment_save(*, actor, agreement: CooperativeAgreement, data: dict, commitment=None):
    """Add a commitment to an agreement, or change one. The commitment's period lies within the agreement's."""
    cooperative = _staff_cooperative(actor, agreement.cooperative, Action.MANAGE_COOPERATIVES)
    from buurtbalans.cooperatives.models import Commitment

    if commitment is None:
        commitment = Commitment(agreement=agreement)
        old = None
    else:
        if commitment.agreement_id != agreement.pk:
            raise Http404
        old = {k: _json_value(getattr(commitment, k)) for k in COMMITMENT_FIELDS}
    for key in COMMITMENT_FIELDS:
        if key in data:
            setattr(commitment, key, data[key])
    if commitment.valid_from < agreement.valid_from or (
        agreement.valid_until is not None
        and (commitment.valid_until is None or commitment.valid_until > agreement.valid_until)
    ):
        raise ValidationError(_("A commitment runs within the period of its agreement."))
    commitment.full_clean()
    commitment.save()
    new = {k: _json_value(getattr(commitment, k)) for k in COMMITMENT_FIELDS}
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_AGREEMENT_WRITTEN,
        cooperative,
        f"commitment {'added' if old is None else 'changed'}: {commitment.description}",
        {"commitment": commitment.pk, "old": old, "new": new},
    )
    return commitment


# --- board members -------------------------------------------------------------------------------------------


@transaction.atomic
def board_member_link(*, actor, cooperative: HousingCooperative, user) -> CooperativeBoardMember:
    """Give a COOPERATIVE_BOARD user of the same corporation the portal of this cooperative (one cooperative each)."""
    _staff_cooperative(actor, cooperative, Action.MANAGE_COOPERATIVES)
    membership = Membership.objects.filter(user=user).first()
    if membership is None or membership.corporation_id != cooperative.corporation_id:
        raise Http404
    if not membership.has_role(Role.COOPERATIVE_BOARD):
        raise ValidationError(_("Only a user with the role 'cooperative board' can be linked to a cooperative."))
    existing = CooperativeBoardMember.objects.filter(user=user).select_related("cooperative").first()
    if existing is not None and existing.cooperative_id != cooperative.pk:
        raise ValidationError(
            _("%(user)s is already a board member of %(name)s.")
            % {"user": user.get_username(), "name": existing.cooperative.name}
        )
    link, _created = CooperativeBoardMember.objects.get_or_create(user=user, defaults={"cooperative": cooperative})
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_BOARD_CHANGED,
        cooperative,
        f"board member {user.get_username()} linked",
        {"user": user.get_username()},
    )
    return link


@transaction.atomic
def board_member_unlink(*, actor, link: CooperativeBoardMember) -> None:
    """Take a board member's portal away: the user keeps their account but no longer sees the cooperative."""
    cooperative = _staff_cooperative(actor, link.cooperative, Action.MANAGE_COOPERATIVES)
    username = link.user.get_username()
    link.delete()
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_BOARD_CHANGED,
        cooperative,
        f"board member {username} unlinked",
        {"user": username},
    )


# --- the board: activity log and yearly account ---------------------------------------------------------------


def period_closed_reason(cooperative: HousingCooperative, commitment_id: int, day: date) -> str | None:
    """Why the log of `day` can no longer change for this commitment, or None when it is open."""
    if YearlyAccount.objects.filter(
        cooperative=cooperative, year=day.year, status=YearlyAccount.Status.SUBMITTED
    ).exists():
        return _("The yearly account of %(year)s has been handed in: its log is closed.") % {"year": day.year}
    if CommitmentReview.objects.filter(
        commitment_id=commitment_id, period_start__lte=day, period_end__gte=day
    ).exists():
        return _("The corporation has reviewed this period for this commitment: its log is closed.")
    return None


ACTIVITY_FIELDS = ("commitment", "day", "description", "participants", "buurt_participants")


def _activity_check(cooperative: HousingCooperative, data: dict, today: date) -> None:
    commitment = data["commitment"]
    if commitment.agreement.cooperative_id != cooperative.pk:
        raise Http404
    day = data["day"]
    if day > today:
        raise ValidationError(_("The date lies in the future: log an activity after it took place."))
    if day < commitment.valid_from or (commitment.valid_until is not None and day > commitment.valid_until):
        raise ValidationError(_("On this date the commitment did not run."))
    if data.get("buurt_participants", 0) > data.get("participants", 0):
        raise ValidationError(_("There cannot be more participants from the buurt than participants."))
    reason = period_closed_reason(cooperative, commitment.pk, day)
    if reason:
        raise ValidationError(reason)


def _activity_figures(activity: Activity) -> dict:
    """What the audit events keep of a log entry: the figures that count towards the commitments."""
    return {
        "commitment": activity.commitment_id,
        "day": activity.day.isoformat(),
        "participants": activity.participants,
        "buurt_participants": activity.buurt_participants,
    }


@transaction.atomic
def activity_record(*, actor, cooperative: HousingCooperative, data: dict, upload=None, today: date) -> Activity:
    """Add an entry to the cooperative's activity log (the board of that cooperative only)."""
    _board_cooperative(actor, cooperative)
    _activity_check(cooperative, data, today)
    activity = Activity(
        cooperative=cooperative,
        recorded_by_name=actor_label(actor),
        **{k: data[k] for k in ACTIVITY_FIELDS if k in data},
    )
    activity.full_clean()
    with _attached(activity, upload, cooperative.corporation_id):
        activity.save()
        _audit(
            actor,
            AuditEvent.Type.COOPERATIVE_ACTIVITY_WRITTEN,
            cooperative,
            f"activity on {activity.day} added",
            {"activity": activity.pk, **_activity_figures(activity)},
        )
    return activity


@transaction.atomic
def activity_update(
    *, actor, activity: Activity, data: dict, upload=None, remove_file: bool = False, today: date
) -> Activity:
    """Change an entry of the activity log (its board only), replacing or removing its file.

    The old file is removed only once the change is committed. The audit event keeps the figures before and after,
    as they count towards the commitments.

    Raises:
        ValidationError: the old or the new date lies in a closed period (account handed in, period reviewed), or
            the new values fail the checks of `activity_record`.
    """
    cooperative = _board_cooperative(actor, activity.cooperative)
    # Both the old and the new date must lie in an open period.
    reason = period_closed_reason(cooperative, activity.commitment_id, activity.day)
    if reason:
        raise ValidationError(reason)
    merged = {k: data.get(k, getattr(activity, k)) for k in ACTIVITY_FIELDS}
    _activity_check(cooperative, merged, today)
    old = _activity_figures(activity)
    for key, value in merged.items():
        setattr(activity, key, value)
    activity.recorded_by_name = actor_label(actor)
    activity.full_clean()
    old_path = activity.file_path
    if upload is not None or remove_file:
        activity.file_path = activity.file_name = activity.file_sha256 = ""
        activity.file_size = None
    with _attached(activity, upload, cooperative.corporation_id):
        activity.save()
        _audit(
            actor,
            AuditEvent.Type.COOPERATIVE_ACTIVITY_WRITTEN,
            cooperative,
            f"activity on {activity.day} changed",
            {"activity": activity.pk, "old": old, "new": _activity_figures(activity)},
        )
    if old_path and old_path != activity.file_path:
        transaction.on_commit(lambda: files.remove(old_path))
    return activity


@transaction.atomic
def activity_delete(*, actor, activity: Activity) -> None:
    """Remove an entry of the activity log (its board only), and its file once the removal is committed.

    Raises:
        ValidationError: the entry lies in a closed period: the figures a judgement was made on stay.
    """
    cooperative = _board_cooperative(actor, activity.cooperative)
    reason = period_closed_reason(cooperative, activity.commitment_id, activity.day)
    if reason:
        raise ValidationError(reason)
    path, pk, day = activity.file_path, activity.pk, activity.day
    activity.delete()
    if path:
        transaction.on_commit(lambda: files.remove(path))
    _audit(
        actor, AuditEvent.Type.COOPERATIVE_ACTIVITY_WRITTEN, cooperative, f"activity on {day} removed", {"activity": pk}
    )


ACCOUNT_FIELDS = ("summary", "members_at_year_end", "households_at_year_end")


@transaction.atomic
def account_save(
    *, actor, cooperative: HousingCooperative, year: int, data: dict, upload=None, submit: bool = False, today: date
) -> YearlyAccount:
    """Save the board's yearly account as a draft, or hand it in (then the year's log closes).

    Raises:
        ValidationError: the account was handed in already, or the year has not ended yet when handing in.
    """
    _board_cooperative(actor, cooperative)
    account, _created = YearlyAccount.objects.select_for_update().get_or_create(cooperative=cooperative, year=year)
    if account.is_submitted:
        raise ValidationError(_("The yearly account of %(year)s has been handed in already.") % {"year": year})
    if submit and year >= today.year:
        raise ValidationError(_("A yearly account can be handed in once the year is over."))
    for key in ACCOUNT_FIELDS:
        if key in data:
            setattr(account, key, data[key])
    old_path = account.file_path
    with _attached(account, upload, cooperative.corporation_id):
        _account_finish(actor, cooperative, account, year, submit)
    if old_path and old_path != account.file_path:
        transaction.on_commit(lambda: files.remove(old_path))
    return account


def _account_finish(actor, cooperative, account: YearlyAccount, year: int, submit: bool) -> None:
    if submit:
        from buurtbalans.cooperatives.selectors import year_figures_for

        figures = year_figures_for([cooperative.pk], year).get(cooperative.pk, [])
        account.figures = {str(f.commitment.pk): {"target": f.target, "realised": f.realised} for f in figures}
        account.status = YearlyAccount.Status.SUBMITTED
        account.submitted = timezone.now()
        account.submitted_by_name = actor_label(actor)
    account.full_clean()
    account.save()
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_ACCOUNT_WRITTEN,
        cooperative,
        f"yearly account {year} {'handed in' if submit else 'saved'}",
        {"year": year, "submitted": submit, "figures": account.figures if submit else None},
    )


# --- the corporation: reviews, escalation, co-optation ----------------------------------------------------------


@transaction.atomic
def commitment_review(
    *, actor, commitment, period_label: str, verdict: str, notes: str = "", follow_up: str = "", today: date
) -> CommitmentReview:
    """Judge one commitment for one ended period from the log: met, partly met or not met.

    The target and the realised figure of that moment are stored with the judgement. A period can be judged again
    (a correction); the audit event keeps the earlier verdict.

    Raises:
        ValidationError: an unknown period, a period that has not ended, or one in which the commitment did not run.
    """
    cooperative = _staff_cooperative(actor, commitment.agreement.cooperative, Action.REVIEW_COOPERATIVES)
    try:
        period: Period = period_by_label(period_label)
    except ValueError as exc:
        raise ValidationError(_("Unknown review period.")) from exc
    if period.end >= today:
        raise ValidationError(_("This period has not ended yet."))
    target = period_target(commitment.target_per_year, period, commitment.valid_from, commitment.valid_until)
    if target == 0 and not (
        commitment.valid_from <= period.end
        and (commitment.valid_until is None or commitment.valid_until >= period.start)
    ):
        raise ValidationError(_("The commitment did not run in this period."))
    entries = Activity.objects.filter(commitment=commitment, day__gte=period.start, day__lte=period.end)
    from buurtbalans.cooperatives.selectors import logged

    achieved = realised_while_running(
        commitment.target_kind, logged(entries), period, commitment.pk, commitment.valid_from, commitment.valid_until
    )
    existing = CommitmentReview.objects.filter(commitment=commitment, period=period.label).first()
    old = (
        None
        if existing is None
        else {"verdict": existing.verdict, "target": existing.target, "realised": existing.realised}
    )
    review, _created = CommitmentReview.objects.update_or_create(
        commitment=commitment,
        period=period.label,
        defaults={
            "period_start": period.start,
            "period_end": period.end,
            "verdict": verdict,
            "target": target,
            "realised": achieved,
            "notes": notes,
            "follow_up": follow_up,
            "reviewed_by_name": actor_label(actor),
        },
    )
    review.full_clean()
    _audit(
        actor,
        AuditEvent.Type.COMMITMENT_REVIEWED,
        cooperative,
        f"commitment {commitment.pk} {period.label}: {verdict}",
        {
            "commitment": commitment.pk,
            "period": period.label,
            "old": old,
            "new": {"verdict": verdict, "target": target, "realised": achieved},
        },
    )
    return review


@transaction.atomic
def escalation_record(*, actor, cooperative: HousingCooperative, data: dict) -> Escalation:
    """Record an escalation step (conversation, written notice, improvement plan, ...). Steps are never removed."""
    _staff_cooperative(actor, cooperative, Action.REVIEW_COOPERATIVES)
    commitment = data.get("commitment")
    if commitment is not None and commitment.agreement.cooperative_id != cooperative.pk:
        raise Http404
    escalation = Escalation(cooperative=cooperative, recorded_by_name=actor_label(actor), **data)
    escalation.full_clean()
    escalation.save()
    _audit(
        actor,
        AuditEvent.Type.COOPERATIVE_ESCALATION_RECORDED,
        cooperative,
        f"escalation step {escalation.step}: {escalation.get_step_display()}",
        {
            "escalation": escalation.pk,
            "step": escalation.step,
            "commitment": commitment.pk if commitment else None,
            "date": escalation.decided_on.isoformat(),
        },
    )
    return escalation


def co_optation_right(cooperative: HousingCooperative, day: date) -> CooperativeDocument | None:
    """The cooperative's recorded co-optation right valid on `day`, if any."""
    for document in CooperativeDocument.objects.filter(cooperative=cooperative, kind=DocumentKind.CO_OPTATION_RIGHT):
        if document.is_valid_on(day):
            return document
    return None


def cooperative_of_dwelling(dwelling: Dwelling, day: date) -> HousingCooperative | None:
    """The cooperative whose stock holds `dwelling` on `day` (the whole complex, or the dwelling named)."""
    links = (
        CooperativeComplex.objects.filter(complex_id=dwelling.complex_id, valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .select_related("cooperative")
        .prefetch_related("dwellings")
    )
    for link in links:
        named = {d.pk for d in link.dwellings.all()}
        if not named or dwelling.pk in named:
            return link.cooperative
    return None


@transaction.atomic
def co_optation_record(
    *, actor, cooperative: HousingCooperative, tenancy: Tenancy, decided_on: date, note: str = ""
) -> CoOptation:
    """Record that the cooperative chose the household of this letting; sets the letting's selection method.

    Steps:
      1. The letting is of the actor's corporation, in a dwelling the cooperative holds on the letting date, and
         the cooperative has a co-optation right (document) valid on that date.
      2. The rules engine checks the letting as any other (`letting_check`) with the parameters of its date.
      3. A letting that does not pass (not fitting passend toewijzen without an exception reason) is refused:
         co-optation chooses among households the law allows, it is no exception to the law.
      4. The tenancy's `selection_method` becomes co-optation; the check is stored and audited with the
         household's code.

    Raises:
        ValidationError: for any refused step, with the reason.
    """
    _staff_cooperative(actor, cooperative, Action.RECORD_CO_OPTATION)
    tenancy = (
        Tenancy.objects.select_for_update()
        .select_related("dwelling", "household")
        .filter(pk=tenancy.pk, corporation_id=cooperative.corporation_id)
        .first()
    )
    if tenancy is None:
        raise Http404
    if decided_on > tenancy.start_date:
        raise ValidationError(_("The cooperative chooses the new resident before the letting starts."))
    if cooperative_of_dwelling(tenancy.dwelling, tenancy.start_date) != cooperative:
        raise ValidationError(_("On the letting date this dwelling does not belong to this cooperative."))
    if co_optation_right(cooperative, tenancy.start_date) is None:
        raise ValidationError(
            _("The cooperative has no co-optation right valid on the letting date. Record the document first.")
        )
    if tenancy.selection_method not in (None, "", SelectionMethod.CO_OPTATION):
        raise ValidationError(
            _("This letting was already recorded with another selection method (%(method)s).")
            % {"method": tenancy.get_selection_method_display()}
        )
    if CoOptation.objects.filter(tenancy=tenancy).exists():
        raise ValidationError(_("The co-optation of this letting has been recorded already."))
    try:
        checks = letting_check(facts_of_tenancy(tenancy))
    except LookupError as exc:
        raise ValidationError(_("No legal parameters cover the letting date.")) from exc
    if checks["passes"] is False:
        raise ValidationError(
            _(
                "This letting does not fit passend toewijzen and has no exception reason. A co-optation does not set "
                "the allocation rules aside."
            )
        )
    tenancy.selection_method = SelectionMethod.CO_OPTATION
    tenancy.save(update_fields=["selection_method"])
    co_optation = CoOptation.objects.create(
        cooperative=cooperative,
        tenancy=tenancy,
        decided_on=decided_on,
        note=note,
        checks=checks,
        passes=checks["passes"],
        recorded_by_name=actor_label(actor),
    )
    _audit(
        actor,
        AuditEvent.Type.CO_OPTATION_RECORDED,
        cooperative,
        f"co-optation of letting {tenancy.external_id}",
        {
            "tenancy": tenancy.external_id,
            "selection_method": SelectionMethod.CO_OPTATION.value,
            "passes": checks["passes"],
            "parameter_version": checks["parameter_version"],
        },
        subject_ids=[tenancy.household.external_id],
    )
    return co_optation


__all__ = [
    "account_save",
    "activity_delete",
    "activity_record",
    "activity_update",
    "agreement_create",
    "board_member_link",
    "board_member_unlink",
    "co_optation_record",
    "commitment_review",
    "commitment_save",
    "contact_add",
    "contact_delete",
    "cooperative_complex_add",
    "cooperative_complex_remove",
    "cooperative_create",
    "cooperative_update",
    "document_add",
    "document_delete",
    "escalation_record",
]
