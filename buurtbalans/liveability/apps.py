from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveabilityConfig(AppConfig):
    """Liveability monitor and social management: signals, visits, activities, vitality, map, trends, reports
    (engine in buurtbalans.engine.vitality)."""

    name = "buurtbalans.liveability"
    label = "liveability"
    verbose_name = _("Liveability")

    def ready(self):
        # The imports of the layers below (portfolio, open data) ask for the monitor's recount through their audit
        # event: they may not import this app (liveability/services_recount.py).
        from django.db.models.signals import post_save

        from buurtbalans.core.models import AuditEvent
        from buurtbalans.liveability.services_recount import audit_event_recount

        post_save.connect(audit_event_recount, sender=AuditEvent, dispatch_uid="liveability_audit_event_recount")
