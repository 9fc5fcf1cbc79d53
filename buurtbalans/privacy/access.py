"""Subject access (inzageverzoek, AVG art. 15): everything about one household as one download.

    subject_access_export(*, user, household) -> SubjectAccessFile     a .zip: the data as JSON and as a readable PDF

The JSON (`buurtbalans.subject-access/1`) is the complete, machine-readable copy (also what art. 20 asks for); the
PDF says the same in words for the household. Both leave out what is not the household's own data: other
households' codes in an audit event, the names of the staff who acted (the events say what was done, when and why;
the CJEU allows leaving employees' names out, C-579/21), and the engine's explanation of a round, which describes
the other candidates too.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.platypus import Paragraph, Spacer

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.pdf import BODY, HEADING, TITLE, pdf_table, render_pdf
from buurtbalans.core.permissions import Action, require
from buurtbalans.households.models import Household
from buurtbalans.households.selectors import INCOME_BAND_LABELS, household_band, income_band_limits
from buurtbalans.privacy.subject import SubjectRecords, audit_events_about, subject_records

FORMAT = "buurtbalans.subject-access/1"
PURPOSE = "subject_access_request"

# Section key -> heading; fields of each row: key -> label. The JSON uses the keys, the PDF the labels.
SECTIONS: dict[str, tuple] = {
    "household": (gettext_lazy("Household"), {
        "code": gettext_lazy("Household code"), "size": gettext_lazy("Household size"),
        "adults": gettext_lazy("Adults"), "children": gettext_lazy("Children"),
        "pension_age": gettext_lazy("Pension age"), "income": gettext_lazy("Income per year"),
        "income_year": gettext_lazy("Income year"), "income_source": gettext_lazy("Income source"),
        "income_band": gettext_lazy("Income band"),
    }),
    "tenancies": (gettext_lazy("Tenancies"), {
        "contract": gettext_lazy("Contract code"), "address": gettext_lazy("Address"),
        "complex": gettext_lazy("Complex"), "start": gettext_lazy("Start"), "end": gettext_lazy("End"),
        "contract_type": gettext_lazy("Contract type"), "income_at_start": gettext_lazy("Income at start (per year)"),
        "rent_at_start": gettext_lazy("Rent at start (per month)"),
        "household_size_at_start": gettext_lazy("Household size at start"),
        "pension_age_at_start": gettext_lazy("Pension age at start"),
        "assets_at_start": gettext_lazy("Assets at start"),
        "exception_reason": gettext_lazy("Exception reason"), "selection_method": gettext_lazy("Selection method"),
    }),
    "registrations": (gettext_lazy("Registrations as a home-seeker"), {
        "registration_number": gettext_lazy("Registration number"),
        "registration_date": gettext_lazy("Registration date"), "name": gettext_lazy("Name"),
        "street_address": gettext_lazy("Street and number"), "postal_code": gettext_lazy("Postal code"),
        "city": gettext_lazy("City"), "groups": gettext_lazy("Target groups"), "urgency": gettext_lazy("Urgency"),
        "urgency_valid_until": gettext_lazy("Urgency valid until"),
        "waiting_list_status": gettext_lazy("Waiting list status"), "housed_on": gettext_lazy("Housed on"),
    }),
    "bids": (gettext_lazy("Reactions to homes"), {
        "registration_number": gettext_lazy("Registration number"), "listing": gettext_lazy("Listing code"),
        "address": gettext_lazy("Address"), "round": gettext_lazy("Allocation round"),
        "preference": gettext_lazy("Preference"), "submitted": gettext_lazy("Submitted"),
    }),
    "round_outcomes": (gettext_lazy("Outcomes of allocation rounds"), {
        "round": gettext_lazy("Allocation round"), "run": gettext_lazy("Run"), "listing": gettext_lazy("Listing code"),
        "outcome": gettext_lazy("Outcome"), "rank": gettext_lazy("Rank"), "reason": gettext_lazy("Reason"),
        "reserve_position": gettext_lazy("Reserve position"),
    }),
    "offers": (gettext_lazy("Offers"), {
        "round": gettext_lazy("Allocation round"), "listing": gettext_lazy("Listing code"),
        "address": gettext_lazy("Address"), "status": gettext_lazy("Status"),
        "decline_reason": gettext_lazy("Reason"), "offered": gettext_lazy("Offered"),
        "decided": gettext_lazy("Decided"),
    }),
    "motivation_scores": (gettext_lazy("Motivation scores"), {
        "listing": gettext_lazy("Listing code"), "score": gettext_lazy("Score"),
    }),
    "motivation_texts": (gettext_lazy("Your motivation, as the assessors read it"), {
        "listing": gettext_lazy("Listing code"), "text": gettext_lazy("Motivation"),
        "recorded": gettext_lazy("Recorded"),
    }),
    "motivation_assessments": (gettext_lazy("Scores of your motivation by the assessors"), {
        "listing": gettext_lazy("Listing code"), "assessor": gettext_lazy("Assessor"),
        "score": gettext_lazy("Score"),
    }),
    "objections": (gettext_lazy("Objections and complaints you made"), {
        "listing": gettext_lazy("Listing code"), "kind": gettext_lazy("Kind"),
        "received_on": gettext_lazy("Received on"), "due_on": gettext_lazy("Decide by"),
        "summary": gettext_lazy("What the objection is about"), "decided_on": gettext_lazy("Decided on"),
        "outcome": gettext_lazy("Outcome"), "decision": gettext_lazy("Decision"),
    }),
    "vulnerability_markers": (gettext_lazy("Vulnerability markers"), {
        "kind": gettext_lazy("Kind"), "source": gettext_lazy("Source"), "valid_from": gettext_lazy("Valid from"),
        "valid_until": gettext_lazy("Valid until"),
    }),
    "support_needs": (gettext_lazy("Support needs"), {
        "reported_on": gettext_lazy("Reported on"), "resolved_on": gettext_lazy("Resolved on"),
        "complex": gettext_lazy("Complex"), "address": gettext_lazy("Address"),
        "referred_to": gettext_lazy("Referred to"), "note": gettext_lazy("Note"),
    }),
    "rent_arrears": (gettext_lazy("Rent arrears"), {
        "contract": gettext_lazy("Contract code"), "reference_date": gettext_lazy("Reference date"),
        "amount": gettext_lazy("Amount in arrears"),
    }),
    "carrying_roles": (gettext_lazy("Carrying roles"), {
        "contract": gettext_lazy("Contract code"), "role": gettext_lazy("Role"), "source": gettext_lazy("Source"),
        "valid_from": gettext_lazy("Valid from"), "valid_until": gettext_lazy("Valid until"),
        "note": gettext_lazy("Note"),
    }),
    "co_optations": (gettext_lazy("Chosen by a housing cooperative"), {
        "cooperative": gettext_lazy("Housing cooperative"), "contract": gettext_lazy("Contract code"),
        "decided_on": gettext_lazy("Date of the cooperative's choice"),
        "passes": gettext_lazy("Passes the legal checks"), "note": gettext_lazy("Note"),
    }),
    "intake_conversations": (gettext_lazy("Intake conversations"), {
        "held_on": gettext_lazy("Date of the conversation"), "wish_dwelling": gettext_lazy("Kind of home"),
        "wish_rooms_min": gettext_lazy("At least this many rooms"),
        "wish_area": gettext_lazy("Where (places or neighbourhoods)"),
        "wish_note": gettext_lazy("Housing wish, in a few words"), "support_kind": gettext_lazy("Kind of support"),
        "support_organisation": gettext_lazy("Organisation that gives the support"),
        "support_note": gettext_lazy("Support, in a few words"), "follow_up_on": gettext_lazy("Follow-up on"),
        "follow_up_by": gettext_lazy("Follow-up by"), "follow_up_name": gettext_lazy("Name or team"),
        "follow_up_note": gettext_lazy("Agreement, in a few words"),
    }),
    "placements": (gettext_lazy("Placements"), {
        "placed_on": gettext_lazy("Placed on"), "address": gettext_lazy("Address"),
        "contingent": gettext_lazy("Contingent"), "half_year": gettext_lazy("Half year"),
        "municipality": gettext_lazy("Municipality"), "reason": gettext_lazy("Reason"),
        "contract": gettext_lazy("Contract"), "temporary_group": gettext_lazy("Group for a temporary contract"),
        "temporary_months": gettext_lazy("Term in months"),
    }),
    "follow_ups": (gettext_lazy("Follow-up conversations after a year"), {
        "contract": gettext_lazy("Contract code"), "held_on": gettext_lazy("Date"),
        "took_part": gettext_lazy("You wanted to talk"),
        "contribution": gettext_lazy("What you did for the neighbourhood"), "note": gettext_lazy("Note"),
    }),
    "notes_naming_the_household": (gettext_lazy("Notes that name the household"), {
        "kind": gettext_lazy("Kind"), "date": gettext_lazy("Date"), "note": gettext_lazy("Note"),
    }),
    "audit_events": (gettext_lazy("When the data was used (audit log)"), {
        "when": gettext_lazy("When"), "what": gettext_lazy("What"), "purpose": gettext_lazy("Purpose"),
    }),
}


@dataclass(frozen=True)
class SubjectAccessFile:
    name: str
    content: bytes
    content_type: str = "application/zip"


def _display(obj, name: str) -> str:
    value = getattr(obj, name)
    return str(getattr(obj, f"get_{name}_display")()) if value else ""


def subject_access_document(records: SubjectRecords, *, made: datetime) -> dict:
    """The JSON document: one key per section (see SECTIONS), values as JSON (dates ISO, amounts as strings)."""
    h = records.household
    band = household_band(h, income_band_limits(timezone.localdate(made)).parameters)
    document = {
        "format": FORMAT,
        "made": made.isoformat(timespec="seconds"),
        "corporation": h.corporation.name,
        "household": {
            "code": h.external_id, "size": h.size, "adults": h.adults, "children": h.children,
            "pension_age": h.is_pension_age_household, "income": h.assessed_income, "income_year": h.income_year,
            "income_source": h.get_income_source_display(), "income_band": INCOME_BAND_LABELS[band],
        },
        "tenancies": [
            {"contract": t.external_id, "address": t.dwelling.address,
             "complex": t.dwelling.complex.name if t.dwelling.complex_id else "", "start": t.start_date,
             "end": t.end_date, "contract_type": t.get_contract_type_display(), "income_at_start": t.income_at_start,
             "rent_at_start": t.rent_at_start, "household_size_at_start": t.household_size_at_start,
             "pension_age_at_start": t.is_pension_age_at_start, "assets_at_start": t.assets_at_start,
             "exception_reason": _display(t, "exception_reason"), "selection_method": _display(t, "selection_method")}
            for t in records.tenancies
        ],
        "registrations": [],
        "bids": [
            {"registration_number": b.applicant.external_id, "listing": b.listing.reference,
             "address": b.listing.dwelling.address,
             "round": b.listing.allocation_round.name if b.listing.allocation_round_id else "",
             "preference": b.preference, "submitted": b.submitted_at}
            for b in records.bids
        ],
        "round_outcomes": [
            {"round": r.run.allocation_round.name, "run": r.run.number, "listing": r.listing.reference,
             "outcome": r.get_outcome_display(), "rank": r.rank, "reason": _display(r, "reason"),
             "reserve_position": r.reserve_position}
            for r in records.outcomes
        ],
        "offers": [
            {"round": o.allocation_round.name, "listing": o.listing.reference, "address": o.listing.dwelling.address,
             "status": o.get_status_display(), "decline_reason": _display(o, "decline_reason"),
             "offered": o.offered_at, "decided": o.decided_at}
            for o in records.offers
        ],
        "motivation_scores": [{"listing": m.listing.reference, "score": m.score} for m in records.motivation_scores],
        "motivation_texts": [
            {"listing": m.listing.reference, "text": m.text, "recorded": m.created} for m in records.motivation_texts
        ],
        "motivation_assessments": _assessments(records.motivation_assessments),
        "objections": [
            {"listing": o.listing.reference, "kind": o.get_kind_display(), "received_on": o.received_on,
             "due_on": o.due_on, "summary": o.summary, "decided_on": o.decided_on,
             "outcome": _display(o, "outcome"), "decision": o.decision}
            for o in records.objections
        ],
        "vulnerability_markers": [
            {"kind": m.kind.label, "source": m.source, "valid_from": m.valid_from, "valid_until": m.valid_until}
            for m in records.markers
        ],
        "support_needs": [
            {"reported_on": n.reported_on, "resolved_on": n.resolved_on, "complex": n.complex.name,
             "address": n.dwelling.address if n.dwelling_id else "", "referred_to": n.referred_to, "note": n.note}
            for n in records.support_needs
        ],
        "rent_arrears": [
            {"contract": a.tenancy.external_id, "reference_date": a.reference_date, "amount": a.amount}
            for a in records.arrears
        ],
        "carrying_roles": [
            {"contract": r.tenancy.external_id, "role": r.get_role_display(), "source": r.get_source_display(),
             "valid_from": r.valid_from, "valid_until": r.valid_until, "note": r.note}
            for r in records.steering_roles
        ],
        "co_optations": [
            {"cooperative": c.cooperative.name, "contract": c.tenancy.external_id, "decided_on": c.decided_on,
             "passes": c.passes, "note": c.note}
            for c in records.co_optations
        ],
        "intake_conversations": [
            {"held_on": i.held_on, "wish_dwelling": i.get_wish_dwelling_display(),
             "wish_rooms_min": i.wish_rooms_min, "wish_area": i.wish_area, "wish_note": i.wish_note,
             "support_kind": i.get_support_kind_display(), "support_organisation": i.support_organisation,
             "support_note": i.support_note, "follow_up_on": i.follow_up_on,
             "follow_up_by": i.get_follow_up_by_display(), "follow_up_name": i.follow_up_name,
             "follow_up_note": i.follow_up_note}
            for i in records.intakes
        ],
        "placements": [
            {"placed_on": p.placed_on, "address": p.dwelling.address, "contingent": p.contingent.get_kind_display(),
             "half_year": p.contingent.half_year, "municipality": p.contingent.municipality.name,
             "reason": p.reason, "contract": p.get_contract_kind_display(),
             "temporary_group": _display(p, "temporary_group"), "temporary_months": p.temporary_months}
            for p in records.placements
        ],
        "follow_ups": [
            {"contract": f.tenancy.external_id, "held_on": f.held_on, "took_part": f.took_part,
             "contribution": f.contribution, "note": f.note}
            for f in records.follow_ups
        ],
        "notes_naming_the_household": [
            {"kind": str(r._meta.verbose_name), "date": _record_date(r), "note": r.note} for r in records.named_in_notes
        ],
        "audit_events": [
            {"when": e.created, "what": e.get_event_type_display(), "purpose": e.purpose}
            for e in audit_events_about(h).only("created", "event_type", "purpose")
        ],
    }
    profiles = {p.applicant_id: p for p in records.profiles}
    for a in records.applicants:
        p = profiles.get(a.pk)
        document["registrations"].append({
            "registration_number": a.external_id, "registration_date": a.registration_date, "name": a.name,
            "street_address": a.street_address, "postal_code": a.postal_code, "city": a.city,
            "groups": list(p.groups) if p else [], "urgency": p.is_urgent if p else False,
            "urgency_valid_until": p.urgency_valid_until if p else None,
            "waiting_list_status": p.get_status_display() if p else "", "housed_on": p.housed_on if p else None,
        })
    return json.loads(json.dumps(document, default=_json_value))


# The assessors as the letters name them: by their order, never by name (docs/allocation.md, "Assessing blind").
ASSESSOR_ORDINALS = (gettext_lazy("first assessor"), gettext_lazy("second assessor"), gettext_lazy("third assessor"))


def _assessments(assessments) -> list[dict]:
    """The blind scores of each motivation, the assessors named by their order per listing (as in the letter)."""
    rows, seen = [], {}
    for a in assessments:
        position = seen[(a.applicant_id, a.listing_id)] = seen.get((a.applicant_id, a.listing_id), -1) + 1
        assessor = (str(ASSESSOR_ORDINALS[position]) if position < len(ASSESSOR_ORDINALS)
                    else _("assessor %(number)d") % {"number": position + 1})
        rows.append({"listing": a.listing.reference, "assessor": assessor, "score": a.score})
    return rows


def _record_date(record):
    for name in ("reported_on", "visited_on", "held_on", "opened_on"):
        if hasattr(record, name):
            return getattr(record, name)
    return None


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# Fields holding an amount in euros (a decimal string in the JSON).
AMOUNT_FIELDS = frozenset({"income", "income_at_start", "rent_at_start", "assets_at_start", "amount"})


def _text(value, field: str = "") -> str:
    """A JSON value as the PDF shows it, in the reader's language."""
    if value is None or value == "" or value == []:
        return "–"
    if field in AMOUNT_FIELDS:
        return f"€\u00a0{number_format(Decimal(value), 2, force_grouping=True)}"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return date_format(date.fromisoformat(value), "j F Y")
            return date_format(datetime.fromisoformat(value), "j F Y H:i")
        except ValueError:
            return value
    if isinstance(value, int):
        return number_format(value, 0)
    return str(value)


def subject_access_pdf(document: dict, *, corporation: str) -> bytes:
    """The document in words: a heading per section, a small table per record (label | value)."""
    story = [
        Paragraph(escape(_("What we keep about you")), TITLE),
        Paragraph(escape(_(
            "This is everything %(corporation)s keeps about household %(code)s in Buurtbalans, on %(date)s. "
            "You asked for it (AVG article 15). The same data is in the file %(file)s, for a computer."
        ) % {"corporation": corporation, "code": document["household"]["code"],
             "date": _text(document["made"]), "file": "data.json"}), BODY),
    ]
    for key, (heading, fields) in SECTIONS.items():
        story.append(Paragraph(escape(str(heading)), HEADING))
        rows = document[key] if isinstance(document[key], list) else [document[key]]
        if not rows:
            story.append(Paragraph(escape(_("Nothing recorded.")), BODY))
            continue
        if key == "audit_events":
            story.append(pdf_table([str(label) for label in fields.values()],
                                   [[_text(row[f]) for f in fields] for row in rows], [0.25, 0.5, 0.25]))
            continue
        for row in rows:
            story.append(pdf_table([_("Field"), _("Value")], [[str(label), _text(row.get(f), f)]
                                                             for f, label in fields.items()], [0.35, 0.65]))
            story.append(Spacer(1, 6))
    return render_pdf(story, title=_("What we keep about you"), author=corporation)


@transaction.atomic
def subject_access_export(*, user, household: Household) -> SubjectAccessFile:
    """Everything about `household` as a .zip (data.json and a PDF); audited as SUBJECT_ACCESS_EXPORTED.

    Raises:
        PermissionDenied: without EXPORT_SUBJECT_DATA, or for another corporation's household.
    """
    membership = require(user, Action.EXPORT_SUBJECT_DATA)
    if household.corporation_id != membership.corporation_id:
        raise PermissionDenied
    made = timezone.now()
    records = subject_records(household)
    document = subject_access_document(records, made=made)
    pdf = subject_access_pdf(document, corporation=household.corporation.name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr(f"{_('what-we-keep-about-you')}.pdf", pdf)
    counts = {key: (len(value) if isinstance(value, list) else 1) for key, value in document.items()
              if key in SECTIONS}
    # Recorded last, so the export's own event is not in the export (the next one will list it).
    audit_record(
        actor=user, event=AuditEvent.Type.SUBJECT_ACCESS_EXPORTED, corporation=membership.corporation,
        subject_type="household", subject_ids=[household.external_id],
        subject_label=f"everything about household {household.external_id}", purpose=PURPOSE,
        data={"format": "zip (json, pdf)", "counts": counts},
    )
    name = f"{slugify(_('subject access'))}-{slugify(household.external_id)}-{timezone.localdate(made)}.zip"
    return SubjectAccessFile(name=name, content=buffer.getvalue())
