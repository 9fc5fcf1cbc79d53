"""Tenancy root, roles, the audit log and background jobs: what every app builds on."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.validators import validate_dutch_postal_code, validate_phone_number


class HousingCorporation(models.Model):
    """A corporation (woningcorporatie, toegelaten instelling): the tenant of the system.

    Nobody sees another corporation's rows; every selector narrows to the user's corporation.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("housing corporation")
        verbose_name_plural = _("housing corporations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CorporationContactDetails(models.Model):
    """How applicants reach the corporation, as printed on its letters, and where they can object.

    One row per corporation, kept apart from `HousingCorporation` on purpose: the corporation row is loaded with
    every request's membership, these details only when a letter is written or an administrator changes them, and
    "no row" simply means "nothing filled in yet" (the defaults below apply). Read them through
    `core.selectors.corporation_contact`; change them only through `core.services.corporation_contact_set`,
    which audits every change.

    The objection route (bezwaar- en klachtprocedure): an applicant who disagrees with an allocation decision can
    object within `objection_term_weeks` weeks (six unless the corporation sets another term) to
    `objection_handler` (empty: "onze klachtencommissie", in the letter's language), optionally through a form on
    `complaint_url`.
    """

    corporation = models.OneToOneField(
        HousingCorporation, on_delete=models.CASCADE, primary_key=True, related_name="contact_details"
    )
    # Street and number, or a PO box ("Postbus 1234"): the address letters are answered to.
    street_address = models.CharField(_("street and number or PO box"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=7, blank=True, validators=[validate_dutch_postal_code]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True, validators=[validate_phone_number])
    email = models.EmailField(_("e-mail address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    objection_term_weeks = models.PositiveSmallIntegerField(
        _("term to object (weeks)"), default=6, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    objection_handler = models.CharField(_("who handles an objection or complaint"), max_length=200, blank=True)
    complaint_url = models.URLField(_("web address of the complaint form"), blank=True)
    changed = models.DateTimeField(_("changed"), auto_now=True)
    # Copied so the screen still says who it was after the account is deleted.
    changed_by_name = models.CharField(_("changed by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("corporation contact details")
        verbose_name_plural = _("corporation contact details")

    def __str__(self) -> str:
        return f"contact details of corporation #{self.corporation_id}"


class Role(models.TextChoices):
    ALLOCATION_OFFICER = "ALLOCATION_OFFICER", _("Allocation officer")
    NEIGHBOURHOOD_MANAGER = "NEIGHBOURHOOD_MANAGER", _("Neighbourhood manager")
    POLICY_ANALYST = "POLICY_ANALYST", _("Policy analyst")
    COOPERATIVE_BOARD = "COOPERATIVE_BOARD", _("Cooperative board")
    AUDITOR = "AUDITOR", _("Auditor")
    ADMIN = "ADMIN", _("Administrator")
    # Privacy officer (privacyfunctionaris): answers data subjects' requests (AVG art. 15 and 17).
    PRIVACY_OFFICER = "PRIVACY_OFFICER", _("Privacy officer")
    # Assessor of motivation (beoordelaar motivatie): scores motivation texts blind and sees nothing else, so blind
    # assessing holds by role, not only by the page (issue 13).
    MOTIVATION_ASSESSOR = "MOTIVATION_ASSESSOR", _("Motivation assessor")
    # Not a corporation's role: changes what every corporation shares (the legal parameters). Granted only with
    # `buurtbalans platform_admin grant USERNAME`, never on a corporation's screens (see PLATFORM_ROLES).
    PLATFORM_ADMIN = "PLATFORM_ADMIN", _("Platform administrator")


# Roles that act for the whole installation, not for one corporation: a corporation's user screens must not offer
# them, and only a command on the server grants them (`buurtbalans platform_admin`).
PLATFORM_ROLES = frozenset({Role.PLATFORM_ADMIN})


class Membership(models.Model):
    """A user's place in one corporation, with one or more roles."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="memberships")
    # A JSON list rather than a join table: roles are a handful of fixed codes and are read on every request.
    roles = models.JSONField(_("roles"), default=list)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.corporation}"

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class AuditEvent(models.Model):
    """Append-only record of every write of personal data and every read of special-category data.

    Rows are never updated or deleted: `save()` refuses updates and a database trigger (see migration
    0002) refuses UPDATE and DELETE, so not even a bug or the admin can rewrite history.
    """

    class Type(models.IntegerChoices):
        # 1xx households and personal data
        HOUSEHOLDS_WRITTEN = 101, _("Households written")
        TENANCIES_WRITTEN = 102, _("Tenancies written")
        MARKERS_WRITTEN = 103, _("Vulnerability markers written")
        MARKERS_READ = 104, _("Vulnerability markers read")
        APPLICANTS_WRITTEN = 105, _("Applicants written")
        HOUSEHOLD_READ = 106, _("Household income read")
        SUBJECT_ACCESS_EXPORTED = 107, _("Everything about a household exported (AVG art. 15)")
        HOUSEHOLD_ERASED = 108, _("Household's personal data erased (AVG art. 17)")
        PERSONAL_DATA_EXPORTED = 110, _("Personal data exported")
        IMPORT_PREVIEWED = 111, _("Import checked without saving (dry run)")
        MARKER_KIND_CHANGED = 112, _("Kind of vulnerability marker added or changed")
        # 2xx allocation (listings, bids, rounds, offers, letters)
        LISTING_WRITTEN = 201, _("Listing written")
        BIDS_WRITTEN = 202, _("Bids written")
        APPLICANT_PROFILE_WRITTEN = 203, _("Applicant allocation profile written")
        ROUND_WRITTEN = 204, _("Allocation round written")
        ROUND_SOLVED = 205, _("Allocation round solved")
        ROUND_APPROVED = 206, _("Allocation round approved, offers made")
        OFFER_ACCEPTED = 207, _("Offer accepted, tenancy created")
        OFFER_DECLINED = 208, _("Offer declined or withdrawn")
        ROUND_CLOSED = 209, _("Allocation round closed")
        BIDS_READ = 210, _("Bids with personal data read")
        ALLOCATION_LETTER_READ = 211, _("Allocation letter read")
        # Selection on motivation (issue 13)
        MOTIVATION_ASSESSED = 212, _("Motivation scored by an assessor")
        MOTIVATION_TEXT_WRITTEN = 213, _("Motivation text of an applicant written")
        MOTIVATION_TEXTS_READ = 214, _("Motivation texts read")
        # 3xx housing cooperatives
        COOPERATIVE_WRITTEN = 301, _("Housing cooperative written")
        COOPERATIVE_CONTACTS_WRITTEN = 302, _("Cooperative contacts written")
        COOPERATIVE_DOCUMENT_WRITTEN = 303, _("Cooperative document written")
        COOPERATIVE_AGREEMENT_WRITTEN = 304, _("Cooperative agreement written")
        COOPERATIVE_ACTIVITY_WRITTEN = 305, _("Cooperative activity log written")
        COOPERATIVE_ACCOUNT_WRITTEN = 306, _("Cooperative yearly account written")
        COMMITMENT_REVIEWED = 307, _("Cooperative commitment reviewed")
        COOPERATIVE_ESCALATION_RECORDED = 308, _("Cooperative escalation step recorded")
        CO_OPTATION_RECORDED = 309, _("Co-optation of a letting recorded")
        COOPERATIVE_BOARD_CHANGED = 310, _("Cooperative board member linked or unlinked")
        # 4xx liveability and social management
        SOCIAL_RECORDS_WRITTEN = 401, _("Social management records written")
        SUPPORT_NEEDS_WRITTEN = 402, _("Support needs written")
        SUPPORT_NEEDS_READ = 403, _("Support needs read")
        SOCIAL_RECORDS_IMPORTED = 404, _("Social management records imported")
        ARREARS_WRITTEN = 405, _("Rent arrears written")
        MONITOR_SETTINGS_CHANGED = 406, _("Monitor settings changed")
        # 5xx steering the mix (complex profiles, labelling plans, vacancy labels)
        COMPLEX_PROFILE_DECIDED = 501, _("Complex profile decided")
        MIX_CATEGORIES_CHANGED = 502, _("Mix categories changed")
        LABEL_PLAN_MADE = 503, _("Labelling plan made")
        VACANCY_LABEL_ACCEPTED = 504, _("Vacancy label accepted")
        VACANCY_LABEL_CHANGED = 505, _("Vacancy label changed")
        STEERING_ROLE_WRITTEN = 506, _("Carrying role of a tenant written")
        # 7xx accountability and placements (issue 13)
        OBJECTION_REGISTERED = 701, _("Objection to a letting registered")
        OBJECTION_DECIDED = 702, _("Decision on an objection recorded")
        FOLLOW_UP_RECORDED = 711, _("Follow-up of a motivation tenant recorded")
        FOLLOW_UPS_READ = 712, _("Follow-ups of motivation tenants read")
        INTAKE_WRITTEN = 731, _("Intake conversation recorded")
        INTAKE_READ = 732, _("Intake conversations read")
        CONTINGENT_WRITTEN = 733, _("Contingent target set")
        PLACEMENT_RECORDED = 734, _("Placement of a household recorded")
        PLACEMENTS_READ = 735, _("Placements of households read")
        # Interventions register (issue 16): what was done in a complex and from when
        INTERVENTION_ENTERED = 741, _("Intervention entered")
        INTERVENTION_CHANGED = 742, _("Intervention changed")
        INTERVENTION_ENDED = 743, _("Intervention ended")
        INTERVENTIONS_IMPORTED = 744, _("Interventions imported")
        INTERVENTIONS_RECORDED = 745, _("Interventions recorded by Buurtbalans")
        # 9xx system and administration
        PORTFOLIO_IMPORTED = 901, _("Portfolio imported")
        OPEN_DATA_IMPORTED = 902, _("Open data imported")
        DEMO_SEEDED = 903, _("Demo data generated")
        MEMBERSHIP_CHANGED = 904, _("Membership changed")
        PARAMETERS_CHANGED = 905, _("Legal parameters changed")
        CORPORATION_CONTACT_CHANGED = 906, _("Corporation contact details changed")
        RETENTION_PURGED = 907, _("Expired data removed (retention)")
        USER_ACCOUNT_CHANGED = 908, _("User account created or changed")
        MFA_CHANGED = 909, _("Two-step verification set up or reset")
        LOGIN_LOCKED = 910, _("Account locked after failed logins")
        LOCAL_PARAMETERS_CHANGED = 911, _("Corporation's own parameter values changed")
        MOTIVATION_CAP_CHANGED = 912, _("Cap on lettings on motivation changed")
        # Issue 17: a key for the API made or withdrawn (who, which role and scopes; never the key itself).
        API_TOKEN_CREATED = 913, _("API key made")
        API_TOKEN_REVOKED = 914, _("API key withdrawn")

    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied so the record still says who it was after the account is deleted.
    actor_name = models.CharField(_("who"), max_length=150)
    corporation = models.ForeignKey(
        HousingCorporation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event_type = models.PositiveSmallIntegerField(_("what"), choices=Type.choices, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=60)
    # Whose data: the external id(s) of the households concerned, searchable by the auditor.
    subject_ids = models.JSONField(_("whose data"), default=list)
    subject_label = models.CharField(_("subject"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor_name} {self.get_event_type_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only")


class Job(models.Model):
    """A long piece of work (import, report, round, simulation) that the worker runs.

    The UI polls `progress_done`/`progress_total`; runners report through `JobRunner.progress`.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    log = models.TextField(blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    parameter_version = models.CharField(max_length=60, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    # Written by the worker while it runs the job; a running job whose heartbeat stopped belongs to a dead worker.
    heartbeat = models.DateTimeField(null=True, blank=True)
    # How many times a worker has started this job (a job of a dead worker may be retried when that is safe).
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class Upload(models.Model):
    """An uploaded import file, kept on disk only while the import needs it (see `buurtbalans.core.uploads`).

    The file lives under UPLOAD_DIR with a random name (mode 0600); this row says whose it is, what it is for and
    until when it may be kept. A file is removed as soon as its import is written, and otherwise when `expires`
    has passed (the nightly retention job calls `uploads_purge_expired`). The row is also what a confirmation
    locks, so that one checked file is imported once.
    """

    class Kind(models.TextChoices):
        PORTFOLIO = "portfolio", _("Portfolio")
        SOCIAL_RECORDS = "social", _("Social management records")
        BIDS = "bids", _("Bids")
        INTERVENTIONS = "interventions", _("Interventions")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, waiting for the check")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        REJECTED = "rejected", _("Has errors")
        IMPORTING = "importing", _("Being imported")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Stopped with an error")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    # Copied so the row still says who it was after the account is deleted.
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=150)
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # The name the user gave the file, for messages only; it never becomes a path.
    file_name = models.CharField(_("file name"), max_length=200)
    # The random name under UPLOAD_DIR.
    stored_name = models.CharField(max_length=80, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    # The real import queued when the check was confirmed; set once (a failed one may be retried).
    import_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires = models.DateTimeField(_("kept until"), db_index=True)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} upload #{self.pk} ({self.status})"

    @property
    def path(self) -> Path:
        return Path(settings.UPLOAD_DIR) / self.stored_name
