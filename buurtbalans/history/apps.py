from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    """History of the stock and the households: dwelling statuses, income bands and ownership as on a date, the
    outcomes per complex per year for the evaluation, and the steering power left in each complex (issue 16)."""

    name = "buurtbalans.history"
    label = "history"
    verbose_name = _("History")

    def ready(self):
        # The portfolio import (a layer below) may not call this app: its audit event, saved last inside the
        # import's transaction, asks for the history instead (as liveability's recount does).
        from django.db.models.signals import post_save

        from buurtbalans.core.models import AuditEvent
        from buurtbalans.history.services import history_record_import

        post_save.connect(history_record_import, sender=AuditEvent, dispatch_uid="history_record_import")

        # The monitor's complex page shows the steering power next to the vitality trend; liveability sits below
        # this app, so this app hands it the section instead of being imported by it.
        from buurtbalans.history.panels import complex_steering_power_panel
        from buurtbalans.liveability.sections import complex_section_register

        complex_section_register(complex_steering_power_panel)
