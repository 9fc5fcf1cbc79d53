from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveabilityConfig(AppConfig):
    """Liveability monitor and social management: signals, visits, activities, vitality, map, trends, reports
    (engine in buurtbalans.engine.vitality)."""

    name = "buurtbalans.liveability"
    label = "liveability"
    verbose_name = _("Liveability")
