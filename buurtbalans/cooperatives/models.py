"""Housing cooperatives (wooncoöperaties, Woningwet art. 18a): registry, agreements, activity log, reviews.

Who sees what (`CooperativeQuerySet.visible_to`): staff with VIEW_COOPERATIVES see every cooperative of their
corporation; a board member (COOPERATIVE_PORTAL) sees only the one cooperative their `CooperativeBoardMember`
link names. Every model below reaches its cooperative through `cooperative_path`, so one scope rule narrows all of
them. Writes go through `cooperatives.services` only, each with an audit event (3xx).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.cooperatives.measure import Rhythm, TargetKind, Verdict
from buurtbalans.core.models import HousingCorporation
from buurtbalans.core.permissions import Action, actions_of, membership_of
from buurtbalans.households.models import Tenancy
from buurtbalans.portfolio.models import Complex, Dwelling

kvk_number_validator = RegexValidator(r"^\d{8}$", _("A KvK number has exactly 8 digits."), code="kvk_number")


class CooperativeScope:
    """What one user may see of cooperatives: a corporation, and for a board member one cooperative in it."""

    def __init__(self, corporation_id: int, cooperative_id: int | None):
        self.corporation_id = corporation_id
        # None: every cooperative of the corporation (staff); a pk: only that one (a board member).
        self.cooperative_id = cooperative_id

    @property
    def is_board(self) -> bool:
        return self.cooperative_id is not None


def cooperative_scope(user) -> CooperativeScope | None:
    """The user's cooperative scope, cached on the user object for the request; None: nothing to see."""
    if hasattr(user, "_buurtbalans_cooperative_scope"):
        return user._buurtbalans_cooperative_scope
    scope = None
    membership = membership_of(user)
    if membership is not None:
        allowed = actions_of(user)
        if Action.VIEW_COOPERATIVES in allowed:
            scope = CooperativeScope(membership.corporation_id, None)
        elif Action.COOPERATIVE_PORTAL in allowed:
            # A link to a cooperative of another corporation (a data error) gives nothing, not that cooperative.
            cooperative_id = (
                CooperativeBoardMember.objects.filter(
                    user_id=user.pk, cooperative__corporation_id=membership.corporation_id
                )
                .values_list("cooperative_id", flat=True)
                .first()
            )
            if cooperative_id is not None:
                scope = CooperativeScope(membership.corporation_id, cooperative_id)
    if user is not None:
        user._buurtbalans_cooperative_scope = scope
    return scope


class CooperativeQuerySet(models.QuerySet):
    """Rows that belong to a cooperative; `cooperative_path` leads from the row to it ("" for the cooperative)."""

    cooperative_path: str = "cooperative"

    def visible_to(self, user):
        scope = cooperative_scope(user)
        if scope is None:
            return self.none()
        path = self.cooperative_path
        queryset = self.filter(**{f"{path}__corporation_id" if path else "corporation_id": scope.corporation_id})
        if scope.cooperative_id is not None:
            queryset = queryset.filter(**{path or "pk": scope.cooperative_id})
        return queryset


def _scoped(path: str):
    return type(f"CooperativeQuerySet_{path or 'self'}", (CooperativeQuerySet,), {"cooperative_path": path})


class CooperativeType(models.TextChoices):
    # Platform31 / Woningwet art. 18a: in a beheercoöperatie the corporation stays owner; in an
    # eigendomscoöperatie the residents' association owns the building.
    MANAGEMENT = "management", _("Management cooperative (beheercoöperatie)")
    OWNERSHIP = "ownership", _("Ownership cooperative (eigendomscoöperatie)")


class HousingCooperative(models.Model):
    """A housing cooperative (wooncoöperatie): an association of residents that manages or owns its dwellings."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    cooperative_type = models.CharField(
        _("type"), max_length=12, choices=CooperativeType.choices, default=CooperativeType.MANAGEMENT
    )
    kvk_number = models.CharField(_("KvK number"), max_length=8, validators=[kvk_number_validator])
    founded_on = models.DateField(_("founding date"))
    members = models.PositiveIntegerField(_("members"))
    households = models.PositiveIntegerField(_("households"))
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = _scoped("").as_manager()

    class Meta:
        verbose_name = _("housing cooperative")
        verbose_name_plural = _("housing cooperatives")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "kvk_number"], name="cooperative_unique_kvk_number"),
        ]

    def __str__(self) -> str:
        return self.name


class CooperativeBoardMember(models.Model):
    """Links a user with the COOPERATIVE_BOARD role to the one cooperative whose portal they use."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cooperative_board")
    cooperative = models.ForeignKey(HousingCooperative, on_delete=models.CASCADE, related_name="board_members")
    linked = models.DateTimeField(auto_now_add=True)

    objects = _scoped("cooperative").as_manager()

    class Meta:
        verbose_name = _("cooperative board member")
        verbose_name_plural = _("cooperative board members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.cooperative}"


class Arrangement(models.TextChoices):
    LET = "let", _("Let to the cooperative")
    MANAGED = "managed", _("Management handed to the cooperative")
    OWNED = "owned", _("Owned by the cooperative")


class CooperativeComplex(models.Model):
    """A complex (or some of its dwellings) that a cooperative rents, manages or owns, from a date.

    No dwellings chosen: the whole complex. A complex belongs to at most one cooperative at a time (the service
    checks overlapping periods).
    """

    cooperative = models.ForeignKey(HousingCooperative, on_delete=models.CASCADE, related_name="complex_links")
    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="+", verbose_name=_("complex"))
    dwellings = models.ManyToManyField(Dwelling, blank=True, related_name="+", verbose_name=_("dwellings"))
    arrangement = models.CharField(_("arrangement"), max_length=10, choices=Arrangement.choices)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)

    objects = _scoped("cooperative").as_manager()

    class Meta:
        verbose_name = _("complex of a cooperative")
        verbose_name_plural = _("complexes of cooperatives")
        ordering = ["complex__external_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="cooperative_complex_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} – {self.complex}"


class CooperativeContact(models.Model):
    """A contact person of a cooperative (board, contact at the corporation). Personal data: writes are audited."""

    class ContactRole(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        TREASURER = "treasurer", _("Treasurer")
        BOARD = "board", _("Board member")
        CORPORATION = "corporation", _("Contact at the corporation")
        OTHER = "other", _("Other")

    cooperative = models.ForeignKey(HousingCooperative, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=12, choices=ContactRole.choices)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = _scoped("cooperative").as_manager()

    class Meta:
        verbose_name = _("cooperative contact")
        verbose_name_plural = _("cooperative contacts")
        ordering = ["role", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class StoredFileMixin(models.Model):
    """An uploaded file kept under settings.VAR_DIR with a random name, served only through a checked view."""

    file_path = models.CharField(max_length=300, blank=True)  # relative to settings.VAR_DIR
    file_name = models.CharField(_("file"), max_length=200, blank=True)  # the name the uploader gave, for downloads
    file_size = models.PositiveIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def has_file(self) -> bool:
        return bool(self.file_path)


class DocumentKind(models.TextChoices):
    MANAGEMENT_AGREEMENT = "management_agreement", _("Management agreement (beheerovereenkomst)")
    DEMARCATION_LIST = "demarcation_list", _("Demarcation list: who maintains what (demarcatielijst)")
    CO_OPTATION_RIGHT = "co_optation_right", _("Co-optation right (coöptatierecht)")
    COOPERATION_AGREEMENT = "cooperation_agreement", _("Cooperation agreement (samenwerkingsovereenkomst)")
    STATUTES = "statutes", _("Statutes")
    OTHER = "other", _("Other")


class CooperativeDocument(StoredFileMixin):
    """A document of the cooperative: the agreements themselves. The file is optional (a paper original)."""

    cooperative = models.ForeignKey(HousingCooperative, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    uploaded = models.DateTimeField(auto_now_add=True)
    uploaded_by_name = models.CharField(max_length=150)

    objects = _scoped("cooperative").as_manager()

    class Meta:
        verbose_name = _("cooperative document")
        verbose_name_plural = _("cooperative documents")
        ordering = ["kind", "-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="cooperative_document_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class CooperativeAgreement(models.Model):
    """An agreement with measurable commitments (e.g. the social part of the management agreement)."""

    cooperative = models.ForeignKey(HousingCooperative, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("title"), max_length=200)
    document = models.ForeignKey(
        CooperativeDocument,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("document"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = _scoped("cooperative").as_manager()

    class Meta:
        verbose_name = _("cooperative agreement")
        verbose_name_plural = _("cooperative agreements")
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="cooperative_agreement_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Theme(models.TextChoices):
    ENERGY = "energy", _("Energy")
    LANGUAGE = "language_learning", _("Language and learning")
    SHARING = "sharing_giveaway", _("Sharing and give-away")
    FOOD = "food", _("Food")
    CULTURE = "culture", _("Culture")
    GREEN = "green", _("Green")
    CARE = "care", _("Care for each other")
    OTHER = "other", _("Other")


class Commitment(models.Model):
    """A measurable social commitment: a theme, a yearly target of one kind, a period and a review rhythm."""

    agreement = models.ForeignKey(CooperativeAgreement, on_delete=models.CASCADE, related_name="commitments")
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    description = models.CharField(_("what the cooperative does"), max_length=300)
    target_kind = models.CharField(
        _("what is counted"),
        max_length=20,
        choices=[
            (TargetKind.ACTIVITIES.value, _("Activities per year")),
            (TargetKind.PARTICIPANTS.value, _("Participants per year")),
            (TargetKind.BUURT_PARTICIPANTS.value, _("Participants from the buurt per year")),
            (TargetKind.OPEN_WEEKS.value, _("Weeks with an opening per year")),
        ],
    )
    target_per_year = models.PositiveIntegerField(_("target per year"))
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    review_rhythm = models.CharField(
        _("review rhythm"),
        max_length=12,
        choices=[
            (Rhythm.YEARLY.value, _("Every year")),
            (Rhythm.HALF_YEARLY.value, _("Every half year")),
            (Rhythm.QUARTERLY.value, _("Every quarter")),
        ],
        default=Rhythm.YEARLY.value,
    )

    objects = _scoped("agreement__cooperative").as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["theme", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="commitment_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_theme_display()}: {self.description}"


class Activity(StoredFileMixin):
    """One entry of the activity log the board keeps: what happened on a date for a commitment, with whom.

    `buurt_participants` are the participants who do not live in the cooperative's dwellings (from the buurt).
    """

    cooperative = models.ForeignKey(HousingCooperative, on_delete=models.CASCADE, related_name="activities")
    commitment = models.ForeignKey(
        # RESTRICT, not PROTECT: a commitment with logged activities cannot be deleted on its own, but deleting the
        # whole cooperative removes both.
        Commitment,
        on_delete=models.RESTRICT,
        related_name="activities",
        verbose_name=_("commitment"),
    )
    day = models.DateField(_("date"), db_index=True)
    description = models.TextField(_("what happened"))
    participants = models.PositiveIntegerField(_("participants"), default=0)
    buurt_participants = models.PositiveIntegerField(_("of whom from the buurt"), default=0)
    recorded = models.DateTimeField(auto_now=True)
    recorded_by_name = models.CharField(max_length=150)

    objects = _scoped("cooperative").as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(buurt_participants__lte=F("participants")), name="activity_buurt_within_participants"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.description[:40]}"


class YearlyAccount(StoredFileMixin):
    """The yearly account (jaarverantwoording) the board hands in; after that the year's log is closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Handed in")

    cooperative = models.ForeignKey(HousingCooperative, on_delete=models.CASCADE, related_name="accounts")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("how the year went"), blank=True)
    members_at_year_end = models.PositiveIntegerField(_("members at the end of the year"), null=True, blank=True)
    households_at_year_end = models.PositiveIntegerField(_("households at the end of the year"), null=True, blank=True)
    # The log's figures per commitment when it was handed in: {commitment pk: {"target", "realised"}}.
    figures = models.JSONField(default=dict, blank=True)
    submitted = models.DateTimeField(null=True, blank=True)
    submitted_by_name = models.CharField(max_length=150, blank=True)
    changed = models.DateTimeField(auto_now=True)

    objects = _scoped("cooperative").as_manager()

    class Meta:
        verbose_name = _("yearly account")
        verbose_name_plural = _("yearly accounts")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["cooperative", "year"], name="yearly_account_unique_year")]

    def __str__(self) -> str:
        return f"{self.cooperative} {self.year}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class CommitmentReview(models.Model):
    """The corporation's judgement of one commitment for one review period, from the log."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reviews")
    period = models.CharField(_("period"), max_length=7)  # a measure.Period label: "2025", "2025-H1", "2025-Q3"
    period_start = models.DateField()
    period_end = models.DateField()
    verdict = models.CharField(
        _("verdict"),
        max_length=8,
        choices=[
            (Verdict.MET.value, _("Met")),
            (Verdict.PARTLY.value, _("Partly met")),
            (Verdict.NOT_MET.value, _("Not met")),
        ],
    )
    # The figures the reviewer saw, kept as they were: a later log entry does not change a past judgement.
    target = models.PositiveIntegerField(_("target"))
    realised = models.PositiveIntegerField(_("realised"))
    notes = models.TextField(_("notes"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    reviewed = models.DateTimeField(auto_now=True)
    reviewed_by_name = models.CharField(_("reviewed by"), max_length=150)

    objects = _scoped("commitment__agreement__cooperative").as_manager()

    class Meta:
        verbose_name = _("commitment review")
        verbose_name_plural = _("commitment reviews")
        ordering = ["period_start", "commitment_id"]
        constraints = [models.UniqueConstraint(fields=["commitment", "period"], name="commitment_review_unique_period")]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.period} {self.verdict}"


class EscalationStep(models.IntegerChoices):
    """The ladder the corporation climbs when commitments are not kept (the management agreement's clauses)."""

    CONVERSATION = 1, _("Conversation with the board")
    WRITTEN_NOTICE = 2, _("Written notice with a deadline")
    IMPROVEMENT_PLAN = 3, _("Improvement plan agreed")
    CORPORATION_STEPS_IN = 4, _("The corporation takes over a task")
    TERMINATION = 5, _("Notice to end the management agreement")


class Escalation(models.Model):
    """One escalation step, about a commitment (or the cooperative as a whole). Steps are never deleted."""

    cooperative = models.ForeignKey(HousingCooperative, on_delete=models.CASCADE, related_name="escalations")
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("commitment")
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=EscalationStep.choices)
    decided_on = models.DateField(_("date"))
    notes = models.TextField(_("what was agreed"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    recorded = models.DateTimeField(auto_now_add=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    objects = _scoped("cooperative").as_manager()

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.cooperative} {self.get_step_display()}"


class CoOptation(models.Model):
    """A letting whose new resident the cooperative chose (coöptatie), with the legal checks at the letting date.

    The letting's `Tenancy.selection_method` is set to co-optation; `checks` keeps the rules engine's outcome
    (passend toewijzen, DAEB target group) and the parameter version used. Household facts stay in the tenancy.
    """

    cooperative = models.ForeignKey(HousingCooperative, on_delete=models.CASCADE, related_name="co_optations")
    tenancy = models.OneToOneField(Tenancy, on_delete=models.CASCADE, related_name="+")
    decided_on = models.DateField(_("date of the cooperative's choice"))
    note = models.TextField(_("note"), blank=True)
    checks = models.JSONField(default=dict)
    passes = models.BooleanField(_("passes the legal checks"), null=True)
    recorded = models.DateTimeField(auto_now_add=True)
    recorded_by_name = models.CharField(max_length=150)

    objects = _scoped("cooperative").as_manager()

    class Meta:
        verbose_name = _("co-optation")
        verbose_name_plural = _("co-optations")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.cooperative} {self.tenancy_id}"
