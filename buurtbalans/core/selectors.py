"""Reading the audit log, jobs and the corporation's contact details, scoped to the user's corporation and rights."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Func, IntegerField, QuerySet
from django.db.models.fields.json import KT
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from buurtbalans.core.jobs import RUNNERS
from buurtbalans.core.models import AuditEvent, CorporationContactDetails, HousingCorporation, Job
from buurtbalans.core.permissions import Action, actions_of, require


def job_kind_label(kind: str) -> str:
    runner = RUNNERS.get(kind)
    return str(runner.label) if runner is not None and runner.label else kind.replace("_", " ")


def job_list(user) -> QuerySet:
    """The jobs of the user's corporation whose kind the user may see, newest first.

    Some jobs handle data that needs more than VIEW_JOBS (an import report quotes the rows it read): each
    runner names the right its jobs need in `view_action`.
    """
    membership = require(user, Action.VIEW_JOBS)
    allowed = actions_of(user)
    hidden = [kind for kind, runner in RUNNERS.items() if runner.view_action not in allowed]
    return (
        Job.objects.filter(corporation_id=membership.corporation_id)
        .exclude(kind__in=hidden)
        .select_related("user")
        .order_by("-created", "-id")
    )


def job_get(user, pk: int) -> Job:
    """One job of the user's corporation; 404 for another corporation's job or a kind the user may not see."""
    job = job_list(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(
    user,
    *,
    subject_id: str = "",
    actor: str = "",
    event_type: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet:
    """The corporation's audit events for the auditor, filtered and newest first.

    Args:
        subject_id: a household's external id: the events that concern that person's data.
        actor: part of the actor's user name.
        event_type: one AuditEvent.Type code.
        date_from, date_to: a date range (inclusive, local time).
    """
    membership = require(user, Action.VIEW_AUDIT)
    events = AuditEvent.objects.filter(corporation_id=membership.corporation_id).select_related("actor")
    if subject_id:
        events = _with_subject_id(events, subject_id.strip())
    if actor:
        events = events.filter(actor_name__icontains=actor.strip())
    if event_type:
        events = events.filter(event_type=event_type)
    if date_from:
        events = events.filter(created__gte=_day_start(date_from))
    if date_to:
        events = events.filter(created__lt=_day_start(date_to + timedelta(days=1)))
    return events.order_by("-created", "-id")


class JSONArrayLength(Func):
    """The length of a JSON array column (SQLite json_array_length, PostgreSQL jsonb_array_length)."""

    function = "json_array_length"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="jsonb_array_length", **extra_context)


SUBJECT_IDS_SHOWN = 5


def with_subject_summary(events: QuerySet) -> QuerySet:
    """For the list on screen: the first few subject ids and their number, not the whole list.

    An import's event lists every household it wrote (100k ids, ~1 MB); a page of 50 such events must not
    drag 50 MB out of the database to show five codes each.
    """
    return events.defer("subject_ids", "data").annotate(
        subject_count=JSONArrayLength("subject_ids"),
        **{f"subject_id_{i}": KT(f"subject_ids__{i}") for i in range(SUBJECT_IDS_SHOWN)},
    )


def _with_subject_id(events: QuerySet, subject_id: str) -> QuerySet:
    """Events whose `subject_ids` list holds exactly `subject_id`.

    PostgreSQL answers a JSON containment (`@>`); SQLite has no such lookup for JSONField, so it looks
    through the list with json_each.
    """
    if connection.vendor == "postgresql":
        return events.filter(subject_ids__contains=[subject_id])
    table = AuditEvent._meta.db_table
    return events.extra(
        where=[f'EXISTS (SELECT 1 FROM json_each("{table}"."subject_ids") WHERE json_each.value = %s)'],
        params=[subject_id],
    )


# --- the corporation's contact details ----------------------------------------------------------------------

DEFAULT_OBJECTION_TERM_WEEKS = 6


@dataclass(frozen=True)
class CorporationContact:
    """The corporation as its letters name it: address, phone, e-mail, website and the objection route.

    Every text is "" when not filled in; `missing()` lists those a letter needs. The objection term and who
    handles an objection always have a value: six weeks and "onze klachtencommissie" unless the corporation set
    others.
    """

    name: str
    street_address: str  # street and number, or "Postbus 1234"
    postal_code: str  # "8000 AA"
    city: str
    phone: str
    email: str
    website: str
    objection_term_weeks: int
    objection_handler: str  # who handles an objection or complaint (bezwaar/klacht)
    complaint_url: str  # optional: the complaint form on the web; never listed as missing
    is_objection_handler_default: bool = True

    # What a letter needs, in the order a letter prints it.
    REQUIRED = ("street_address", "postal_code", "city", "phone", "email", "website")

    def missing(self) -> list[str]:
        """The names of the fields a letter needs that are not filled in, e.g. ["phone", "website"]."""
        return [name for name in self.REQUIRED if not getattr(self, name)]

    def missing_labels(self) -> list[str]:
        """`missing()` as words for the screen, in the active language ("phone number", "website")."""
        return [str(CONTACT_FIELD_LABELS[name]) for name in self.missing()]

    def address_lines(self) -> list[str]:
        """The postal address as printed on an envelope: ["Postbus 1234", "8000 AA  Zwolle"] (lines left out
        when empty)."""
        place = "  ".join(part for part in (self.postal_code, self.city) if part)
        return [line for line in (self.street_address, place) if line]


CONTACT_FIELD_LABELS = {
    "street_address": gettext_lazy("street and number or PO box"),
    "postal_code": gettext_lazy("postal code"),
    "city": gettext_lazy("city"),
    "phone": gettext_lazy("phone number"),
    "email": gettext_lazy("e-mail address"),
    "website": gettext_lazy("website"),
}


def corporation_contact(corporation: HousingCorporation) -> CorporationContact:
    """The corporation's contact details and objection route for its letters, with the defaults filled in.

    Not narrowed to a user: the letters of a round are written for the round's corporation by services and jobs
    that checked the user's right already. Call it in the language of the letter: the default
    `objection_handler` ("onze klachtencommissie") is given in the active language.

    Args:
        corporation: whose details.

    Returns:
        A frozen CorporationContact; texts not filled in are "" (see `CorporationContact.missing`).
    """
    stored = CorporationContactDetails.objects.filter(corporation_id=corporation.pk).first()
    if stored is None:
        stored = CorporationContactDetails(corporation_id=corporation.pk)
    handler = stored.objection_handler.strip()
    return CorporationContact(
        name=corporation.name,
        street_address=stored.street_address,
        postal_code=stored.postal_code,
        city=stored.city,
        phone=stored.phone,
        email=stored.email,
        website=stored.website,
        objection_term_weeks=stored.objection_term_weeks or DEFAULT_OBJECTION_TERM_WEEKS,
        objection_handler=handler or gettext("our complaints committee"),
        complaint_url=stored.complaint_url,
        is_objection_handler_default=not handler,
    )


def corporation_contact_details_get(user) -> CorporationContactDetails:
    """The user's own corporation's stored details for the settings screen (an unsaved row when none yet).

    Raises:
        PermissionDenied: for a user without MANAGE_CORPORATION.
    """
    membership = require(user, Action.MANAGE_CORPORATION)
    stored = CorporationContactDetails.objects.filter(corporation_id=membership.corporation_id).first()
    return stored or CorporationContactDetails(corporation=membership.corporation)

