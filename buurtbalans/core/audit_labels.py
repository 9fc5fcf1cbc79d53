"""What the audit log's stored codes mean, in the reader's language (issue 14 item 5).

The log keeps the purpose as a stable code (`AuditEvent.purpose`, e.g. "complex_page") and the subject's kind
(`subject_type`); the auditor's screen shows the label. A code without a label is shown as it is stored, so nothing
recorded is ever hidden; tests/test_dutch_pages.py fails when such a code reaches a Dutch screen.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PURPOSE_LABELS = {
    "account_management": _("Managing user accounts"),
    "account_security": _("Securing an account"),
    "allocation": _("Letting homes"),
    "allocation_policy": _("Letting policy"),
    "audit": _("Checking the audit log"),
    "complex_page": _("Looking at a complex"),
    "compliance": _("Accounting for the legal rules"),
    "cooperatives": _("Working with housing cooperatives"),
    "demo": _("Demo data"),
    "erasure_request": _("A request to erase data"),
    "export": _("A download"),
    "follow_up": _("Follow-up after a letting on motivation"),
    "household_page": _("Looking at a household"),
    "import": _("An import"),
    "marker_kind_management": _("Managing the kinds of marker"),
    "monitor": _("The liveability monitor"),
    "motivation_assessment": _("Scoring motivation"),
    "objections": _("Handling objections"),
    "parameter_maintenance": _("Keeping the legal values up to date"),
    "placement": _("Placing a household"),
    "platform_administration": _("Platform administration"),
    "retention": _("Removing data past its retention period"),
    "security": _("Security"),
    "social_management": _("Social management"),
    "steering": _("Steering the mix"),
    "subject_access_request": _("A request to see one's data"),
}

SUBJECT_TYPE_LABELS = {
    "household": _("Household"),
    "households": _("Households"),
    "tenancy": _("Tenancy"),
    "applicant": _("Applicant"),
    "bid": _("Reactions"),
    "complex": _("Complex"),
    "listing": _("Listing"),
    "allocation_round": _("Allocation round"),
    "round": _("Allocation round"),
    "offer": _("Offer"),
    "objection": _("Objection"),
    "follow_up": _("Follow-up"),
    "motivation_text": _("Motivation"),
    "marker_kind": _("Kind of marker"),
    "audit_log": _("Audit log"),
    "user": _("User"),
    "cooperative": _("Housing cooperative"),
    "intake": _("Intake conversation"),
    "placement": _("Placement"),
    "parameters": _("Legal values"),
    "parameter": _("Legal value"),
    "job": _("Task"),
    "arrears": _("Rent arrears"),
    "complex_profile": _("Complex profile"),
    "compliance": _("Legal accounting"),
    "contingent": _("Contingent"),
    "corporation_contact": _("Contact details"),
    "demo": _("Demo data"),
    "dwelling": _("Dwelling"),
    "labelling_plan": _("Labelling plan"),
    "legal_parameters": _("Legal values"),
    "local_parameters": _("Own values"),
    "membership": _("User roles"),
    "mix_categories": _("Mix categories"),
    "monitor_settings": _("Monitor settings"),
    "motivation_assessment": _("Motivation scores"),
    "motivation_cap": _("Cap on motivation"),
    "motivation_score": _("Motivation score"),
    "open_data_import": _("Open data import"),
    "portfolio_import": _("Stock import"),
    "retention": _("Retention"),
    "social_records_demo": _("Demo records"),
    "social_records_import": _("Records import"),
    "support_need": _("Support need"),
}


def purpose_label(code: str) -> str:
    return str(PURPOSE_LABELS.get(code, code or "–"))


def subject_type_label(code: str) -> str:
    return str(SUBJECT_TYPE_LABELS.get(code, code or "–"))


# Who wrote a row when no user did: the demo generator and commands run on the server (`core.audit.actor_label`).
DEMO_ACTOR = "seed_demo"
COMMAND_ACTOR_PREFIX = "cli:"


def actor_display(name: str) -> str:
    """A stored actor name as a reader says it: a user's name as it is, the demo and a server command in words."""
    if name == DEMO_ACTOR:
        return gettext("the demo of Buurtbalans")
    if name.startswith(COMMAND_ACTOR_PREFIX):
        return gettext("a command on the server (login %(login)s)") % {"login": name[len(COMMAND_ACTOR_PREFIX):]}
    return name or "–"
