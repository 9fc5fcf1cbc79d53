"""Writes to the corporation's own settings: its contact details and objection route for letters.

API for views and commands:

    corporation_contact_set(*, corporation, actor, values) -> CorporationContactDetails
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.models import AuditEvent, CorporationContactDetails, HousingCorporation
from buurtbalans.core.permissions import Action, require
from buurtbalans.core.validators import dutch_postal_code, phone_number

# The fields an administrator sets; the rest of the row (who, when) the service fills in.
CONTACT_FIELDS = (
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
    "website",
    "objection_term_weeks",
    "objection_handler",
    "complaint_url",
)


@transaction.atomic
def corporation_contact_set(
    *, corporation: HousingCorporation, actor, values: dict, purpose: str = "letters"
) -> CorporationContactDetails:
    """Save the corporation's contact details and objection route, and audit what changed.

    Every value is checked by the model's own validators (postal code, phone, e-mail, web addresses, term 1-52
    weeks) before anything is stored; the postal code is stored as "1234 AB" and the phone number with its
    spaces tidied. Fields left out of `values` keep their stored value. A save that changes nothing stores and
    audits nothing.

    Args:
        corporation: whose details.
        actor: an administrator of `corporation` (MANAGE_CORPORATION), or None for a command (the demo).
        values: field name -> new value, for any of CONTACT_FIELDS.
        purpose: why, for the audit record.

    Returns:
        The stored row.

    Raises:
        PermissionDenied: when `actor` may not manage this corporation's settings.
        ValidationError: when a value is not valid (nothing is stored).
        ValueError: for a field that is not a contact field.
    """
    if actor is not None:
        membership = require(actor, Action.MANAGE_CORPORATION)
        if membership.corporation_id != corporation.pk:
            raise PermissionDenied
    unknown = sorted(set(values) - set(CONTACT_FIELDS))
    if unknown:
        raise ValueError(f"not a contact field: {', '.join(unknown)}")
    # Lock the row (or the corporation, before the first save) so two administrators saving at once do not
    # record each other's change as their own.
    HousingCorporation.objects.select_for_update().filter(pk=corporation.pk).first()
    details = CorporationContactDetails.objects.filter(corporation=corporation).first()
    if details is None:
        details = CorporationContactDetails(corporation=corporation)
    old = {name: getattr(details, name) for name in CONTACT_FIELDS}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(details, name, value)
    details.full_clean(exclude=["corporation"])
    # Normal forms, after validation said they are valid.
    details.postal_code = dutch_postal_code(details.postal_code) or ""
    details.phone = phone_number(details.phone) or ""
    new = {name: getattr(details, name) for name in CONTACT_FIELDS}
    changes = {name: {"old": old[name], "new": new[name]} for name in CONTACT_FIELDS if old[name] != new[name]}
    if not changes:
        return details
    details.changed_by_name = actor_label(actor)
    details.save()
    audit_record(
        actor=actor,
        event=AuditEvent.Type.CORPORATION_CONTACT_CHANGED,
        corporation=corporation,
        subject_type="corporation_contact",
        subject_label="contact details and objection route for letters",
        purpose=purpose,
        data={"changes": changes},
    )
    return details
