"""Social management records (sociaal beheer), rent arrears, monitor settings and vitality snapshots.

Support needs (zorgsignalen) are special-category data: they live in their own table without a reverse accessor on
Complex or Dwelling, and are read only through `selectors.support_needs_for_complex`, which checks the role and the
purpose and writes an audit event, as `households.selectors.markers_for_household` does for markers. Counts of them
(aggregates) feed the vitality indicator "signals per 100 dwellings".
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import HousingCorporation, Job
from buurtbalans.core.permissions import Action, scoped_queryset
from buurtbalans.households.models import Tenancy
from buurtbalans.neighbourhoods.models import Neighbourhood
from buurtbalans.portfolio.models import Complex, Dwelling

SocialQuerySet = scoped_queryset(Action.VIEW_SOCIAL_RECORDS)
SupportNeedQuerySet = scoped_queryset(Action.VIEW_MARKERS)
ArrearsQuerySet = scoped_queryset(Action.VIEW_HOUSEHOLDS)
MonitorQuerySet = scoped_queryset(Action.VIEW_MONITOR)


class RecordSource(models.TextChoices):
    SCREEN = "screen", _("Entered on screen")
    IMPORT = "import", _("Imported from a file")


class SocialRecord(models.Model):
    """What every social management record has: whose, which complex, an optional code from the source system."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    # The record's code in the corporation's own system; re-importing a file with codes updates instead of adding.
    external_id = models.CharField(_("code"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=RecordSource.choices, default=RecordSource.SCREEN)
    # Copied so the record still says who it was after the account is deleted.
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        abstract = True


class SignalKind(models.TextChoices):
    NUISANCE = "nuisance", _("Nuisance")  # overlast
    NEGLECT = "neglect", _("Neglect")  # verloedering, verwaarlozing
    POLLUTION = "pollution", _("Pollution")  # vervuiling, zwerfvuil
    LONELINESS = "loneliness", _("Loneliness")  # eenzaamheid


class Signal(SocialRecord):
    """A signal at a complex (signaal): nuisance, neglect, pollution or loneliness.

    The note describes the situation, not a person: no names or medical details (support needs have their own,
    protected table).
    """

    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="social_signals")
    kind = models.CharField(_("kind"), max_length=20, choices=SignalKind.choices)
    reported_on = models.DateField(_("reported on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    objects = SocialQuerySet.as_manager()

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporation", "external_id"], condition=~Q(external_id=""), name="signal_unique_external_id"
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("reported_on")),
                name="signal_resolved_after_reported",
            ),
        ]
        indexes = [models.Index(fields=["complex", "reported_on"], name="signal_complex_reported")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reported_on}"


class SupportNeed(SocialRecord):
    """Special-category data: a signal that a resident needs support or care (zorgsignaal).

    Stored apart (table `restricted_support_need`, no reverse accessor), shown only to roles with VIEW_MARKERS and a
    purpose, and every read is logged (`selectors.support_needs_for_complex`).
    """

    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="+")
    dwelling = models.ForeignKey(Dwelling, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reported_on = models.DateField(_("reported on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    # Who took it on: the municipality's neighbourhood team, a care provider, ...
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    objects = SupportNeedQuerySet.as_manager()

    class Meta:
        db_table = "restricted_support_need"
        verbose_name = _("support need")
        verbose_name_plural = _("support needs")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporation", "external_id"], condition=~Q(external_id=""),
                name="support_need_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("reported_on")),
                name="support_need_resolved_after_reported",
            ),
        ]
        indexes = [models.Index(fields=["complex", "reported_on"], name="support_need_complex_reported")]

    def __str__(self) -> str:
        return f"support need #{self.pk}"


class VisitKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")  # huisbezoek
    PORTIEK_CONVERSATION = "portiek_conversation", _("Portiek conversation")  # portiekgesprek
    WALK = "walk", _("Neighbourhood walk")  # schouw, wijkschouw
    OTHER = "other", _("Other")


class Visit(SocialRecord):
    """A visit or conversation at a complex: a home visit, a portiek conversation (portiekgesprek), a walk."""

    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="social_visits")
    kind = models.CharField(_("kind"), max_length=24, choices=VisitKind.choices)
    visited_on = models.DateField(_("date"))
    households_reached = models.PositiveIntegerField(_("households reached"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    objects = SocialQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporation", "external_id"], condition=~Q(external_id=""), name="visit_unique_external_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on}"


class MeetingPlace(SocialRecord):
    """A meeting place (ontmoetingsruimte): a room in or near a complex where residents meet."""

    name = models.CharField(_("name"), max_length=200)
    complex = models.ForeignKey(Complex, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (persons)"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    objects = SocialQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting place")
        verbose_name_plural = _("meeting places")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporation", "external_id"], condition=~Q(external_id=""),
                name="meeting_place_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(opened_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="meeting_place_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeetingPlaceUse(models.Model):
    """How a meeting place was used in one month: dayparts open and visitors counted."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    meeting_place = models.ForeignKey(MeetingPlace, on_delete=models.CASCADE, related_name="uses")
    month = models.DateField(_("month"))  # always the first day of the month
    dayparts_open = models.PositiveSmallIntegerField(_("dayparts open"))
    visitors = models.PositiveIntegerField(_("visitors"))
    source = models.CharField(_("source"), max_length=10, choices=RecordSource.choices, default=RecordSource.SCREEN)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    objects = SocialQuerySet.as_manager()

    class Meta:
        verbose_name = _("use of a meeting place")
        verbose_name_plural = _("use of meeting places")
        ordering = ["-month", "meeting_place_id"]
        constraints = [
            # The service stores the first of the month (no CHECK on the day: SQLite would need Django's own
            # date function inside the constraint).
            models.UniqueConstraint(fields=["meeting_place", "month"], name="meeting_place_use_unique_month"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_place_id} {self.month:%Y-%m}"


class ActivityKind(models.TextChoices):
    MEETING = "meeting", _("Meeting and socialising")  # ontmoeting
    GREEN = "green", _("Green and clean-up")  # groen, opruimactie
    CHILDREN = "children", _("Children and young people")
    LEARNING = "learning", _("Language and learning")
    HEALTH = "health", _("Health and exercise")
    RESIDENTS = "residents", _("Residents' meeting")  # bewonersavond
    OTHER = "other", _("Other")


class Activity(SocialRecord):
    """An activity for residents, at a complex and/or a meeting place, with how many took part."""

    complex = models.ForeignKey(Complex, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    meeting_place = models.ForeignKey(
        MeetingPlace, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.MEETING)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    # Who organised it: the corporation, residents, a housing cooperative, a partner.
    organised_by = models.CharField(_("organised by"), max_length=200, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    objects = SocialQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporation", "external_id"], condition=~Q(external_id=""),
                name="activity_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(complex__isnull=False) | Q(meeting_place__isnull=False),
                name="activity_has_a_place",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ArrearsRecord(models.Model):
    """Rent arrears (huurachterstand) on a date: per tenancy, or per complex as a total.

    Per tenancy (`tenancy` set) it is personal financial data: only roles with VIEW_HOUSEHOLDS may read single
    records, and the monitor shows only the share of households in arrears per complex. Per complex (`tenancy`
    empty) the corporation reports the number of households in arrears and the total amount.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="+")
    tenancy = models.ForeignKey(Tenancy, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reference_date = models.DateField(_("reference date"))
    amount = models.DecimalField(_("amount in arrears"), max_digits=12, decimal_places=2)
    households_in_arrears = models.PositiveIntegerField(_("households in arrears"))
    source = models.CharField(_("source"), max_length=10, choices=RecordSource.choices, default=RecordSource.IMPORT)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    objects = ArrearsQuerySet.as_manager()

    class Meta:
        verbose_name = _("rent arrears")
        verbose_name_plural = _("rent arrears")
        ordering = ["-reference_date", "complex_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenancy", "reference_date"], condition=Q(tenancy__isnull=False),
                name="arrears_unique_tenancy_date",
            ),
            models.UniqueConstraint(
                fields=["complex", "reference_date"], condition=Q(tenancy__isnull=True),
                name="arrears_unique_complex_date",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="arrears_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["complex", "reference_date"], name="arrears_complex_date")]

    def __str__(self) -> str:
        return f"arrears {self.complex_id} {self.reference_date}"


class MonitorSettings(models.Model):
    """The early-warning thresholds of one corporation (defaults: engine.vitality.WarningPolicy)."""

    corporation = models.OneToOneField(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    min_score = models.FloatField(_("lowest acceptable vitality score"))
    score_drop = models.FloatField(_("drop in score that gives a warning"))
    worsening_count = models.PositiveSmallIntegerField(_("worsening indicators that give a warning"))
    stable_share = models.FloatField(_("change still counted as stable (share of the tolerance)"))
    changed = models.DateTimeField(_("changed"), auto_now=True)
    changed_by_name = models.CharField(_("changed by"), max_length=150)

    objects = MonitorQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitor settings")
        verbose_name_plural = _("monitor settings")

    def __str__(self) -> str:
        return f"monitor settings of {self.corporation_id}"


class IndicatorSetting(models.Model):
    """A corporation's own weight and norms for one vitality indicator (defaults: liveability.indicators)."""

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("indicator"), max_length=40)
    weight = models.FloatField(_("weight"))
    norm = models.FloatField(_("norm"))
    tolerance = models.FloatField(_("tolerance"))
    warning = models.FloatField(_("warning level"), null=True, blank=True)
    changed = models.DateTimeField(_("changed"), auto_now=True)
    changed_by_name = models.CharField(_("changed by"), max_length=150)

    objects = MonitorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator setting")
        verbose_name_plural = _("indicator settings")
        constraints = [
            models.UniqueConstraint(fields=["corporation", "key"], name="indicator_setting_unique_key"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="indicator_setting_weight_not_negative"),
            models.CheckConstraint(condition=Q(tolerance__gt=0), name="indicator_setting_tolerance_positive"),
        ]

    def __str__(self) -> str:
        return self.key


class ComplexVitality(models.Model):
    """The vitality of one complex on one reference date: indicator values, score, trends and warnings.

    Computed by `services.vitality_refresh` (a job, the `refresh_vitality` command, or after settings change) so the
    monitor's screens read one narrow row per complex instead of aggregating 100k dwellings per request. The latest
    measurement of each complex has `is_latest`; the earlier ones (31 December of the previous years) give trends.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    complex = models.ForeignKey(Complex, on_delete=models.CASCADE, related_name="vitality")
    reference_date = models.DateField(_("reference date"))
    is_latest = models.BooleanField(default=False)
    dwelling_count = models.PositiveIntegerField(_("dwellings"), default=0)
    household_count = models.PositiveIntegerField(_("households"), default=0)
    # {indicator key: value or null}
    values = models.JSONField(default=dict)
    score = models.FloatField(_("vitality score"), null=True, blank=True)
    # {indicator key: {"sub_score", "weight_share"}}
    parts = models.JSONField(default=dict)
    # {indicator key: {"change", "first_year", "last_year", "direction"}}
    trends = models.JSONField(default=dict)
    # {indicator key: [[year, value], ...]}: the series the trends were fitted on (re-scoring needs no recount)
    history = models.JSONField(default=dict)
    # [{"kind", "key", "value", "threshold", "keys"}]
    warnings = models.JSONField(default=list)
    warning_count = models.PositiveSmallIntegerField(default=0, db_index=True)
    computed = models.DateTimeField(_("computed"))

    objects = MonitorQuerySet.as_manager()

    class Meta:
        verbose_name = _("vitality of a complex")
        verbose_name_plural = _("vitality of complexes")
        ordering = ["complex_id", "-reference_date"]
        constraints = [
            models.UniqueConstraint(fields=["complex", "reference_date"], name="complex_vitality_unique_date"),
        ]
        indexes = [models.Index(fields=["corporation", "is_latest"], name="complex_vitality_latest")]

    def __str__(self) -> str:
        return f"vitality {self.complex_id} {self.reference_date}"


class AreaVitality(models.Model):
    """The corporation's complexes in one area together, on one reference date: for comparisons and the map.

    `area_code` is "" for the whole corporation, a GM code for its complexes in a municipality, a BU code for those
    in a buurt. Values and score are means over the complexes weighted by their dwellings (complexes whose value is
    unknown are left out of that indicator's mean).
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    area_code = models.CharField(_("area"), max_length=12, blank=True)
    reference_date = models.DateField(_("reference date"))
    is_latest = models.BooleanField(default=False)
    complex_count = models.PositiveIntegerField(_("complexes"), default=0)
    dwelling_count = models.PositiveIntegerField(_("dwellings"), default=0)
    values = models.JSONField(default=dict)
    score = models.FloatField(_("vitality score"), null=True, blank=True)
    warning_count = models.PositiveIntegerField(_("complexes with a warning"), default=0)

    objects = MonitorQuerySet.as_manager()

    class Meta:
        verbose_name = _("vitality of an area")
        verbose_name_plural = _("vitality of areas")
        ordering = ["area_code", "-reference_date"]
        constraints = [
            models.UniqueConstraint(fields=["corporation", "area_code", "reference_date"],
                                    name="area_vitality_unique_date"),
        ]

    def __str__(self) -> str:
        return f"vitality {self.area_code or 'all'} {self.reference_date}"


class LiveabilityReportFile(models.Model):
    """The PDF a liveability report job produced, kept in the database so any web process can serve it."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="+")
    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    municipality_code = models.CharField(_("municipality"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    file_name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("liveability report")
        verbose_name_plural = _("liveability reports")

    def __str__(self) -> str:
        return self.file_name
